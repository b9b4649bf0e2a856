/**
 * A run's history as the charts draw it, and how pushed events and recorded metrics build it.
 * Pure functions over immutable snapshots: the state class keeps the snapshot in `$state.raw`
 * and replaces it once per animation frame with whatever events arrived meanwhile.
 */
import type {
  BatchMetricsLine,
  EpochMetricsLine,
  EpochSummary,
  LabEvents,
  RunDetails,
  RunInfo,
  TrainProgressEvent,
} from '../../../../main/contract';
import type { ChartMarker } from './chart-series';
import { formatApprox, formatLoss, formatPercent } from './format';

/** One finished epoch (0-based `epoch`): the run record's epoch summary, and its fine-tuning phase if any. */
export type EpochPoint = EpochSummary & Pick<EpochMetricsLine, 'phase'>;

/** One batch's loss; `x` is in epochs (epoch 0, batch 1 of 4 → 0.5), so it shares the epoch axis. */
export interface BatchPoint {
  x: number;
  loss: number;
}

export interface Estimate {
  secondsPerEpoch: number;
  totalSeconds: number;
  warning?: string;
}

export interface LogLine {
  /** Increasing, for keyed lists. */
  seq: number;
  level: 'info' | 'warn' | 'error';
  message: string;
  time: string;
}

/** Everything the live view shows about one run. Arrays are replaced, never edited. */
export interface LiveSnapshot {
  runId: string;
  /** The latest run record, once known. */
  run: RunInfo | null;
  epochs: EpochPoint[];
  batches: BatchPoint[];
  progress: TrainProgressEvent | null;
  estimate: Estimate | null;
  log: LogLine[];
}

export type LiveEvent =
  | { type: 'progress'; payload: TrainProgressEvent }
  | { type: 'epoch'; payload: LabEvents['trainEpoch'] }
  | { type: 'estimate'; payload: LabEvents['trainEstimate'] }
  | { type: 'run'; payload: LabEvents['runUpdated'] }
  | { type: 'log'; payload: LabEvents['trainLog']; time: string };

/** The log pane keeps this many lines. */
export const maxLogLines = 300;
/** Past this many batch points the history is halved by min/max bucketing, so memory stays bounded. */
export const maxBatchPoints = 20_000;

const finite = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export function emptySnapshot(runId: string, run: RunInfo | null = null): LiveSnapshot {
  return { runId, run, epochs: [], batches: [], progress: null, estimate: null, log: [] };
}

export function epochPoint(
  line: Pick<EpochMetricsLine, 'epoch' | 'loss' | 'acc' | 'val_loss' | 'val_acc' | 'phase'>,
): EpochPoint {
  return {
    epoch: line.epoch,
    loss: finite(line.loss),
    acc: finite(line.acc),
    val_loss: finite(line.val_loss),
    val_acc: finite(line.val_acc),
    ...(line.phase === 1 || line.phase === 2 ? { phase: line.phase } : {}),
  };
}

/** The first epoch (0-based) of fine-tuning's second phase, once one has been recorded; else null. */
export function fineTuneStart(epochs: readonly EpochPoint[]): number | null {
  return epochs.find((point) => point.phase === 2)?.epoch ?? null;
}

/**
 * The marker where fine-tuning starts: between its first epoch and the one before on the
 * per-epoch charts (x is the 1-based epoch), at the start of that epoch on the per-batch chart.
 */
export function fineTuneMarkers(epochs: readonly EpochPoint[], axis: 'epoch' | 'batch'): ChartMarker[] {
  const start = fineTuneStart(epochs);
  if (start === null) return [];
  return [
    {
      x: axis === 'epoch' ? start + 0.5 : start,
      label: 'fine-tuning →',
      description: `Fine-tuning (flows unfrozen, lower learning rate) from epoch ${start + 1}`,
    },
  ];
}

/**
 * Adds an epoch. An epoch at or before the last one replaces it and drops what followed: a
 * resumed run redoes the epoch it was stopped in, and the curve continues from there.
 */
export function withEpoch(epochs: readonly EpochPoint[], point: EpochPoint): EpochPoint[] {
  let keep = epochs.length;
  while (keep > 0 && epochs[keep - 1]!.epoch >= point.epoch) keep--;
  return [...epochs.slice(0, keep), point];
}

/** Adds batch points in order; a point at or before the last drops the tail it replaces (see `withEpoch`). */
export function withBatches(batches: readonly BatchPoint[], points: readonly BatchPoint[]): BatchPoint[] {
  if (points.length === 0) return batches as BatchPoint[];
  const out = batches.slice();
  for (const point of points) {
    while (out.length > 0 && out[out.length - 1]!.x >= point.x) out.pop();
    out.push(point);
  }
  return out.length > maxBatchPoints ? decimateMinMax(out, maxBatchPoints / 2) : out;
}

