/**
 * Streaming batches for training and evaluation: images → (cache | decode) → augment →
 * normalise → batches of `{ xs, ys }`, in constant memory whatever the dataset's size.
 *
 * - `createBatchSource` is the engine-free core: an async generator of plain typed-array
 *   batches per epoch, for any consumer (evaluation, export, benchmarks).
 * - `createPipeline` wraps it in a `tf.data.generator` dataset for `model.fitDataset`. Each
 *   `dataset.iterator()` call — fitDataset makes one per epoch — starts the next epoch.
 *
 * Order: with `shuffle`, each epoch is a Fisher–Yates permutation seeded by (seed, epoch);
 * without, the input order. Augmentation of the image at position p of epoch e is seeded by
 * (seed, e, p), so a run repeats exactly whatever the concurrency or cache state.
 *
 * Decoding runs ahead of the consumer: up to `concurrency` images are being read and decoded
 * (by sharp on libuv's threads) while the current batch is assembled. Rendering (resize +
 * augmentation, `warp.ts`) and normalisation run on the calling thread straight into the
 * batch's Float32Array: the generator yields whole batches, not one tensor per image then
 * `.batch()`, which would create and concatenate `batchSize` tensors per batch. The only
 * tensors made are each batch's `xs` and `ys`, and the consumer owns (and disposes) them —
 * `fitDataset` does.
 *
 * Normalisation: `'xception'` (default) maps 0–255 to [−1, 1] (x / 127.5 − 1), exactly Keras
 * Xception's `preprocess_input` (mode "tf"), so weights from Keras work unchanged; `'unit'`
 * maps to [0, 1] for models that expect that (e.g. a `Rescaling(1/255)`-style baseline).
 */
import type * as TF from '@tensorflow/tfjs';
import { availableParallelism } from 'node:os';
import { LabError } from '../../errors';
import { parseAugmentSettings, renderAugmentedFloat, renderResizedFloat, type AugmentSettings } from '../image/augment';
import type { ImageCache } from './cache';
import { checkFit, checkSize, decodeSource, DEFAULT_FIT, type ResizeFit } from '../image/decode';
import { checkLabels, type LabelledImage } from '../labelled-image';
import { randomFrom, shuffleInPlace } from '../random';
import type { RgbImage } from '../image/warp';

export type Normalisation = 'xception' | 'unit';

export interface BatchSourceOptions {
  images: readonly LabelledImage[];
  classNames: readonly string[];
  /** Model input size in pixels (square). */
  size: number;
  batchSize: number;
  seed: number;
  /** Reshuffle every epoch (training); false keeps the input order (validation, test). */
  shuffle: boolean;
  /** Augmentation for training; omit or null for none. */
  augment?: AugmentSettings | null;
  /** A cache for this size and fit, shared between the pipelines of one run. */
  cache?: ImageCache | null;
  fit?: ResizeFit;
  normalisation?: Normalisation;
  /** Images decoded ahead of the consumer (default 2 × cores, at least 4). */
  concurrency?: number;
  /** Leave out a last batch smaller than `batchSize` (default false: it is yielded). */
  dropRemainder?: boolean;
  /**
   * Called for an image that can no longer be decoded (changed since the scan); the image is
   * skipped. Without it, such an image ends the epoch with its `IMAGE_UNREADABLE` error.
   */
  onUnreadable?: (image: LabelledImage, error: LabError) => void;
}

/** One batch as typed arrays, row-major like the tensors made from it. */
export interface Batch {
  /** [count, size, size, 3], normalised. */
  xs: Float32Array;
  /** [count, classes], one-hot. */
  ys: Float32Array;
  labels: Int32Array;
  paths: string[];
  count: number;
}

export interface BatchSource {
  readonly size: number;
  readonly classes: number;
  readonly imagesPerEpoch: number;
  /** Batches per epoch (an upper bound when images are skipped by `onUnreadable`). */
  readonly batchesPerEpoch: number;
  /** The order of `images` indices in `epoch`. */
  order(epoch: number): number[];
  /** The batches of one epoch; each batch's arrays are new and belong to the consumer. */
  batches(epoch: number): AsyncGenerator<Batch, void, undefined>;
}

