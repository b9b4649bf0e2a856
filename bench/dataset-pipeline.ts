/**
 * Dataset pipeline benchmark (issue 3): `npm run build && npm run bench -- dataset-pipeline`.
 * (`npm run bench -- dataset` runs it, then dataset-scan.)
 *
 *   1. cold decode + resize + augment to 299 px, no cache        target ≥ 300 img/s
 *   2. from-cache batches (299 px with and without augmentation; 28 px over all 60k)
 *                                                                 target ≥ 1,000 img/s
 *   3. RSS while streaming all 60k images at 28 px through the tf.data pipeline
 *                                                                 target ≤ 600 MB
 *   plus the two measurements behind the cache's design: stat key vs content hash, and
 *   packed shards vs one file per image.
 *
 * Options: `-- dataset-pipeline --sample N` (images for the 299-px runs, default 3000).
 * The cache lives in a throw-away data dir under os.tmpdir()/xlab-bench/.
 */
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, stat, writeFile, lstat, readdir } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { defaultAugmentation } from '../main/dataset/image/augment';
import { ImageCache, cacheSize } from '../main/dataset/pipeline/cache';
import { decodeSource } from '../main/dataset/image/decode';
import type { LabelledImage } from '../main/dataset/labelled-image';
import { createPipeline, type BatchSourceOptions } from '../main/dataset/pipeline/pipeline';
import { ensureFashion60k } from './fixtures/fashion-60k';

const argSample = process.argv.indexOf('--sample');
const SAMPLE = argSample > 0 ? Number(process.argv[argSample + 1]) : 3000;
const MB = 1024 * 1024;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const rows: string[] = [];

function report(name: string, value: string, target?: string, ok?: boolean): void {
  const line = `${name.padEnd(58)} ${value.padStart(48)}${target ? `   target ${target} ${ok ? 'PASS' : 'MISS'}` : ''}`;
  rows.push(line);
  console.log(line);
}

/** Every k-th image so all classes appear, `n` in all. */
function sample<T>(items: readonly T[], n: number): T[] {
  const step = Math.max(1, Math.floor(items.length / n));
  return items.filter((_, i) => i % step === 0).slice(0, n);
}

interface Timing {
  seconds: number;
  /** CPU seconds of this process (all its threads: JS, libuv/sharp, tfjs). */
  cpu: number;
  images: number;
}

async function timed(run: () => Promise<number>): Promise<Timing> {
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const images = await run();
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { seconds, cpu: (cpu.user + cpu.system) / 1e6, images };
}

/** One epoch through the tf.data pipeline, disposing each batch as fitDataset does. */
function timeBatches(options: BatchSourceOptions, epoch = 0): Promise<Timing> {
  const pipeline = createPipeline({ tf, ...options, initialEpoch: epoch });
  return timed(async () => {
    let images = 0;
    await pipeline.dataset.forEachAsync(({ xs, ys }) => {
      images += xs.shape[0];
      tf.dispose([xs, ys]);
    });
    return images;
  });
}

const rate = (r: Timing): number => r.images / r.seconds;
/** Wall-clock rate, plus the CPU cost per image: on a shared machine the second is the stable figure. */
const show = (r: Timing): string =>
  `${rate(r).toFixed(0)} img/s  (${((r.cpu * 1000) / r.images).toFixed(2)} CPU-ms/img, load ${loadavg()[0]!.toFixed(1)})`;

