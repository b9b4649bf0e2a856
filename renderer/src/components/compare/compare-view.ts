/**
 * The comparison table (the lecture's Model · Params · Loss · Val_Loss · ACC · Val_ACC, and the
 * run facts beside it) and the overlaid curves of the compared runs. Pure, so unit-tested.
 */
import type { CompareRow, Comparison } from '../../../../main/contract';
import type { ChartSeries } from '../train/chart-series';
import { folderName } from '../train/format';

export type CompareSortKey =
  'model' | 'params' | 'loss' | 'val_loss' | 'acc' | 'val_acc' | 'epochs' | 'training' | 'speed' | 'engine' | 'dataset';
export type CompareDirection = 'ascending' | 'descending';
/** `null`: the order the runs were selected in. */
export type CompareSort = { key: CompareSortKey; direction: CompareDirection } | null;

export interface CompareColumn {
  key: CompareSortKey;
  label: string;
  numeric?: boolean;
  /** Lower is better: the first click sorts ascending. */
  lowerFirst?: boolean;
  /** What the short label means, for the header's tooltip. */
  title?: string;
}

/** The lecture's six columns first, then what makes a comparison fair or not. */
export const compareColumns: readonly CompareColumn[] = [
  { key: 'model', label: 'Model', title: 'The run’s name' },
  { key: 'params', label: 'Params', numeric: true, title: 'Parameters of the model' },
  { key: 'loss', label: 'Loss', numeric: true, lowerFirst: true, title: 'Training loss' },
  { key: 'val_loss', label: 'Val_Loss', numeric: true, lowerFirst: true, title: 'Validation loss' },
  { key: 'acc', label: 'ACC', numeric: true, title: 'Training accuracy' },
  { key: 'val_acc', label: 'Val_ACC', numeric: true, title: 'Validation accuracy' },
  { key: 'epochs', label: 'Epochs', numeric: true, title: 'Epochs trained of those planned' },
  { key: 'training', label: 'Time', numeric: true, lowerFirst: true, title: 'Training time' },
  { key: 'speed', label: 'Images/s', numeric: true, title: 'Mean training images per second' },
  { key: 'engine', label: 'Engine' },
  { key: 'dataset', label: 'Data · split', title: 'Dataset folder and fingerprint; split seed and key' },
];

/** A loss or an accuracy as Keras prints it: `0.9468`; `null` → `—`. */
export function formatMetric(value: number | null | undefined): string {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(4) : '—';
}

/** Images per second without the unit (the column says it): `58.5`, `1,240`. */
export function formatSpeed(value: number | null | undefined): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '—';
  return value < 100 ? value.toFixed(1) : Math.round(value).toLocaleString('en-US');
}

/** The first 8 hex digits of a fingerprint or split key: enough to tell two apart by eye. */
export function shortHash(value: string | null | undefined): string {
  return value ? value.slice(0, 8) : '—';
}

/** `flowers · 3fa2c81b` */
export function datasetLabel(row: CompareRow): string {
  return `${folderName(row.dataset.path)} · ${shortHash(row.dataset.fingerprint)}`;
}

/**
 * The readable part of a split key: the key names the split's file,
 * `<fingerprint>-<seed>-val0.2-test0.json` → `val0.2-test0`; a bare hash is shortened.
 */
export function splitName(key: string): string {
  const file = key.split(/[\\/]/).pop() ?? key;
  const named = /^[0-9a-f]{64}-\d+-(.+)\.json$/.exec(file)?.[1];
  if (named) return named;
  return /^[0-9a-f]{16,}$/i.test(file) ? shortHash(file) : file;
}

/** `seed 42 · val0.2-test0` */
export function splitLabel(row: CompareRow): string {
  return `seed ${row.dataset.splitSeed} · ${splitName(row.dataset.splitKey)}`;
}

function sortValue(row: CompareRow, key: CompareSortKey): string | number | null {
  switch (key) {
    case 'epochs':
      return row.epochsDone + row.epochsDone / Math.max(1, row.epochs) / 1000;
    case 'training':
      return row.trainingMs;
    case 'speed':
      return row.imagesPerSec;
    case 'dataset':
      return `${folderName(row.dataset.path)}\u0000${row.dataset.fingerprint}\u0000${row.dataset.splitKey}`;
    default:
      return row[key];
  }
}

