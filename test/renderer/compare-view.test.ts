import { describe, expect, it } from 'vitest';
import type { CompareRow, Comparison } from '../../main/contract';
import {
  bestValues,
  curveSeries,
  datasetLabel,
  formatMetric,
  formatSpeed,
  nextCompareSort,
  runColour,
  runColours,
  shortHash,
  sortCompareRows,
  splitLabel,
  splitName,
} from '../../renderer/src/components/compare/compare-view';

const row = (runId: string, over: Partial<CompareRow> = {}): CompareRow => ({
  runId,
  model: runId,
  preset: 'micro',
  status: 'completed',
  params: 1000,
  loss: 0.5,
  val_loss: 0.6,
  acc: 0.8,
  val_acc: 0.7,
  epoch: 2,
  monitor: 'val_loss',
  epochsDone: 3,
  epochs: 3,
  trainingMs: 60_000,
  imagesPerSec: 100,
  engine: 'tfjs 4.22.0 (cpu)',
  dataset: { path: '/data/flowers', fingerprint: '3fa2c81b9e0d', splitKey: '9c01d2e3'.repeat(8), splitSeed: 42 },
  ...over,
});

const ids = (rows: CompareRow[]): string[] => rows.map((r) => r.runId);

describe('formatting', () => {
  it('writes images per second without the unit', () => {
    expect(formatSpeed(58.46)).toBe('58.5');
    expect(formatSpeed(1240.4)).toBe('1,240');
    expect(formatSpeed(null)).toBe('—');
  });

  it('writes losses and accuracies with four decimals', () => {
    expect(formatMetric(0.94678)).toBe('0.9468');
    expect(formatMetric(1)).toBe('1.0000');
    expect(formatMetric(null)).toBe('—');
    expect(formatMetric(Number.NaN)).toBe('—');
  });

  it('shortens fingerprints and hashes to eight characters, and names a split by its file', () => {
    expect(shortHash('3fa2c81b9e0d')).toBe('3fa2c81b');
    expect(shortHash('')).toBe('—');
    expect(datasetLabel(row('a'))).toBe('flowers · 3fa2c81b');
    expect(splitLabel(row('a'))).toBe('seed 42 · 9c01d2e3');
    expect(splitName('short-key')).toBe('short-key');
    const key = `/data/cache/splits/${'ab'.repeat(32)}-7-val0.2-test0.json`;
    expect(splitName(key)).toBe('val0.2-test0');
    expect(splitName('C:\\cache\\x.json')).toBe('x.json');
    expect(splitLabel(row('a', { dataset: { path: '/d', fingerprint: 'f', splitKey: key, splitSeed: 7 } }))).toBe(
      'seed 7 · val0.2-test0',
    );
    expect(
      datasetLabel(row('a', { dataset: { path: 'C:\\data\\cats\\', fingerprint: 'ab', splitKey: 'k', splitSeed: 1 } })),
    ).toBe('cats · ab');
  });
});

describe('sortCompareRows', () => {
  const rows = [
    row('a', { model: 'Custom V3', params: 300, val_acc: 0.9, val_loss: 0.3 }),
    row('b', { model: 'baseline', params: 100, val_acc: null, val_loss: 0.2 }),
    row('c', { model: 'Xception', params: 21_066_380, val_acc: 0.95, val_loss: null }),
  ];

  it('keeps the selection order without a sort', () => {
    expect(ids(sortCompareRows(rows, null))).toEqual(['a', 'b', 'c']);
  });

  it('sorts by name without regard to case', () => {
    expect(ids(sortCompareRows(rows, { key: 'model', direction: 'ascending' }))).toEqual(['b', 'a', 'c']);
    expect(ids(sortCompareRows(rows, { key: 'model', direction: 'descending' }))).toEqual(['c', 'a', 'b']);
  });

  it('sorts numbers as numbers, missing values last either way', () => {
    expect(ids(sortCompareRows(rows, { key: 'params', direction: 'descending' }))).toEqual(['c', 'a', 'b']);
    expect(ids(sortCompareRows(rows, { key: 'val_acc', direction: 'descending' }))).toEqual(['c', 'a', 'b']);
    expect(ids(sortCompareRows(rows, { key: 'val_acc', direction: 'ascending' }))).toEqual(['a', 'c', 'b']);
    expect(ids(sortCompareRows(rows, { key: 'val_loss', direction: 'ascending' }))).toEqual(['b', 'a', 'c']);
  });

  it('keeps the selection order between equal values', () => {
    const same = [row('x', { loss: 0.1 }), row('y', { loss: 0.1 }), row('z', { loss: 0.05 })];
    expect(ids(sortCompareRows(same, { key: 'loss', direction: 'ascending' }))).toEqual(['z', 'x', 'y']);
    expect(ids(sortCompareRows(same, { key: 'loss', direction: 'descending' }))).toEqual(['x', 'y', 'z']);
  });

  it('sorts by training time, speed, epochs and dataset', () => {
    const more = [
      row('p', { trainingMs: 5, imagesPerSec: null, epochsDone: 2, epochs: 3 }),
      row('q', {
        trainingMs: 1,
        imagesPerSec: 50,
        epochsDone: 3,
        epochs: 3,
        dataset: { path: '/d/cats', fingerprint: 'f', splitKey: 'k', splitSeed: 1 },
      }),
    ];
    expect(ids(sortCompareRows(more, { key: 'training', direction: 'ascending' }))).toEqual(['q', 'p']);
    expect(ids(sortCompareRows(more, { key: 'speed', direction: 'ascending' }))).toEqual(['q', 'p']);
    expect(ids(sortCompareRows(more, { key: 'epochs', direction: 'descending' }))).toEqual(['q', 'p']);
    expect(ids(sortCompareRows(more, { key: 'dataset', direction: 'ascending' }))).toEqual(['q', 'p']);
  });

  it('does not change the rows it was given', () => {
    const copy = rows.slice();
    sortCompareRows(rows, { key: 'params', direction: 'ascending' });
    expect(rows).toEqual(copy);
  });
});

