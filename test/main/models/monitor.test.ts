import { describe, expect, it } from 'vitest';
import { basisDescription, bestEpochBy, bestMeaning, isBetterEpoch, monitorOf } from '../../../main/models/monitor';
import { validateTrainingSettings } from '../../../main/models/training-settings';

const e = (epoch: number, val_loss: number | null, val_acc: number | null) => ({ epoch, val_loss, val_acc });
// The walk-through's run: epoch 4 (0-based 3) has the lowest val_loss, epoch 5 the highest val_acc.
const walk = [e(0, 1.9, 0.3), e(1, 1.2, 0.5), e(2, 0.95, 0.6), e(3, 0.81, 0.65), e(4, 0.84, 0.717)];

describe('monitor', () => {
  it('val_loss picks the lowest val_loss; val_accuracy the highest val_acc', () => {
    expect(bestEpochBy('val_loss', walk)?.epoch).toBe(3);
    expect(bestEpochBy('val_accuracy', walk)?.epoch).toBe(4);
  });

  it('breaks ties on the other metric, then keeps the earlier epoch; skips epochs without the metric', () => {
    expect(bestEpochBy('val_loss', [e(0, 0.5, 0.6), e(1, 0.5, 0.7), e(2, 0.5, 0.7)])?.epoch).toBe(1);
    expect(bestEpochBy('val_accuracy', [e(0, 0.9, 0.7), e(1, 0.5, 0.7), e(2, 0.4, null)])?.epoch).toBe(1);
    expect(bestEpochBy('val_accuracy', [e(0, 0.9, null)])).toBeUndefined();
    expect(isBetterEpoch('val_loss', e(0, Number.NaN, 0.9), undefined)).toBe(false);
  });

  it('is a training setting (val_loss by default, as Keras); runs stored before it read as val_loss', () => {
    expect(validateTrainingSettings({}).monitor).toBe('val_loss');
    expect(validateTrainingSettings({ monitor: 'val_accuracy' }).monitor).toBe('val_accuracy');
    expect(() => validateTrainingSettings({ monitor: 'acc' })).toThrow(
      'monitor is "acc"; monitor must be one of "val_loss", "val_accuracy".',
    );
    expect(monitorOf({ epochs: 5 })).toBe('val_loss');
    expect(monitorOf({ monitor: 'val_accuracy' })).toBe('val_accuracy');
  });

  it('says what "best" means, per run when runs differ', () => {
    expect(bestMeaning('val_loss')).toBe('lowest val_loss');
    expect(basisDescription('final', [])).toBe("each run's final epoch");
    expect(basisDescription('best', [{ model: 'A', monitor: 'val_accuracy' }])).toBe(
      "each run's best epoch (highest val_accuracy)",
    );
    expect(
      basisDescription('best', [
        { model: 'A', monitor: 'val_loss' },
        { model: 'B', monitor: 'val_accuracy' },
      ]),
    ).toBe('each run\'s best epoch, by its own monitor ("A": lowest val_loss; "B": highest val_accuracy)');
  });
});
