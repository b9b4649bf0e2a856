import { describe, expect, it } from 'vitest';
import type { EpochMetricsLine, RunDetails, RunInfo, TrainProgressEvent } from '../../main/contract';
import {
  applyLiveEvents,
  batchCurves,
  batchX,
  decimateMinMax,
  emptySnapshot,
  epochSeries,
  fineTuneMarkers,
  maxBatchPoints,
  maxLogLines,
  mergeDetails,
  progressFraction,
  seriesFromMetrics,
  smooth,
  trainingElsewhere,
  withBatches,
  withEpoch,
  type LiveEvent,
} from '../../renderer/src/components/train/live';

const run = (over: Partial<RunInfo> = {}): RunInfo => ({
  id: 'r1',
  name: 'micro on tiny',
  status: 'running',
  createdAt: '2026-11-25T12:00:00.000Z',
  updatedAt: '2026-11-25T12:00:01.000Z',
  durationMs: 0,
  epochs: 3,
  epochsDone: 0,
  model: { preset: 'micro', inputSize: 24 },
  training: {},
  dataset: { path: '/data/tiny', fingerprint: 'f', classNames: ['a', 'b'], split: { seed: 42, key: 'k' } },
  versions: {},
  ...over,
});

const progress = (epoch: number, batch: number, loss: number, over: Partial<TrainProgressEvent> = {}): LiveEvent => ({
  type: 'progress',
  payload: {
    runId: 'r1',
    epoch,
    batch,
    batchesPerEpoch: 4,
    epochs: 3,
    loss,
    acc: null,
    imagesPerSec: 10,
    etaMs: 1000,
    ...over,
  },
});

const epochLine = (epoch: number, loss: number, valAcc: number): EpochMetricsLine => ({
  type: 'epoch',
  epoch,
  time: '2026-11-25T12:00:02.000Z',
  loss,
  acc: 0.5,
  val_loss: loss + 0.1,
  val_acc: valAcc,
  epochTimeMs: 1500,
});

const epoch = (n: number, loss: number, valAcc = 0.5): LiveEvent => ({
  type: 'epoch',
  payload: { runId: 'r1', metrics: epochLine(n, loss, valAcc) },
});

describe('applyLiveEvents', () => {
  it('builds batch points on the epoch axis, epochs, progress and an epoch log line', () => {
    const next = applyLiveEvents(emptySnapshot('r1', run()), [
      progress(0, 0, 2),
      progress(0, 3, 1.5),
      epoch(0, 1.6, 0.4),
    ]);
    expect(next.batches).toEqual([
      { x: 0.25, loss: 2 },
      { x: 1, loss: 1.5 },
    ]);
    expect(next.epochs).toEqual([{ epoch: 0, loss: 1.6, acc: 0.5, val_loss: 1.7000000000000002, val_acc: 0.4 }]);
    expect(next.progress?.batch).toBe(3);
    expect(next.log.map((l) => l.message)).toEqual([
      'Epoch 1/3: loss 1.6000, acc 50.0%, val_loss 1.7000, val_acc 40.0% (1.5 s)',
    ]);
  });

  it("ignores other runs' events and returns the same snapshot when nothing applies", () => {
    const snapshot = emptySnapshot('r1', run());
    const other: LiveEvent = {
      type: 'progress',
      payload: { ...(progress(0, 0, 1).payload as TrainProgressEvent), runId: 'r2' },
    };
    expect(applyLiveEvents(snapshot, [other])).toBe(snapshot);
  });

  it('keeps arrays that did not change, so charts that read them do not redraw', () => {
    const first = applyLiveEvents(emptySnapshot('r1', run()), [epoch(0, 1, 0.5)]);
    const next = applyLiveEvents(first, [progress(1, 0, 0.9)]);
    expect(next.epochs).toBe(first.epochs);
    expect(next.log).toBe(first.log);
  });

  it('takes the newest run record and the estimate (with its warning, logged as a warning)', () => {
    const done = run({ status: 'completed', epochsDone: 3 });
    const next = applyLiveEvents(emptySnapshot('r1', run()), [
      {
        type: 'estimate',
        payload: {
          runId: 'r1',
          secondsPerEpoch: 1900,
          totalSeconds: 5700,
          warning: 'This run will take about 95 minutes.',
        },
      },
      { type: 'run', payload: { runId: 'r1', run: done } },
    ]);
    expect(next.run).toBe(done);
    expect(next.estimate).toEqual({
      secondsPerEpoch: 1900,
      totalSeconds: 5700,
      warning: 'This run will take about 95 minutes.',
    });
    expect(next.log[0]).toMatchObject({
      level: 'warn',
      message: 'Estimate: about 32 min per epoch, 1.6 h in all. This run will take about 95 minutes.',
    });
  });

  it('caps the log, numbering lines uniquely', () => {
    const lines: LiveEvent[] = Array.from({ length: maxLogLines + 5 }, (_, i) => ({
      type: 'log',
      payload: { runId: 'r1', level: 'info', message: `line ${i}` },
      time: '2026-11-25T12:00:00.000Z',
    }));
    const next = applyLiveEvents(emptySnapshot('r1'), lines);
    expect(next.log).toHaveLength(maxLogLines);
    expect(next.log[0]?.message).toBe('line 5');
    expect(new Set(next.log.map((l) => l.seq)).size).toBe(maxLogLines);
    const more = applyLiveEvents(next, [lines[0]!]);
    expect(new Set(more.log.map((l) => l.seq)).size).toBe(maxLogLines);
  });
});

