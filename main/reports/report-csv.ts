/**
 * The report's numbers as CSV (RFC 4180, UTF-8, CRLF): one row per run per epoch, and a summary
 * with the comparison table. Numbers keep full precision; epochs are 1-based like the report. Pure.
 */
import type { BaselineDelta, Comparison, EpochMetricsLine } from '../contract';
import { epochLines } from './compare-runs';
import { toCsv } from './format';
import type { RunForComparison } from './compare-runs';

export const epochsCsvHeader = [
  'run_id',
  'model',
  'epoch',
  'loss',
  'acc',
  'val_loss',
  'val_acc',
  'top5',
  'val_top5',
  'lr',
  'epoch_time_ms',
  'images_per_sec',
  'time',
] as const;

export const summaryCsvHeader = [
  'run_id',
  'model',
  'preset',
  'status',
  'params',
  'basis',
  'monitor',
  'epoch',
  'loss',
  'val_loss',
  'acc',
  'val_acc',
  'epochs_done',
  'epochs',
  'training_ms',
  'images_per_sec',
  'engine',
  'dataset_path',
  'dataset_fingerprint',
  'split_key',
  'split_seed',
] as const;

/** Every epoch of every run, in the comparison's run order. */
export function epochsCsv(runs: readonly RunForComparison[]): string {
  const rows = runs.flatMap(({ run, epochs }) =>
    epochLines(epochs).map((line: EpochMetricsLine) => [
      run.id,
      run.name,
      line.epoch + 1,
      line.loss,
      line.acc,
      line.val_loss,
      line.val_acc,
      line.top5,
      line.val_top5,
      line.lr,
      line.epochTimeMs,
      line.imagesPerSec,
      line.time,
    ]),
  );
  return toCsv([[...epochsCsvHeader], ...rows]);
}

/** Columns added when the report has a baseline: its label and each run's metrics minus the baseline's. */
export const baselineCsvHeader = ['baseline', 'delta_loss', 'delta_val_loss', 'delta_acc', 'delta_val_acc'] as const;

/** The comparison table, one row per run (with the Δ columns against `baseline` when given). */
export function summaryCsv(
  comparison: Comparison,
  baseline?: { label: string; deltas: readonly BaselineDelta[] } | null,
): string {
  const rows = comparison.rows.map((row) => [
    row.runId,
    row.model,
    row.preset,
    row.status,
    row.params,
    comparison.basis,
    row.monitor,
    row.epoch === null ? null : row.epoch + 1,
    row.loss,
    row.val_loss,
    row.acc,
    row.val_acc,
    row.epochsDone,
    row.epochs,
    row.trainingMs,
    row.imagesPerSec,
    row.engine,
    row.dataset.path,
    row.dataset.fingerprint,
    row.dataset.splitKey,
    row.dataset.splitSeed,
  ]);
  if (!baseline) return toCsv([[...summaryCsvHeader], ...rows]);
  // A difference of two floats carries noise in its last digits (0.5 − 0.4 = 0.09999999999999998).
  const clean = (v: number | null | undefined): number | null => (v == null ? null : Number(v.toPrecision(12)));
  const withDeltas = rows.map((cells, i) => {
    const delta = baseline.deltas[i];
    return [
      ...cells,
      baseline.label,
      clean(delta?.loss),
      clean(delta?.val_loss),
      clean(delta?.acc),
      clean(delta?.val_acc),
    ];
  });
  return toCsv([[...summaryCsvHeader, ...baselineCsvHeader], ...withDeltas]);
}