async function diskUsage(dir: string): Promise<{ bytes: number; files: number }> {
  let bytes = 0;
  let files = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const sub = await diskUsage(path);
      bytes += sub.bytes;
      files += sub.files;
    } else {
      bytes += (await lstat(path)).blocks * 512;
      files++;
    }
  }
  return { bytes, files };
}

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  console.log(
    `node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}, ` +
      `sharp ${sharp.versions.sharp} / libvips ${sharp.versions.vips}, vips threads per image ${sharp.concurrency()}, ` +
      `UV_THREADPOOL_SIZE ${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}, tfjs ${tf.version.tfjs} backend ${tf.getBackend()}`,
  );
  const fashion = await ensureFashion60k((m) => console.log(m));
  const all: LabelledImage[] = fashion.files;
  const { classNames } = fashion;
  const some = sample(all, SAMPLE);
  const dataDir = join(tmpdir(), 'xlab-bench', `data-${process.pid}`);
  await rm(dataDir, { recursive: true, force: true });
  await mkdir(dataDir, { recursive: true });
  console.log(`${all.length} images in ${fashion.root}; ${some.length} for the 299-px runs; cache in ${dataDir}\n`);

  try {
    const base = { classNames, batchSize: 32, seed: 1, shuffle: true } as const;

    // Warm the OS file cache so "cold" means "not in our cache", not "on a cold disk".
    await Promise.all(some.map((image) => readFile(image.path)));

    // 1. Cold: decode + resize + augment to 299 px.
    const cold = await timeBatches({ ...base, images: some, size: 299, augment: defaultAugmentation });
    report(`cold decode+resize+augment → 299 px (${cold.images} img)`, show(cold), '≥ 300', rate(cold) >= 300);

    // 2. Cache at 299: the first pass fills it, the next read it.
    const cache299 = await ImageCache.open({ dataDir, size: 299 });
    const fill = await timeBatches({ ...base, images: some, size: 299, augment: defaultAugmentation, cache: cache299 });
    report(`  same, filling the cache`, show(fill));
    const hot = await timeBatches(
      { ...base, images: some, size: 299, augment: defaultAugmentation, cache: cache299 },
      1,
    );
    report(`from cache → 299 px + augment`, show(hot), '≥ 1,000', rate(hot) >= 1000);
    const hotPlain = await timeBatches({ ...base, images: some, size: 299, cache: cache299, shuffle: false });
    report(`from cache → 299 px, no augmentation (validation)`, show(hotPlain), '≥ 1,000', rate(hotPlain) >= 1000);
    report(`  cache hits / misses`, `${cache299.stats.hits} / ${cache299.stats.misses}`);
    await cache299.close();

    // 3. All 60k at 28 px through the tf.data pipeline: epoch 0 fills the cache, epoch 1 reads it.
    gc();
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
    const cache28 = await ImageCache.open({ dataDir, size: 28 });
    const pipeline = createPipeline({
      tf,
      ...base,
      images: all,
      size: 28,
      augment: defaultAugmentation,
      cache: cache28,
    });
    const tensorsBefore = tf.memory().numTensors;
    const epochs: Timing[] = [];
    for (let epoch = 0; epoch < 2; epoch++) {
      epochs.push(
        await timed(async () => {
          let images = 0;
          await pipeline.dataset.forEachAsync(({ xs, ys }) => {
            images += xs.shape[0];
            tf.dispose([xs, ys]);
          });
          return images;
        }),
      );
    }
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    report(`60k @ 28 px + augment, tf.data, epoch 1 (decode, fill cache)`, show(epochs[0]!));
    report(
      `60k @ 28 px + augment, tf.data, epoch 2 (from cache)`,
      show(epochs[1]!),
      '≥ 1,000',
      rate(epochs[1]!) >= 1000,
    );
    report(
      `  peak RSS streaming 60k twice (start ${(rssBefore / MB).toFixed(0)} MB)`,
      `${(peak / MB).toFixed(0)} MB`,
      '≤ 600 MB',
      peak <= 600 * MB,
    );
    report(`  tensors left after two epochs`, `${tf.memory().numTensors - tensorsBefore}`);
    await cache28.close();
    const usage = await cacheSize(dataDir);
    report(`  cache on disk (${some.length} @ 299 + 60k @ 28)`, `${(usage.bytes / MB).toFixed(1)} MB`);

    // 4. Why the cache looks the way it does.
    const keyed = sample(all, 10000);
    let start = performance.now();
    for (const image of keyed) await stat(image.path, { bigint: true });
    const statUs = ((performance.now() - start) * 1000) / keyed.length;
    start = performance.now();
    for (const image of keyed)
      createHash('sha1')
        .update(await readFile(image.path))
        .digest();
    const hashUs = ((performance.now() - start) * 1000) / keyed.length;
    report(`cache key: stat (path+size+mtime), per file`, `${statUs.toFixed(1)} µs`);
    report(`cache key: read + SHA-1 of content, per file (28-px PNG)`, `${hashUs.toFixed(1)} µs`);

    const n = 5000;
    const decoded = await Promise.all(
      sample(all, n).map(async (image) => ({ path: image.path, source: await decodeSource(image.path, 28) })),
    );
    const loose = join(dataDir, 'loose');
    await mkdir(loose, { recursive: true });
    start = performance.now();
    for (const [i, item] of decoded.entries()) await writeFile(join(loose, `${i}.rgb`), item.source.data);
    const looseWrite = performance.now() - start;
    start = performance.now();
    for (const [i, item] of decoded.entries()) {
      await stat(item.path, { bigint: true });
      await readFile(join(loose, `${i}.rgb`));
    }
    const looseRead = performance.now() - start;
    const looseUsage = await diskUsage(loose);
    const byPath = new Map(decoded.map((d) => [d.path, d.source]));
    const packedFill = await ImageCache.open({
      dataDir: join(dataDir, 'packed-warm'),
      size: 28,
      decode: async (path) => byPath.get(path)!,
    });
    start = performance.now();
    for (const item of decoded) await packedFill.get(item.path);
    const packedWrite = performance.now() - start;
    await packedFill.close();
    const reopened = await ImageCache.open({ dataDir: join(dataDir, 'packed-warm'), size: 28 });
    start = performance.now();
    for (const item of decoded) await reopened.get(item.path);
    const packedRead = performance.now() - start;
    await reopened.close();
    const packedUsage = await diskUsage(join(dataDir, 'packed-warm'));
    report(
      `${n} × 28 px: one file per image — write / read`,
      `${(n / (looseWrite / 1000)).toFixed(0)} / ${(n / (looseRead / 1000)).toFixed(0)} img/s`,
    );
    report(
      `${n} × 28 px: packed shards      — write / read`,
      `${(n / (packedWrite / 1000)).toFixed(0)} / ${(n / (packedRead / 1000)).toFixed(0)} img/s`,
    );
    report(
      `${n} × 28 px: on disk, one file per image`,
      `${(looseUsage.bytes / MB).toFixed(1)} MB, ${looseUsage.files} files`,
    );
    report(`${n} × 28 px: on disk, packed`, `${(packedUsage.bytes / MB).toFixed(1)} MB, ${packedUsage.files} files`);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
  console.log(`\nSummary\n${rows.join('\n')}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
