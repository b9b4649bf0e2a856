import { describe, expect, it } from 'vitest';
import type { EvalPrediction, EvalResult } from '../../main/contract';
import {
  cellName,
  cellPredictions,
  evalKey,
  evalLabel,
  formatRatio,
  formatShare,
  heat,
  misclassified,
  moveInMatrix,
  nameParts,
  pageOf,
  pickEvaluation,
  rowNormalised,
  sortEvaluations,
} from '../../renderer/src/components/evaluation/eval-view';

const p = (path: string, label: number, predicted: number, confidence: number): EvalPrediction => ({
  path,
  label,
  predicted,
  confidence,
  top: [{ label: predicted, prob: confidence }],
});

const predictions = [
  p('cat/1.png', 0, 0, 0.9),
  p('cat/2.png', 0, 1, 0.55),
  p('cat/3.png', 0, 1, 0.97),
  p('dog/1.png', 1, 1, 0.8),
  p('dog/2.png', 1, 0, 0.6),
  p('dog/3.png', 1, 0, 0.6),
  p('fox/1.png', 2, 0, 0.99),
];

const result = (over: Partial<EvalResult> = {}): EvalResult => ({
  runId: 'r',
  split: 'val',
  checkpoint: 'best',
  epoch: 2,
  createdAt: '2026-11-25T12:00:00.000Z',
  durationMs: 100,
  classNames: ['cat', 'dog', 'fox'],
  images: 7,
  skipped: [],
  loss: 0.5,
  top1: 2 / 7,
  top5: 1,
  confusion: [
    [1, 2, 0],
    [2, 1, 0],
    [1, 0, 0],
  ],
  perClass: [],
  macro: { precision: 0, recall: 0, f1: 0 },
  weighted: { precision: 0, recall: 0, f1: 0 },
  predictions,
  dataset: { path: '/d', fingerprint: 'f', splitKey: 'k' },
  engine: { name: 'tfjs', device: 'cpu', version: '4.22.0' },
  ...over,
});

describe('confusion cells', () => {
  it('finds the images behind a cell, most confident first', () => {
    expect(cellPredictions(result(), 0, 1).map((x) => x.path)).toEqual(['cat/3.png', 'cat/2.png']);
    expect(cellPredictions(result(), 1, 0).map((x) => x.path)).toEqual(['dog/2.png', 'dog/3.png']); // ties by path
    expect(cellPredictions(result(), 2, 2)).toEqual([]);
  });

  it('names a cell for assistive technology', () => {
    expect(cellName(['cat', 'dog'], 0, 1, 3)).toBe('true cat, predicted dog: 3 images');
    expect(cellName(['cat', 'dog'], 1, 1, 1)).toBe('true dog, predicted dog: 1 image');
    expect(cellName(['cat', 'dog'], 0, 1, 3, 0.75)).toBe('true cat, predicted dog: 3 images, 0.75 of true cat');
    expect(cellName(['cat', 'dog'], 0, 1, 1234)).toBe('true cat, predicted dog: 1,234 images');
  });

  it('divides each row by its images, leaving an empty row at zero', () => {
    expect(
      rowNormalised([
        [3, 1],
        [0, 0],
      ]),
    ).toEqual([
      [0.75, 0.25],
      [0, 0],
    ]);
    expect(formatShare(0.754)).toBe('0.75');
    expect(formatShare(1)).toBe('1');
    expect(formatShare(0)).toBe('0');
  });
});

describe('misclassified', () => {
  it('lists every mistake, the most confident first', () => {
    expect(misclassified(result()).map((x) => x.path)).toEqual([
      'fox/1.png',
      'cat/3.png',
      'dog/2.png',
      'dog/3.png',
      'cat/2.png',
    ]);
  });

  it('is empty when everything is right', () => {
    expect(misclassified({ predictions: [p('a.png', 0, 0, 0.5)] })).toEqual([]);
  });
});