describe('withEpoch and withBatches', () => {
  it('a resumed run redoes the epoch it stopped in: the redone epoch and batches replace the old tail', () => {
    let epochs = withEpoch([], { epoch: 0, loss: 1, acc: null, val_loss: null, val_acc: null });
    epochs = withEpoch(epochs, { epoch: 1, loss: 0.9, acc: null, val_loss: null, val_acc: null });
    epochs = withEpoch(epochs, { epoch: 1, loss: 0.8, acc: null, val_loss: null, val_acc: null });
    expect(epochs.map((e) => e.loss)).toEqual([1, 0.8]);

    const batches = withBatches(
      [],
      [
        { x: 1.25, loss: 1 },
        { x: 1.5, loss: 0.9 },
      ],
    );
    expect(withBatches(batches, [{ x: 1.25, loss: 0.7 }])).toEqual([{ x: 1.25, loss: 0.7 }]);
  });

  it('halves a history that grows past the cap', () => {
    const many = Array.from({ length: maxBatchPoints + 1 }, (_, i) => ({ x: i / 100, loss: Math.sin(i) }));
    const out = withBatches([], many);
    expect(out.length).toBeLessThanOrEqual(maxBatchPoints / 2 + 2);
    expect(out[0]).toEqual(many[0]);
    expect(out[out.length - 1]).toEqual(many[many.length - 1]);
  });

  it('returns the same array when there is nothing to add', () => {
    const batches = [{ x: 1, loss: 1 }];
    expect(withBatches(batches, [])).toBe(batches);
  });
});

describe('batchX', () => {
  it('puts the end of the last batch of an epoch on the next whole epoch', () => {
    expect(batchX(0, 3, 4)).toBe(1);
    expect(batchX(2, 0, 4)).toBe(2.25);
    // A batch number past the count (never expected) still stays inside its epoch.
    expect(batchX(0, 5, 4)).toBe(1);
  });
});

describe('seriesFromMetrics and mergeDetails', () => {
  const details = (lines: RunDetails['metrics'], over: Partial<RunInfo> = {}): RunDetails => ({
    run: run(over),
    metrics: lines,
    damaged: [],
    folder: '/data/runs/r1',
    log: [],
  });

  it('places recorded batches by the batch count the last batch of each epoch shows', () => {
    const { epochs, batches } = seriesFromMetrics([
      { type: 'batch', epoch: 0, batch: 1, time: 't', loss: 2 },
      { type: 'batch', epoch: 0, batch: 3, time: 't', loss: 1.5 },
      epochLine(0, 1.6, 0.4),
      { type: 'batch', epoch: 1, batch: 1, time: 't', loss: 1.2 },
      { type: 'batch', epoch: 1, batch: 2, time: 't', loss: null },
    ]);
    expect(batches).toEqual([
      { x: 0.5, loss: 2 },
      { x: 1, loss: 1.5 },
      { x: 1.5, loss: 1.2 },
    ]);
    expect(epochs).toHaveLength(1);
  });

  it('keeps events that arrived before the history, and the newer run record', () => {
    const live = applyLiveEvents(emptySnapshot('r1', run({ updatedAt: '2026-11-25T12:00:09.000Z', epochsDone: 1 })), [
      progress(1, 1, 0.8),
    ]);
    const merged = mergeDetails(
      live,
      details([{ type: 'batch', epoch: 0, batch: 3, time: 't', loss: 1.5 }, epochLine(0, 1.6, 0.4)], {
        updatedAt: '2026-11-25T12:00:05.000Z',
      }),
    );
    expect(merged.batches.map((b) => b.x)).toEqual([1, 1.5]);
    expect(merged.epochs).toHaveLength(1);
    expect(merged.run?.updatedAt).toBe('2026-11-25T12:00:09.000Z');
  });

  it("ignores another run's details", () => {
    const live = emptySnapshot('r1');
    expect(mergeDetails(live, { ...details([]), run: run({ id: 'r2' }) })).toBe(live);
  });
});

describe('smooth', () => {
  it('is a bias-corrected exponential moving average', () => {
    expect(smooth([2, 2, 2], 0.9)).toEqual([2, 2, 2].map(() => expect.closeTo(2, 10)));
    const out = smooth([0, 10], 0.5);
    expect(out[0]).toBeCloseTo(0);
    expect(out[1]).toBeCloseTo((0.5 * 0 * 0.5 + 0.5 * 10) / (1 - 0.25));
    expect(smooth([1, 5], 0)).toEqual([1, 5]);
  });
});

