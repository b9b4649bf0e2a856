/**
 * What the evaluation views show of an `EvalResult`: the confusion matrix (counts or
 * row-normalised), the images behind a cell, the misclassified images most confident first, and
 * which stored evaluation to show. Pure, so unit-tested.
 */
import type { CheckpointKind, EvalPrediction, EvalResult, EvalSplit } from '../../../../main/contract';

/** `val/best`: one stored evaluation per split and checkpoint. */
export type EvalKey = `${EvalSplit}/${CheckpointKind}`;

export const evalKey = (result: { split: EvalSplit; checkpoint: CheckpointKind }): EvalKey =>
  `${result.split}/${result.checkpoint}`;

/** `val · best checkpoint` */
export const evalLabel = (result: { split: EvalSplit; checkpoint: CheckpointKind }): string =>
  `${result.split === 'val' ? 'val' : 'test'} · ${result.checkpoint} checkpoint`;

const keyOrder: readonly EvalKey[] = ['val/best', 'val/last', 'test/best', 'test/last'];

/** Stored evaluations in a fixed order: val before test, best before last. */
export function sortEvaluations(results: readonly EvalResult[]): EvalResult[] {
  return results.slice().sort((a, b) => keyOrder.indexOf(evalKey(a)) - keyOrder.indexOf(evalKey(b)));
}

/** The evaluation to show: the one asked for if stored, else val/best, else the first. */
export function pickEvaluation(results: readonly EvalResult[], wanted: EvalKey | null): EvalResult | null {
  const sorted = sortEvaluations(results);
  return (wanted ? sorted.find((r) => evalKey(r) === wanted) : undefined) ?? sorted[0] ?? null;
}

/** Each row divided by its sum (images of that true class); an empty row stays all zeros. */
export function rowNormalised(confusion: readonly (readonly number[])[]): number[][] {
  return confusion.map((row) => {
    const sum = row.reduce((a, b) => a + b, 0);
    return row.map((count) => (sum > 0 ? count / sum : 0));
  });
}

/**
 * A class name cut after its separators ("Ankle_boot" → ["Ankle_", "boot"], "T-shirt/top" →
 * ["T-", "shirt/", "top"]): a narrow header may wrap there, and nowhere inside a word.
 */
export function nameParts(name: string): string[] {
  return name.match(/[^_\-./\s]*(?:[_\-./\s]+|$)/g)?.filter((part) => part !== '') ?? [name];
}

export const plural = (count: number, word: string): string =>
  `${count.toLocaleString('en-US')} ${word}${count === 1 ? '' : 's'}`;

/** `true cat, predicted dog` */
export function cellTitle(classNames: readonly string[], label: number, predicted: number): string {
  return `true ${classNames[label] ?? label}, predicted ${classNames[predicted] ?? predicted}`;
}

/** The accessible name of a matrix cell: `true cat, predicted dog: 3 images` (and its share of the row when shown). */
export function cellName(
  classNames: readonly string[],
  label: number,
  predicted: number,
  count: number,
  fraction?: number,
): string {
  const share = fraction === undefined ? '' : `, ${formatShare(fraction)} of true ${classNames[label] ?? label}`;
  return `${cellTitle(classNames, label, predicted)}: ${plural(count, 'image')}${share}`;
}

/** A row-normalised cell: `0.85`; whole numbers without decimals. */
export function formatShare(fraction: number): string {
  if (!Number.isFinite(fraction)) return '—';
  return fraction === 0 || fraction === 1 ? String(fraction) : fraction.toFixed(2);
}

/** A precision, recall or F1: `0.923`; `null` (undefined 0/0) → `—`. */
export function formatRatio(value: number | null | undefined, digits = 3): string {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : '—';
}

const byConfidence = (a: EvalPrediction, b: EvalPrediction): number =>
  b.confidence - a.confidence || a.path.localeCompare(b.path);

/** The images of true class `label` predicted as `predicted`, most confident first. */
export function cellPredictions(
  result: Pick<EvalResult, 'predictions'>,
  label: number,
  predicted: number,
): EvalPrediction[] {
  return result.predictions.filter((p) => p.label === label && p.predicted === predicted).sort(byConfidence);
}

/** Every misclassified image, the most confident mistakes first. */
export function misclassified(result: Pick<EvalResult, 'predictions'>): EvalPrediction[] {
  return result.predictions.filter((p) => p.label !== p.predicted).sort(byConfidence);
}

export interface Page<T> {
  items: T[];
  /** 0-based, clamped to the pages there are. */
  page: number;
  /** At least 1, also when there is nothing to show. */
  pages: number;
  /** 0-based index of the first item shown. */
  start: number;
}

/** One page of `items`, `size` at a time. */
export function pageOf<T>(items: readonly T[], page: number, size: number): Page<T> {
  const pages = Math.max(1, Math.ceil(items.length / Math.max(1, size)));
  const current = Math.min(Math.max(0, Math.floor(page)), pages - 1);
  const start = current * size;
  return { items: items.slice(start, start + size), page: current, pages, start };
}

/** Where focus moves in the matrix on an arrow, Home or End key; `null` for other keys. */
export function moveInMatrix(
  key: string,
  at: { row: number; col: number },
  size: number,
  ctrl = false,
): { row: number; col: number } | null {
  const last = size - 1;
  const clamp = (n: number): number => Math.min(Math.max(0, n), last);
  switch (key) {
    case 'ArrowUp':
      return { row: clamp(at.row - 1), col: at.col };
    case 'ArrowDown':
      return { row: clamp(at.row + 1), col: at.col };
    case 'ArrowLeft':
      return { row: at.row, col: clamp(at.col - 1) };
    case 'ArrowRight':
      return { row: at.row, col: clamp(at.col + 1) };
    case 'Home':
      return ctrl ? { row: 0, col: 0 } : { row: at.row, col: 0 };
    case 'End':
      return ctrl ? { row: last, col: last } : { row: at.row, col: last };
    default:
      return null;
  }
}

/**
 * How strongly a matrix cell is shaded: `mix` is the percentage of the accent colour over the
 * surface, `strong` says the text takes the accent's contrast colour. The ranges keep the text
 * readable (WCAG AA) on every shade of each theme, so the shade jumps where the text colour flips.
 */
export function heat(fraction: number, theme: 'light' | 'dark'): { mix: number; strong: boolean } {
  const f = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
  const [lowMax, highMin] = theme === 'light' ? [65, 85] : [45, 70];
  if (f < 0.5) return { mix: Math.round((f / 0.5) * lowMax), strong: false };
  return { mix: Math.round(highMin + ((f - 0.5) / 0.5) * (100 - highMin)), strong: true };
}
