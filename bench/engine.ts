/**
 * Pure-JS engine benchmark (issues 7 and 17): `npm run build && npm run bench -- engine`.
 *
 * mini: the lecture's Xception with post-activation ("seed") blocks at 32 px, α 0.25, 2 middle
 * blocks, 10 classes, random batches of 32, Adam, on @tensorflow/tfjs' cpu backend — with its
 * stock kernels, with main/engine/kernels on one thread, and with them as shipped (the kernel
 * pool on XLAB_THREADS or every core), in the same process and interleaved (a stock step, then
 * our steps, repeated), so load from other processes hits all alike.
 *
 * seed299: the seed preset as the lecture trains it — 299 px, full width, 8 middle blocks,
 * 100 classes — in batches of 8, as shipped only (a stock step takes many minutes), a few steps
 * after a warm-up; and the peak resident memory of the process (target < 3 GB).
 *
 * Prints the per-kernel times of one step of each (tf.profile), the thread count, one line
 * `mini: N train img/s` and one `seed299: N train img/s` (as shipped), and, last,
 * `speedup: N.Nx` (mini, as shipped vs stock). Targets (issue 17, quiet 2-core machine):
 * mini ≥ 300 (stretch 400), seed299 ≥ 0.5 (stretch 1.0).
 *
 * Options: `--rounds N` (mini's interleaved rounds, default 2; each costs one stock step, about
 * 20 s on two cores), `--steps N` (our mini steps per round, default 10), `--seed-steps N`
 * (seed299 steps timed, default 5: the first few after the warm-up still fill the recycled
 * buffers, and an epoch is thousands of steps), `--only mini|seed299`.
 */
import * as tf from '@tensorflow/tfjs';
import { loadavg } from 'node:os';
import { registerFastKernels, unregisterFastKernels } from '../main/engine/kernels';
import { configuredThreads, kernelPool, setThreads } from '../main/engine/kernels/pool';
import { buildXception } from '../main/models/xception';
import type { ModelConfigInput } from '../main/models/model-config';

const arg = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const ROUNDS = arg('rounds', 2);
const STEPS = arg('steps', 10);
const SEED_STEPS = arg('seed-steps', 5);
const THREADS = configuredThreads();

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

interface Workload {
  name: string;
  spec: ModelConfigInput;
  batch: number;
}
const MINI: Workload = {
  name: 'mini',
  spec: { blockStyle: 'seed', inputSize: 32, classes: 10, widthMultiplier: 0.25, middleRepeats: 2 },
  batch: 32,
};
const SEED299: Workload = { name: 'seed299', spec: { blockStyle: 'seed', inputSize: 299, classes: 100 }, batch: 8 };

await tf.setBackend('cpu');
console.log(
  `tfjs ${tf.version.tfjs}, backend ${tf.getBackend()}; threads: ${THREADS} (XLAB_THREADS, else os.availableParallelism()); load average ${load()}`,
);

/** A compiled model and one random batch. */
function setUp(w: Workload): {
  step: () => Promise<number>;
  profile: () => Promise<Map<string, number>>;
  dispose: () => void;
} {
  const model = buildXception(w.spec, tf, { seed: 1 });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  const size = w.spec.inputSize!;
  const classes = w.spec.classes!;
  const x = tf.randomNormal([w.batch, size, size, 3], 0, 1, 'float32', 7);
  const y = tf.oneHot(tf.randomUniform([w.batch], 0, classes, 'int32', 8) as tf.Tensor1D, classes);
  return {
    /** One training step (forward, backward, Adam update); its time in ms. */
    async step() {
      const start = performance.now();
      await model.trainOnBatch(x, y);
      return performance.now() - start;
    },
    /**
     * Kernel name → ms in one profiled step; the number of kernel calls under CALLS. Entries
     * that are not registered kernels (ops' `__op` entries, custom-gradient ops named after
     * their scope) wrap kernels counted on their own, and are left out.
     */
    async profile() {
      const info = await tf.profile(() => model.trainOnBatch(x, y));
      const times = new Map<string, number>();
      let calls = 0;
      for (const k of info.kernels) {
        if (!tf.getKernel(k.name, 'cpu')) continue;
        times.set(k.name, (times.get(k.name) ?? 0) + (k.kernelTimeMs as number));
        calls++;
      }
      times.set(CALLS, calls);
      return times;
    },
    dispose() {
      model.dispose();
      tf.dispose([x, y]);
    },
  };
}

/** The key under which a profile holds its number of kernel calls (every tfjs op has a cost of its own). */
const CALLS = 'kernel calls';

/** Prints kernel → ms per column, biggest first (by the first column), the totals and the kernel calls. */
function kernelTable(title: string, columns: Record<string, Map<string, number>>): void {
  const heads = Object.keys(columns);
  const maps = Object.values(columns);
  const first = maps[0]!;
  const names = [...new Set(maps.flatMap((m) => [...m.keys()]))]
    .filter((name) => name !== CALLS)
    .sort((a, b) => (first.get(b) ?? 0) - (first.get(a) ?? 0));
  const total = (m: Map<string, number>): number => [...m].reduce((s, [name, v]) => (name === CALLS ? s : s + v), 0);
  const line = (name: string, values: number[]): string =>
    `${name.padEnd(38)} ${values.map((v) => v.toFixed(1).padStart(10)).join(' ')}`;
  console.log(`\n${title}`);
  console.log(`${'kernel'.padEnd(38)} ${heads.map((h) => h.padStart(10)).join(' ')}`);
  for (const name of names) {
    const values = maps.map((m) => m.get(name) ?? 0);
    if (values.some((v) => v >= 1)) console.log(line(name, values));
  }
  console.log(line('all kernels', maps.map(total)));
  console.log(
    `${'kernel calls per step'.padEnd(38)} ${maps.map((m) => String(m.get(CALLS) ?? 0).padStart(10)).join(' ')}`,
  );
}

