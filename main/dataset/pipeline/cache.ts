/**
 * The on-disk preprocessing cache: decoded working images (`decode.ts`), so every epoch after
 * the first skips file reading, decoding, colour conversion and shrinking.
 *
 * Where: `DATA_DIR/cache/images/<size>/<fit>/` — one cache per input size and resize mode.
 *
 * Key: absolute path + file size + mtime (nanoseconds), checked with one `stat` per lookup.
 * Hashing the content was measured against it (bench/dataset-pipeline.ts): hashing has to read
 * every file every epoch, which is most of what the cache saves; a changed file changes its
 * mtime, and the rare same-size, same-nanosecond rewrite is what "Clear cache" is for.
 *
 * Format: packed shards, not one file per image (a 28-px image is 2,352 bytes: one file each
 * costs a 4 KiB block, an inode and an open/close per read — see the bench for figures).
 *   shard-NNNNNN.bin  records: "XLC1", width u16, height u16, length u32, crc32 u32, RGB bytes
 *   shard-NNNNNN.idx  one JSON line per record: path, size, mtime, offset, width, height, crc
 * A shard takes up to `shardImages` images or `shardBytes` bytes, then the next one starts.
 * Records are only appended; a recomputed image gets a new record and the later line wins.
 *
 * Damage: an index line that does not parse, points past the end of its shard, or a record
 * whose header or CRC-32 does not match is dropped and the image decoded again — a crash
 * mid-write or a flipped bit costs one decode, never an exception or wrong pixels.
 *
 * Concurrency: one writer per cache folder, enforced by `writer.lock` (pid + host). A second
 * cache opened on the same folder — another process, or another instance in this one — reads
 * what was there when it opened and decodes the rest without storing it (`readOnly`). Share
 * one instance between the train and validation pipelines. A lock left by a dead process is
 * taken over (`fs/pid-lock`). Within one instance, appends are serialised.
 */
