/**
 * Pure-JS engine benchmark (issue 7): `npm run build && npm run bench -- engine`.
 *
 * Trains the mini spec — the lecture's Xception with post-activation ("seed") blocks at 32 px,
 * α 0.25, 2 middle blocks, 10 classes — on random batches of 32 with Adam, on @tensorflow/tfjs'
 * cpu backend, with its stock kernels and with main/engine/kernels, in the same process and
 * interleaved (stock step, then our steps, repeated), so load from other processes on a shared
 * machine hits both alike. Ours runs twice: as shipped (WebAssembly SIMD inner loops) and with
 * SIMD off (the plain-JS loops it falls back to). Prints train images/s for each, the per-kernel
 * times of one step of each (tf.profile), and, last, `speedup: N.Nx` (as shipped vs stock;
 * target ≥ 20×, stretch 50×).
 *
 * Options: `-- engine --rounds N` (interleaved rounds, default 2; each costs one stock step,
 * about 20 s on two cores) and `--steps N` (our steps per round, default 10; half as many
 * with SIMD off).
 */
import * as tf from '@tensorflow/tfjs';
import { loadavg } from 'node:os';
import { registerFastKernels, unregisterFastKernels } from '../main/engine/kernels';
import { useSimd } from '../main/engine/kernels/simd';
import { buildXception } from '../main/models/xception';

const arg = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const ROUNDS = arg('rounds', 2);
const STEPS = arg('steps', 10);
const BATCH = 32;
const SIZE = 32;
const CLASSES = 10;
const MINI_SEED = { blockStyle: 'seed', inputSize: SIZE, classes: CLASSES, widthMultiplier: 0.25, middleRepeats: 2 } as const;

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const load = (): string => loadavg().map((l) => l.toFixed(1)).join(' ');

await tf.setBackend('cpu');
console.log(`tfjs ${tf.version.tfjs}, backend ${tf.getBackend()}; load average ${load()}`);
console.log(`mini spec: ${JSON.stringify(MINI_SEED)}, batch ${BATCH}, Adam, random data`);

const model = buildXception(MINI_SEED, tf);
model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
const x = tf.randomNormal([BATCH, SIZE, SIZE, 3], 0, 1, 'float32', 7);
const y = tf.oneHot(tf.randomUniform([BATCH], 0, CLASSES, 'int32', 8) as tf.Tensor1D, CLASSES);

/** One training step (forward, backward, Adam update) and the time it took, in ms. */
async function step(): Promise<number> {
  const start = performance.now();
  await model.trainOnBatch(x, y);
  return performance.now() - start;
}

/** Kernel name → ms in one profiled step (op-level `__op` entries, which wrap kernels, left out). */
async function profileStep(): Promise<Map<string, number>> {
  const info = await tf.profile(() => model.trainOnBatch(x, y));
  const times = new Map<string, number>();
  for (const k of info.kernels) {
    if (k.name.endsWith('__op')) continue;
    times.set(k.name, (times.get(k.name) ?? 0) + (k.kernelTimeMs as number));
  }
  return times;
}

type Mode = 'stock' | 'js' | 'simd';
const modes: Mode[] = ['stock', 'js', 'simd'];
const label: Record<Mode, string> = { stock: 'stock tfjs cpu kernels', js: 'ours, plain JS (SIMD off)', simd: 'ours, as shipped (SIMD)' };

const use = (mode: Mode): void => {
  if (mode === 'stock') unregisterFastKernels(tf);
  else registerFastKernels(tf);
  useSimd(mode === 'simd');
  gc();
};

// Warm-up (JIT, Adam's slots), then one profiled step each.
const profiles = {} as Record<Mode, Map<string, number>>;
for (const mode of ['simd', 'js', 'stock'] as const) {
  use(mode);
  if (mode !== 'stock') for (let i = 0; i < 3; i++) await step();
  profiles[mode] = await profileStep();
}

const time: Record<Mode, { ms: number; steps: number }> = { stock: { ms: 0, steps: 0 }, js: { ms: 0, steps: 0 }, simd: { ms: 0, steps: 0 } };
const stepsPerRound: Record<Mode, number> = { stock: 1, js: Math.max(1, Math.round(STEPS / 2)), simd: STEPS };
const msPerStep = (mode: Mode): number => time[mode].ms / time[mode].steps;
for (let round = 0; round < ROUNDS; round++) {
  for (const mode of modes) {
    use(mode);
    for (let i = 0; i < stepsPerRound[mode]; i++) time[mode].ms += await step();
    time[mode].steps += stepsPerRound[mode];
  }
  console.log(`round ${round + 1}/${ROUNDS}: stock ${(msPerStep('stock') / 1000).toFixed(2)} s/step, plain JS ${msPerStep('js').toFixed(0)} ms/step, SIMD ${msPerStep('simd').toFixed(0)} ms/step (load ${load()})`);
}
use('stock');
useSimd(true);

const rate = (mode: Mode): number => (BATCH * time[mode].steps) / (time[mode].ms / 1000);

const names = [...new Set(modes.flatMap((m) => [...profiles[m].keys()]))].sort((a, b) => (profiles.stock.get(b) ?? 0) - (profiles.stock.get(a) ?? 0));
const total = (m: Map<string, number>): number => [...m.values()].reduce((sum, v) => sum + v, 0);
const row = (name: string, s: number, j: number, f: number): string =>
  `${name.padEnd(38)} ${s.toFixed(1).padStart(9)} ${j.toFixed(1).padStart(8)} ${f.toFixed(1).padStart(8)} ${(f > 0 ? `${(s / f).toFixed(1)}×` : '').padStart(8)}`;
console.log('\nper-kernel ms in one training step (tf.profile)');
console.log(`${'kernel'.padEnd(38)} ${'stock'.padStart(9)} ${'ours JS'.padStart(8)} ${'ours'.padStart(8)} ${'ratio'.padStart(8)}`);
for (const name of names) {
  const [s, j, f] = modes.map((m) => profiles[m].get(name) ?? 0) as [number, number, number];
  if (s >= 1 || j >= 1 || f >= 1) console.log(row(name, s, j, f));
}
console.log(row('all kernels', total(profiles.stock), total(profiles.js), total(profiles.simd)));

console.log('');
for (const mode of modes) {
  console.log(`${label[mode].padEnd(28)} ${rate(mode).toFixed(2).padStart(8)} train images/s  (${time[mode].steps} steps, ${(time[mode].ms / 1000).toFixed(1)} s)  ${mode === 'stock' ? '' : `${(rate(mode) / rate('stock')).toFixed(1)}× stock`}`);
}
console.log(`target ≥ 20×, stretch 50×; load average now ${load()}`);
console.log(`speedup: ${(rate('simd') / rate('stock')).toFixed(1)}x`);
