import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { resolveModelConfig } from '../../../main/models/presets';
import { bestEpochBy } from '../../../main/models/monitor';
import { type EpochMetrics, type TrainJob, type TrainProgress } from '../../../main/training/trainer';
import { learnableDataset } from './learnable-dataset';
import { learnableJob, recorder, trainInSeries } from './learnable-job';

async function job(overrides: Partial<TrainJob> = {}, settings: Record<string, unknown> = {}) {
  const model = resolveModelConfig({ preset: 'micro', classes: 3, inputSize: 20, blockStyle: 'seed' });
  return learnableJob(await learnableDataset(), model, { epochs: 3, learningRate: 0.003, ...settings }, overrides);
}

const { train, settled } = trainInSeries();

// Each test trains a tiny model for 1–3 epochs: seconds when idle, but a loaded 2-core machine
// can take minutes. No test here measures speed (`npm run bench` does).
describe('train', { timeout: 600_000 }, () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  beforeEach(settled, 600_000);

  it('learns: loss falls and val_acc beats chance; checkpoints are written, the best one as the monitor picks it', async () => {
    const j = await job({}, { monitor: 'val_accuracy' });
    const r = recorder();
    const outcome = await train(tf, j, { stopRequested: false }, r.reporter);
    expect(outcome).toMatchObject({ status: 'completed', epochsDone: 3 });
    expect(r.epochs.map((e) => e.epoch)).toEqual([0, 1, 2]);
    expect(r.epochs[2]!.loss!, JSON.stringify(r.epochs.map((e) => [e.loss, e.val_acc]))).toBeLessThan(
      r.epochs[0]!.loss!,
    );
    expect(r.epochs[2]!.val_acc!).toBeGreaterThan(1 / 3);
    expect(r.progress.length).toBeGreaterThan(0);
    expect(r.estimate).toBeGreaterThan(0);
    expect(JSON.parse(await readFile(join(j.checkpoints.last, 'model.json'), 'utf8')).format).toBe('layers-model');
    const picked = bestEpochBy('val_accuracy', r.epochs)!;
    expect(outcome.best).toEqual({ epoch: picked.epoch, val_loss: picked.val_loss, val_acc: picked.val_acc });
    expect(
      JSON.parse(await readFile(join(j.checkpoints.best, 'model.json'), 'utf8')).userDefinedMetadata,
    ).toMatchObject({ epoch: picked.epoch + 1 });
  });

  /** tf with the loss's cross-entropy multiplied by NaN on the calls `poison` picks (training batches and validation alike). */
  const poisonedTf = (poison: (call: number) => boolean) => {
    let calls = 0;
    return {
      ...tf,
      metrics: {
        ...tf.metrics,
        categoricalCrossentropy: (a: tf.Tensor, b: tf.Tensor) => {
          const ce = tf.metrics.categoricalCrossentropy(a, b);
          return poison(++calls) ? ce.mul(Number.NaN) : ce;
        },
      },
    } as typeof tf;
  };

  it('stops a run whose loss becomes NaN as failed, naming the epoch and batch, and keeps the last good checkpoint', async () => {
    const j = await job({}, { epochs: 2 });
    const r = recorder();
    // Epoch 1 is 3 training batches of 9 and one validation batch: NaN from epoch 2's first batch on.
    const outcome = await train(
      poisonedTf((call) => call > 4),
      j,
      { stopRequested: false },
      r.reporter,
    );
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toEqual({
      code: 'LOSS_NAN',
      message:
        "loss became NaN at epoch 2, batch 1; that epoch's weights were not saved (resuming continues from the checkpoint of epoch 1) — try a lower learning rate, e.g. 0.0003 (this run uses 0.003)",
    });
    expect(outcome.epochsDone).toBe(1);
    expect(
      JSON.parse(await readFile(join(j.checkpoints.last, 'model.json'), 'utf8')).userDefinedMetadata,
    ).toMatchObject({ epoch: 1 });
  });

  it('a NaN val_loss fails the run naming the epoch and saves nothing of that epoch (it used to be stored as null, with its weights)', async () => {
    const j = await job({}, { epochs: 2 });
    const r = recorder();
    const outcome = await train(
      poisonedTf((call) => call === 4),
      j,
      { stopRequested: false },
      r.reporter,
    );
    expect(outcome).toMatchObject({ status: 'failed', epochsDone: 0 });
    expect(outcome.error).toEqual({
      code: 'LOSS_NAN',
      message:
        "val_loss became NaN at epoch 1; that epoch's weights were not saved (resuming starts again from the initial weights) — try a lower learning rate, e.g. 0.0003 (this run uses 0.003)",
    });
    expect(r.epochs).toEqual([]);
    await expect(readFile(join(j.checkpoints.last, 'model.json'), 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('validates sensibly after one short epoch: batch-norm moving statistics are warmed up, and model.json keeps the configured momentum', async () => {
    // 27 training images in batches of 9: three updates of the moving statistics. With the
    // configured momentum alone (0.9) they would still be ~73% their initial zeros, and
    // validation saw activations blown up layer after layer (val_loss far above ln 3).
    const j = await job({}, { epochs: 1 });
    const r = recorder();
    expect(await train(tf, j, { stopRequested: false }, r.reporter)).toMatchObject({
      status: 'completed',
      epochsDone: 1,
    });
    const [first] = r.epochs;
    expect(first!.val_loss!, JSON.stringify(first)).toBeLessThan(Math.log(3) * 1.5);
    const saved = JSON.parse(await readFile(join(j.checkpoints.last, 'model.json'), 'utf8')) as {
      modelTopology: { config: { layers: { class_name: string; config: { momentum?: number } }[] } };
    };
    const momenta = saved.modelTopology.config.layers
      .filter((l) => l.class_name === 'BatchNormalization')
      .map((l) => l.config.momentum);
    expect(momenta.length).toBeGreaterThan(0);
    expect(new Set(momenta)).toEqual(new Set([j.model.batchNormMomentum]));
  });

  it('frees every tensor it made: model and optimizer state, after a new run, a resumed run and restoring the best weights', async () => {
    const j = await job({}, { epochs: 1, restoreBestWeights: true });
    const before = tf.memory().numTensors;
    expect(await train(tf, j, { stopRequested: false }, recorder().reporter)).toMatchObject({
      status: 'completed',
      epochsDone: 1,
    });
    expect(tf.memory().numTensors).toBe(before);
    // Resume for a second epoch with an unbeatable best epoch 0, so the best weights are restored at the end.
    const resumed = {
      ...j,
      initialEpoch: 1,
      settings: { ...j.settings, epochs: 2 },
      best: { epoch: 0, val_loss: -1, val_acc: 1 },
      epochsSinceBest: 0,
    };
    const r = recorder();
    expect(await train(tf, resumed, { stopRequested: false }, r.reporter)).toMatchObject({
      status: 'completed',
      epochsDone: 2,
    });
    expect(r.logs.join('\n')).toContain('Restored the weights of the best epoch (1)');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a stop request after an epoch ends the run as stopped with that epoch committed', async () => {
    const j = await job({}, { epochs: 5 });
    const r = recorder();
    const control = { stopRequested: false };
    const reporter = {
      ...r.reporter,
      epoch: (m: EpochMetrics) => {
        r.epochs.push(m);
        control.stopRequested = true;
      },
    };
    const outcome = await train(tf, j, control, reporter);
    expect(outcome).toMatchObject({ status: 'stopped', epochsDone: 1 });
    expect(
      JSON.parse(await readFile(join(j.checkpoints.last, 'model.json'), 'utf8')).userDefinedMetadata,
    ).toMatchObject({ epoch: 1 });
  });

  it('a stop request inside the first epoch discards it: stopped with 0 epochs and no checkpoint (it used to save the partial weights)', async () => {
    const j = await job({}, { epochs: 2 });
    const r = recorder();
    const control = { stopRequested: false };
    const reporter = {
      ...r.reporter,
      progress: (p: TrainProgress) => {
        r.progress.push(p);
        control.stopRequested = true;
      },
    };
    expect(await train(tf, j, control, { ...reporter, progress: reporter.progress })).toMatchObject({
      status: 'stopped',
      epochsDone: 0,
    });
    expect(r.epochs).toEqual([]);
    await expect(readFile(join(j.checkpoints.last, 'model.json'), 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a stop request at the last batch of an epoch discards that epoch too (its validation is skipped; it used to be committed with val_loss null)', async () => {
    const j = await job({}, { epochs: 2 });
    const r = recorder();
    const control = { stopRequested: false };
    const progress = (p: TrainProgress) => {
      r.progress.push(p);
      if (p.batch + 1 === p.batchesPerEpoch) control.stopRequested = true;
    };
    expect(await train(tf, j, control, { ...r.reporter, progress })).toMatchObject({
      status: 'stopped',
      epochsDone: 0,
    });
    expect(r.epochs).toEqual([]);
  });

  it('turns running out of memory into "batch size N does not fit on this device — try N/2"', async () => {
    const j = await job({}, { epochs: 1, batchSize: 8 });
    const r = recorder();
    const exhausted = {
      ...tf,
      metrics: {
        ...tf.metrics,
        categoricalCrossentropy: () => {
          throw new RangeError('Array buffer allocation failed');
        },
      },
    } as typeof tf;
    const outcome = await train(exhausted, j, { stopRequested: false }, r.reporter);
    expect(outcome).toMatchObject({
      status: 'failed',
      error: { code: 'OUT_OF_MEMORY', message: 'batch size 8 does not fit on this device — try 4' },
    });
  });

  it('skips and logs an image that vanished after the scan; the run still completes', async () => {
    const j = await job({}, { epochs: 1 });
    const vanished = { ...j.train[0]!, path: `${j.train[0]!.path}.gone.png` };
    const r = recorder();
    const outcome = await train(tf, { ...j, train: [...j.train, vanished] }, { stopRequested: false }, r.reporter);
    expect(outcome.status).toBe('completed');
    expect(r.logs.some((line) => line.startsWith(`Skipped ${vanished.path}`))).toBe(true);
  });
});