describe('decimateMinMax', () => {
  it('leaves short series alone', () => {
    const points = [
      { x: 0, loss: 1 },
      { x: 1, loss: 2 },
    ];
    expect(decimateMinMax(points, 10)).toEqual(points);
  });

  it('keeps first, last and every bucket’s extremes, in x order', () => {
    const points = Array.from({ length: 1000 }, (_, i) => ({ x: i, loss: i === 500 ? 100 : i === 501 ? -100 : 1 }));
    const out = decimateMinMax(points, 50);
    expect(out.length).toBeLessThanOrEqual(50);
    expect(out[0]).toBe(points[0]);
    expect(out[out.length - 1]).toBe(points[999]);
    expect(out.some((p) => p.loss === 100)).toBe(true);
    expect(out.some((p) => p.loss === -100)).toBe(true);
    expect(out.every((p, i) => i === 0 || p.x > out[i - 1]!.x)).toBe(true);
  });
});

describe('batchCurves', () => {
  it('draws at most the requested points for a long run', () => {
    const batches = Array.from({ length: 5000 }, (_, i) => ({ x: i / 50, loss: 2 - i / 5000 }));
    const { raw, smoothed } = batchCurves(batches, 600);
    expect(raw.length).toBeLessThanOrEqual(600);
    expect(smoothed.length).toBeLessThanOrEqual(600);
    expect(smoothed[0]).toEqual({ x: 0, y: 2 });
  });
});

describe('epochSeries and progressFraction', () => {
  it('numbers epochs from 1 and skips missing values', () => {
    const epochs = [
      { epoch: 0, loss: 1, acc: null, val_loss: 2, val_acc: null },
      { epoch: 1, loss: 0.5, acc: 0.7, val_loss: null, val_acc: null },
    ];
    expect(epochSeries(epochs, 'loss')).toEqual([
      { x: 1, y: 1 },
      { x: 2, y: 0.5 },
    ]);
    expect(epochSeries(epochs, 'acc')).toEqual([{ x: 2, y: 0.7 }]);
  });

  it('counts batches within the current epoch, or finished epochs without progress', () => {
    const p = progress(1, 1, 1).payload as TrainProgressEvent;
    expect(progressFraction(p, null)).toBeCloseTo((1 + 2 / 4) / 3);
    expect(progressFraction(null, run({ epochsDone: 2, epochs: 4 }))).toBe(0.5);
    expect(progressFraction(null, null)).toBe(0);
  });
});

describe('trainingElsewhere', () => {
  it('finds another run that is training, not one that was merely renamed', () => {
    const renamed: LiveEvent = { type: 'run', payload: { runId: 'r2', run: run({ id: 'r2', status: 'completed' }) } };
    const log: LiveEvent = {
      type: 'log',
      payload: { runId: 'r2', level: 'info', message: 'Run completed.' },
      time: 't',
    };
    expect(trainingElsewhere('r1', [renamed, log])).toBeNull();
    const started = run({ id: 'r2', status: 'running' });
    expect(trainingElsewhere('r1', [renamed, { type: 'run', payload: { runId: 'r2', run: started } }])).toEqual({
      runId: 'r2',
      run: started,
    });
    const other = { ...(progress(0, 0, 1).payload as TrainProgressEvent), runId: 'r3' };
    expect(trainingElsewhere(undefined, [{ type: 'progress', payload: other }])).toEqual({ runId: 'r3', run: null });
    expect(trainingElsewhere('r1', [progress(0, 0, 1)])).toBeNull();
  });
});

describe('fineTuneMarkers', () => {
  const line = (epoch: number, phase?: 1 | 2): EpochMetricsLine => ({
    type: 'epoch',
    epoch,
    time: 't',
    loss: 1,
    acc: 0.5,
    ...(phase ? { phase } : {}),
  });

  it('marks where the second phase starts, between epochs on the epoch axis and at its start on the batch axis', () => {
    const { epochs } = seriesFromMetrics([line(0, 1), line(1, 1), line(2, 2), line(3, 2)]);
    expect(fineTuneMarkers(epochs, 'epoch')).toEqual([
      {
        x: 2.5,
        label: 'fine-tuning →',
        description: 'Fine-tuning (flows unfrozen, lower learning rate) from epoch 3',
      },
    ]);
    expect(fineTuneMarkers(epochs, 'batch').map((m) => m.x)).toEqual([2]);
  });

  it('draws nothing for a one-phase run or before the switch', () => {
    expect(fineTuneMarkers(seriesFromMetrics([line(0), line(1)]).epochs, 'epoch')).toEqual([]);
    expect(fineTuneMarkers(seriesFromMetrics([line(0, 1)]).epochs, 'epoch')).toEqual([]);
  });
});
