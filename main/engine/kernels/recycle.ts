import type { DataId } from '@tensorflow/tfjs';

/**
 * Output buffers of the fast kernels, recycled (issue 17). Every tfjs op allocates a fresh
 * output; a large one comes from the system zero-filled page by page and goes back when the
 * tensor is freed, so every big op pays for page faults and zeroing: on a 3 M-float Multiply,
 * 58 ms with a fresh output against 7 ms with a reused one. Here the cpu backend's
 * `disposeData` hands the buffers our kernels made back to a free list, and the next kernel
 * that needs that many floats takes one from it.
 *
 * Only buffers a fast kernel allocated are ever reused, and only while nothing else can see
 * them: a buffer read out of the backend (dataSync, data, bufferSync — a caller may keep the
 * array) or registered a second time (a stock kernel passing values through, a slice viewing
 * them) is never recycled. Small buffers (under MIN_FLOATS) come from V8's heap cheaply and are
 * left alone; the free list holds at most `capFloats`, the oldest dropped first.
 */

const MIN_FLOATS = 1 << 14;
/** Free floats kept at most: 256 M bytes. */
const DEFAULT_CAP_FLOATS = 1 << 26;

interface Entry {
  array: Float32Array;
  /** Held by a tensor of the backend right now. */
  live: boolean;
  /** Seen outside our kernels: never reuse. */
  exposed: boolean;
}

export class BufferRecycler {
  private readonly free = new Map<number, Float32Array[]>();
  /** Free arrays, oldest first, for eviction. */
  private readonly order: Float32Array[] = [];
  private freeFloats = 0;
  private readonly entries = new WeakMap<ArrayBufferLike, Entry>();

  constructor(
    private readonly capFloats = DEFAULT_CAP_FLOATS,
    private readonly allocate: (size: number) => Float32Array = (size) => new Float32Array(size),
  ) {}

  /** A buffer of `size` floats whose contents are undefined (the kernel overwrites all of it). */
  take(size: number): Float32Array {
    return this.reuse(size) ?? this.fresh(size);
  }

  /** A buffer of `size` zeros (a fresh one is zero already). */
  takeZeroed(size: number): Float32Array {
    return this.reuse(size)?.fill(0) ?? this.fresh(size);
  }

  private reuse(size: number): Float32Array | undefined {
    const reused = size >= MIN_FLOATS ? this.free.get(size)?.pop() : undefined;
    if (reused) {
      this.order.splice(this.order.lastIndexOf(reused), 1);
      this.freeFloats -= size;
    }
    return reused;
  }

  private fresh(size: number): Float32Array {
    if (size < MIN_FLOATS) return new Float32Array(size);
    const array = this.allocate(size);
    this.entries.set(array.buffer, { array, live: false, exposed: false });
    return array;
  }

  /** The backend stored `values` for a tensor. */
  registered(values: unknown): void {
    const entry = this.entryOf(values);
    if (!entry) return;
    if (entry.live || entry.array !== values) entry.exposed = true;
    entry.live = true;
  }

  /** Someone outside the kernels read `values` (and may keep them). */
  exposed(values: unknown): void {
    const entry = this.entryOf(values);
    if (entry) entry.exposed = true;
  }

  /** The backend let go of `values`. */
  released(values: unknown): void {
    const entry = this.entryOf(values);
    if (!entry || entry.array !== values) return;
    entry.live = false;
    if (entry.exposed) {
      this.entries.delete(entry.array.buffer);
      return;
    }
    const array = entry.array;
    const list = this.free.get(array.length);
    if (list) list.push(array);
    else this.free.set(array.length, [array]);
    this.order.push(array);
    this.freeFloats += array.length;
    while (this.freeFloats > this.capFloats) {
      const oldest = this.order.shift();
      if (!oldest) break;
      const same = this.free.get(oldest.length);
      same?.splice(same.indexOf(oldest), 1);
      this.freeFloats -= oldest.length;
      this.entries.delete(oldest.buffer);
    }
  }

  /** Floats waiting for reuse. */
  get idleFloats(): number {
    return this.freeFloats;
  }

  clear(): void {
    for (const array of this.order) this.entries.delete(array.buffer);
    this.free.clear();
    this.order.length = 0;
    this.freeFloats = 0;
  }

  private entryOf(values: unknown): Entry | undefined {
    // By buffer, not length: a small view of a big buffer counts.
    return values instanceof Float32Array && values.buffer.byteLength >= MIN_FLOATS * 4
      ? this.entries.get(values.buffer)
      : undefined;
  }
}

/** The methods of tfjs-backend-cpu's MathBackendCPU that data goes in and out through. */
interface HookedBackend {
  data: { has(dataId: DataId): boolean; get(dataId: DataId): { values?: unknown } | undefined };
  write(values: unknown, shape: number[], dtype: string): DataId;
  move(dataId: DataId, values: unknown, shape: number[], dtype: string, refCount: number): void;
  readSync(dataId: DataId): unknown;
  disposeData(dataId: DataId, force?: boolean): boolean;
}

const HOOKED = ['write', 'move', 'readSync', 'disposeData'] as const;
const recyclers = new WeakMap<object, BufferRecycler>();

/**
 * The backend's recycler, installing it on first use: `backend`'s write/move/readSync/disposeData
 * are wrapped (on the instance; the prototype's stay) to tell it what the backend holds.
 */
export function recyclerFor(backend: object): BufferRecycler {
  const existing = recyclers.get(backend);
  if (existing) return existing;
  const recycler = new BufferRecycler();
  const b = backend as HookedBackend;
  const proto = Object.getPrototypeOf(b) as HookedBackend;
  const valuesOf = (dataId: DataId): unknown => (b.data.has(dataId) ? b.data.get(dataId)?.values : undefined);
  b.write = function (values, shape, dtype) {
    const id = proto.write.call(this, values, shape, dtype);
    recycler.registered(values);
    return id;
  };
  b.move = function (dataId, values, shape, dtype, refCount) {
    proto.move.call(this, dataId, values, shape, dtype, refCount);
    recycler.registered(values);
  };
  b.readSync = function (dataId) {
    recycler.exposed(valuesOf(dataId));
    return proto.readSync.call(this, dataId);
  };
  b.disposeData = function (dataId, force) {
    const values = valuesOf(dataId);
    const result = proto.disposeData.call(this, dataId, force);
    if (values !== undefined && !b.data.has(dataId)) recycler.released(values);
    return result;
  };
  recyclers.set(backend, recycler);
  return recycler;
}

/** Takes the hooks off `backend` and drops its free buffers (unregistering the fast kernels). */
export function removeRecycler(backend: object): void {
  const recycler = recyclers.get(backend);
  if (!recycler) return;
  recycler.clear();
  for (const name of HOOKED) delete (backend as Partial<HookedBackend>)[name];
  recyclers.delete(backend);
}
