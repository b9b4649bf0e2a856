/**
 * `npm run bench -- train [--epochs N] [--size PX]`: trains the `mini` preset on the bundled
 * Fashion-MNIST sample through the real engine (worker thread, current engine), and reports
 * train images/s, live tensors at every epoch end (must be flat) and the main thread's
 * event-loop delay p99 while training (target ≤ 20 ms).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createLab } from '../main/lab';
import type { EpochMetricsLine, RunInfo } from '../main/contract';

const repo = process.env.XLAB_REPO ?? process.cwd();
const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const epochs = arg('epochs', 3);
const size = arg('size', 32);

const dataDir = await mkdtemp(join(tmpdir(), 'xlab-bench-train-'));
const lab = await createLab({ dataDir, workerUrl: pathToFileURL(join(repo, 'out', 'training-worker.mjs')) });
const engine = await lab.getEngine();
console.log(`engine: ${engine.name} ${engine.version} on ${engine.device} — ${engine.reason}`);

const epochLines: EpochMetricsLine[] = [];
lab.events.on('trainEpoch', ({ metrics }) => {
  epochLines.push(metrics);
  console.log(
    `epoch ${metrics.epoch + 1}: ${metrics.imagesPerSec?.toFixed(1)} img/s, loss ${metrics.loss?.toFixed(4)}, val_acc ${metrics.val_acc?.toFixed(3)}, tensors ${metrics.tensors}`,
  );
});
const delay = monitorEventLoopDelay({ resolution: 10 });
const run = await lab.startTraining({
  dataset: join(repo, 'assets', 'samples', 'fashion-mini'),
  model: { preset: 'mini', inputSize: size },
  training: { epochs, batchSize: 32, seed: 1 },
  name: 'bench mini',
});
delay.enable();
const finished = await new Promise<RunInfo>((resolve) =>
  lab.events.on('runUpdated', (u) => {
    if (u.runId === run.id && u.run && u.run.status !== 'running') resolve(u.run);
  }),
);
delay.disable();
await lab.close();

const steady = epochLines.slice(1).length > 0 ? epochLines.slice(1) : epochLines;
const imagesPerSec = steady.reduce((sum, l) => sum + (l.imagesPerSec ?? 0), 0) / Math.max(1, steady.length);
const tensors = epochLines.map((l) => l.tensors);
const flat = tensors.every((t) => t === tensors[0]);
const p99 = delay.percentile(99) / 1e6;
console.log(
  `run: ${finished.status}, ${finished.epochsDone}/${finished.epochs} epochs, mini @ ${size} px, batch 32, ${engine.name} (${engine.device})`,
);
console.log(`train images/s (epochs 2+): ${imagesPerSec.toFixed(1)}`);
console.log(`live tensors at epoch ends: ${tensors.join(', ')} — ${flat ? 'flat' : 'NOT flat (leak)'}`);
console.log(`main-thread event-loop delay p99: ${p99.toFixed(1)} ms (target ≤ 20 ms) — ${p99 <= 20 ? 'ok' : 'over'}`);
if (finished.status !== 'completed' || !flat) process.exitCode = 1;
