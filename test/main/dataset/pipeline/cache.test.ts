import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { appendFile, open, readdir, readFile, stat, truncate, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cacheSize, clearCache, ImageCache, imageCacheDir } from '../../../../main/dataset/pipeline/cache';
import { decodeSource, type ResizeFit } from '../../../../main/dataset/image/decode';
import type { RgbImage } from '../../../../main/dataset/image/warp';
import { put, solidPng, tempDir } from '../fixtures';

/** A data dir, `count` tiny PNGs, and a decoder that counts its calls. */
async function setup(count = 3) {
  const dataDir = await tempDir('cache');
  const images = await tempDir('cache-images');
  const files: string[] = [];
  for (let i = 0; i < count; i++)
    files.push(await put(join(images, `${i}.png`), await solidPng(6 + i, 6, [i * 40, 100, 200])));
  const calls: string[] = [];
  const decode = (path: string, size: number, fit: ResizeFit): Promise<RgbImage> => {
    calls.push(path);
    return decodeSource(path, size, fit);
  };
  const openCache = (extra: Partial<Parameters<typeof ImageCache.open>[0]> = {}) =>
    ImageCache.open({ dataDir, size: 16, decode, ...extra });
  return { dataDir, files, calls, openCache, dir: imageCacheDir(dataDir, 16, 'stretch') };
}

const bytes = (image: RgbImage) => Buffer.from(image.data).toString('hex');

