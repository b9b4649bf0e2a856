/**
 * The on-disk feature cache: what a frozen prefix of the network (`frozen-prefix.ts`) outputs
 * for each image, so a run that trains only the layers after it computes the prefix once per
 * image instead of every epoch — and the next run with the same weights not at all.
 *
 * Where: `DATA_DIR/cache/features/<key>/`, the key a SHA-256 over everything the features
 * depend on (`featureKey`): the prefix's layers as planned, the values of its weights (so the
 * weights file's content, whichever file or checkpoint they came from), the input size, the
 * resize mode and the normalisation. Other weights or sizes get another folder.
 *
 * Per image, invalidated like the image cache (`dataset/pipeline/cache.ts`): keyed by absolute
 * path + file size + mtime (ns), checked with one `stat` per lookup; a changed file is computed
 * again. Records: "XLF1", float count u32, crc32 u32, then the float32 values; one JSON index
 * line per record. A bad line, a short file or a CRC mismatch drops the entry (it is computed
 * again), never an exception or wrong numbers.
 *
 * One writer per folder, by the same pid lock as the image cache (`fs/pid-lock`); a second
 * instance reads what was there and keeps what it computes in memory.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { releaseLock, takeLock } from '../fs/pid-lock';
import { featureCacheRoot } from '../dataset/pipeline/cache';

const MAGIC = 0x31464c58; // "XLF1" little-endian
const HEADER = 12;
const LOCK = 'writer.lock';
const BIN = 'features.bin';
const IDX = 'features.idx';

export { featureCacheRoot };

/** What the features of one image depend on, besides the image. */
export interface FeatureKeyParts {
  /** The prefix's layer specs (names, kinds, widths, wiring). */
  layers: unknown;
  /** The prefix's weight values, in layer order. */
  weights: readonly Float32Array[];
  inputSize: number;
  fit: string;
  normalisation: string;
}

export function featureKey(parts: FeatureKeyParts): string {
  const hash = createHash('sha256');
  hash.update(
    JSON.stringify({
      v: 1,
      layers: parts.layers,
      inputSize: parts.inputSize,
      fit: parts.fit,
      normalisation: parts.normalisation,
    }),
  );
  for (const values of parts.weights) hash.update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  return hash.digest('hex').slice(0, 32);
}

interface Entry {
  offset: number;
  count: number;
  crc: number;
  size: string;
  mtime: string;
}

export interface FeatureCacheStats {
  hits: number;
  misses: number;
  damaged: number;
  writes: number;
}

export class FeatureCache {
  readonly dir: string;
  readonly stats: FeatureCacheStats = { hits: 0, misses: 0, damaged: 0, writes: 0 };
  readonly warnings: string[] = [];
  #index = new Map<string, Entry>();
  /** Features computed but not stored (read-only cache), by path. */
  #memory = new Map<string, Float32Array>();
  #locked = false;
  #bin: FileHandle | undefined;
  #idx: FileHandle | undefined;
  #reader: FileHandle | undefined;
  #binSize = 0;
  #queue: Promise<void> = Promise.resolve();

  private constructor(dir: string) {
    this.dir = dir;
  }

  /** Opens (creating) the cache folder of one key and reads its index. */
  static async open(dataDir: string, key: string, describe: Record<string, unknown> = {}): Promise<FeatureCache> {
    const cache = new FeatureCache(join(featureCacheRoot(dataDir), key));
    await mkdir(cache.dir, { recursive: true });
    try {
      cache.#locked = (await takeLock(join(cache.dir, LOCK))).taken;
    } catch (error) {
      cache.warnings.push(`The feature cache in ${cache.dir} cannot be written (${(error as Error).message}).`);
    }
    await cache.#loadIndex();
    if (cache.#locked) {
      try {
        await writeFile(join(cache.dir, 'key.json'), `${JSON.stringify(describe, null, 2)}\n`);
        cache.#bin = await open(join(cache.dir, BIN), 'a');
        cache.#idx = await open(join(cache.dir, IDX), 'a');
      } catch (error) {
        cache.#stopWriting(error);
      }
    }
    return cache;
  }

  get readOnly(): boolean {
    return !this.#bin;
  }

  /** The file's size and mtime as the cache keys them, or undefined when it cannot be read. */
  static async version(path: string): Promise<{ size: string; mtime: string } | undefined> {
    const info = await stat(path, { bigint: true }).catch(() => undefined);
    return info ? { size: String(info.size), mtime: String(info.mtimeNs) } : undefined;
  }