describe('stored evaluations', () => {
  const valBest = result();
  const testLast = result({ split: 'test', checkpoint: 'last' });
  const valLast = result({ checkpoint: 'last' });

  it('orders val before test and best before last', () => {
    expect(sortEvaluations([testLast, valLast, valBest]).map(evalKey)).toEqual(['val/best', 'val/last', 'test/last']);
  });

  it('shows the one asked for, else val/best, else the first', () => {
    expect(evalKey(pickEvaluation([testLast, valBest], 'test/last')!)).toBe('test/last');
    expect(evalKey(pickEvaluation([testLast, valBest], 'test/best')!)).toBe('val/best');
    expect(evalKey(pickEvaluation([testLast, valLast], null)!)).toBe('val/last');
    expect(pickEvaluation([], null)).toBeNull();
  });

  it('says which split and checkpoint', () => {
    expect(evalLabel(testLast)).toBe('test · last checkpoint');
  });
});

describe('pageOf', () => {
  const items = Array.from({ length: 50 }, (_, i) => i);

  it('slices a page and says how many there are', () => {
    expect(pageOf(items, 0, 24)).toMatchObject({ page: 0, pages: 3, start: 0 });
    expect(pageOf(items, 2, 24).items).toEqual([48, 49]);
  });

  it('keeps the page within range, and one page for nothing', () => {
    expect(pageOf(items, 9, 24).page).toBe(2);
    expect(pageOf(items, -1, 24).page).toBe(0);
    expect(pageOf([], 0, 24)).toEqual({ items: [], page: 0, pages: 1, start: 0 });
  });
});

describe('matrix keys', () => {
  it('moves with the arrows, Home and End, and stops at the edges', () => {
    expect(moveInMatrix('ArrowRight', { row: 1, col: 1 }, 3)).toEqual({ row: 1, col: 2 });
    expect(moveInMatrix('ArrowRight', { row: 1, col: 2 }, 3)).toEqual({ row: 1, col: 2 });
    expect(moveInMatrix('ArrowUp', { row: 0, col: 1 }, 3)).toEqual({ row: 0, col: 1 });
    expect(moveInMatrix('ArrowDown', { row: 0, col: 1 }, 3)).toEqual({ row: 1, col: 1 });
    expect(moveInMatrix('Home', { row: 2, col: 2 }, 3)).toEqual({ row: 2, col: 0 });
    expect(moveInMatrix('End', { row: 0, col: 0 }, 3, true)).toEqual({ row: 2, col: 2 });
    expect(moveInMatrix('Enter', { row: 0, col: 0 }, 3)).toBeNull();
  });
});

describe('formatting and shading', () => {
  it('writes ratios with three decimals, undefined ones as a dash', () => {
    expect(formatRatio(0.92345)).toBe('0.923');
    expect(formatRatio(null)).toBe('—');
  });

  it('shades more for a bigger share, flipping the text colour in the middle', () => {
    expect(heat(0, 'light')).toEqual({ mix: 0, strong: false });
    expect(heat(0.25, 'light')).toEqual({ mix: 33, strong: false });
    expect(heat(0.5, 'light')).toEqual({ mix: 85, strong: true });
    expect(heat(1, 'light')).toEqual({ mix: 100, strong: true });
    expect(heat(0.49, 'dark').mix).toBeLessThanOrEqual(45);
    expect(heat(0.5, 'dark')).toEqual({ mix: 70, strong: true });
    expect(heat(Number.NaN, 'dark')).toEqual({ mix: 0, strong: false });
  });
});

describe('nameParts', () => {
  it('cuts a class name after its separators only, so a header never wraps inside a word', () => {
    expect(nameParts('empty_class')).toEqual(['empty_', 'class']);
    expect(nameParts('Ankle_boot')).toEqual(['Ankle_', 'boot']);
    expect(nameParts('T-shirt/top')).toEqual(['T-', 'shirt/', 'top']);
    expect(nameParts('Pullover')).toEqual(['Pullover']);
    expect(nameParts('a__b')).toEqual(['a__', 'b']);
    expect(nameParts('')).toEqual([]);
  });

  it('loses no character', () => {
    for (const name of ['empty_class', '_x_', 'a b.c-d/e', '<img src=x>', 'ünïcode_名前'])
      expect(nameParts(name).join('')).toBe(name);
  });
});