/** Where a batch sits on the epoch axis: the end of batch `batch` (0-based) of epoch `epoch`. */
export const batchX = (epoch: number, batch: number, batchesPerEpoch: number): number =>
  epoch + (batch + 1) / Math.max(1, batchesPerEpoch, batch + 1);

/** Applies events in order; events of other runs are ignored. Returns the same snapshot when nothing changed. */
export function applyLiveEvents(
  snapshot: LiveSnapshot,
  events: readonly LiveEvent[],
  nextSeq: () => number = nextLogSeq,
): LiveSnapshot {
  let { run, epochs, progress, estimate } = snapshot;
  const { log } = snapshot;
  const newBatches: BatchPoint[] = [];
  const newLog: LogLine[] = [];
  let changed = false;
  for (const event of events) {
    if (event.payload.runId !== snapshot.runId) continue;
    changed = true;
    switch (event.type) {
      case 'progress': {
        const p = event.payload;
        progress = p;
        if (Number.isFinite(p.loss)) newBatches.push({ x: batchX(p.epoch, p.batch, p.batchesPerEpoch), loss: p.loss });
        break;
      }
      case 'epoch': {
        const metrics = event.payload.metrics;
        epochs = withEpoch(epochs, epochPoint(metrics));
        newLog.push({
          seq: nextSeq(),
          level: 'info',
          message: epochLogLine(metrics, progress?.epochs || run?.epochs),
          time: metrics.time,
        });
        break;
      }
      case 'estimate': {
        const { secondsPerEpoch, totalSeconds, warning } = event.payload;
        estimate = warning ? { secondsPerEpoch, totalSeconds, warning } : { secondsPerEpoch, totalSeconds };
        const message = `Estimate: about ${formatApprox(secondsPerEpoch)} per epoch, ${formatApprox(totalSeconds)} in all.${warning ? ` ${warning}` : ''}`;
        newLog.push({ seq: nextSeq(), level: warning ? 'warn' : 'info', message, time: new Date().toISOString() });
        break;
      }
      case 'run':
        if (event.payload.run) run = event.payload.run;
        break;
      case 'log':
        newLog.push({ seq: nextSeq(), level: event.payload.level, message: event.payload.message, time: event.time });
        break;
    }
  }
  if (!changed) return snapshot;
  return {
    runId: snapshot.runId,
    run,
    epochs,
    batches: withBatches(snapshot.batches, newBatches),
    progress,
    estimate,
    log: newLog.length > 0 ? [...log, ...newLog].slice(-maxLogLines) : log,
  };
}

/** "Epoch 2/3: loss 0.4432, acc 94.4%, val_loss 1.0983, val_acc 33.3% (2.4 s)" */
export function epochLogLine(metrics: EpochMetricsLine, epochs?: number): string {
  const time = typeof metrics.epochTimeMs === 'number' ? ` (${(metrics.epochTimeMs / 1000).toFixed(1)} s)` : '';
  return (
    `Epoch ${metrics.epoch + 1}${epochs ? `/${epochs}` : ''}: loss ${formatLoss(metrics.loss)}, acc ${formatPercent(metrics.acc)}, ` +
    `val_loss ${formatLoss(metrics.val_loss)}, val_acc ${formatPercent(metrics.val_acc)}${time}`
  );
}

/**
 * Another run that is training, among `events`, when the view shows `current` (or nothing):
 * started from another tab or the Runs page, or the page was opened mid-run. The engine trains
 * one run at a time, so that is the run to show. Its record, when an event carries it.
 */
export function trainingElsewhere(
  current: string | undefined,
  events: readonly LiveEvent[],
): { runId: string; run: RunInfo | null } | null {
  for (const e of events) {
    if (e.payload.runId === current) continue;
    if (e.type === 'progress' || e.type === 'epoch' || e.type === 'estimate')
      return { runId: e.payload.runId, run: null };
    if (e.type === 'run' && e.payload.run?.status === 'running') return { runId: e.payload.runId, run: e.payload.run };
  }
  return null;
}

/** The curves recorded in a run's metrics.jsonl. */
export function seriesFromMetrics(metrics: RunDetails['metrics']): { epochs: EpochPoint[]; batches: BatchPoint[] } {
  const batchLines = metrics.filter((line): line is BatchMetricsLine => line.type === 'batch');
  // metrics.jsonl does not record batches per epoch; the last batch of every epoch is always
  // recorded, so the largest batch number seen gives it.
  const perEpoch = batchLines.reduce((max, line) => Math.max(max, line.batch + 1), 1);
  let epochs: EpochPoint[] = [];
  const batches: BatchPoint[] = [];
  for (const line of metrics) {
    if (line.type === 'epoch') epochs = withEpoch(epochs, epochPoint(line));
    else {
      const loss = finite(line.loss);
      if (loss !== null) batches.push({ x: batchX(line.epoch, line.batch, perEpoch), loss });
    }
  }
  return { epochs, batches: withBatches([], batches) };
}

