/**
 * Training data for the layers after a frozen prefix: each image's prefix output from the
 * feature cache, computed once where missing (`computeFeatures`), then served in batches by
 * `createFeaturePipeline` in exactly the order the image pipeline would use (same seed, same
 * epoch permutation, same skipping of unreadable images), so the tail trains on the same
 * batches as the full network would — without running the prefix each epoch.
 */
import type * as TF from '@tensorflow/tfjs';
import type { LabError } from '../errors';
import type { ImageCache } from '../dataset/pipeline/cache';
import { createBatchSource } from '../dataset/pipeline/pipeline';
import type { LabelledImage } from '../dataset/labelled-image';
import type { TensorBatch } from '../dataset/pipeline/pipeline';
import { FeatureCache } from './feature-cache';

type Tf = typeof TF;

export interface ComputeFeaturesOptions {
  tf: Tf;
  /** The frozen prefix (`prefixModel`): image batch in, features out. */
  prefix: TF.LayersModel;
  cache: FeatureCache;
  images: readonly LabelledImage[];
  classNames: readonly string[];
  size: number;
  batchSize: number;
  imageCache: ImageCache | null;
  onUnreadable: (image: LabelledImage, error: LabError) => void;
  /** After each batch: images done so far of those missing. */
  onProgress?: (done: number, missing: number) => void;
}

export interface FeaturesComputed {
  /** Images whose features were already cached. */
  reused: number;
  /** Images whose features were computed now. */
  computed: number;
  /** Images that could not be read (their features do not exist; they are skipped). */
  unreadable: number;
}

/** Makes sure the cache holds the features of every image (each path once). */
export async function computeFeatures(options: ComputeFeaturesOptions): Promise<FeaturesComputed> {
  const { tf, prefix, cache } = options;
  const unique = [...new Map(options.images.map((image) => [image.path, image])).values()];
  const missing: LabelledImage[] = [];
  const versions = new Map<string, { size: string; mtime: string }>();
  for (const image of unique) {
    if (await cache.has(image.path)) continue;
    const version = await FeatureCache.version(image.path);
    if (version) versions.set(image.path, version);
    missing.push(image);
  }
  let unreadable = 0;
  let done = 0;
  if (missing.length > 0) {
    const source = createBatchSource({
      images: missing,
      classNames: options.classNames,
      size: options.size,
      batchSize: options.batchSize,
      seed: 0,
      shuffle: false,
      cache: options.imageCache,
      onUnreadable: (image, error) => {
        unreadable++;
        options.onUnreadable(image, error);
      },
    });
    for await (const batch of source.batches(0)) {
      const values = tf.tidy(() => {
        const xs = tf.tensor4d(batch.xs, [batch.count, options.size, options.size, 3]);
        return prefix.predict(xs, { batchSize: options.batchSize }) as TF.Tensor;
      });
      const data = (await values.data()) as Float32Array;
      values.dispose();
      const per = data.length / batch.count;
      for (const [i, path] of batch.paths.entries()) {
        const version = versions.get(path);
        const features = data.slice(i * per, (i + 1) * per);
        // A file that vanished between the listing and the read: keep it for this run only.
        await cache.put(path, version ?? { size: '-1', mtime: '-1' }, features);
      }
      done += batch.count;
      options.onProgress?.(done, missing.length);
    }
  }
  return { reused: unique.length - missing.length, computed: done, unreadable };
}

export interface FeaturePipelineOptions {
  tf: Tf;
  cache: FeatureCache;
  images: readonly LabelledImage[];
  classNames: readonly string[];
  /** The shape of one image's features (`[h, w, c]`, or `[c]` when pooled). */
  featureShape: readonly number[];
  /** The image pipeline's size: only to build the same order. */
  size: number;
  batchSize: number;
  seed: number;
  shuffle: boolean;
  /** The epoch the first iterator serves. */
  initialEpoch?: number;
}

export interface FeaturePipeline {
  dataset: TF.data.Dataset<TensorBatch>;
  batchesPerEpoch: number;
}

/** Batches of `{ xs: features, ys: one-hot }`, one epoch per `iterator()` call, like `createPipeline`. */
export function createFeaturePipeline(options: FeaturePipelineOptions): FeaturePipeline {
  const { tf, cache, images, batchSize } = options;
  const order = createBatchSource({
    images,
    classNames: options.classNames,
    size: options.size,
    batchSize,
    seed: options.seed,
    shuffle: options.shuffle,
  });
  const classes = options.classNames.length;
  const per = options.featureShape.reduce((a, b) => a * b, 1);
  const n = images.length;
  async function* epochBatches(epoch: number): AsyncGenerator<TensorBatch, void, undefined> {
    const sequence = order.order(epoch);
    let position = 0;
    while (position < n) {
      const capacity = Math.min(batchSize, n - position);
      const xs = new Float32Array(capacity * per);
      const ys = new Float32Array(capacity * classes);
      let count = 0;
      while (count < capacity && position < n) {
        const image = images[sequence[position++]!]!;
        const features = await cache.get(image.path);
        // Unreadable when the features were computed (and said so then): skipped, as the image pipeline does.
        if (!features) continue;
        xs.set(features, count * per);
        ys[count * classes + image.label] = 1;
        count++;
      }
      if (count === 0) return;
      yield {
        // [count, h, w, c] features, or [count, c] pooled ones (the tail's input either way).
        xs: tf.tensor(
          xs.subarray(0, count * per),
          [count, ...options.featureShape],
          'float32',
        ) as TF.Tensor as TF.Tensor4D,
        ys: tf.tensor2d(ys.subarray(0, count * classes), [count, classes], 'float32'),
      };
    }
  }
  let epoch = options.initialEpoch ?? 0;
  return {
    dataset: tf.data.generator<TensorBatch>(() => epochBatches(epoch++)),
    batchesPerEpoch: order.batchesPerEpoch,
  };
}
