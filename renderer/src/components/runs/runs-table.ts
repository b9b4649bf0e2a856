/**
 * The Runs table's rows: one per listed run (or per run whose run.json could not be read),
 * sortable by any column, kept current by `runUpdated` events. Pure, so unit-tested.
 */
import type { LabEvents, RunInfo, RunListEntry, RunStatus } from '../../../../main/contract';
import { bestMeaning, monitorOf } from '../../../../main/models/monitor';
import { folderName } from '../train/format';

export type SortKey =
  'name' | 'status' | 'dataset' | 'model' | 'params' | 'best' | 'epochs' | 'duration' | 'engine' | 'created';
export type SortDirection = 'ascending' | 'descending';

export interface RunRow {
  kind: 'run';
  id: string;
  run: RunInfo;
  name: string;
  status: RunStatus;
  dataset: string;
  model: string;
  params: number | null;
  /** val_acc at the run's best epoch, which its monitor picks (not necessarily the highest val_acc). */
  best: number | null;
  /** 0-based epoch of `best`. */
  bestEpoch: number | null;
  /** What "best" means for this run: `lowest val_loss`, `highest val_accuracy`. */
  bestBy: string;
  epochsDone: number;
  epochs: number;
  durationMs: number;
  engine: string;
  created: string;
}

export interface ErrorRow {
  kind: 'error';
  id: string;
  error: string;
}

export type Row = RunRow | ErrorRow;

/**
 * The table's sortable columns, in order; `numeric` columns sort high-first on the first click.
 * `created` has no column (the date is under the name) and is the default order, newest first.
 */
export const columns: readonly { key: SortKey; label: string; numeric?: boolean }[] = [
  { key: 'name', label: 'Name' },
  { key: 'status', label: 'Status' },
  { key: 'dataset', label: 'Dataset' },
  { key: 'model', label: 'Model' },
  { key: 'params', label: 'Params', numeric: true },
  { key: 'best', label: 'val_acc at best epoch', numeric: true },
  { key: 'epochs', label: 'Epochs', numeric: true },
  { key: 'duration', label: 'Duration', numeric: true },
  { key: 'engine', label: 'Engine' },
];

/** What the Model column says: the preset and the input size (`micro · 24 px`). */
export function modelLabel(run: RunInfo): string {
  const preset = typeof run.model.preset === 'string' && run.model.preset ? run.model.preset : 'custom';
  const size = run.model.inputSize;
  return typeof size === 'number' ? `${preset} · ${size}\u00a0px` : preset;
}

export function engineLabel(run: RunInfo): string {
  return run.engine ? `${run.engine.name} · ${run.engine.device.toUpperCase()}` : '—';
}

export function toRow(entry: RunListEntry): Row {
  if ('error' in entry) return { kind: 'error', id: entry.id, error: entry.error };
  const run = entry.run;
  return {
    kind: 'run',
    id: entry.id,
    run,
    name: run.name,
    status: run.status,
    dataset: folderName(run.dataset.path),
    model: modelLabel(run),
    params: typeof run.params === 'number' ? run.params : null,
    best: run.best?.val_acc ?? null,
    bestEpoch: run.best && run.best.val_acc !== null ? run.best.epoch : null,
    bestBy: bestMeaning(monitorOf(run.training)),
    epochsDone: run.epochsDone,
    epochs: run.epochs,
    durationMs: run.durationMs,
    engine: engineLabel(run),
    created: run.createdAt,
  };
}

const statusOrder: Record<RunStatus, number> = { running: 0, stopped: 1, interrupted: 2, failed: 3, completed: 4 };

function sortValue(row: RunRow, key: SortKey): string | number | null {
  switch (key) {
    case 'status':
      return statusOrder[row.status];
    case 'epochs':
      return row.epochsDone + row.epochsDone / Math.max(1, row.epochs) / 1000;
    case 'duration':
      return row.durationMs;
    default:
      return row[key];
  }
}

/**
 * Rows sorted by `key`; missing values last whichever the direction, ties by newest first,
 * unreadable runs at the end.
 */
export function sortRows(rows: readonly Row[], key: SortKey, direction: SortDirection): Row[] {
  const sign = direction === 'ascending' ? 1 : -1;
  const runs = rows.filter((r): r is RunRow => r.kind === 'run');
  const errors = rows.filter((r): r is ErrorRow => r.kind === 'error').sort((a, b) => a.id.localeCompare(b.id));
  runs.sort((a, b) => {
    const va = sortValue(a, key);
    const vb = sortValue(b, key);
    if (va === null || vb === null) {
      if (va !== vb) return va === null ? 1 : -1;
    } else {
      const cmp =
        typeof va === 'number' && typeof vb === 'number'
          ? va - vb
          : String(va).localeCompare(String(vb), 'en', { numeric: true, sensitivity: 'base' });
      if (cmp !== 0) return cmp * sign;
    }
    return b.created.localeCompare(a.created) || a.id.localeCompare(b.id);
  });
  return [...runs, ...errors];
}

/** The direction a click on `key` gives: the other one if already sorted by it, else a natural first. */
export function nextSort(
  current: { key: SortKey; direction: SortDirection },
  key: SortKey,
): { key: SortKey; direction: SortDirection } {
  if (current.key === key) return { key, direction: current.direction === 'ascending' ? 'descending' : 'ascending' };
  const numeric = columns.find((c) => c.key === key)?.numeric ?? false;
  return { key, direction: numeric ? 'descending' : 'ascending' };
}

/** The list after a `runUpdated` event: the run replaced or added, or removed when deleted. */
export function applyRunUpdate(entries: readonly RunListEntry[], event: LabEvents['runUpdated']): RunListEntry[] {
  if (event.deleted) return entries.filter((entry) => entry.id !== event.runId);
  if (!event.run) return entries as RunListEntry[];
  const next: RunListEntry = { id: event.runId, run: event.run };
  const index = entries.findIndex((entry) => entry.id === event.runId);
  if (index < 0) return [next, ...entries];
  const current = entries[index]!;
  // Events can overtake a list request: never go back to an older record.
  if ('run' in current && current.run.updatedAt > event.run.updatedAt) return entries as RunListEntry[];
  return entries.map((entry, i) => (i === index ? next : entry));
}

/** Runs that can continue from their last checkpoint. */
export const canResume = (run: RunInfo): boolean =>
  (run.status === 'stopped' || run.status === 'interrupted') && run.epochsDone < run.epochs;