describe('ImageCache', () => {
  it('serves a hit with identical bytes without decoding, also after reopening', async () => {
    const { files, calls, openCache, dir } = await setup();
    const cache = await openCache();
    expect(cache.readOnly).toBe(false);
    const first = await cache.get(files[0]!);
    expect(cache.stats).toMatchObject({ hits: 0, misses: 1, writes: 1 });
    const again = await cache.get(files[0]!);
    expect(cache.stats).toMatchObject({ hits: 1, misses: 1 });
    expect(bytes(again)).toBe(bytes(first));
    expect([again.width, again.height]).toEqual([first.width, first.height]);
    await cache.close();
    expect(await readdir(dir)).toEqual(['shard-000001.bin', 'shard-000001.idx']);

    const reopened = await openCache();
    expect(reopened.entries).toBe(1);
    expect(bytes(await reopened.get(files[0]!))).toBe(bytes(first));
    expect(reopened.stats.hits).toBe(1);
    expect(calls).toEqual([files[0]]);
    await reopened.close();
  });

  it('decodes again when the file changed (size or mtime)', async () => {
    const { files, calls, openCache } = await setup();
    const cache = await openCache();
    await cache.get(files[1]!);
    await writeFile(files[1]!, await solidPng(7, 6, [255, 0, 0])); // same size, new content
    const later = new Date(Date.now() + 5000);
    await utimes(files[1]!, later, later);
    const fresh = await cache.get(files[1]!);
    expect(calls).toEqual([files[1], files[1]]);
    expect(Array.from(fresh.data.subarray(0, 3))).toEqual([255, 0, 0]);
    await cache.close();
  });

  it('detects a corrupt record by its CRC and recomputes it', async () => {
    const { files, calls, openCache, dir } = await setup();
    let cache = await openCache();
    const good = await cache.get(files[2]!);
    await cache.close();
    const shard = join(dir, 'shard-000001.bin');
    const handle = await open(shard, 'r+');
    await handle.write(Buffer.from([0xde, 0xad]), 0, 2, 20); // inside the pixel data
    await handle.close();

    cache = await openCache();
    const recovered = await cache.get(files[2]!);
    expect(bytes(recovered)).toBe(bytes(good));
    expect(cache.stats).toMatchObject({ damaged: 1, misses: 1, writes: 1, hits: 0 });
    expect(calls).toHaveLength(2);
    expect(bytes(await cache.get(files[2]!))).toBe(bytes(good));
    expect(cache.stats.hits).toBe(1);
    await cache.close();
  });

  it('drops entries of a shard cut short and index lines cut in half, then keeps appending cleanly', async () => {
    const { files, calls, openCache, dir } = await setup();
    let cache = await openCache();
    for (const file of files) await cache.get(file);
    await cache.close();
    const shard = join(dir, 'shard-000001.bin');
    await truncate(shard, (await stat(shard)).size - 10); // the last record loses its tail
    await appendFile(join(dir, 'shard-000001.idx'), '{"p":"/half/a line'); // a crash mid-line

    cache = await openCache();
    expect(cache.entries).toBe(2);
    expect(cache.stats.damaged).toBe(2); // the short record and the broken line
    await cache.get(files[2]!); // recomputed and appended after the garbage
    await cache.close();
    const index = await readFile(join(dir, 'shard-000001.idx'), 'utf8');
    const parses = (line: string) => {
      try {
        JSON.parse(line);
        return true;
      } catch {
        return false;
      }
    };
    const lines = index.split('\n').filter(Boolean);
    expect(lines.map(parses)).toEqual([true, true, true, false, true]); // the new line did not join the broken one

    cache = await openCache();
    expect(cache.entries).toBe(3);
    for (const file of files) await cache.get(file);
    expect(cache.stats).toMatchObject({ hits: 3, misses: 0 });
    expect(calls).toHaveLength(4);
    await cache.close();
  });

  it('starts a new shard after shardImages images', async () => {
    const { files, openCache, dir } = await setup(5);
    let cache = await openCache({ shardImages: 2 });
    for (const file of files) await cache.get(file);
    await cache.close();
    expect((await readdir(dir)).filter((f) => f.endsWith('.bin'))).toEqual([
      'shard-000001.bin',
      'shard-000002.bin',
      'shard-000003.bin',
    ]);
    cache = await openCache({ shardImages: 2 });
    for (const file of files) await cache.get(file);
    expect(cache.stats.hits).toBe(5);
    await cache.close();
  });

  it('allows one writer: a second cache on the folder reads but does not store', async () => {
    const { files, openCache, dir } = await setup();
    const writer = await openCache();
    await writer.get(files[0]!);
    const reader = await openCache();
    expect(reader.readOnly).toBe(true);
    await reader.get(files[0]!);
    await reader.get(files[1]!);
    expect(reader.stats).toMatchObject({ hits: 1, misses: 1, writes: 0 });
    await reader.close();
    expect(await readdir(dir)).toContain('writer.lock'); // the reader did not release the writer's lock
    await writer.close();
    expect(await readdir(dir)).not.toContain('writer.lock');
  });

  it('takes over the lock of a process that is gone', async () => {
    const { files, openCache, dir } = await setup();
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const { hostname } = await import('node:os');
    await put(join(dir, 'writer.lock'), JSON.stringify({ pid: Number(gone.stdout), host: hostname() }));
    const cache = await openCache();
    expect(cache.readOnly).toBe(false);
    await cache.get(files[0]!);
    expect(cache.stats.writes).toBe(1);
    await cache.close();
  });

  it('reports its size on disk and clears, refusing while a writer has it open', async () => {
    const { dataDir, files, openCache } = await setup();
    const cache = await openCache();
    for (const file of files) await cache.get(file);
    const usage = await cacheSize(dataDir);
    expect(usage.files).toBe(3); // shard, index, lock
    expect(usage.bytes).toBeGreaterThan(0);
    await expect(clearCache(dataDir)).rejects.toMatchObject({ code: 'CACHE_BUSY' });
    await cache.close();
    expect((await clearCache(dataDir)).bytes).toBeGreaterThan(0);
    expect(await cacheSize(dataDir)).toEqual({ bytes: 0, files: 0 });
  });

  it('keeps one folder per size and resize mode', async () => {
    const { dataDir, files } = await setup(1);
    const a = await ImageCache.open({ dataDir, size: 16, fit: 'cover' });
    const b = await ImageCache.open({ dataDir, size: 32 });
    expect(a.readOnly || b.readOnly).toBe(false);
    expect(a.dir).toBe(join(dataDir, 'cache', 'images', '16', 'cover'));
    expect(b.dir).toBe(join(dataDir, 'cache', 'images', '32', 'stretch'));
    await a.get(files[0]!);
    await Promise.all([a.close(), b.close()]);
  });

  it('passes decode errors through and stores nothing for them', async () => {
    const { files, openCache } = await setup(1);
    const broken = await put(join(files[0]!, '..', 'broken.png'), 'garbage');
    const cache = await openCache();
    await expect(cache.get(broken)).rejects.toMatchObject({ code: 'IMAGE_UNREADABLE' });
    expect(cache.stats.writes).toBe(0);
    await cache.close();
  });
});
