/**
 * Training through the real CLI, in child processes like a user's terminal: a full run, stop
 * (Ctrl+C) and resume, a process killed mid-epoch, and seeded repeatability. Tiny data and the
 * micro preset keep each run to seconds on the pure-JS engine.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtWorkerUrl } from '../../helpers/built';
import { runXlab, startXlab } from '../../helpers/xlab-child';
import { learnableDataset } from '../training/learnable-dataset';

const trainArgs = ['--preset', 'micro', '--size', '24', '--batch', '8', '--seed', '7'];
// The pure-JS engine (xlab-child's default), so the seeded losses are comparable.
const start = (args: string[]) => startXlab(args);
const run = (args: string[]) => runXlab(args);

async function epochLines(dataDir: string, runId: string): Promise<{ epoch: number; loss: number }[]> {
  const text = await readFile(join(dataDir, 'runs', runId, 'metrics.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { type: string; epoch: number; loss: number })
    .filter((l) => l.type === 'epoch');
}

// Real training runs: seconds when idle, minutes on a loaded 2-core machine (no speed is tested here).
describe('xlab train / runs / resume', { timeout: 600_000 }, () => {
  let dataset: string;
  beforeAll(async () => {
    builtWorkerUrl(); // fails clearly when out/ is missing
    dataset = (await learnableDataset({ classes: 3, perClass: 12, size: 24 })).root;
  });
  const dataDir = () => mkdtemp(join(tmpdir(), 'xlab-cli-train-'));

  it('trains a run to completion, learning, and lists it', async () => {
    const dir = await dataDir();
    const result = await run([
      'train',
      dataset,
      ...trainArgs,
      '--epochs',
      '3',
      '--monitor',
      'val_accuracy',
      '--name',
      'first',
      '--json',
      '--data-dir',
      dir,
    ]);
    expect(result.code, result.stderr).toBe(0);
    const runInfo = JSON.parse(result.stdout) as {
      id: string;
      status: string;
      epochsDone: number;
      best: { val_acc: number };
      training: { monitor: string };
    };
    expect(runInfo.training.monitor).toBe('val_accuracy');
    expect(runInfo).toMatchObject({ status: 'completed', epochsDone: 3 });
    const epochs = await epochLines(dir, runInfo.id);
    expect(epochs.map((e) => e.epoch)).toEqual([0, 1, 2]);
    expect(epochs[2]!.loss).toBeLessThan(epochs[0]!.loss);
    expect(runInfo.best.val_acc).toBeGreaterThan(1 / 3);
    const listed = await run(['runs', '--json', '--data-dir', dir]);
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({
        id: runInfo.id,
        name: 'first',
        status: 'completed',
        epochsDone: 3,
        epochs: 3,
        params: expect.any(Number),
        best: expect.objectContaining({ epoch: expect.any(Number), monitor: 'val_accuracy' }),
      }),
    ]);
    expect((await run(['runs', '--data-dir', dir])).stdout).toMatch(
      /val_acc \d+\.\d% at best epoch \d \(highest val_accuracy\) {2}first/,
    );
    const bad = await run(['train', dataset, '--monitor', 'acc', '--data-dir', dir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("'acc' is invalid");
  });

  it('Ctrl+C stops after the current batch; resume reaches the requested epochs and continues the curve', async () => {
    const dir = await dataDir();
    const training = start(['train', dataset, ...trainArgs, '--epochs', '3', '--data-dir', dir]);
    await training.stderrUntil(/^epoch 1: /m);
    training.child.kill('SIGINT');
    const stopped = await training.done;
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.stdout).toMatch(/stopped: [12]\/3 epochs/);
    const [entry] = JSON.parse((await run(['runs', '--json', '--data-dir', dir])).stdout) as {
      id: string;
      status: string;
      epochsDone: number;
    }[];
    expect(entry!.status).toBe('stopped');
    const resumed = await run(['resume', entry!.id, '--json', '--data-dir', dir]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ status: 'completed', epochsDone: 3 });
    expect((await epochLines(dir, entry!.id)).map((e) => e.epoch)).toEqual([0, 1, 2]);
  });

  it('a process killed mid-epoch leaves an interrupted run that resumes to completion', async () => {
    const dir = await dataDir();
    const training = start(['train', dataset, ...trainArgs, '--epochs', '3', '--data-dir', dir]);
    await training.stderrUntil(/^epoch 1: /m);
    await training.stderrUntil(/^epoch 2\/3 {2}batch /m);
    training.child.kill('SIGKILL');
    await training.done;
    const [entry] = JSON.parse((await run(['runs', '--json', '--data-dir', dir])).stdout) as {
      id: string;
      status: string;
      epochsDone: number;
    }[];
    expect(entry).toMatchObject({ status: 'interrupted' });
    expect(entry!.epochsDone).toBeGreaterThanOrEqual(1);
    const resumed = await run(['resume', entry!.id, '--json', '--data-dir', dir]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ status: 'completed', epochsDone: 3 });
    expect(await readdir(join(dir, 'runs', entry!.id, 'checkpoints'))).toEqual(['best', 'last']);
  });

  it('the same seed twice gives the identical split and, on the JS engine, the identical first-epoch loss', async () => {
    const dir = await dataDir();
    const a = await run(['train', dataset, ...trainArgs, '--epochs', '1', '--json', '--data-dir', dir]);
    const b = await run(['train', dataset, ...trainArgs, '--epochs', '1', '--json', '--data-dir', dir]);
    const [runA, runB] = [a, b].map(
      (r) => JSON.parse(r.stdout) as { id: string; dataset: { split: { key: string; counts: unknown } } },
    );
    expect(runA!.dataset.split).toEqual(runB!.dataset.split);
    const [lossA] = await epochLines(dir, runA!.id);
    const [lossB] = await epochLines(dir, runB!.id);
    expect(lossA!.loss).toBe(lossB!.loss);
  });
});
