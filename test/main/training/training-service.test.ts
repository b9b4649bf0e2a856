import { describe, expect, it, vi } from 'vitest';
import { mkdtemp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LabEvents } from '../../../main/contract';
import { LabError } from '../../../main/errors';
import type { TrainingWorkerHost, WorkerHostEvents } from '../../../main/engine/worker-host';
import type { TrainEvent } from '../../../main/engine/worker-protocol';
import { Emitter } from '../../../main/events';
import { createRunStore } from '../../../main/runs/run-store';
import { createTrainingService } from '../../../main/training/training-service';
import { learnableDataset } from './learnable-dataset';
import { type DatasetIndex, indexDataset } from '../../../main/dataset/pipeline/dataset-index';
import { commitEpoch, type EpochLine } from '../../../main/runs/epoch-commit';

/** A worker whose `train` request is settled by the test, and whose reports the test sends. */
function fakeWorker() {
  let settle: { resolve: (v: unknown) => void; reject: (e: Error) => void } | undefined;
  const events = new Emitter<WorkerHostEvents>();
  const host = {
    on: events.on.bind(events),
    engine: Promise.resolve({ name: 'tfjs', device: 'cpu', reason: 'test', backend: 'cpu', version: '4.22.0' }),
    request: vi.fn(() =>
      new Promise((resolve, reject) => (settle = { resolve, reject })).finally(() => (settle = undefined)),
    ),
    stopTraining: vi.fn(),
    exited: false,
    terminate: vi.fn(async () => {}),
  } as unknown as TrainingWorkerHost;
  // The train request goes out once the run is recorded as started.
  const trainRequested = () => vi.waitFor(() => settle ?? Promise.reject(new Error('no train request yet')));
  return {
    host,
    settle: async () => (await trainRequested())!,
    /** Reports on a run as the worker does while it trains it (after its train request). */
    report: async (runId: string, event: TrainEvent) => {
      await trainRequested();
      events.emit('trainEvent', { runId, event });
    },
  };
}

async function setup() {
  const dataDir = await mkdtemp(join(tmpdir(), 'xlab-service-'));
  const data = await learnableDataset({ classes: 2, perClass: 5, size: 24 });
  const index: DatasetIndex = {
    root: data.root,
    classNames: data.classNames,
    images: data.images,
    fingerprint: 'fp-test',
    excludedClasses: [],
  };
  const runs = createRunStore(dataDir);
  const worker = fakeWorker();
  const events: { event: keyof LabEvents; payload: unknown }[] = [];
  const service = createTrainingService({
    dataDir,
    runs,
    worker: () => worker.host,
    indexDataset: async () => index,
    emit: (event, payload) => events.push({ event, payload }),
    versions: { app: 'test' },
  });
  return { service, runs, worker, events, data };
}

