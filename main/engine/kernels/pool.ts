import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { simd, useSimd } from './simd';
import { tasks, type TaskId } from './tasks';

/**
 * The kernel pool (issue 17): the thread that runs tfjs (the training worker) plus
 * `threads − 1` helper threads, sharing one block of memory. A kernel copies its inputs into
 * the shared arena, every thread runs the same task over its own range of work units (see
 * tasks.ts), and the kernel copies the outputs back out. Kernels are synchronous, so the calling
 * thread waits with Atomics.wait; helpers sleep in Atomics.wait between tasks.
 *
 * Threads: XLAB_THREADS, else os.availableParallelism() (the calling thread counts as one).
 * Every thread claims units one at a time (an atomic counter), so a helper that has not started
 * or that the system has not scheduled yet delays nothing: the result does not depend on who
 * computes which unit. Tasks smaller than MIN_PARALLEL_WORK run on the calling thread alone.
 *
 * The arena is a shared WebAssembly.Memory: it grows in place, so helpers get it once and no
 * outgrown buffer lingers in their heaps (a SharedArrayBuffer sent per task would, until their
 * garbage collector ran — which, idle, it hardly does).
 */

/** Multiply-adds (or element visits) below which a task stays on the calling thread. */
export const MIN_PARALLEL_WORK = 1 << 21;

// Control block layout (Int32 slots), then task parameters as doubles.
const GENERATION = 0; // bumped once per task; helpers wait on it
const FINISHED = 1; // units of the current task finished
const TASK = 2;
const UNITS = 3;
const MEMBERS = 4; // bit i: helper i takes part in the current task
const FAILED = 5; // a helper threw
const STOP = 6;
const SIMD_ON = 7;
const NEXT = 9; // the current task's next free unit, tagged with its generation (see claim())
/** Units per task at most (NEXT keeps the unit in its low bits, the generation above). */
const UNIT_BITS = 20;
const READY = 16; // READY + i: helper i is waiting for tasks
const MAX_HELPERS = 15;
const PARAMS_BYTE_OFFSET = 256;
const MAX_PARAMS = 96;
const CONTROL_BYTES = PARAMS_BYTE_OFFSET + MAX_PARAMS * 8;

const PAGE = 65536;
/** The arena's reserved address space: 4 GiB, the most a WebAssembly memory can hold (touched pages only are resident). */
const MAX_PAGES = 65536;

/** What a helper thread gets at start (see pool-worker.ts). */
export interface PoolWorkerData {
  control: SharedArrayBuffer;
  arena: WasmMemory;
  index: number;
}

/** The part of WebAssembly.Memory used here (the Node typings in use do not declare it). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(deltaPages: number): number;
}
type WasmMemoryConstructor = new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;

/** One input or output of a task: its array, and whether to copy it in and/or out. */
export interface TaskArray {
  array: Float32Array;
  input?: boolean;
  output?: boolean;
}

/** Runs `tasks[task]` over units [0, units): arrays are placed in the arena, params follow the layout in tasks.ts. */
export interface KernelPool {
  readonly threads: number;
  /** Tasks that helper threads took part in, so far. */
  readonly sharedTasks: number;
  run(task: TaskId, arrays: TaskArray[], params: number[], units: number, work: number): void;
  /** Resolves once every helper waits for tasks (they start asynchronously; tasks before that run without them). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export interface PoolOptions {
  /** Work below which a task stays on the calling thread (MIN_PARALLEL_WORK); tests set 0. */
  minWork?: number;
}

/** Thread count from XLAB_THREADS (a whole number ≥ 1), else the machine's parallelism. */
export function configuredThreads(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.XLAB_THREADS?.trim();
  if (raw) {
    const n = Number(raw);
    if (Number.isInteger(n) && n >= 1) return Math.min(n, MAX_HELPERS + 1);
  }
  return Math.max(1, Math.min(availableParallelism(), MAX_HELPERS + 1));
}

/** The bundled helper script: out/kernel-worker.mjs, beside the training worker, from out/, out/chunks/, out/bench/ or the sources. */
export function poolWorkerPath(): string | undefined {
  for (const relative of ['./kernel-worker.mjs', '../kernel-worker.mjs', '../../../out/kernel-worker.mjs']) {
    const path = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(path)) return path;
  }
  return undefined;
}

/** Runs every task on the calling thread: no helper threads. */
class SerialPool implements KernelPool {
  readonly threads = 1;
  readonly sharedTasks = 0;
  async ready(): Promise<void> {}
  run(task: TaskId, arrays: TaskArray[], params: number[], units: number): void {
    tasks[task]!(
      arrays.map((a) => a.array),
      params,
      0,
      units,
    );
  }
  async close(): Promise<void> {}
}

