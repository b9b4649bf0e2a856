/**
 * The feature cache on disk: features come back as stored; a changed image file, a damaged
 * record or a torn index line means "not cached" (computed again), never wrong numbers; a
 * second instance on the same folder keeps what it computes in memory.
 */
import { describe, expect, it } from 'vitest';
import { appendFile, mkdtemp, open, readFile, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FeatureCache, featureKey } from '../../../main/training/feature-cache';
import { cacheSize, clearCache } from '../../../main/dataset/pipeline/cache';

async function setUp() {
  const dataDir = await mkdtemp(join(tmpdir(), 'xlab-feature-cache-'));
  const image = join(dataDir, 'a.png');
  await writeFile(image, 'not really a png');
  return { dataDir, image };
}

const values = Float32Array.from([0.5, -1.25, 3, 1e-7]);

describe('FeatureCache', () => {
  it('returns what was stored, in this instance and in the next one', async () => {
    const { dataDir, image } = await setUp();
    const cache = await FeatureCache.open(dataDir, 'k1');
    expect(await cache.has(image)).toBe(false);
    await cache.put(image, (await FeatureCache.version(image))!, values);
    expect(await cache.get(image)).toEqual(values);
    await cache.close();
    const again = await FeatureCache.open(dataDir, 'k1');
    expect(await again.has(image)).toBe(true);
    expect(await again.get(image)).toEqual(values);
    expect(again.stats).toMatchObject({ hits: 1, damaged: 0 });
    await again.close();
  });

  it('forgets an image whose file changed since (size or mtime)', async () => {
    const { dataDir, image } = await setUp();
    const cache = await FeatureCache.open(dataDir, 'k1');
    await cache.put(image, (await FeatureCache.version(image))!, values);
    await utimes(image, new Date(2001, 1, 1), new Date(2001, 1, 1));
    expect(await cache.has(image)).toBe(false);
    expect(await cache.get(image)).toBeUndefined();
    await cache.close();
  });

  it('a flipped byte or a torn index line costs a recomputation, not wrong numbers', async () => {
    const { dataDir, image } = await setUp();
    const cache = await FeatureCache.open(dataDir, 'k1');
    await cache.put(image, (await FeatureCache.version(image))!, values);
    await cache.close();
    const bin = join(cache.dir, 'features.bin');
    const handle = await open(bin, 'r+');
    await handle.write(Buffer.from([0xff]), 0, 1, 14);
    await handle.close();
    await appendFile(join(cache.dir, 'features.idx'), '{"p":"torn');
    const again = await FeatureCache.open(dataDir, 'k1');
    expect(again.stats.damaged).toBe(1);
    expect(await again.get(image)).toBeUndefined();
    expect(again.stats.damaged).toBe(2);
    await again.put(image, (await FeatureCache.version(image))!, values);
    expect(await again.get(image)).toEqual(values);
    await again.close();
    expect((await readFile(join(cache.dir, 'features.idx'), 'utf8')).split('\n').filter(Boolean)).toHaveLength(3);
  });

  it('a second instance on a folder in use keeps its features in memory', async () => {
    const { dataDir, image } = await setUp();
    const first = await FeatureCache.open(dataDir, 'k1');
    const second = await FeatureCache.open(dataDir, 'k1');
    expect(first.readOnly).toBe(false);
    expect(second.readOnly).toBe(true);
    await second.put(image, (await FeatureCache.version(image))!, values);
    expect(await second.get(image)).toEqual(values);
    expect(await first.has(image)).toBe(false);
    await second.close();
    await first.close();
  });

  it('is counted and cleared with the image cache, refusing while open', async () => {
    const { dataDir, image } = await setUp();
    const cache = await FeatureCache.open(dataDir, 'k1');
    await cache.put(image, (await FeatureCache.version(image))!, values);
    expect((await cacheSize(dataDir)).files).toBe(4); // bin, idx, key.json, lock
    await expect(clearCache(dataDir)).rejects.toMatchObject({ code: 'CACHE_BUSY' });
    await cache.close();
    expect((await clearCache(dataDir)).bytes).toBeGreaterThan(0);
    expect(await cacheSize(dataDir)).toEqual({ bytes: 0, files: 0 });
  });

  it('keys by weights, layers, size, fit and normalisation', () => {
    const base = {
      layers: [{ name: 'block1_conv1' }],
      weights: [values],
      inputSize: 71,
      fit: 'stretch',
      normalisation: 'xception',
    };
    const key = featureKey(base);
    expect(featureKey({ ...base })).toBe(key);
    expect(featureKey({ ...base, weights: [Float32Array.from([0.5, -1.25, 3, 2e-7])] })).not.toBe(key);
    expect(featureKey({ ...base, inputSize: 72 })).not.toBe(key);
    expect(featureKey({ ...base, fit: 'cover' })).not.toBe(key);
    expect(featureKey({ ...base, normalisation: 'unit' })).not.toBe(key);
    expect(featureKey({ ...base, layers: [{ name: 'block1_conv2' }] })).not.toBe(key);
  });
});
