import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { ImageCache } from '../../../../main/dataset/pipeline/cache';
import type { LabelledImage } from '../../../../main/dataset/labelled-image';
import {
  createBatchSource,
  createPipeline,
  type Batch,
  type BatchSourceOptions,
} from '../../../../main/dataset/pipeline/pipeline';
import { put, solidPng, tempDir, type Rgb } from '../fixtures';

const classNames = ['blue', 'green', 'red'];
const colours: Rgb[] = [
  [0, 0, 255],
  [0, 255, 0],
  [255, 0, 0],
];
const SIZE = 16;
let images: LabelledImage[];

beforeAll(async () => {
  await tf.setBackend('cpu');
  const root = await tempDir('pipeline');
  images = [];
  // 3 classes × 5 images (one with alpha and odd sizes, to go through every path): 15 images.
  for (const [label, className] of classNames.entries()) {
    for (let i = 0; i < 5; i++) {
      const path = await put(join(root, className, `${i}.png`), await solidPng(10 + i * 3, 12, colours[label]!));
      images.push({ path, label, className });
    }
  }
});

const options = (extra: Partial<BatchSourceOptions> = {}): BatchSourceOptions => ({
  images,
  classNames,
  size: SIZE,
  batchSize: 4,
  seed: 5,
  shuffle: true,
  ...extra,
});

async function collect(iterable: AsyncIterable<Batch>): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const batch of iterable) out.push(batch);
  return out;
}

/** The class whose colour the first pixel of image k in the batch shows (xs in [−1, 1]). */
function classOfPixel(batch: Batch, k: number): number {
  const base = k * SIZE * SIZE * 3;
  const rgb = [0, 1, 2].map((c) => Math.round((batch.xs[base + c]! + 1) * 127.5));
  return colours.findIndex((colour) => colour.every((v, c) => Math.abs(v - rgb[c]!) <= 1));
}

describe('createBatchSource', () => {
  it('yields batches of the right shapes whose labels match their files', async () => {
    const source = createBatchSource(options());
    expect([source.batchesPerEpoch, source.imagesPerEpoch]).toEqual([4, 15]);
    const batches = await collect(source.batches(0));
    expect(batches.map((b) => b.count)).toEqual([4, 4, 4, 3]);
    for (const batch of batches) {
      expect(batch.xs.length).toBe(batch.count * SIZE * SIZE * 3);
      expect(batch.ys.length).toBe(batch.count * 3);
      for (let k = 0; k < batch.count; k++) {
        const label = batch.labels[k]!;
        expect(Array.from(batch.ys.subarray(k * 3, k * 3 + 3))).toEqual([0, 1, 2].map((c) => (c === label ? 1 : 0)));
        expect(classOfPixel(batch, k)).toBe(label);
        expect(batch.paths[k]).toContain(`/${classNames[label]}/`);
      }
    }
    expect(new Set(batches.flatMap((b) => b.paths)).size).toBe(15);
  });

  it('reshuffles each epoch, seeded by (seed, epoch); keeps the order without shuffle', () => {
    const source = createBatchSource(options());
    expect(source.order(0)).toEqual(createBatchSource(options()).order(0));
    expect(source.order(1)).not.toEqual(source.order(0));
    expect(createBatchSource(options({ seed: 6 })).order(0)).not.toEqual(source.order(0));
    expect(createBatchSource(options({ shuffle: false })).order(3)).toEqual([...Array(15).keys()]);
  });

  it('augments reproducibly, whatever the concurrency', async () => {
    const augment = { flip: true, rotation: 20, zoom: 0.2, brightness: 0.2, contrast: 0.2, noise: 0.02 };
    const a = await collect(createBatchSource(options({ augment, concurrency: 1 })).batches(2));
    const b = await collect(createBatchSource(options({ augment, concurrency: 8 })).batches(2));
    expect(a.map((x) => Array.from(x.xs))).toEqual(b.map((x) => Array.from(x.xs)));
    const plain = await collect(createBatchSource(options()).batches(2));
    expect(a.map((x) => Array.from(x.xs))).not.toEqual(plain.map((x) => Array.from(x.xs)));
  });

  it('normalises to [−1, 1] by default and to [0, 1] on request', async () => {
    const [xception] = await collect(createBatchSource(options({ shuffle: false })).batches(0));
    const [unit] = await collect(createBatchSource(options({ shuffle: false, normalisation: 'unit' })).batches(0));
    expect([Math.min(...xception!.xs), Math.max(...xception!.xs)]).toEqual([-1, 1]);
    expect([Math.min(...unit!.xs), Math.max(...unit!.xs)]).toEqual([0, 1]);
  });

  it('drops the remainder on request', async () => {
    const source = createBatchSource(options({ dropRemainder: true }));
    expect(source.batchesPerEpoch).toBe(3);
    expect((await collect(source.batches(0))).map((b) => b.count)).toEqual([4, 4, 4]);
  });

  it('serves later epochs from the cache', async () => {
    const dataDir = await tempDir('pipeline-cache');
    const cache = await ImageCache.open({ dataDir, size: SIZE });
    const source = createBatchSource(options({ cache }));
    const first = await collect(source.batches(0));
    expect(cache.stats).toMatchObject({ hits: 0, misses: 15 });
    await collect(source.batches(1));
    expect(cache.stats).toMatchObject({ hits: 15, misses: 15 });
    const again = await collect(createBatchSource(options({ cache })).batches(0));
    expect(again.map((x) => Array.from(x.xs))).toEqual(first.map((x) => Array.from(x.xs)));
    await cache.close();
    const other = await ImageCache.open({ dataDir, size: 32 });
    expect(() => createBatchSource(options({ cache: other }))).toThrow(/cache is for 32 px/);
    await other.close();
  });

  it('skips an image that became unreadable when asked to, else stops with its error', async () => {
    const broken = await put(join(await tempDir('pipeline-bad'), 'red', 'bad.png'), 'garbage');
    const withBad = [...images, { path: broken, label: 2, className: 'red' }];
    const skipped: string[] = [];
    const batches = await collect(
      createBatchSource(options({ images: withBad, onUnreadable: (image) => skipped.push(image.path) })).batches(0),
    );
    expect(skipped).toEqual([broken]);
    expect(batches.reduce((n, b) => n + b.count, 0)).toBe(15);
    expect(batches.slice(0, -1).every((b) => b.count === 4)).toBe(true);
    await expect(collect(createBatchSource(options({ images: withBad })).batches(0))).rejects.toMatchObject({
      code: 'IMAGE_UNREADABLE',
      message: expect.stringContaining(broken),
    });
  });

  it('rejects labels that do not match the class names', () => {
    const wrong = [{ ...images[0]!, label: 2 }];
    expect(() => createBatchSource(options({ images: wrong }))).toThrow(/label 2 is class "red"/);
  });
});