  /** True when features of `path` are stored and the file has not changed since (nothing read). */
  async has(path: string): Promise<boolean> {
    if (this.#memory.has(path)) return true;
    const entry = this.#index.get(path);
    const version = entry ? await FeatureCache.version(path) : undefined;
    return Boolean(entry && version && entry.size === version.size && entry.mtime === version.mtime);
  }

  /** The stored features of `path` if the file has not changed since, else undefined. */
  async get(path: string): Promise<Float32Array | undefined> {
    const kept = this.#memory.get(path);
    if (kept) {
      this.stats.hits++;
      return kept;
    }
    const entry = this.#index.get(path);
    const version = entry ? await FeatureCache.version(path) : undefined;
    if (entry && version && entry.size === version.size && entry.mtime === version.mtime) {
      const values = await this.#read(entry);
      if (values) {
        this.stats.hits++;
        return values;
      }
      this.stats.damaged++;
      this.#index.delete(path);
    }
    this.stats.misses++;
    return undefined;
  }

  /** Stores the features of `path` as of `version` (taken before the image was read). */
  async put(path: string, version: { size: string; mtime: string }, values: Float32Array): Promise<void> {
    if (this.readOnly) {
      this.#memory.set(path, values);
      return;
    }
    const next = this.#queue.then(async () => {
      if (this.readOnly) {
        this.#memory.set(path, values);
        return;
      }
      try {
        await this.#append(path, version, values);
      } catch (error) {
        this.#stopWriting(error);
        this.#memory.set(path, values);
      }
    });
    this.#queue = next;
    await next;
  }

  async close(): Promise<void> {
    await this.#queue;
    await Promise.all([this.#bin?.close(), this.#idx?.close(), this.#reader?.close()]);
    this.#bin = this.#idx = this.#reader = undefined;
    if (this.#locked) await releaseLock(join(this.dir, LOCK));
    this.#locked = false;
    this.#memory.clear();
  }

  async #loadIndex(): Promise<void> {
    const bytes = await stat(join(this.dir, BIN)).then(
      (s) => s.size,
      () => 0,
    );
    this.#binSize = bytes;
    const text = await readFile(join(this.dir, IDX), 'utf8').catch(() => '');
    for (const line of text.split('\n')) {
      if (!line) continue;
      const parsed = parseLine(line, bytes);
      if (parsed) this.#index.set(parsed.path, parsed.entry);
      else this.stats.damaged++;
    }
    // A line cut short by a crash must not swallow the next one.
    if (this.#locked && text.length > 0 && !text.endsWith('\n'))
      await writeFile(join(this.dir, IDX), '\n', { flag: 'a' });
  }

  async #read(entry: Entry): Promise<Float32Array | undefined> {
    try {
      this.#reader ??= await open(join(this.dir, BIN), 'r');
      const buffer = Buffer.alloc(HEADER + entry.count * 4);
      const { bytesRead } = await this.#reader.read(buffer, 0, buffer.length, entry.offset);
      if (bytesRead !== buffer.length) return undefined;
      if (
        buffer.readUInt32LE(0) !== MAGIC ||
        buffer.readUInt32LE(4) !== entry.count ||
        buffer.readUInt32LE(8) !== entry.crc
      )
        return undefined;
      const data = buffer.subarray(HEADER);
      if (crc32(data) !== entry.crc) return undefined;
      // A copy with its own, aligned buffer.
      return new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    } catch {
      return undefined;
    }
  }

  async #append(path: string, version: { size: string; mtime: string }, values: Float32Array): Promise<void> {
    const data = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
    const crc = crc32(data);
    const header = Buffer.alloc(HEADER);
    header.writeUInt32LE(MAGIC, 0);
    header.writeUInt32LE(values.length, 4);
    header.writeUInt32LE(crc, 8);
    const offset = this.#binSize;
    // The record first, then its index line: a crash in between leaves unindexed bytes only.
    await this.#bin!.writev([header, data]);
    this.#binSize += HEADER + data.length;
    const line = { p: path, s: version.size, m: version.mtime, o: offset, n: values.length, c: crc };
    await this.#idx!.appendFile(`${JSON.stringify(line)}\n`);
    this.#index.set(path, { offset, count: values.length, crc, size: version.size, mtime: version.mtime });
    this.stats.writes++;
  }

  #stopWriting(error: unknown): void {
    if (this.readOnly) return;
    void this.#bin?.close();
    void this.#idx?.close();
    this.#bin = this.#idx = undefined;
    this.warnings.push(
      `The feature cache in ${this.dir} stopped storing (${(error as Error).message ?? String(error)}); features are kept in memory for this run.`,
    );
  }
}

function parseLine(line: string, binSize: number): { path: string; entry: Entry } | undefined {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const { p, s, m, o, n, c } = value;
  if (typeof p !== 'string' || typeof s !== 'string' || typeof m !== 'string') return undefined;
  if (![o, n, c].every((v) => typeof v === 'number' && Number.isInteger(v) && v >= 0)) return undefined;
  if (!n || (o as number) + HEADER + (n as number) * 4 > binSize) return undefined;
  return { path: p, entry: { offset: o as number, count: n as number, crc: c as number, size: s, mtime: m } };
}