const missing = (value: string | number | null): boolean =>
  value === null || (typeof value === 'number' && !Number.isFinite(value));

/** Rows in `sort` order (missing values last either way; ties keep the selection order). */
export function sortCompareRows(rows: readonly CompareRow[], sort: CompareSort): CompareRow[] {
  if (!sort) return rows.slice();
  const indexed = rows.map((row, index) => ({ row, index }));
  const sign = sort.direction === 'ascending' ? 1 : -1;
  indexed.sort((a, b) => {
    const va = sortValue(a.row, sort.key);
    const vb = sortValue(b.row, sort.key);
    if (missing(va) || missing(vb)) {
      if (missing(va) !== missing(vb)) return missing(va) ? 1 : -1;
    } else {
      const cmp =
        typeof va === 'number' && typeof vb === 'number'
          ? va - vb
          : String(va).localeCompare(String(vb), 'en', { numeric: true, sensitivity: 'base' });
      if (cmp !== 0) return cmp * sign;
    }
    return a.index - b.index;
  });
  return indexed.map((entry) => entry.row);
}

/** The sort a click on `key` gives: the other direction if already sorted by it, else the useful one first. */
export function nextCompareSort(current: CompareSort, key: CompareSortKey): NonNullable<CompareSort> {
  if (current?.key === key) return { key, direction: current.direction === 'ascending' ? 'descending' : 'ascending' };
  const column = compareColumns.find((c) => c.key === key);
  const direction: CompareDirection = !column?.numeric || column.lowerFirst ? 'ascending' : 'descending';
  return { key, direction };
}

/** The best value of each metric column among the rows (lowest loss, highest accuracy), to highlight. */
export function bestValues(
  rows: readonly CompareRow[],
): Partial<Record<'loss' | 'val_loss' | 'acc' | 'val_acc', number>> {
  const best: Partial<Record<'loss' | 'val_loss' | 'acc' | 'val_acc', number>> = {};
  if (rows.length < 2) return best;
  for (const key of ['loss', 'val_loss', 'acc', 'val_acc'] as const) {
    const values = rows.map((row) => row[key]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    if (values.length === 0) continue;
    best[key] = key.endsWith('loss') ? Math.min(...values) : Math.max(...values);
  }
  return best;
}

/** One colour per compared run, with enough contrast on the chart surface of each theme. */
export const runColours: Record<'light' | 'dark', readonly string[]> = {
  light: ['#0a58ad', '#b45309', '#15803d', '#a21caf', '#0e7490', '#b91c1c', '#6d28d9', '#4d5b0f'],
  dark: ['#7ab6ff', '#f0a35e', '#5fd48a', '#f08ef5', '#5ad1e6', '#ff8a80', '#c4a5ff', '#c9d86b'],
};

export const runColour = (index: number, theme: 'light' | 'dark'): string => {
  const colours = runColours[theme];
  return colours[index % colours.length]!;
};

/**
 * Chart series of every compared run for one metric: per run a dashed training curve and a
 * solid validation curve in the run's colour; x is the 1-based epoch.
 */
export function curveSeries(
  curves: Comparison['curves'],
  metric: 'loss' | 'acc',
  theme: 'light' | 'dark',
): ChartSeries[] {
  const valKey = metric === 'loss' ? 'val_loss' : 'val_acc';
  const points = (epochs: Comparison['curves'][number]['epochs'], key: 'loss' | 'acc' | 'val_loss' | 'val_acc') =>
    epochs
      .filter((e) => typeof e[key] === 'number' && Number.isFinite(e[key]))
      .map((e) => ({ x: e.epoch + 1, y: e[key] as number }))
      .sort((a, b) => a.x - b.x);
  return curves.flatMap((curve, index) => {
    const colour = runColour(index, theme);
    return [
      { label: `${curve.model} · train`, role: 'train', colour, dashed: true, points: points(curve.epochs, metric) },
      { label: `${curve.model} · val`, role: 'val', colour, dashed: false, points: points(curve.epochs, valKey) },
    ] satisfies ChartSeries[];
  });
}
