/**
 * `npm run bench -- engines [--steps N] [--only NAME]`: the same Xception model trained on every engine that
 * runs here (bench/engines/registry.ts: pure-JS tfjs, tfjs-node, Keras), side by side: mini
 * with the lecture's post-activation (seed) blocks @ 32 px batch 32 (bench/engine.ts's MINI:
 * α 0.25, 2 middle blocks, 10 classes) and seed @ 299 px batch 8, a few batches each after a
 * warm-up batch, on random images. Last line: `engines: <name> <img/s mini> <img/s seed> …`.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { loadavg } from 'node:os';
import { benchEngines, type BenchCase } from './engines/registry';

const repo = process.env.XLAB_REPO ?? process.cwd();
const script = process.argv[1]!;
const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};

const measureAt = process.argv.indexOf('--measure');
if (measureAt > 0) {
  await measureOne(process.argv[measureAt + 1] as 'js' | 'cpu', process.argv[measureAt + 2]!);
} else {
  await compare();
}

async function compare(): Promise<void> {
  const steps = arg('steps', 3);
  const cases: BenchCase[] = [
    {
      label: 'mini/seed@32 b32',
      preset: 'mini',
      blockStyle: 'seed',
      inputSize: 32,
      batchSize: 32,
      steps: Math.max(steps, 5),
      classes: 10,
    },
    { label: 'seed@299 b8', preset: 'seed', inputSize: 299, batchSize: 8, steps, classes: 10 },
  ];
  console.log(
    `load average: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const summary: string[] = [];
  const onlyAt = process.argv.indexOf('--only'); // `--only keras`: one engine
  const only = onlyAt > 0 ? process.argv[onlyAt + 1] : undefined;
  for (const engine of benchEngines({ script, repo }).filter((e) => !only || e.name === only)) {
    const why = await engine.unavailable();
    if (why) {
      console.log(`${engine.name}: not available here (${why})`);
      continue;
    }
    const figures: string[] = [];
    for (const c of cases) {
      try {
        const ips = await engine.measure(c);
        // Three significant figures: seed on the JS engine is a few hundredths of an image per second.
        const figure = ips >= 100 ? ips.toFixed(0) : ips.toPrecision(3);
        console.log(`${engine.name.padEnd(12)} ${c.label.padEnd(16)} ${figure} img/s`);
        figures.push(figure);
      } catch (error) {
        console.log(`${engine.name.padEnd(12)} ${c.label.padEnd(16)} failed: ${(error as Error).message}`);
        figures.push('failed');
        process.exitCode = 1;
      }
    }
    summary.push(`${engine.name} ${figures.join(' ')}`);
  }
  console.log(`cases: ${cases.map((c) => c.label).join(', ')}`);
  console.log(`engines: ${summary.join(' ')}`);
}

/** In a child process: loads one tfjs engine as the training worker does and times training batches. */
async function measureOne(backend: 'js' | 'cpu', what: string): Promise<void> {
  const { selectBackend } = await import('../main/engine/backend-select');
  const { pinNativeLibraries } = await import('../main/engine/native-pin');
  const { registerFastKernels } = await import('../main/engine/kernels');
  const { buildXception } = await import('../main/models/xception');
  const { resolveModelConfig } = await import('../main/models/presets');
  type Tf = import('../main/models/xception').Tf;
  const require = createRequire(join(repo, 'package.json'));
  let tf: Tf;
  try {
    const selected = await selectBackend({
      force: backend,
      load: (name) => {
        if (name !== '@tensorflow/tfjs') pinNativeLibraries(dirname(require.resolve(`${name}/package.json`)));
        return require(name);
      },
    });
    tf = selected.tf as unknown as Tf;
    if (selected.info.name === 'tfjs') registerFastKernels(tf);
  } catch (error) {
    console.log((error as Error).message);
    process.exit(1);
  }
  if (what === 'probe') return;
  const c = JSON.parse(what) as BenchCase;
  const model = buildXception(
    resolveModelConfig({
      preset: c.preset,
      inputSize: c.inputSize,
      classes: c.classes,
      ...(c.blockStyle ? { blockStyle: c.blockStyle } : {}),
    }),
    tf,
    { seed: 1 },
  );
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  const x = tf.randomUniform([c.batchSize, c.inputSize, c.inputSize, 3], -1, 1);
  const y = tf.oneHot(tf.randomUniform([c.batchSize], 0, c.classes, 'int32') as never, c.classes);
  await model.trainOnBatch(x, y); // warm-up: kernel selection, memory
  const start = performance.now();
  for (let i = 0; i < c.steps; i++) await model.trainOnBatch(x, y);
  const seconds = (performance.now() - start) / 1000;
  console.log(`imagesPerSec=${((c.steps * c.batchSize) / seconds).toFixed(3)}`);
}
