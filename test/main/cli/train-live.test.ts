/**
 * A run started from the CLI while another lab (`xlab serve`, the app) has the same data folder
 * open: that lab shows it live — the run appears, its batches and epochs arrive as events — and
 * its Stop reaches the CLI, which stops the run as Ctrl+C would (issue 11.8).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LabEvents } from '../../../main/contract';
import { createLab, type Lab } from '../../../main/lab';
import { builtWorkerUrl } from '../../helpers/built';
import { startXlab } from '../../helpers/xlab-child';
import { learnableDataset } from '../training/learnable-dataset';

describe('a CLI run seen from an open lab', { timeout: 180_000 }, () => {
  let dataset: string;
  let dataDir: string;
  let lab: Lab;

  beforeAll(async () => {
    dataset = (await learnableDataset({ classes: 3, perClass: 10, size: 24 })).root;
    dataDir = await mkdtemp(join(tmpdir(), 'xlab-live-'));
    lab = await createLab({ dataDir, workerUrl: builtWorkerUrl(), lazyEngine: true });
  });
  afterAll(async () => {
    await lab?.close();
  });

  it('appears, streams its progress and epochs, and stops when the lab asks (Stop used to answer NOT_RUNNING)', async () => {
    const seen = { progress: 0, epochs: [] as number[], statuses: [] as string[] };
    const started = new Promise<string>((resolve) =>
      lab.events.on('runUpdated', (u: LabEvents['runUpdated']) => {
        if (u.run) seen.statuses.push(u.run.status);
        if (u.run?.status === 'running') resolve(u.runId);
      }),
    );
    const firstEpoch = new Promise<void>((resolve) =>
      lab.events.on('trainEpoch', ({ metrics }) => {
        seen.epochs.push(metrics.epoch);
        resolve();
      }),
    );
    lab.events.on('trainProgress', () => seen.progress++);
    const training = startXlab([
      'train',
      dataset,
      '--preset',
      'micro',
      '--size',
      '24',
      '--batch',
      '4',
      '--seed',
      '2',
      '--epochs',
      '20',
      '--data-dir',
      dataDir,
    ]);
    const runId = await started;
    await firstEpoch;
    expect(seen.progress).toBeGreaterThan(0);
    const ended = new Promise<string>((resolve) =>
      lab.events.on('runUpdated', (u: LabEvents['runUpdated']) => {
        if (u.runId === runId && u.run && u.run.status !== 'running') resolve(u.run.status);
      }),
    );
    await lab.stopTraining(runId);
    const result = await training.done;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/stopped: \d+\/20 epochs/);
    expect(await ended).toBe('stopped');
    expect(seen.epochs[0]).toBe(0);
    // Once it has stopped, Stop says so.
    await expect(lab.stopTraining(runId)).rejects.toMatchObject({ code: 'NOT_RUNNING' });
  });
});
