/**
 * How runs stand against a pinned baseline: the Δ columns of Compare and the report, and the
 * live view's "ahead/behind by N points at epoch k". Pure and free of Node imports, so the
 * renderer uses the same code.
 */
import type { BaselineDelta, CompareRow, EpochSummary } from '../contract';

export type DeltaMetric = 'loss' | 'val_loss' | 'acc' | 'val_acc';
export const deltaMetrics: readonly DeltaMetric[] = ['loss', 'val_loss', 'acc', 'val_acc'];

const finite = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

/** Each row's metrics minus the baseline's (`null` where either is missing). */
export function baselineDeltas(rows: readonly CompareRow[], baseline: Pick<CompareRow, DeltaMetric>): BaselineDelta[] {
  const minus = (a: number | null, b: number | null): number | null => (finite(a) && finite(b) ? a - b : null);
  return rows.map((row) => ({
    runId: row.runId,
    loss: minus(row.loss, baseline.loss),
    val_loss: minus(row.val_loss, baseline.val_loss),
    acc: minus(row.acc, baseline.acc),
    val_acc: minus(row.val_acc, baseline.val_acc),
  }));
}

/** A delta as shown: arrow and sign carry the direction, `verdict` the meaning (so colour is never alone). */
export interface DeltaView {
  /** `▲ +0.0123`, `▼ −0.0456`, `= 0.0000`, `–` when unknown. */
  text: string;
  /** Lower loss and higher accuracy are better; `same` below the shown precision. */
  verdict: 'better' | 'worse' | 'same' | null;
}

/** Four decimals like the metrics beside it; the minus is a real minus sign (U+2212). */
export function deltaView(metric: DeltaMetric, delta: number | null): DeltaView {
  if (!finite(delta)) return { text: '–', verdict: null };
  const shown = Math.abs(delta).toFixed(4);
  if (Number(shown) === 0) return { text: `= ${shown}`, verdict: 'same' };
  const up = delta > 0;
  const lowerIsBetter = metric === 'loss' || metric === 'val_loss';
  return { text: `${up ? '▲ +' : '▼ −'}${shown}`, verdict: up !== lowerIsBetter ? 'better' : 'worse' };
}

/** Where a run stands against its baseline at the latest epoch both have validated. */
export interface Standing {
  /** 1-based epoch. */
  epoch: number;
  /** Validation accuracy difference in percentage points (run − baseline). */
  points: number;
  relation: 'ahead' | 'behind' | 'level';
}

type EpochValues = Pick<EpochSummary, 'epoch' | 'val_acc'>;

/** `null` when the run and the baseline share no epoch with a validation accuracy yet. */
export function baselineStanding(run: readonly EpochValues[], baseline: readonly EpochValues[]): Standing | null {
  const base = new Map(baseline.filter((e) => finite(e.val_acc)).map((e) => [e.epoch, e.val_acc as number]));
  const shared = run.filter((e) => finite(e.val_acc) && base.has(e.epoch)).sort((a, b) => b.epoch - a.epoch)[0];
  if (!shared) return null;
  const points = Math.round(((shared.val_acc as number) - base.get(shared.epoch)!) * 1000) / 10;
  return {
    epoch: shared.epoch + 1,
    points: Math.abs(points),
    relation: points > 0 ? 'ahead' : points < 0 ? 'behind' : 'level',
  };
}

/** `ahead of "best result" by 3.2 points at epoch 4` (validation accuracy). */
export function standingText(standing: Standing, label: string): string {
  if (standing.relation === 'level') return `level with "${label}" at epoch ${standing.epoch} (validation accuracy)`;
  const n = standing.points.toFixed(1);
  const where = standing.relation === 'ahead' ? 'ahead of' : 'behind';
  return `${where} "${label}" by ${n} point${n === '1.0' ? '' : 's'} at epoch ${standing.epoch} (validation accuracy)`;
}