import { mkdir, open, readdir, readFile, rm, writeFile, stat, lstat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { LabError } from '../../errors';
import { checkFit, checkSize, decodeSource, DEFAULT_FIT, type ResizeFit } from '../image/decode';
import type { RgbImage } from '../image/warp';
import {
  holderAlive,
  readLock as readPidLock,
  releaseLock as releasePidLock,
  takeLock as takePidLock,
  type LockHolder,
} from '../../fs/pid-lock';

const MAGIC = 0x31434c58; // "XLC1" little-endian
const HEADER = 16;
const LOCK = 'writer.lock';
const SHARD = /^shard-(\d{6})\.bin$/;

export interface ImageCacheOptions {
  dataDir: string;
  size: number;
  fit?: ResizeFit;
  /** Images per shard before a new one starts (default 4096). */
  shardImages?: number;
  /** Bytes per shard before a new one starts (default 256 MiB). */
  shardBytes?: number;
  /** Decoder for misses (default `decodeSource`); tests count calls through it. */
  decode?: (path: string, size: number, fit: ResizeFit) => Promise<RgbImage>;
}

export interface CacheStats {
  /** Lookups served from the cache. */
  hits: number;
  /** Lookups decoded from the image file (including recomputed damaged entries). */
  misses: number;
  /** Damaged entries found (bad index line, short shard, header or CRC mismatch). */
  damaged: number;
  /** Records appended. */
  writes: number;
}

interface Entry {
  shard: number;
  offset: number;
  width: number;
  height: number;
  crc: number;
  /** File size and mtime in ns, as decimal strings. */
  size: string;
  mtime: string;
}

interface IndexLine {
  p: string;
  s: string;
  m: string;
  o: number;
  w: number;
  h: number;
  c: number;
}

/** `DATA_DIR/cache/images`: the decoded images; `cacheSize` counts and `clearCache` removes it. */
export const imageCacheRoot = (dataDir: string): string => join(dataDir, 'cache', 'images');

/**
 * `DATA_DIR/cache/features`: a frozen prefix's outputs per image (`training/feature-cache.ts`),
 * one folder per key; counted and cleared with the images.
 */
export const featureCacheRoot = (dataDir: string): string => join(dataDir, 'cache', 'features');

export const imageCacheDir = (dataDir: string, size: number, fit: ResizeFit): string =>
  join(imageCacheRoot(dataDir), String(size), fit);

const shardName = (n: number, ext: 'bin' | 'idx'): string => `shard-${String(n).padStart(6, '0')}.${ext}`;

export class ImageCache {
  readonly dir: string;
  readonly size: number;
  readonly fit: ResizeFit;
  readonly stats: CacheStats = { hits: 0, misses: 0, damaged: 0, writes: 0 };
  /** Sentences for the log, e.g. why this cache stopped storing. */
  readonly warnings: string[] = [];

  #readOnly = true;
  #locked = false;
  #index = new Map<string, Entry>();
  #readers = new Map<number, Promise<FileHandle>>();
  #shardBytes: number;
  #shardImages: number;
  #decode: NonNullable<ImageCacheOptions['decode']>;
  // Writer state: the shard being appended to.
  #shard = 0;
  #shardSize = 0;
  #shardCount = 0;
  #bin: FileHandle | undefined;
  #idx: FileHandle | undefined;
  #queue: Promise<void> = Promise.resolve();
  #closed = false;

  private constructor(options: ImageCacheOptions) {
    this.size = options.size;
    this.fit = options.fit ?? DEFAULT_FIT;
    this.dir = imageCacheDir(options.dataDir, this.size, this.fit);
    this.#shardImages = options.shardImages ?? 4096;
    this.#shardBytes = options.shardBytes ?? 256 * 1024 * 1024;
    this.#decode = options.decode ?? decodeSource;
  }

  /** Opens (creating) the cache for one input size and resize mode and reads its index. */
  static async open(options: ImageCacheOptions): Promise<ImageCache> {
    checkSize(options.size);
    checkFit(options.fit ?? DEFAULT_FIT);
    const cache = new ImageCache(options);
    await mkdir(cache.dir, { recursive: true });
    cache.#locked = await takeLock(cache.dir, cache.warnings);
    cache.#readOnly = !cache.#locked;
    await cache.#loadIndex();
    if (!cache.#readOnly) {
      try {
        await cache.#openShard();
      } catch (error) {
        cache.#stopWriting(error);
      }
    }
    return cache;
  }

  /** True when another writer holds this folder (or writing failed): misses are not stored. */
  get readOnly(): boolean {
    return this.#readOnly;
  }

  /** Images indexed. */
  get entries(): number {
    return this.#index.size;
  }

  /**
   * The working image of `path`: from the cache when its size and mtime still match and the
   * record is intact, else decoded (and stored). Decode errors (`IMAGE_UNREADABLE`) propagate.
   */
  async get(path: string): Promise<RgbImage> {
    if (this.#closed) throw new Error('ImageCache.get after close');
    const info = await stat(path, { bigint: true }).catch(() => undefined);
    const entry = this.#index.get(path);
    if (info && entry && entry.size === String(info.size) && entry.mtime === String(info.mtimeNs)) {
      const image = await this.#read(entry);
      if (image) {
        this.stats.hits++;
        return image;
      }
      this.stats.damaged++;
      this.#index.delete(path);
    }
    this.stats.misses++;
    const image = await this.#decode(path, this.size, this.fit);
    if (info && !this.#readOnly)
      await this.#enqueue(() => this.#append(path, String(info.size), String(info.mtimeNs), image));
    return image;
  }

  /** Waits for pending writes, releases the writer lock and closes files. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#queue;
    await Promise.all([this.#bin?.close(), this.#idx?.close()]);
    for (const handle of this.#readers.values()) await (await handle.catch(() => undefined))?.close();
    this.#readers.clear();
    if (this.#locked) await releaseLock(this.dir);
    this.#bin = this.#idx = undefined;
  }

  async #loadIndex(): Promise<void> {
    const names = await readdir(this.dir);
    const shards = names.flatMap((name) => {
      const match = SHARD.exec(name);
      return match ? [Number(match[1])] : [];
    });
    shards.sort((a, b) => a - b);
    for (const shard of shards) {
      const bytes = await stat(join(this.dir, shardName(shard, 'bin'))).then(
        (s) => s.size,
        () => 0,
      );
      const text = await readFile(join(this.dir, shardName(shard, 'idx')), 'utf8').catch(() => '');
      for (const line of text.split('\n')) {
        if (!line) continue;
        const entry = parseLine(line, shard, bytes);
        if (entry) this.#index.set(entry.path, entry.entry);
        else this.stats.damaged++;
      }
    }
    this.#shard = shards.at(-1) ?? 0;
  }

  async #openShard(): Promise<void> {
    let count = 0;
    let size = 0;
    if (this.#shard > 0) {
      size = await stat(join(this.dir, shardName(this.#shard, 'bin'))).then(
        (s) => s.size,
        () => 0,
      );
      const text = await readFile(join(this.dir, shardName(this.#shard, 'idx')), 'utf8').catch(() => '');
      count = text.split('\n').filter(Boolean).length;
      // A line cut short by a crash must not swallow the next one.
      if (text.length > 0 && !text.endsWith('\n'))
        await writeFile(join(this.dir, shardName(this.#shard, 'idx')), '\n', { flag: 'a' });
    }
    if (this.#shard === 0 || count >= this.#shardImages || size >= this.#shardBytes) {
      this.#shard++;
      count = 0;
      size = 0;
    }
    this.#shardCount = count;
    this.#shardSize = size;
    this.#bin = await open(join(this.dir, shardName(this.#shard, 'bin')), 'a');
    this.#idx = await open(join(this.dir, shardName(this.#shard, 'idx')), 'a');
  }

  async #read(entry: Entry): Promise<RgbImage | undefined> {
    const length = entry.width * entry.height * 3;
    try {
      let reader = this.#readers.get(entry.shard);
      if (!reader) {
        reader = open(join(this.dir, shardName(entry.shard, 'bin')), 'r');
        reader.catch(() => undefined);
        this.#readers.set(entry.shard, reader);
      }
      const buffer = Buffer.allocUnsafe(HEADER + length);
      const { bytesRead } = await (await reader).read(buffer, 0, buffer.length, entry.offset);
      if (bytesRead !== buffer.length) return undefined;
      if (
        buffer.readUInt32LE(0) !== MAGIC ||
        buffer.readUInt16LE(4) !== entry.width ||
        buffer.readUInt16LE(6) !== entry.height ||
        buffer.readUInt32LE(8) !== length ||
        buffer.readUInt32LE(12) !== entry.crc
      ) {
        return undefined;
      }
      const data = buffer.subarray(HEADER);
      if (crc32(data) !== entry.crc) return undefined;
      return {
        width: entry.width,
        height: entry.height,
        data: new Uint8Array(data.buffer, data.byteOffset, data.length),
      };
    } catch {
      return undefined;
    }
  }

  #enqueue(task: () => Promise<void>): Promise<void> {
    const next = this.#queue.then(async () => {
      if (this.#readOnly) return;
      try {
        await task();
      } catch (error) {
        this.#stopWriting(error);
      }
    });
    this.#queue = next;
    return next;
  }

  async #append(path: string, size: string, mtime: string, image: RgbImage): Promise<void> {
    if (this.#shardCount >= this.#shardImages || this.#shardSize >= this.#shardBytes) {
      await Promise.all([this.#bin?.close(), this.#idx?.close()]);
      this.#shard++;
      this.#shardCount = 0;
      this.#shardSize = 0;
      this.#bin = await open(join(this.dir, shardName(this.#shard, 'bin')), 'a');
      this.#idx = await open(join(this.dir, shardName(this.#shard, 'idx')), 'a');
    }
    const crc = crc32(image.data);
    const header = Buffer.allocUnsafe(HEADER);
    header.writeUInt32LE(MAGIC, 0);
    header.writeUInt16LE(image.width, 4);
    header.writeUInt16LE(image.height, 6);
    header.writeUInt32LE(image.data.length, 8);
    header.writeUInt32LE(crc, 12);
    const offset = this.#shardSize;
    // The record first, then its index line: a crash in between leaves unindexed bytes only.
    await this.#bin!.writev([header, image.data]);
    this.#shardSize += HEADER + image.data.length;
    const line: IndexLine = { p: path, s: size, m: mtime, o: offset, w: image.width, h: image.height, c: crc };
    await this.#idx!.appendFile(`${JSON.stringify(line)}\n`);
    this.#shardCount++;
    this.#index.set(path, { shard: this.#shard, offset, width: image.width, height: image.height, crc, size, mtime });
    this.stats.writes++;
  }

  #stopWriting(error: unknown): void {
    if (this.#readOnly) return;
    this.#readOnly = true;
    const why = error instanceof Error ? error.message : String(error);
    this.warnings.push(
      `The image cache in ${this.dir} stopped storing images (${why}); training goes on, decoding each image.`,
    );
  }
}

function parseLine(line: string, shard: number, shardSize: number): { path: string; entry: Entry } | undefined {
  let value: Partial<IndexLine>;
  try {
    value = JSON.parse(line) as Partial<IndexLine>;
  } catch {
    return undefined;
  }
  const { p, s, m, o, w, h, c } = value;
  if (typeof p !== 'string' || typeof s !== 'string' || typeof m !== 'string') return undefined;
  if (![o, w, h, c].every((n) => typeof n === 'number' && Number.isInteger(n) && n >= 0)) return undefined;
  if (!w || !h || o! + HEADER + w * h * 3 > shardSize) return undefined;
  return { path: p, entry: { shard, offset: o!, width: w, height: h, crc: c!, size: s, mtime: m } };
}

// ---- writer lock ----

/** True when this process now holds the writer lock of `dir`. */
async function takeLock(dir: string, warnings: string[]): Promise<boolean> {
  try {
    return (await takePidLock(join(dir, LOCK))).taken;
  } catch (error) {
    warnings.push(
      `The image cache in ${dir} cannot be written (${(error as Error).message}); images are decoded each time.`,
    );
    return false;
  }
}

const releaseLock = (dir: string): Promise<void> => releasePidLock(join(dir, LOCK));
const readLock = (dir: string): Promise<LockHolder | undefined> => readPidLock(join(dir, LOCK));
const alive = (holder: LockHolder): boolean => holderAlive(holder);

// ---- size and clearing ----

export interface CacheUsage {
  /** Bytes the files occupy on disk (allocated blocks). */
  bytes: number;
  files: number;
}

/** What the image and feature caches occupy. */
export async function cacheSize(dataDir: string): Promise<CacheUsage> {
  const usage: CacheUsage = { bytes: 0, files: 0 };
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) {
        const info = await lstat(path).catch(() => undefined);
        if (!info) continue;
        usage.bytes += info.blocks ? info.blocks * 512 : info.size;
        usage.files++;
      }
    }
  };
  await walk(imageCacheRoot(dataDir));
  await walk(featureCacheRoot(dataDir));
  return usage;
}

/**
 * Deletes `DATA_DIR/cache/images` and `DATA_DIR/cache/features` and returns what they
 * occupied. Refused (`CACHE_BUSY`) while a live process — this one included — has a cache open
 * for writing.
 */
export async function clearCache(dataDir: string): Promise<CacheUsage> {
  const root = imageCacheRoot(dataDir);
  const folders: string[] = [];
  for (const size of await readdir(root).catch(() => [] as string[]))
    for (const fit of await readdir(join(root, size)).catch(() => [] as string[])) folders.push(join(root, size, fit));
  for (const key of await readdir(featureCacheRoot(dataDir)).catch(() => [] as string[]))
    folders.push(join(featureCacheRoot(dataDir), key));
  for (const folder of folders) {
    const holder = await readLock(folder);
    if (holder && alive(holder)) {
      throw new LabError(
        'CACHE_BUSY',
        `The image cache is in use by ${holder.pid === process.pid ? 'a training in progress' : `process ${holder.pid}`}; clear it when training has finished.`,
      );
    }
  }
  const usage = await cacheSize(dataDir);
  await rm(root, { recursive: true, force: true });
  await rm(featureCacheRoot(dataDir), { recursive: true, force: true });
  return usage;
}
