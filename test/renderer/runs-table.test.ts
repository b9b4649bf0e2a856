import { describe, expect, it } from 'vitest';
import type { RunInfo, RunListEntry } from '../../main/contract';
import {
  applyRunUpdate,
  canResume,
  modelLabel,
  nextSort,
  sortRows,
  toRow,
  type RunRow,
} from '../../renderer/src/components/runs/runs-table';

const run = (id: string, over: Partial<RunInfo> = {}): RunInfo => ({
  id,
  name: id,
  status: 'completed',
  createdAt: `2026-11-25T12:00:0${id.length % 10}.000Z`,
  updatedAt: '2026-11-25T12:01:00.000Z',
  durationMs: 1000,
  epochs: 3,
  epochsDone: 3,
  model: { preset: 'micro', inputSize: 24 },
  training: {},
  dataset: { path: '/data/flowers', fingerprint: 'f', classNames: ['a', 'b'], split: { seed: 42, key: 'k' } },
  engine: { name: 'tfjs', device: 'cpu', version: '4.22.0' },
  versions: {},
  ...over,
});

const ids = (rows: ReturnType<typeof sortRows>): string[] => rows.map((r) => r.id);

describe('toRow', () => {
  it('turns a run into what the table shows', () => {
    const row = toRow({
      id: 'a',
      run: run('a', { params: 21_066_380, best: { epoch: 1, loss: 1, acc: 0.5, val_loss: 1, val_acc: 0.8 } }),
    }) as RunRow;
    expect(row).toMatchObject({
      kind: 'run',
      dataset: 'flowers',
      model: 'micro · 24\u00a0px',
      params: 21_066_380,
      best: 0.8,
      bestEpoch: 1,
      engine: 'tfjs · CPU',
    });
  });

  it("says what picked the best epoch: the run's monitor (val_loss for runs stored before the setting)", () => {
    const best = { epoch: 1, loss: 1, acc: 0.5, val_loss: 1, val_acc: 0.8 };
    expect((toRow({ id: 'a', run: run('a', { best }) }) as RunRow).bestBy).toBe('lowest val_loss');
    expect((toRow({ id: 'a', run: run('a', { best, training: { monitor: 'val_accuracy' } }) }) as RunRow).bestBy).toBe(
      'highest val_accuracy',
    );
  });

  it('keeps an unreadable run as an error row', () => {
    expect(toRow({ id: 'b', error: 'run.json is not valid JSON' })).toEqual({
      kind: 'error',
      id: 'b',
      error: 'run.json is not valid JSON',
    });
  });

  it('calls a run without a preset custom', () => {
    expect(modelLabel(run('c', { model: { inputSize: 32 } }))).toBe('custom · 32\u00a0px');
  });
});

describe('sortRows', () => {
  const rows = [
    toRow({ id: 'a', run: run('a', { name: 'beta', params: 100, createdAt: '2026-11-25T12:00:01.000Z' }) }),
    toRow({
      id: 'b',
      run: run('b', { name: 'Alpha', params: 300, status: 'running', createdAt: '2026-11-25T12:00:02.000Z' }),
    }),
    toRow({ id: 'c', run: run('c', { name: 'gamma', createdAt: '2026-11-25T12:00:03.000Z' }) }),
    toRow({ id: 'x', error: 'unreadable' }),
  ];

  it('sorts by name without regard to case, unreadable runs last', () => {
    expect(ids(sortRows(rows, 'name', 'ascending'))).toEqual(['b', 'a', 'c', 'x']);
    expect(ids(sortRows(rows, 'name', 'descending'))).toEqual(['c', 'a', 'b', 'x']);
  });

  it('puts missing values last in either direction', () => {
    expect(ids(sortRows(rows, 'params', 'descending'))).toEqual(['b', 'a', 'c', 'x']);
    expect(ids(sortRows(rows, 'params', 'ascending'))).toEqual(['a', 'b', 'c', 'x']);
  });

  it('sorts newest first by default, and by status with running first', () => {
    expect(ids(sortRows(rows, 'created', 'descending'))).toEqual(['c', 'b', 'a', 'x']);
    expect(ids(sortRows(rows, 'status', 'ascending'))[0]).toBe('b');
  });
});

describe('nextSort', () => {
  it('flips the direction of the current column; numbers start high, text starts at A', () => {
    expect(nextSort({ key: 'name', direction: 'ascending' }, 'name')).toEqual({ key: 'name', direction: 'descending' });
    expect(nextSort({ key: 'name', direction: 'ascending' }, 'params')).toEqual({
      key: 'params',
      direction: 'descending',
    });
    expect(nextSort({ key: 'params', direction: 'descending' }, 'dataset')).toEqual({
      key: 'dataset',
      direction: 'ascending',
    });
  });
});

describe('applyRunUpdate', () => {
  const entries: RunListEntry[] = [
    { id: 'a', run: run('a') },
    { id: 'x', error: 'bad' },
  ];

  it('adds a new run at the top, replaces a known one, removes a deleted one', () => {
    expect(applyRunUpdate(entries, { runId: 'n', run: run('n') }).map((e) => e.id)).toEqual(['n', 'a', 'x']);
    const renamed = run('a', { name: 'renamed', updatedAt: '2026-11-25T12:02:00.000Z' });
    expect(applyRunUpdate(entries, { runId: 'a', run: renamed })[0]).toEqual({ id: 'a', run: renamed });
    expect(applyRunUpdate(entries, { runId: 'a', deleted: true }).map((e) => e.id)).toEqual(['x']);
  });

  it('never goes back to an older record', () => {
    const older = run('a', { name: 'old', updatedAt: '2026-11-25T11:00:00.000Z' });
    expect(applyRunUpdate(entries, { runId: 'a', run: older })).toBe(entries);
  });
});

describe('canResume', () => {
  it('offers resume for stopped and interrupted runs with epochs left', () => {
    expect(canResume(run('a', { status: 'stopped', epochsDone: 1 }))).toBe(true);
    expect(canResume(run('a', { status: 'interrupted', epochsDone: 1 }))).toBe(true);
    expect(canResume(run('a', { status: 'completed' }))).toBe(false);
    expect(canResume(run('a', { status: 'failed', epochsDone: 1 }))).toBe(false);
    expect(canResume(run('a', { status: 'stopped', epochsDone: 3 }))).toBe(false);
  });
});