describe('createPipeline', () => {
  it('gives a tf.data dataset of { xs, ys } tensors whose count does not grow across epochs', async () => {
    const pipeline = createPipeline({ ...options(), tf });
    const before = tf.memory().numTensors;
    const shapes: number[][] = [];
    for (let epoch = 0; epoch < 2; epoch++) {
      await pipeline.dataset.forEachAsync(({ xs, ys }) => {
        shapes.push([...xs.shape, ...ys.shape]);
        expect(xs.dtype).toBe('float32');
        tf.dispose([xs, ys]);
      });
      expect(tf.memory().numTensors).toBe(before);
    }
    expect(shapes).toEqual(
      [...Array(2)].flatMap(() => [
        [4, 16, 16, 3, 4, 3],
        [4, 16, 16, 3, 4, 3],
        [4, 16, 16, 3, 4, 3],
        [3, 16, 16, 3, 3, 3],
      ]),
    );
  });

  it('recycles batch buffers only after their tensors are disposed', async () => {
    const pipeline = createPipeline({ ...options({ batchSize: 3 }), tf });
    const buffers = new Set<ArrayBufferLike>();
    let kept: tf.Tensor | undefined;
    let keptCopy: Float32Array | undefined;
    let keptView: tf.Tensor | undefined;
    await pipeline.dataset.forEachAsync(({ xs, ys }) => {
      buffers.add((xs.dataSync() as Float32Array).buffer);
      if (!kept) {
        kept = xs; // held on to: its buffer must not be reused
        keptView = xs.reshape([3, -1]); // shares the data
        keptCopy = Float32Array.from(xs.dataSync());
        xs.dispose(); // the view still holds the data
      } else xs.dispose();
      ys.dispose();
    });
    expect(Array.from(keptView!.dataSync())).toEqual(Array.from(keptCopy!));
    expect(buffers.size).toBe(2); // the held one, and one recycled for all the others
    tf.dispose([kept!, keptView!]);
  });

  it('trains a tiny model with fitDataset without leaking tensors', async () => {
    const pipeline = createPipeline({
      ...options({ augment: { flip: true, rotation: 0, zoom: 0, brightness: 0, contrast: 0, noise: 0 } }),
      tf,
    });
    const model = tf.sequential({
      layers: [
        tf.layers.flatten({ inputShape: [SIZE, SIZE, 3] }),
        tf.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    const optimizer = tf.train.adam(0.05);
    model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    await model.fitDataset(pipeline.dataset, { epochs: 1, verbose: 0 });
    const before = tf.memory().numTensors; // model weights and optimizer state now exist
    const history = await model.fitDataset(pipeline.dataset, { epochs: 3, verbose: 0 });
    expect(history.history.loss).toHaveLength(3);
    expect(tf.memory().numTensors).toBe(before);
    const accuracy = history.history.acc as number[];
    expect(accuracy.at(-1)).toBeGreaterThan(0.9);
    model.dispose();
    optimizer.dispose();
  });
});