/**
 * Merges a run's recorded history (fetched after its events started arriving) into a snapshot:
 * recorded epochs and batches first, then whatever the events added after them.
 */
export function mergeDetails(snapshot: LiveSnapshot, details: RunDetails): LiveSnapshot {
  if (details.run.id !== snapshot.runId) return snapshot;
  const recorded = seriesFromMetrics(details.metrics);
  let epochs = recorded.epochs;
  for (const point of snapshot.epochs) epochs = withEpoch(epochs, point);
  const lastX = recorded.batches[recorded.batches.length - 1]?.x ?? -1;
  const batches = withBatches(
    recorded.batches,
    snapshot.batches.filter((point) => point.x > lastX),
  );
  const run = snapshot.run && snapshot.run.updatedAt > details.run.updatedAt ? snapshot.run : details.run;
  return { ...snapshot, run, epochs, batches };
}

/** TensorBoard-style exponential moving average with bias correction (`weight` 0 = none). */
export function smooth(values: readonly number[], weight: number): number[] {
  const out: number[] = [];
  let last = 0;
  let n = 0;
  for (const value of values) {
    n++;
    last = last * weight + (1 - weight) * value;
    out.push(weight > 0 ? last / (1 - weight ** n) : value);
  }
  return out;
}

/**
 * At most about `maxPoints` points: the x range is cut into `maxPoints / 2` buckets and each
 * keeps its lowest and highest point (in x order), so spikes survive. First and last are kept.
 */
export function decimateMinMax<T extends { x: number }>(
  points: readonly T[],
  maxPoints: number,
  y: (p: T) => number = (p) => (p as unknown as { loss: number }).loss,
): T[] {
  if (points.length <= maxPoints || points.length < 3) return points.slice();
  const buckets = Math.max(1, Math.floor(maxPoints / 2) - 1);
  const first = points[0]!;
  const last = points[points.length - 1]!;
  const span = last.x - first.x || 1;
  const out: T[] = [first];
  let i = 1;
  for (let b = 0; b < buckets; b++) {
    const end = first.x + (span * (b + 1)) / buckets;
    let lo: T | undefined;
    let hi: T | undefined;
    let loIndex = -1;
    let hiIndex = -1;
    for (; i < points.length - 1 && (points[i]!.x <= end || b === buckets - 1); i++) {
      const p = points[i]!;
      if (!lo || y(p) < y(lo)) {
        lo = p;
        loIndex = i;
      }
      if (!hi || y(p) > y(hi)) {
        hi = p;
        hiIndex = i;
      }
    }
    if (lo && hi) {
      if (loIndex === hiIndex) out.push(lo);
      else if (loIndex < hiIndex) out.push(lo, hi);
      else out.push(hi, lo);
    }
  }
  out.push(last);
  return out;
}

/** The smoothing weight for a curve of `n` points: stronger for longer curves. */
export const smoothingWeight = (n: number): number => (n < 20 ? 0.6 : n < 200 ? 0.8 : n < 2000 ? 0.9 : 0.97);

/** The per-batch curve as drawn: raw (faint) and smoothed, both cut to at most `maxPoints`. */
export function batchCurves(
  batches: readonly BatchPoint[],
  maxPoints = 600,
): { raw: { x: number; y: number }[]; smoothed: { x: number; y: number }[] } {
  const smoothed = smooth(
    batches.map((p) => p.loss),
    smoothingWeight(batches.length),
  ).map((loss, i) => ({ x: batches[i]!.x, loss }));
  const xy = (p: BatchPoint): { x: number; y: number } => ({ x: p.x, y: p.loss });
  return { raw: decimateMinMax(batches, maxPoints).map(xy), smoothed: decimateMinMax(smoothed, maxPoints).map(xy) };
}

/** `{x: epoch number (1-based), y}` for one metric, skipping missing values. */
export function epochSeries(
  epochs: readonly EpochPoint[],
  metric: 'loss' | 'acc' | 'val_loss' | 'val_acc',
): { x: number; y: number }[] {
  const out: { x: number; y: number }[] = [];
  for (const point of epochs) {
    const value = point[metric];
    if (value !== null) out.push({ x: point.epoch + 1, y: value });
  }
  return out;
}

/** The fraction of the whole run done at a progress event (0…1). */
export function progressFraction(progress: TrainProgressEvent | null, run: RunInfo | null): number {
  if (progress && progress.epochs > 0) {
    return Math.min(
      1,
      (progress.epoch + (progress.batch + 1) / Math.max(1, progress.batchesPerEpoch)) / progress.epochs,
    );
  }
  if (run && run.epochs > 0) return Math.min(1, run.epochsDone / run.epochs);
  return 0;
}

let logSeq = 0;
/** Log line numbers, unique for the page's life (they key the log pane's list). */
const nextLogSeq = (): number => ++logSeq;
