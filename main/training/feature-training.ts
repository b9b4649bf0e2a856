/**
 * Setting up a phase that trains from cached features: the cache folder for this prefix and
 * these weights, every image's features computed where missing, the tail model and the
 * feature pipelines for training and validation. The trainer calls this and fits the tail.
 */
import type * as TF from '@tensorflow/tfjs';
import type { LabError } from '../errors';
import type { ImageCache } from '../dataset/pipeline/cache';
import { DEFAULT_FIT } from '../dataset/image/decode';
import type { LabelledImage } from '../dataset/labelled-image';
import type { XceptionPlan } from '../models/xception-plan';
import { FeatureCache, featureKey } from './feature-cache';
import { computeFeatures, createFeaturePipeline, type FeaturePipeline } from './feature-data';
import { prefixModel, tailModel, type FrozenPrefix } from './frozen-prefix';

type Tf = typeof TF;

export interface FeatureTrainingOptions {
  tf: Tf;
  model: TF.LayersModel;
  plan: XceptionPlan;
  prefix: FrozenPrefix;
  dataDir: string;
  train: readonly LabelledImage[];
  val: readonly LabelledImage[];
  classNames: readonly string[];
  batchSize: number;
  seed: number;
  /** The epoch the training pipeline's first iterator serves. */
  initialEpoch: number;
  imageCache: ImageCache | null;
  onUnreadable: (image: LabelledImage, error: LabError) => void;
  log: (level: 'info' | 'warn', message: string) => void;
}

export interface FeatureTraining {
  /** The layers after the prefix, sharing the full model's layers; fit this one. */
  tail: TF.LayersModel;
  train: FeaturePipeline;
  val: FeaturePipeline;
  /** Disposes the tail (not the shared layers' weights) and closes the cache. */
  close(): Promise<void>;
}

/** The values of the prefix's weights, moving batch-norm statistics included. */
function prefixWeights(model: TF.LayersModel, prefix: FrozenPrefix): Float32Array[] {
  return prefix.layers.flatMap((spec) =>
    spec.kind === 'input'
      ? []
      : model
          .getLayer(spec.name)
          .getWeights()
          .map((t) => t.dataSync() as Float32Array),
  );
}

export async function openFeatureTraining(options: FeatureTrainingOptions): Promise<FeatureTraining> {
  const { tf, model, plan, prefix } = options;
  const size = plan.config.inputSize;
  const base = prefixModel(tf, model, prefix);
  const featureShape = (base.outputs[0]!.shape.slice(1) as number[]).map(Number);
  const keyParts = { layers: prefix.layers, inputSize: size, fit: DEFAULT_FIT, normalisation: 'xception' };
  const key = featureKey({ ...keyParts, weights: prefixWeights(model, prefix) });
  const cache = await FeatureCache.open(options.dataDir, key, {
    ...keyParts,
    layers: prefix.layers.length,
    prefix: prefix.flows,
    boundary: prefix.boundary,
  });
  for (const warning of cache.warnings) options.log('warn', warning);
  let tail: TF.LayersModel | undefined;
  try {
    const started = Date.now();
    const done = await computeFeatures({
      tf,
      prefix: base,
      cache,
      images: [...options.train, ...options.val],
      classNames: options.classNames,
      size,
      batchSize: options.batchSize,
      imageCache: options.imageCache,
      onUnreadable: options.onUnreadable,
    });
    options.log(
      'info',
      `Feature cache: used — ${prefix.flows.join(', ')} frozen and no augmentation, so each image's ${prefix.boundary} output (${featureShape.join('×')}) is computed once: ${done.computed} computed now${done.computed > 0 ? ` in ${((Date.now() - started) / 1000).toFixed(1)} s` : ''}, ${done.reused} reused from ${cache.dir}. The layers after it train on these features.`,
    );
    tail = tailModel(tf, model, plan, prefix);
    const common = {
      tf,
      cache,
      classNames: options.classNames,
      featureShape,
      size,
      batchSize: options.batchSize,
      seed: options.seed,
    };
    const train = createFeaturePipeline({
      ...common,
      images: options.train,
      shuffle: true,
      initialEpoch: options.initialEpoch,
    });
    const val = createFeaturePipeline({ ...common, images: options.val, shuffle: false });
    const owned = tail;
    return {
      tail: owned,
      train,
      val,
      close: async () => {
        owned.dispose();
        await cache.close();
      },
    };
  } catch (error) {
    tail?.dispose();
    await cache.close();
    throw error;
  }
}
