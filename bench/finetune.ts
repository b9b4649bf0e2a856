/**
 * `npm run bench -- finetune [--weights FILE] [--epochs N] [--size PX]`: transfer learning on
 * the bundled Fashion-MNIST sample through the real engine (worker thread, current engine):
 * the Xception base frozen and only the head trained from cached features; entry and middle
 * frozen, exit and head trained from their cached output; and full training of every layer
 * from the same weights. Reports the wall time of each run (the
 * feature computation included), its epoch times and its accuracy.
 *
 * The weights are Keras' own Xception (weights=None, every weight drawn from a fixed seed) as
 * made by test/main/models/pretrained/make_keras_xception.py — NOT ImageNet's, so the accuracy
 * says how the ways of training compare, not what ImageNet features would reach. (Random
 * weights pool to nearly the same vector for every image, so a head alone learns little.) Without
 * --weights the bench makes them with XLAB_TEST_PYTHON (or python3) if it imports keras.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createLab } from '../main/lab';
import type { EpochMetricsLine, RunInfo } from '../main/contract';

const repo = process.env.XLAB_REPO ?? process.cwd();
const option = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const epochs = Number(option('epochs') ?? 3);
const size = Number(option('size') ?? 71);

function makeWeights(): string {
  const python = process.env.XLAB_TEST_PYTHON || 'python3';
  const out = join(tmpdir(), `xlab-bench-finetune-weights-${process.pid}`);
  console.log(`making Keras' Xception weights (weights=None, fixed seed) with ${python} …`);
  const made = spawnSync(python, [join(repo, 'test', 'main', 'models', 'pretrained', 'make_keras_xception.py'), out], {
    encoding: 'utf8',
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' },
  });
  if (made.status !== 0) {
    console.error(
      `bench finetune: cannot make the weights with ${python} (${made.error?.message ?? made.stderr.trim().split('\n').pop()}); pass --weights FILE (a Keras Xception notop .h5) or set XLAB_TEST_PYTHON to a Python with keras.`,
    );
    process.exit(1);
  }
  return join(out, 'notop_legacy.h5');
}

const weightsFile = option('weights') ?? makeWeights();
const dataDir = await mkdtemp(join(tmpdir(), 'xlab-bench-finetune-'));
const lab = await createLab({ dataDir, workerUrl: pathToFileURL(join(repo, 'out', 'training-worker.mjs')) });
const engine = await lab.getEngine();
console.log(`engine: ${engine.name} ${engine.version} on ${engine.device} — ${engine.reason}`);
console.log(`weights: ${weightsFile} (Keras' Xception with seeded random weights, not ImageNet's)`);

interface Result {
  name: string;
  run: RunInfo;
  seconds: number;
  lines: EpochMetricsLine[];
  cache: string;
}

async function trainOnce(name: string, freeze: string[]): Promise<Result> {
  const lines: EpochMetricsLine[] = [];
  let cache = 'no line about the feature cache';
  const request = {
    dataset: join(repo, 'assets', 'samples', 'fashion-mini'),
    model: { preset: 'xception', inputSize: size },
    training: { epochs, batchSize: 32, seed: 1, weightsFile, freeze },
    name,
  };
  // The previous run's worker may still be closing: it is busy for a moment after the run ends.
  let run: RunInfo | undefined;
  for (let tries = 0; !run; tries++) {
    try {
      run = await lab.startTraining(request);
    } catch (error) {
      if ((error as { code?: string }).code !== 'BUSY' || tries > 120) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  const started = Date.now();
  const id = run.id;
  const offs = [
    lab.events.on('trainEpoch', ({ runId, metrics }) => {
      if (runId !== id) return;
      lines.push(metrics);
      console.log(
        `  ${name} epoch ${metrics.epoch + 1}: ${((metrics.epochTimeMs ?? 0) / 1000).toFixed(1)} s, loss ${metrics.loss?.toFixed(4)}, val_acc ${metrics.val_acc?.toFixed(3)}`,
      );
    }),
    lab.events.on('trainLog', ({ runId, message }) => {
      if (runId === id && message.startsWith('Feature cache:')) cache = message;
    }),
  ];
  const finished = await new Promise<RunInfo>((resolve) =>
    offs.push(
      lab.events.on('runUpdated', (u) => {
        if (u.runId === id && u.run && u.run.status !== 'running') resolve(u.run);
      }),
    ),
  );
  offs.forEach((off) => off());
  return { name, run: finished, seconds: (Date.now() - started) / 1000, lines, cache };
}

const results: Result[] = [];
results.push(await trainOnce('head only, cached features', ['entry', 'middle', 'exit']));
results.push(await trainOnce('exit + head, cached entry+middle features', ['entry', 'middle']));
results.push(await trainOnce('full training', []));
await lab.close();

console.log(
  `\nxception @ ${size} px, batch 32, ${epochs} epochs, fashion-mini (240 train / 60 val), ${engine.name} (${engine.device})`,
);
console.log('| run | wall time | mean epoch | final val_acc | best val_acc | params (all, frozen included) |');
console.log('|---|---|---|---|---|---|');
for (const r of results) {
  const meanEpoch = r.lines.reduce((s, l) => s + (l.epochTimeMs ?? 0), 0) / Math.max(1, r.lines.length) / 1000;
  const last = r.lines[r.lines.length - 1]?.val_acc;
  const best = Math.max(...r.lines.map((l) => l.val_acc ?? 0));
  console.log(
    `| ${r.name} | ${r.seconds.toFixed(0)} s | ${meanEpoch.toFixed(1)} s | ${last?.toFixed(3) ?? '—'} | ${best.toFixed(3)} | ${r.run.params ?? '?'} |`,
  );
}
for (const r of results) console.log(`${r.name}: ${r.cache}`);
const full = results[results.length - 1]!;
for (const r of results.slice(0, -1))
  console.log(`${r.name}: the whole run ${(full.seconds / r.seconds).toFixed(1)}× faster than full training`);
if (results.some((r) => r.run.status !== 'completed')) process.exitCode = 1;
