/**
 * Two-phase fine-tuning in one run: the head phase with flows frozen, then the chosen flows
 * unfrozen at the lower rate with a fresh optimizer; the metrics lines carry the phase, and a
 * run stopped in either phase — or right at the switch — resumes to the same weights as one
 * that was never stopped.
 */
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { resolveModelConfig } from '../../../main/models/presets';
import { validateTrainingSettings } from '../../../main/models/training-settings';
import { readCommitted } from '../../../main/runs/epoch-commit';
import type { TrainJob } from '../../../main/training/trainer';
import { planXception } from '../../../main/models/xception-plan';
import { learnableDataset } from './learnable-dataset';
import { learnableJob, recorder, trainInSeries } from './learnable-job';
import { maxDifference, weightsOf } from './checkpoint-weights';

const model = resolveModelConfig({ preset: 'micro', classes: 3, inputSize: 20, blockStyle: 'seed' });

const { train, settled } = trainInSeries();

let weightsFile = '';
let data: Awaited<ReturnType<typeof learnableDataset>>;

async function job(settings: Record<string, unknown> = {}, overrides: Partial<TrainJob> = {}): Promise<TrainJob> {
  return learnableJob(
    data,
    model,
    {
      epochs: 3,
      ...(weightsFile ? { weightsFile, freeze: ['entry', 'middle', 'exit'] } : {}),
      ...(weightsFile ? { fineTune: { afterEpoch: 1, unfreeze: ['middle', 'exit'], learningRate: 0.001 } } : {}),
      ...settings,
    },
    overrides,
  );
}

const same = (a: Map<string, Float32Array[]>, b: Map<string, Float32Array[]>, name: string): boolean =>
  a.get(name)!.every((w, i) => w.every((v, j) => v === b.get(name)![i]![j]));

/** Runs `j` stopping after epoch `stopAfter`, then resumes it from its committed checkpoint. */
async function stopAndResume(j: TrainJob, stopAfter: number): Promise<string[]> {
  const control = { stopRequested: false };
  const first = recorder(stopAfter, control);
  expect(await train(tf, j, control, first.reporter)).toMatchObject({ status: 'stopped', epochsDone: stopAfter });
  const committed = (await readCommitted(j.checkpoints.last))!;
  expect(committed.trainer?.phase).toBe(stopAfter <= 1 ? 1 : 2);
  const second = recorder();
  const resumed: TrainJob = {
    ...j,
    initialEpoch: committed.epochsDone,
    history: committed.history!,
    trainerState: committed.trainer!,
    ...(committed.best ? { best: committed.best } : {}),
    epochsSinceBest: committed.epochsSinceBest ?? 0,
  };
  expect(await train(tf, resumed, { stopRequested: false }, second.reporter)).toMatchObject({
    status: 'completed',
    epochsDone: 3,
  });
  return [...first.logs, ...second.logs];
}

describe('two-phase fine-tuning', { timeout: 600_000 }, () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    data = await learnableDataset({ perClass: 8 });
    const start = await job({ epochs: 1 });
    expect(await train(tf, start, { stopRequested: false }, recorder().reporter)).toMatchObject({
      status: 'completed',
    });
    weightsFile = start.checkpoints.last;
  }, 600_000);
  beforeEach(settled, 600_000);

  let uninterrupted: Map<string, Float32Array[]>;

  it('trains the head, then unfreezes the chosen flows at the fine-tuning rate; lines carry the phase', async () => {
    const j = await job();
    const r = recorder();
    const before = tf.memory().numTensors;
    expect(await train(tf, j, { stopRequested: false }, r.reporter)).toMatchObject({
      status: 'completed',
      epochsDone: 3,
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.epochs.map((e) => [e.phase, e.lr])).toEqual([
      [1, 0.01],
      [2, 0.001],
      [2, 0.001],
    ]);
    const log = r.logs.join('\n');
    expect(log).toMatch(/Feature cache: used — entry, middle, exit frozen/);
    expect(log).toContain(
      'Fine-tuning from epoch 2: middle, exit unfrozen, learning rate 0.001, a fresh adam optimizer.',
    );
    expect(log).toMatch(/Frozen: entry \(/);
    // Phase 2 trains from the entry flow's cached output.
    expect(log).toMatch(/Feature cache: used — entry frozen .* block\d+_add output/);

    const start = await weightsOf(weightsFile);
    uninterrupted = await weightsOf(j.checkpoints.last);
    const flowLayers = (flow: string) =>
      planXception(model)
        .layers.filter((l) => l.flow === flow && l.block !== 'top' && start.get(l.name)?.length)
        .map((l) => l.name);
    for (const name of flowLayers('entry')) expect(same(start, uninterrupted, name), name).toBe(true);
    for (const name of [...flowLayers('middle').slice(-1), ...flowLayers('exit').slice(-1)])
      expect(same(start, uninterrupted, name), name).toBe(false);
  });

  it('stopped at the switch or in phase 2 and resumed: the same weights as the uninterrupted run', async () => {
    for (const stopAfter of [1, 2]) {
      const j = await job();
      const logs = (await stopAndResume(j, stopAfter)).join('\n');
      // Stopped at the switch, the resume starts phase 2 with a fresh optimizer; stopped in phase 2,
      // it keeps phase 2's optimizer state (a fresh one would move every weight by ~the rate, 1e-3).
      expect(logs.split('Fine-tuning from epoch 2').length - 1, `stop after ${stopAfter}`).toBe(1);
      // Float round-off only (the optimizer state goes through the checkpoint's float32 file).
      expect(maxDifference(await weightsOf(j.checkpoints.last), uninterrupted), `stop after ${stopAfter}`).toBeLessThan(
        1e-4,
      );
    }
  });

  it('settings: fineTune needs weights and freeze, unfreezes only frozen flows, starts before the last epoch', () => {
    const ft = { afterEpoch: 2, unfreeze: ['middle'], learningRate: 1e-5 };
    expect(() => validateTrainingSettings({ fineTune: ft })).toThrow(
      'fineTune needs starting weights (weightsFile) and frozen flows (freeze)',
    );
    expect(() => validateTrainingSettings({ weightsFile: '/w.h5', freeze: ['entry'], fineTune: ft })).toThrow(
      'fineTune.unfreeze lists "middle", which is not frozen (freeze: "entry"); unfreeze only frozen flows.',
    );
    expect(() =>
      validateTrainingSettings({ weightsFile: '/w.h5', freeze: ['middle'], epochs: 2, fineTune: ft }),
    ).toThrow('fineTune.afterEpoch is 2, but the run has 2 epochs');
    expect(() =>
      validateTrainingSettings({ weightsFile: '/w.h5', freeze: ['middle'], fineTune: { ...ft, learningRate: 0 } }),
    ).toThrow('fineTune.learningRate is 0; fineTune must be null, or {');
    expect(
      validateTrainingSettings({ weightsFile: '/w.h5', freeze: ['entry', 'middle'], fineTune: ft }).fineTune,
    ).toEqual(ft);
  });
});
