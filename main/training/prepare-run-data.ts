import type { ModelRequest } from '../contract';
import type { DatasetIndex } from '../dataset/pipeline/dataset-index';
import { prepareSplit, splitImages, type DatasetSplit } from '../dataset/pipeline/split';
import type { LabelledImage, SplitName } from '../dataset/labelled-image';
import { LabError } from '../errors';
import { mergeModelRequest } from '../models/describe-model';
import { validateModelConfig, type ModelConfig } from '../models/model-config';
import type { TrainingSettings } from '../models/training-settings';

export interface RunDataRequest<M> {
  dataDir: string;
  /** The dataset as indexed (for a resumed run, labelled by the run's own classes). */
  index: DatasetIndex;
  /** The dataset as the user named it, for the messages. */
  dataset: string;
  settings: Pick<TrainingSettings, 'seed' | 'valFraction' | 'testFraction'>;
  /** Builds (and checks) what follows the class count, e.g. the model, before the split is drawn. */
  forClasses?: (classCount: number) => M;
}

export interface RunData<M> {
  split: DatasetSplit;
  /** The stored split's file, the run's split key. */
  file: string;
  images: Record<SplitName, LabelledImage[]>;
  /** What `forClasses` returned. */
  built: M;
}

/**
 * The dataset side of a new or resumed run, shared by every engine and by the Keras export:
 * at least two classes, the split stored for this dataset, seed and fractions (drawn and
 * stored when there is none), and training and validation images in it.
 */
export async function prepareRunData<M = undefined>(request: RunDataRequest<M>): Promise<RunData<M>> {
  const { index, dataset, settings } = request;
  if (index.classNames.length < 2) {
    throw new LabError(
      'DATASET_TOO_SMALL',
      `${dataset} has ${index.classNames.length} usable class: training needs at least 2 classes.`,
    );
  }
  const built = request.forClasses?.(index.classNames.length) as M;
  const { split, file } = await prepareSplit(request.dataDir, {
    root: index.root,
    images: index.images,
    classNames: index.classNames,
    fingerprint: index.fingerprint,
    seed: settings.seed,
    val: settings.valFraction,
    test: settings.testFraction,
  });
  const images = splitImages(split, index.root);
  if (images.train.length === 0 || images.val.length === 0) {
    throw new LabError(
      'DATASET_TOO_SMALL',
      `${dataset} is too small to split into training and validation images: add images to each class.`,
    );
  }
  return { split, file, images, built };
}

/** The model a train request asks for on a dataset of `classCount` classes; no `classes` follows the dataset. */
export function modelForClasses(request: ModelRequest, classCount: number, dataset: string): ModelConfig {
  const model = validateModelConfig(mergeModelRequest({ ...request, classes: request.classes ?? classCount }));
  if (model.classes !== classCount) {
    throw new LabError(
      'CLASS_COUNT_MISMATCH',
      `The model has ${model.classes} classes but ${dataset} has ${classCount}: leave classes empty to follow the dataset.`,
    );
  }
  return model;
}
