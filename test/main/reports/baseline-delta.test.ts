import { describe, expect, it } from 'vitest';
import type { CompareRow } from '../../../main/contract';
import { baselineDeltas, baselineStanding, deltaView, standingText } from '../../../main/reports/baseline-delta';

const row = (runId: string, m: Partial<Pick<CompareRow, 'loss' | 'val_loss' | 'acc' | 'val_acc'>>) =>
  ({ runId, loss: null, val_loss: null, acc: null, val_acc: null, ...m }) as CompareRow;

describe('baseline deltas', () => {
  it('subtracts the baseline from each run; a missing value on either side is null', () => {
    const base = row('b', { loss: 1, val_loss: 1.2, acc: 0.5, val_acc: 0.4 });
    const [d] = baselineDeltas([row('r', { loss: 0.75, val_loss: null, acc: 0.625, val_acc: 0.5 })], base);
    expect(d).toEqual({ runId: 'r', loss: -0.25, val_loss: null, acc: 0.125, val_acc: 0.09999999999999998 });
  });

  it('shows direction by arrow and sign and meaning by verdict: lower loss and higher accuracy are better', () => {
    expect(deltaView('val_acc', 0.0123)).toEqual({ text: '▲ +0.0123', verdict: 'better' });
    expect(deltaView('val_acc', -0.05)).toEqual({ text: '▼ −0.0500', verdict: 'worse' });
    expect(deltaView('loss', -0.2)).toEqual({ text: '▼ −0.2000', verdict: 'better' });
    expect(deltaView('val_loss', 0.2)).toEqual({ text: '▲ +0.2000', verdict: 'worse' });
    expect(deltaView('acc', 0.00001)).toEqual({ text: '= 0.0000', verdict: 'same' });
    expect(deltaView('acc', null)).toEqual({ text: '–', verdict: null });
  });
});

describe('standing against the baseline', () => {
  const baseline = [
    { epoch: 0, val_acc: 0.3 },
    { epoch: 1, val_acc: 0.5 },
    { epoch: 2, val_acc: 0.6 },
  ];

  it('compares the latest epoch both have validated, in percentage points', () => {
    const s = baselineStanding(
      [
        { epoch: 0, val_acc: 0.35 },
        { epoch: 1, val_acc: 0.532 },
      ],
      baseline,
    );
    expect(s).toEqual({ epoch: 2, points: 3.2, relation: 'ahead' });
    expect(standingText(s!, 'best result')).toBe(
      'ahead of "best result" by 3.2 points at epoch 2 (validation accuracy)',
    );
    const behind = baselineStanding([{ epoch: 2, val_acc: 0.59 }], baseline)!;
    expect(standingText(behind, 'last week')).toBe('behind "last week" by 1.0 point at epoch 3 (validation accuracy)');
    expect(baselineStanding([{ epoch: 0, val_acc: 0.3 }], baseline)?.relation).toBe('level');
  });

  it('is null before the run has an epoch the baseline also has', () => {
    expect(baselineStanding([], baseline)).toBeNull();
    expect(baselineStanding([{ epoch: 5, val_acc: 0.9 }], baseline)).toBeNull();
    expect(baselineStanding([{ epoch: 0, val_acc: null }], baseline)).toBeNull();
  });
});