class ThreadPool implements KernelPool {
  private readonly control = new SharedArrayBuffer(CONTROL_BYTES);
  private readonly ctl = new Int32Array(this.control, 0, PARAMS_BYTE_OFFSET / 4);
  private readonly params = new Float64Array(this.control, PARAMS_BYTE_OFFSET, MAX_PARAMS);
  private readonly arena: WasmMemory;
  private readonly workers: Worker[] = [];
  private closed = false;
  sharedTasks = 0;

  constructor(
    readonly threads: number,
    script: string,
    private readonly minWork = MIN_PARALLEL_WORK,
  ) {
    const Memory = (globalThis as unknown as { WebAssembly: { Memory: WasmMemoryConstructor } }).WebAssembly.Memory;
    this.arena = new Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
    for (let index = 0; index < threads - 1; index++) {
      const workerData: PoolWorkerData = { control: this.control, arena: this.arena, index };
      const worker = new Worker(script, { workerData, stdout: false, stderr: false });
      // Helpers never keep the process alive; close() ends them, and so does the process's exit.
      worker.unref();
      worker.on('error', () => Atomics.store(this.ctl, READY + index, 0));
      this.workers.push(worker);
    }
  }

  run(task: TaskId, arrays: TaskArray[], params: number[], units: number, work: number): void {
    const helpers =
      this.closed || work < this.minWork || units < 2 || units >= 1 << UNIT_BITS ? [] : this.readyHelpers();
    if (helpers.length === 0) {
      tasks[task]!(
        arrays.map((a) => a.array),
        params,
        0,
        units,
      );
      return;
    }
    // Arena: each array at a 16-byte aligned float offset.
    const offsets: number[] = [];
    let floats = 0;
    for (const a of arrays) {
      offsets.push(floats);
      floats += (a.array.length + 3) & ~3;
    }
    const heap = this.heap(floats);
    const views = arrays.map((a, i) => heap.subarray(offsets[i]!, offsets[i]! + a.array.length));
    arrays.forEach((a, i) => {
      if (a.input) views[i]!.set(a.array);
    });
    this.sharedTasks++;
    const p = this.params;
    p[0] = arrays.length;
    arrays.forEach((a, i) => {
      p[1 + 2 * i] = offsets[i]!;
      p[2 + 2 * i] = a.array.length;
    });
    const paramsAt = 1 + 2 * arrays.length;
    if (paramsAt + params.length > MAX_PARAMS) throw new Error(`kernel pool: too many parameters (${params.length})`);
    p.set(params, paramsAt);
    const ctl = this.ctl;
    let members = 0;
    helpers.forEach((h) => (members |= 1 << h));
    Atomics.store(ctl, TASK, task);
    Atomics.store(ctl, UNITS, units);
    Atomics.store(ctl, MEMBERS, members);
    Atomics.store(ctl, SIMD_ON, simd() ? 1 : 0);
    Atomics.store(ctl, FINISHED, 0);
    Atomics.store(ctl, FAILED, 0);
    const generation = Atomics.load(ctl, GENERATION) + 1;
    Atomics.store(ctl, NEXT, tagged(generation, 0));
    Atomics.store(ctl, GENERATION, generation);
    Atomics.notify(ctl, GENERATION);
    // Every thread claims units one at a time until none is left: a helper the system has not
    // scheduled yet costs nothing, the calling thread does its units too.
    let failure: unknown;
    for (let u = claim(ctl, generation, units); u >= 0; u = claim(ctl, generation, units)) {
      try {
        tasks[task]!(views, params, u, u + 1);
      } catch (error) {
        failure = error;
      }
      Atomics.add(ctl, FINISHED, 1);
    }
    for (;;) {
      const finished = Atomics.load(ctl, FINISHED);
      if (finished >= units) break;
      Atomics.wait(ctl, FINISHED, finished, 1000);
    }
    if (failure) throw failure;
    if (Atomics.load(ctl, FAILED))
      throw new Error('kernel pool: a helper thread failed; set XLAB_THREADS=1 to run without helpers');
    arrays.forEach((a, i) => {
      if (a.output) a.array.set(views[i]!);
    });
  }

  /** Helpers waiting for work, by index. */
  private readyHelpers(): number[] {
    const ready: number[] = [];
    for (let i = 0; i < this.workers.length; i++) if (Atomics.load(this.ctl, READY + i) === 1) ready.push(i);
    return ready;
  }