type Mode = 'stock' | 'one' | 'shipped';
const label: Record<Mode, string> = {
  stock: 'stock tfjs cpu kernels',
  one: 'ours, 1 thread',
  shipped: `ours, as shipped (${THREADS} threads)`,
};

async function use(mode: Mode): Promise<void> {
  if (mode === 'stock') unregisterFastKernels(tf);
  else registerFastKernels(tf);
  if (mode !== 'stock') {
    await setThreads(mode === 'one' ? 1 : undefined);
    await kernelPool().ready();
  }
  gc();
}

let miniRate = 0;
let stockRate = 0;
if (only !== 'seed299') {
  console.log(`\nmini: ${JSON.stringify(MINI.spec)}, batch ${MINI.batch}, Adam, random data`);
  const mini = setUp(MINI);
  const modes: Mode[] = THREADS > 1 ? ['stock', 'one', 'shipped'] : ['stock', 'shipped'];
  // Warm-up (JIT, Adam's slots), then one profiled step each.
  const profiles = {} as Record<Mode, Map<string, number>>;
  for (const mode of [...modes].reverse()) {
    await use(mode);
    if (mode !== 'stock') for (let i = 0; i < 3; i++) await mini.step();
    profiles[mode] = await mini.profile();
  }
  const time: Record<Mode, { ms: number; steps: number }> = {
    stock: { ms: 0, steps: 0 },
    one: { ms: 0, steps: 0 },
    shipped: { ms: 0, steps: 0 },
  };
  const perRound: Record<Mode, number> = { stock: 1, one: Math.max(1, Math.round(STEPS / 2)), shipped: STEPS };
  const msPerStep = (mode: Mode): number => time[mode].ms / time[mode].steps;
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of modes) {
      await use(mode);
      for (let i = 0; i < perRound[mode]; i++) time[mode].ms += await mini.step();
      time[mode].steps += perRound[mode];
    }
    console.log(
      `round ${round + 1}/${ROUNDS}: ${modes.map((m) => `${m} ${msPerStep(m).toFixed(0)} ms/step`).join(', ')} (load ${load()})`,
    );
  }
  mini.dispose();
  const rate = (mode: Mode): number => (MINI.batch * time[mode].steps) / (time[mode].ms / 1000);
  kernelTable(
    'mini: per-kernel ms in one training step (tf.profile)',
    Object.fromEntries(modes.map((m) => [m, profiles[m]])),
  );
  console.log('');
  for (const mode of modes) {
    console.log(
      `${label[mode].padEnd(34)} ${rate(mode).toFixed(2).padStart(8)} train images/s  (${time[mode].steps} steps, ${(time[mode].ms / 1000).toFixed(1)} s)  ${mode === 'stock' ? '' : `${(rate(mode) / rate('stock')).toFixed(1)}× stock`}`,
    );
  }
  miniRate = rate('shipped');
  stockRate = rate('stock');
}

let seedRate = 0;
if (only !== 'mini') {
  console.log(`\nseed299: ${JSON.stringify(SEED299.spec)}, batch ${SEED299.batch}, Adam, random data, as shipped`);
  await use('shipped');
  const seed = setUp(SEED299);
  const warm = await seed.step();
  console.log(`warm-up step ${(warm / 1000).toFixed(1)} s (load ${load()})`);
  let ms = 0;
  for (let i = 0; i < SEED_STEPS; i++) {
    const t = await seed.step();
    ms += t;
    console.log(`step ${i + 1}/${SEED_STEPS}: ${(t / 1000).toFixed(1)} s (load ${load()})`);
  }
  // Read before the profiled step, so the figure is plain training's.
  const peak = process.resourceUsage().maxRSS / 2 ** 20; // KiB → GiB
  const profile = await seed.profile();
  seed.dispose();
  seedRate = (SEED299.batch * SEED_STEPS) / (ms / 1000);
  kernelTable('seed299: per-kernel ms in one training step (tf.profile)', { shipped: profile });
  console.log(
    `\nseed299 peak resident memory of the process (training steps, before the profiled one): ${peak.toFixed(2)} GB (target < 3 GB)`,
  );
}

console.log(`\nthreads: ${THREADS}; load average now ${load()}`);
if (only !== 'seed299') console.log(`mini: ${miniRate.toFixed(1)} train img/s (target ≥ 300, stretch 400)`);
if (only !== 'mini') console.log(`seed299: ${seedRate.toFixed(2)} train img/s (target ≥ 0.5, stretch 1.0)`);
await setThreads(1);
if (only !== 'seed299') console.log(`speedup: ${(miniRate / stockRate).toFixed(1)}x`);
