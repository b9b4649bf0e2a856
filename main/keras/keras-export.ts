/**
 * `xlab export-keras`: the experiment of a run (its config, settings, augmentation and stored
 * split), or of a config file on a dataset (split drawn and stored as a run would), written as
 * a Keras project.
 */
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { parseAugmentSettings } from '../dataset/image/augment';
import { indexDataset } from '../dataset/pipeline/dataset-index';
import { loadSplit } from '../dataset/pipeline/split';
import { LabError } from '../errors';
import { validateModelConfig } from '../models/model-config';
import { resolveModelConfig } from '../models/presets';
import { validateTrainingSettings } from '../models/training-settings';
import type { Tf } from '../models/xception';
import { createRunStore } from '../runs/run-store';
import { prepareRunData } from '../training/prepare-run-data';
import { appVersion } from '../version';
import type { KerasExperiment } from './keras-experiment';
import { writeKerasProject } from './keras-project';

const withoutKey = (object: Record<string, unknown>, key: string): Record<string, unknown> =>
  Object.fromEntries(Object.entries(object).filter(([k]) => k !== key));

/** The experiment a run trained: the run's own config, settings and split file. */
export async function experimentFromRun(dataDir: string, runId: string): Promise<KerasExperiment> {
  const record = await createRunStore(dataDir).get(runId);
  const key = record.dataset.split.key;
  const split = await loadSplit(key);
  if (!split) {
    throw new LabError(
      'SPLIT_MISSING',
      `The split of run ${runId} (${key}) is gone, so its exact images cannot be exported; export from a config and the dataset instead.`,
    );
  }
  const { augment, ...training } = record.training;
  return {
    source: `run ${runId}`,
    runId,
    name: record.name,
    modelRequest: record.model,
    model: validateModelConfig(withoutKey(record.model, 'preset')),
    training: validateTrainingSettings(training),
    augment: augment ? parseAugmentSettings(augment) : null,
    dataset: {
      path: record.dataset.path,
      fingerprint: record.dataset.fingerprint,
      classNames: record.dataset.classNames,
      splitKey: key,
      split,
    },
  };
}

async function readJsonObject(file: string): Promise<Record<string, unknown>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new LabError('CONFIG_UNREADABLE', `Cannot read the config ${file}: ${(error as Error).message}.`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new LabError(
      'INVALID_MODEL_CONFIG',
      `The config ${file} must be a JSON object: model options ({"preset": "mini"}) or a saved config ({"model": …, "training": …}).`,
    );
  }
  return parsed as Record<string, unknown>;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The experiment of a config file on a dataset. The file holds model options, or a saved
 * config `{ name?, model, training?, augment? }`; the split is drawn and stored as for a run.
 */
export async function experimentFromConfig(
  dataDir: string,
  file: string,
  datasetPath: string,
): Promise<KerasExperiment> {
  const raw = await readJsonObject(file);
  const modelRequest = isObject(raw.model) ? raw.model : raw;
  const training = validateTrainingSettings(isObject(raw.training) ? raw.training : {});
  const augment = isObject(raw.augment) ? parseAugmentSettings(raw.augment) : null;
  const index = await indexDataset(resolve(datasetPath));
  const {
    split,
    file: splitKey,
    built: model,
  } = await prepareRunData({
    dataDir,
    index,
    dataset: datasetPath,
    settings: training,
    forClasses: (classCount) => {
      const model = resolveModelConfig({
        ...modelRequest,
        classes: (modelRequest.classes as number | undefined) ?? classCount,
      });
      if (model.classes !== classCount) {
        throw new LabError(
          'CLASS_COUNT_MISMATCH',
          `The model in ${file} has ${model.classes} classes but ${datasetPath} has ${classCount}: leave classes out to follow the dataset.`,
        );
      }
      return model;
    },
  });
  const name =
    typeof raw.name === 'string' && raw.name.trim()
      ? raw.name.trim()
      : `${String(modelRequest.preset ?? 'custom')} on ${basename(index.root)}`;
  return {
    source: `config ${basename(file)}`,
    name,
    modelRequest: { ...modelRequest, ...model },
    model,
    training,
    augment,
    dataset: { path: index.root, fingerprint: index.fingerprint, classNames: index.classNames, splitKey, split },
  };
}

/** Pure-JS tfjs on the CPU for the topology (building a model does no training). */
export async function loadTfjs(): Promise<Tf> {
  const tf = await import('@tensorflow/tfjs');
  tf.enableProdMode();
  await tf.setBackend('cpu');
  return tf;
}

export async function exportKeras(experiment: KerasExperiment, out: string, tf?: Tf): Promise<string[]> {
  return writeKerasProject(tf ?? (await loadTfjs()), experiment, resolve(out), appVersion());
}