/** Where a batch's `xs` array comes from (pipelines recycle them; see `createPipeline`). */
type TakeXs = (length: number) => Float32Array;

export type TensorBatch = { xs: TF.Tensor4D; ys: TF.Tensor2D };

export interface PipelineOptions extends BatchSourceOptions {
  /** The tfjs module in use (`@tensorflow/tfjs`, or tfjs-node in the training worker). */
  tf: typeof TF;
  /** The epoch the dataset's first iterator serves (for resumed runs; default 0). */
  initialEpoch?: number;
}

export interface Pipeline extends BatchSource {
  /** Each `iterator()` serves the next epoch, starting at `initialEpoch`. */
  dataset: TF.data.Dataset<TensorBatch>;
}

/** The lookup from a byte to its normalised value. */
export function normalisationTable(normalisation: Normalisation): Float32Array {
  const lut = new Float32Array(256);
  for (let v = 0; v < 256; v++) lut[v] = normalisation === 'unit' ? v / 255 : v / 127.5 - 1;
  return lut;
}

const TAKE_XS = Symbol('batches with an xs allocator');
type InternalSource = BatchSource & {
  [TAKE_XS]: (epoch: number, takeXs: TakeXs) => AsyncGenerator<Batch, void, undefined>;
};

export function createBatchSource(options: BatchSourceOptions): BatchSource {
  return createSource(options);
}

function createSource(options: BatchSourceOptions): InternalSource {
  const { images, classNames, size, batchSize, seed, shuffle, cache } = options;
  const fit = options.fit ?? DEFAULT_FIT;
  checkSize(size);
  checkFit(fit);
  checkLabels(images, classNames);
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new LabError('PIPELINE_INVALID', `The batch size must be a whole number of at least 1; got ${batchSize}.`);
  }
  if (!Number.isInteger(seed)) throw new LabError('PIPELINE_INVALID', `The seed must be a whole number; got ${seed}.`);
  if (cache && (cache.size !== size || cache.fit !== fit)) {
    throw new LabError(
      'PIPELINE_INVALID',
      `The image cache is for ${cache.size} px "${cache.fit}", the pipeline for ${size} px "${fit}".`,
    );
  }
  const augment = options.augment ? parseAugmentSettings(options.augment) : null;
  const normalisation = options.normalisation ?? 'xception';
  if (normalisation !== 'xception' && normalisation !== 'unit') {
    throw new LabError(
      'PIPELINE_INVALID',
      `The normalisation must be "xception" or "unit"; got "${String(normalisation)}".`,
    );
  }
  const lut = normalisationTable(normalisation);
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? Math.max(4, 2 * availableParallelism())));
  const classes = classNames.length;
  const pixels = size * size * 3;
  const n = images.length;
  const load = (image: LabelledImage): Promise<RgbImage> =>
    cache ? cache.get(image.path) : decodeSource(image.path, size, fit);

  const order = (epoch: number): number[] => {
    const indices = Array.from({ length: n }, (_, i) => i);
    return shuffle ? shuffleInPlace(indices, randomFrom('order', seed, epoch)) : indices;
  };

  async function* batches(
    epoch: number,
    takeXs: TakeXs = (length) => new Float32Array(length),
  ): AsyncGenerator<Batch, void, undefined> {
    const sequence = order(epoch);
    const scratch = new Float32Array(augment?.noise ? pixels : 0);
    // Decodes in flight, in order; each settles to the image or its error (never rejects, so an
    // abandoned epoch leaves no unhandled rejection behind).
    const inFlight: Promise<RgbImage | LabError>[] = [];
    let launched = 0;
    const launch = (): void => {
      const image = images[sequence[launched++]!]!;
      inFlight.push(load(image).catch((error: unknown) => asLabError(error, image)));
    };
    while (launched < n && inFlight.length < concurrency) launch();

    let position = 0;
    while (position < n) {
      const capacity = Math.min(batchSize, n - position);
      if (options.dropRemainder && capacity < batchSize) return;
      const xs = takeXs(capacity * pixels);
      const ys = new Float32Array(capacity * classes);
      const labels = new Int32Array(capacity);
      const paths: string[] = [];
      let count = 0;
      while (count < capacity && position < n) {
        const result = await inFlight.shift()!;
        const image = images[sequence[position]!]!;
        const at = position++;
        if (launched < n) launch();
        if (result instanceof LabError) {
          if (!options.onUnreadable) throw result;
          options.onUnreadable(image, result);
          continue;
        }
        const offset = count * pixels;
        if (augment)
          renderAugmentedFloat(result, size, augment, randomFrom('augment', seed, epoch, at), scratch, lut, xs, offset);
        else renderResizedFloat(result, size, lut, xs, offset);
        ys[count * classes + image.label] = 1;
        labels[count] = image.label;
        paths.push(image.path);
        count++;
      }
      if (count === 0 || (options.dropRemainder && count < batchSize)) return;
      yield count === capacity
        ? { xs, ys, labels, paths, count }
        : {
            xs: xs.subarray(0, count * pixels),
            ys: ys.subarray(0, count * classes),
            labels: labels.subarray(0, count),
            paths,
            count,
          };
    }
  }

  return {
    size,
    classes,
    // Internal: createPipeline passes its recycling allocator.
    [TAKE_XS]: batches,
    imagesPerEpoch: options.dropRemainder ? n - (n % batchSize) : n,
    batchesPerEpoch: options.dropRemainder ? Math.floor(n / batchSize) : Math.ceil(n / batchSize),
    order,
    batches,
  };
}