  /** The arena as floats, grown to at least `floats`. */
  private heap(floats: number): Float32Array {
    const bytes = floats * 4;
    const have = this.arena.buffer.byteLength;
    if (have < bytes) {
      // Grow by at least half again, so a run of slightly bigger tasks does not grow it each time.
      const pages = Math.ceil(Math.max(bytes - have, have / 2) / PAGE);
      this.arena.grow(Math.min(pages, MAX_PAGES - have / PAGE));
    }
    if (this.arena.buffer.byteLength < bytes)
      throw new Error(
        `kernel pool: a task needs ${Math.ceil(bytes / 2 ** 20)} MB, more than the 4 GB a shared arena holds; set XLAB_THREADS=1`,
      );
    return new Float32Array(this.arena.buffer);
  }

  async ready(): Promise<void> {
    for (let waited = 0; this.readyHelpers().length < this.workers.length; waited += 10) {
      if (waited > 60_000) throw new Error('kernel pool: helper threads did not start within a minute');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.ctl, STOP, 1);
    Atomics.add(this.ctl, GENERATION, 1);
    Atomics.notify(this.ctl, GENERATION);
    // Referenced again while they finish, so awaiting close() keeps the event loop alive.
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.threadId < 0) return resolve();
            w.ref();
            w.once('exit', () => resolve());
          }),
      ),
    );
  }
}

function tagged(generation: number, unit: number): number {
  return ((generation & 0x7ff) << UNIT_BITS) | unit;
}

/**
 * The next unit of task `generation`, or −1 when all are claimed or that task is over (a helper
 * that wakes late must not take a unit of the next one).
 */
function claim(ctl: Int32Array, generation: number, units: number): number {
  for (;;) {
    const next = Atomics.load(ctl, NEXT);
    const unit = next & ((1 << UNIT_BITS) - 1);
    if (next >>> UNIT_BITS !== (generation & 0x7ff) || unit >= units) return -1;
    if (Atomics.compareExchange(ctl, NEXT, next, next + 1) === next) return unit;
  }
}

/**
 * A helper's side of a task: waits for the next generation, then claims and runs units until
 * none is left. Returns false on stop.
 */
export function serveOne(data: PoolWorkerData, seen: { generation: number }): boolean {
  const ctl = new Int32Array(data.control, 0, PARAMS_BYTE_OFFSET / 4);
  Atomics.wait(ctl, GENERATION, seen.generation);
  seen.generation = Atomics.load(ctl, GENERATION);
  if (Atomics.load(ctl, STOP)) return false;
  const members = Atomics.load(ctl, MEMBERS);
  if (!(members & (1 << data.index))) return true;
  const generation = seen.generation;
  const units = Atomics.load(ctl, UNITS);
  let u = claim(ctl, generation, units);
  if (u < 0) return true;
  // Claimed a unit of this task, so its parameters stay put until the unit is counted finished.
  const p = new Float64Array(data.control, PARAMS_BYTE_OFFSET, MAX_PARAMS);
  const count = p[0]!;
  const heap = new Float32Array(data.arena.buffer);
  const views: Float32Array[] = [];
  for (let i = 0; i < count; i++) views.push(heap.subarray(p[1 + 2 * i]!, p[1 + 2 * i]! + p[2 + 2 * i]!));
  const params = p.slice(1 + 2 * count);
  const task = tasks[Atomics.load(ctl, TASK)]!;
  useSimd(Atomics.load(ctl, SIMD_ON) === 1);
  for (; u >= 0; u = claim(ctl, generation, units)) {
    try {
      task(views, params, u, u + 1);
    } catch {
      Atomics.store(ctl, FAILED, 1);
    }
    Atomics.add(ctl, FINISHED, 1);
    Atomics.notify(ctl, FINISHED);
  }
  return true;
}

/** Marks helper `index` ready; returns the generation it starts from. */
export function helperReady(data: PoolWorkerData): { generation: number } {
  const ctl = new Int32Array(data.control, 0, PARAMS_BYTE_OFFSET / 4);
  const seen = { generation: Atomics.load(ctl, GENERATION) };
  Atomics.store(ctl, READY + data.index, 1);
  return seen;
}

let current: KernelPool | undefined;
let requested: number | undefined;
let options: PoolOptions = {};

/** The pool of this thread, started on first use with `setThreads`'s count or configuredThreads(). */
export function kernelPool(): KernelPool {
  if (!current) {
    const threads = requested ?? configuredThreads();
    const script = threads > 1 ? poolWorkerPath() : undefined;
    current = script ? new ThreadPool(threads, script, options.minWork) : new SerialPool();
  }
  return current;
}

/** Sets the thread count (closing the current pool); undefined goes back to XLAB_THREADS / the machine. */
export async function setThreads(threads: number | undefined, poolOptions: PoolOptions = {}): Promise<void> {
  await closeKernelPool();
  requested = threads;
  options = poolOptions;
}

/** Ends the helper threads (the training worker does before it exits). */
export async function closeKernelPool(): Promise<void> {
  const pool = current;
  current = undefined;
  await pool?.close();
}