describe('nextCompareSort', () => {
  it('sorts accuracies high-first, losses and time low-first, names A to Z', () => {
    expect(nextCompareSort(null, 'val_acc')).toEqual({ key: 'val_acc', direction: 'descending' });
    expect(nextCompareSort(null, 'val_loss')).toEqual({ key: 'val_loss', direction: 'ascending' });
    expect(nextCompareSort(null, 'training')).toEqual({ key: 'training', direction: 'ascending' });
    expect(nextCompareSort({ key: 'params', direction: 'ascending' }, 'model')).toEqual({
      key: 'model',
      direction: 'ascending',
    });
  });

  it('turns the direction round on the sorted column', () => {
    expect(nextCompareSort({ key: 'acc', direction: 'descending' }, 'acc')).toEqual({
      key: 'acc',
      direction: 'ascending',
    });
    expect(nextCompareSort({ key: 'acc', direction: 'ascending' }, 'acc')).toEqual({
      key: 'acc',
      direction: 'descending',
    });
  });
});

describe('bestValues', () => {
  it('finds the lowest losses and the highest accuracies', () => {
    const rows = [row('a', { loss: 0.4, val_acc: 0.9 }), row('b', { loss: 0.2, val_acc: null, acc: 0.95 })];
    expect(bestValues(rows)).toEqual({ loss: 0.2, val_loss: 0.6, acc: 0.95, val_acc: 0.9 });
  });

  it('marks nothing best when there is nothing to compare with', () => {
    expect(bestValues([row('a')])).toEqual({});
  });
});

describe('curveSeries', () => {
  const curves: Comparison['curves'] = [
    {
      runId: 'a',
      model: 'Custom V3',
      epochs: [
        { epoch: 1, loss: 0.5, acc: 0.8, val_loss: 0.6, val_acc: 0.7 },
        { epoch: 0, loss: 0.9, acc: 0.6, val_loss: null, val_acc: 0.5 },
      ],
    },
    { runId: 'b', model: 'Xception', epochs: [{ epoch: 0, loss: 1, acc: 0.5, val_loss: 1.1, val_acc: 0.4 }] },
  ];

  it('draws per run a dashed train curve and a solid val curve in the run’s colour', () => {
    const series = curveSeries(curves, 'loss', 'light');
    expect(series.map((s) => [s.label, s.dashed, s.colour])).toEqual([
      ['Custom V3 · train', true, runColours.light[0]],
      ['Custom V3 · val', false, runColours.light[0]],
      ['Xception · train', true, runColours.light[1]],
      ['Xception · val', false, runColours.light[1]],
    ]);
  });

  it('puts epochs in order, 1-based, and skips missing values', () => {
    const [train, val] = curveSeries(curves, 'loss', 'dark');
    expect(train!.points).toEqual([
      { x: 1, y: 0.9 },
      { x: 2, y: 0.5 },
    ]);
    expect(val!.points).toEqual([{ x: 2, y: 0.6 }]);
    expect(curveSeries(curves, 'acc', 'dark')[1]!.points).toEqual([
      { x: 1, y: 0.5 },
      { x: 2, y: 0.7 },
    ]);
  });

  it('cycles the colours past the palette', () => {
    expect(runColour(runColours.dark.length + 1, 'dark')).toBe(runColours.dark[1]);
  });
});