describe('training service', () => {
  it('marks the run interrupted when the training worker dies, and refuses a second run while one trains', async () => {
    const { service, runs, worker, data } = await setup();
    const run = await service.start({
      dataset: data.root,
      model: { preset: 'micro', inputSize: 24 },
      training: { epochs: 2 },
    });
    expect(run.status).toBe('running');
    await expect(service.start({ dataset: data.root, model: { preset: 'micro' }, training: {} })).rejects.toMatchObject(
      {
        code: 'BUSY',
        message: `Run ${run.id} is training: stop it, or wait for it to finish, before starting another.`,
      },
    );
    (await worker.settle()).reject(
      new LabError('ENGINE_FAILED', 'The training worker stopped (exit code 1) before it answered.'),
    );
    await service.idle();
    const after = await runs.get(run.id);
    expect(after.status).toBe('interrupted');
    expect(after.error?.message).toContain('Resume it');
    expect(service.active).toBeUndefined();
  });

  it('records epochs from the worker in metrics.jsonl and run.json, keeping the best epoch', async () => {
    const { service, runs, worker, data, events } = await setup();
    const run = await service.start({
      dataset: data.root,
      model: { preset: 'micro', inputSize: 24 },
      training: { epochs: 2 },
    });
    const metrics = (epoch: number, val_loss: number) => ({
      epoch,
      time: 't',
      loss: 1,
      acc: 0.5,
      val_loss,
      val_acc: 0.5,
      lr: 0.001,
      epochTimeMs: 10,
      imagesPerSec: 5,
      tensors: 100,
    });
    const best = { epoch: 0, val_loss: 0.9, val_acc: 0.5 };
    // The worker commits each epoch to checkpoints/last before reporting it.
    const history: EpochLine[] = [];
    for (const m of [metrics(0, 0.9), metrics(1, 1.2)]) {
      history.push({ type: 'epoch', ...m });
      await commitEpoch(
        runs.paths(run.id).checkpoints.last,
        { 'weights.bin': new Uint8Array([m.epoch]) },
        {
          formatVersion: 1,
          runId: run.id,
          epochsDone: history.length,
          history: [...history],
          best,
          epochsSinceBest: m.epoch,
          trainer: {},
        },
      );
      await worker.report(run.id, { kind: 'epoch', metrics: m, best });
    }
    (await worker.settle()).resolve({
      status: 'completed',
      epochsDone: 2,
      epochsSinceBest: 1,
      best: { epoch: 0, val_loss: 0.9, val_acc: 0.5 },
    });
    await service.idle();
    const after = await runs.get(run.id);
    expect(after).toMatchObject({
      status: 'completed',
      epochsDone: 2,
      best: { epoch: 0, val_loss: 0.9 },
      last: { epoch: 1, val_loss: 1.2 },
    });
    expect((await runs.readMetrics(run.id)).lines.map((l) => l.epoch)).toEqual([0, 1]);
    expect(events.filter((e) => e.event === 'trainEpoch')).toHaveLength(2);
  });

  const metricsOf = (epoch: number, val_loss: number) => ({
    epoch,
    time: `t${epoch}`,
    loss: 1,
    acc: 0.5,
    val_loss,
    val_acc: 0.5,
    lr: 0.001,
    epochTimeMs: 10,
    imagesPerSec: 5,
    tensors: 100,
  });
  /** What the worker does at an epoch's end: commit it to checkpoints/last, then report it. */
  async function commitAndReport(
    worker: Awaited<ReturnType<typeof setup>>['worker'],
    runs: Awaited<ReturnType<typeof setup>>['runs'],
    runId: string,
    history: EpochLine[],
    val_loss: number,
  ) {
    const m = metricsOf(history.length, val_loss);
    history.push({ type: 'epoch', ...m });
    await commitEpoch(
      runs.paths(runId).checkpoints.last,
      { 'weights.bin': new Uint8Array([m.epoch]) },
      { formatVersion: 1, runId, epochsDone: history.length, history: [...history], epochsSinceBest: 0, trainer: {} },
    );
    await worker.report(runId, { kind: 'epoch', metrics: m });
  }

  it('two starts at once: exactly one trains, the other is BUSY (both used to pass the check)', async () => {
    const { service, data } = await setup();
    const request = { dataset: data.root, model: { preset: 'micro', inputSize: 24 }, training: { epochs: 2 } };
    const results = await Promise.allSettled([
      service.start(request),
      service.start(request),
      service.resume('20260101-000000-x'),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'BUSY' });
    expect((results[2] as PromiseRejectedResult).reason).toMatchObject({ code: 'BUSY' });
  });

  it('durations count each moment once, and "Finished" counts every session (they used to be doubled, and only the last session)', async () => {
    const { service, runs, worker, data, events } = await setup();
    const t0 = Date.now();
    const run = await service.start({
      dataset: data.root,
      model: { preset: 'micro', inputSize: 24 },
      training: { epochs: 2 },
    });
    const history: EpochLine[] = [];
    await new Promise((r) => setTimeout(r, 300));
    await commitAndReport(worker, runs, run.id, history, 0.9);
    await new Promise((r) => setTimeout(r, 300));
    (await worker.settle()).resolve({ status: 'stopped', epochsDone: 1, epochsSinceBest: 0 });
    await service.idle();
    const stopped = await runs.get(run.id);
    expect(stopped).toMatchObject({ status: 'stopped', epochsDone: 1 });
    expect(stopped.durationMs).toBeGreaterThanOrEqual(600);
    expect(stopped.durationMs).toBeLessThanOrEqual(Date.now() - t0);
    // A long first session, then a resume that finishes the run.
    await runs.update(run.id, () => ({ durationMs: 20_000 }));
    await service.resume(run.id);
    await commitAndReport(worker, runs, run.id, history, 0.8);
    (await worker.settle()).resolve({ status: 'completed', epochsDone: 2, epochsSinceBest: 0 });
    await service.idle();
    const done = await runs.get(run.id);
    expect(done).toMatchObject({ status: 'completed', epochsDone: 2 });
    expect(done.durationMs).toBeGreaterThanOrEqual(20_000);
    expect(done.durationMs).toBeLessThan(20_000 + (Date.now() - t0));
    const logs = events.filter((e) => e.event === 'trainLog').map((e) => (e.payload as { message: string }).message);
    expect(logs).toContain(`Finished 2 epochs in ${Math.round(done.durationMs / 1000)} s of training.`);
  });

  it('a stop in the first epoch is resumable: the resume starts from the initial weights', async () => {
    const { service, runs, worker, data } = await setup();
    const run = await service.start({
      dataset: data.root,
      model: { preset: 'micro', inputSize: 24 },
      training: { epochs: 2 },
    });
    (await worker.settle()).resolve({ status: 'stopped', epochsDone: 0, epochsSinceBest: 0 });
    await service.idle();
    expect(await runs.get(run.id)).toMatchObject({ status: 'stopped', epochsDone: 0 });
    await service.resume(run.id);
    const calls = (worker.host.request as unknown as { mock: { calls: [{ job: { initialEpoch: number } }][] } }).mock
      .calls;
    expect(calls.at(-1)![0].job.initialEpoch).toBe(0);
    (await worker.settle()).resolve({ status: 'stopped', epochsDone: 0, epochsSinceBest: 0 });
    await service.idle();
  });

  it('refuses a model whose class count differs from the dataset, naming both', async () => {
    const { service, data } = await setup();
    await expect(
      service.start({ dataset: data.root, model: { preset: 'micro', classes: 5 }, training: {} }),
    ).rejects.toThrow(/5 classes but .* has 2/);
  });

  it('trains exactly the classes with usable images: an empty class folder is no model output, and run.json says why it was left out', async () => {
    const { runs, worker, data } = await setup();
    // "a_empty" sorts first, so keeping it would also have shifted every label.
    await mkdir(join(data.root, 'a_empty'));
    await mkdir(join(data.root, 'b_broken'));
    await writeFile(join(data.root, 'b_broken', 'notes.txt'), 'not an image');
    await writeFile(
      join(data.root, 'b_broken', 'cut.png'),
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]),
    );
    const service = createTrainingService({
      dataDir: await mkdtemp(join(tmpdir(), 'xlab-service-')),
      runs,
      worker: () => worker.host,
      indexDataset,
      emit: () => {},
      versions: {},
    });
    const run = await service.start({
      dataset: data.root,
      model: { preset: 'micro', inputSize: 24 },
      training: { epochs: 1 },
    });
    expect(run.dataset.classNames).toEqual(data.classNames);
    expect(run.model.classes).toBe(2);
    expect(run.dataset.excludedClasses).toEqual([
      { name: 'a_empty', reason: 'no image files' },
      { name: 'b_broken', reason: 'no usable images (1 file with problems)' },
    ]);
    const settle = await worker.settle(); // the train request goes out once the run is recorded as started
    const job = (
      worker.host.request as unknown as {
        mock: { calls: [{ job: { classNames: string[]; train: { label: number; className: string }[] } }][] };
      }
    ).mock.calls[0]![0].job;
    expect(job.classNames).toEqual(data.classNames);
    expect(job.train.every((image) => data.classNames[image.label] === image.className)).toBe(true);
    expect(await readFile(join(runs.paths(run.id).dir, 'train.log'), 'utf8')).toContain(
      'Left out of training, so not a class of the model: "a_empty" (no image files)',
    );
    settle.resolve({ status: 'stopped', epochsDone: 0, epochsSinceBest: 0 });
    await service.idle();
  });

  it('resumes a run from before empty classes were left out with its own classes and labels', async () => {
    const { runs, worker, data } = await setup();
    await mkdir(join(data.root, 'a_empty'));
    const dataDir = await mkdtemp(join(tmpdir(), 'xlab-service-'));
    // The old index kept the empty folder as class 0 (and so stored its split that way).
    const real = await indexDataset(data.root);
    const oldClasses = ['a_empty', ...real.classNames];
    const oldIndex: DatasetIndex = {
      ...real,
      classNames: oldClasses,
      images: real.images.map((i) => ({ ...i, label: i.label + 1 })),
      excludedClasses: [],
    };
    const service = (indexDataset_: (path: string) => Promise<DatasetIndex>) =>
      createTrainingService({
        dataDir,
        runs,
        worker: () => worker.host,
        indexDataset: indexDataset_,
        emit: () => {},
        versions: {},
      });
    const old = service(async () => oldIndex);
    const run = await old.start({
      dataset: data.root,
      model: { preset: 'micro', inputSize: 24 },
      training: { epochs: 2 },
    });
    expect(run.dataset.classNames).toEqual(oldClasses);
    const metrics = {
      epoch: 0,
      time: 't',
      loss: 1,
      acc: 0.5,
      val_loss: 0.9,
      val_acc: 0.5,
      lr: 0.001,
      epochTimeMs: 10,
      imagesPerSec: 5,
      tensors: 100,
    };
    await worker.report(run.id, { kind: 'epoch', metrics, best: { epoch: 0, val_loss: 0.9, val_acc: 0.5 } });
    (await worker.settle()).resolve({
      status: 'stopped',
      epochsDone: 1,
      epochsSinceBest: 0,
      best: { epoch: 0, val_loss: 0.9, val_acc: 0.5 },
    });
    await old.idle();

    const now = service(indexDataset);
    await now.resume(run.id);
    const calls = (
      worker.host.request as unknown as {
        mock: { calls: [{ job: { classNames: string[]; train: { label: number; className: string }[] } }][] };
      }
    ).mock.calls;
    const job = calls.at(-1)![0].job;
    expect(job.classNames).toEqual(oldClasses);
    expect(job.train.every((image) => oldClasses[image.label] === image.className)).toBe(true);
    (await worker.settle()).resolve({ status: 'completed', epochsDone: 2, epochsSinceBest: 1 });
    await now.idle();
  });
});
