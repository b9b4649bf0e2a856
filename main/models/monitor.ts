/**
 * Which validation metric picks a run's best epoch — Keras' `monitor` of ModelCheckpoint and
 * EarlyStopping: `val_loss` (lowest wins; Keras' default) or `val_accuracy` (highest wins).
 * One rule for the best checkpoint, early stopping, the run's `best` summary and every
 * "best epoch" view, so they always name the same epoch. Pure; the renderer uses it too.
 */

import type { compareBasisSchema } from '../contract-schemas';
import type { z } from 'zod';

export const monitors = ['val_loss', 'val_accuracy'] as const;
export type Monitor = (typeof monitors)[number];

/** Keras' default, and what every run trained before the setting existed used. */
export const defaultMonitor: Monitor = 'val_loss';

/** The validation metrics of an epoch, as epoch summaries and best epochs carry them. */
export interface ValidationMetrics {
  epoch: number;
  val_loss: number | null | undefined;
  val_acc: number | null | undefined;
}

const isMonitor = (value: unknown): value is Monitor =>
  typeof value === 'string' && (monitors as readonly string[]).includes(value);

/** The monitor a run's stored training settings name (runs from before the setting: `val_loss`). */
export function monitorOf(training: Readonly<Record<string, unknown>> | undefined): Monitor {
  return isMonitor(training?.monitor) ? training.monitor : defaultMonitor;
}

/** What "best" means under a monitor, in words: `lowest val_loss`, `highest val_accuracy`. */
export function bestMeaning(monitor: Monitor): string {
  return monitor === 'val_loss' ? 'lowest val_loss' : 'highest val_accuracy';
}

const finite = (value: number | null | undefined): value is number =>
  typeof value === 'number' && Number.isFinite(value);

/**
 * Whether `candidate` is a better epoch than `best` under `monitor`: strictly better on the
 * monitored metric, or equal on it and better on the other one (lower val_loss, higher
 * val_acc); a full tie keeps the earlier epoch. An epoch without the monitored metric never is.
 */
export function isBetterEpoch(
  monitor: Monitor,
  candidate: ValidationMetrics,
  best: ValidationMetrics | undefined,
): boolean {
  const [primary, secondary] =
    monitor === 'val_loss' ? (['val_loss', 'val_acc'] as const) : (['val_acc', 'val_loss'] as const);
  const sign = (key: 'val_loss' | 'val_acc'): number => (key === 'val_loss' ? -1 : 1);
  const value = candidate[primary];
  if (!finite(value)) return false;
  const bestValue = best?.[primary];
  if (!best || !finite(bestValue)) return true;
  if (value !== bestValue) return sign(primary) * (value - bestValue) > 0;
  const other = candidate[secondary];
  const bestOther = best[secondary];
  if (!finite(other)) return false;
  if (!finite(bestOther)) return true;
  return sign(secondary) * (other - bestOther) > 0;
}

/** The best of `epochs` under `monitor` (see `isBetterEpoch`); `undefined` when none has the metric. */
export function bestEpochBy<T extends ValidationMetrics>(monitor: Monitor, epochs: readonly T[]): T | undefined {
  let best: T | undefined;
  for (const epoch of epochs) if (isBetterEpoch(monitor, epoch, best)) best = epoch;
  return best;
}

/**
 * Which epoch a comparison's numbers come from, in words: `each run's final epoch`, `each run's
 * best epoch (lowest val_loss)`, or, when the runs' monitors differ, each run's own.
 */
export function basisDescription(
  basis: z.output<typeof compareBasisSchema>,
  rows: readonly { model: string; monitor: Monitor }[],
): string {
  if (basis === 'final') return "each run's final epoch";
  const used = [...new Set(rows.map((row) => row.monitor))];
  if (used.length <= 1) return `each run's best epoch (${bestMeaning(used[0] ?? defaultMonitor)})`;
  return `each run's best epoch, by its own monitor (${rows.map((row) => `"${row.model}": ${bestMeaning(row.monitor)}`).join('; ')})`;
}