/**
 * The batch source plus a `tf.data` dataset of `{ xs: float32 [b, size, size, 3], ys: one-hot [b, classes] }`.
 *
 * `xs` buffers are recycled: a fresh 32 × 299 × 299 × 3 Float32Array per batch (34 MB) is
 * mapped and zeroed by the OS each time, measured at +0.5 CPU-ms per image plus GC pressure.
 * A buffer is reused only once the backend no longer holds the data of the tensor made from
 * it (`backend.refCount(dataId) === 0`: disposed, including any reshaped views sharing it).
 */
export function createPipeline(options: PipelineOptions): Pipeline {
  const { tf } = options;
  const source = createSource(options);
  // `dataId` is set once a tensor holds the buffer; a taken buffer without one is in the making.
  const pool: { xs: Float32Array; taken: boolean; dataId?: object }[] = [];
  const POOL_SIZE = 6;
  const free = (entry: (typeof pool)[number]): boolean => {
    if (!entry.taken) return true;
    if (!entry.dataId) return false;
    const backend = tf.backend() as { refCount?: (dataId: object) => number };
    return typeof backend.refCount === 'function' && backend.refCount(entry.dataId) === 0;
  };
  const takeXs: TakeXs = (length) => {
    let entry = pool.find((e) => e.xs.length === length && free(e));
    if (!entry) {
      entry = { xs: new Float32Array(length), taken: true };
      if (pool.length >= POOL_SIZE) {
        const stale = pool.findIndex((e) => e.xs.length !== length || free(e));
        pool.splice(stale >= 0 ? stale : 0, 1); // dropped from the pool, never reused
      }
      pool.push(entry);
    }
    entry.taken = true;
    entry.dataId = undefined;
    return entry.xs;
  };
  let epoch = options.initialEpoch ?? 0;
  async function* tensors(e: number): AsyncGenerator<TensorBatch, void, undefined> {
    for await (const batch of source[TAKE_XS](e, takeXs)) {
      const xs = tf.tensor4d(batch.xs, [batch.count, source.size, source.size, 3], 'float32');
      const entry = pool.find((e) => e.xs.buffer === batch.xs.buffer);
      if (entry) entry.dataId = xs.dataId;
      yield { xs, ys: tf.tensor2d(batch.ys, [batch.count, source.classes], 'float32') };
    }
  }
  const dataset = tf.data.generator<TensorBatch>(() => tensors(epoch++));
  const { [TAKE_XS]: _internal, ...plain } = source;
  void _internal;
  return { ...plain, dataset };
}

function asLabError(error: unknown, image: LabelledImage): LabError {
  if (error instanceof LabError) return error;
  const why = error instanceof Error ? error.message : String(error);
  return new LabError('IMAGE_UNREADABLE', `Cannot read ${image.path}: ${why}.`, { cause: error });
}
