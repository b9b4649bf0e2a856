import { describe, expect, it } from 'vitest';
import { batchNormWarmup, warmMomentum } from '../../../main/training/batch-norm-warmup';

describe('batch-norm momentum warm-up', () => {
  it('starts low and reaches the configured momentum, then stays there (Keras from then on)', () => {
    expect(warmMomentum(0.9, 0)).toBeCloseTo(0.1);
    expect(warmMomentum(0.9, 8)).toBeCloseTo(0.5);
    expect(warmMomentum(0.9, 80)).toBeCloseTo(81 / 90);
    expect(warmMomentum(0.9, 81)).toBe(0.9);
    expect(warmMomentum(0.99, 980)).toBe(0.99);
    expect(warmMomentum(0.99, 500)).toBeLessThan(0.99);
    for (let step = 1; step < 2000; step++)
      expect(warmMomentum(0.99, step)).toBeGreaterThanOrEqual(warmMomentum(0.99, step - 1));
  });

  it('sets every layer for a step and restores each layer its own configured value', () => {
    const layers = [{ momentum: 0.9 }, { momentum: 0.99 }];
    const warmup = batchNormWarmup(layers);
    warmup.atStep(0);
    expect(layers.map((l) => l.momentum)).toEqual([0.1, 0.1]);
    warmup.atStep(100);
    expect(layers.map((l) => l.momentum)).toEqual([0.9, 101 / 110]);
    warmup.restore();
    expect(layers.map((l) => l.momentum)).toEqual([0.9, 0.99]);
  });
});
