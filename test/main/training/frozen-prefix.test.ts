/** The frozen prefix ends where a flow ends: the entry flow's last add, the middle's, or the pooling. */
import { describe, expect, it } from 'vitest';
import { resolveModelConfig } from '../../../main/models/presets';
import { planXception } from '../../../main/models/xception-plan';
import { frozenPrefix } from '../../../main/training/frozen-prefix';
import { featureCacheDecision, trainingPhases } from '../../../main/training/training-phases';
import { validateTrainingSettings } from '../../../main/models/training-settings';

const plan = planXception(resolveModelConfig({ preset: 'xception', classes: 10, inputSize: 96 }));

describe('frozenPrefix', () => {
  it("ends at Keras' flow boundaries", () => {
    expect(frozenPrefix(plan, ['entry'])?.boundary).toBe('block4_add');
    expect(frozenPrefix(plan, ['entry', 'middle'])?.boundary).toBe('block12_add');
    expect(frozenPrefix(plan, ['middle', 'entry', 'head'])?.boundary).toBe('block12_add');
    expect(frozenPrefix(plan, ['entry', 'middle', 'exit'])).toMatchObject({
      boundary: 'avg_pool',
      flows: ['entry', 'middle', 'exit'],
    });
  });

  it('needs the entry flow frozen', () => {
    expect(frozenPrefix(plan, ['middle', 'exit'])).toBeNull();
    expect(frozenPrefix(plan, [])).toBeNull();
  });
});

describe('featureCacheDecision', () => {
  it('says why the cache is not used', () => {
    const flip = { flip: true, rotation: 0, zoom: 0, brightness: 0, contrast: 0, noise: 0 };
    expect(featureCacheDecision(plan, ['entry'], flip)).toEqual({
      use: false,
      reason: 'augmentation is on, features vary per epoch — training the full forward pass',
    });
    expect(featureCacheDecision(plan, ['middle'], null)).toMatchObject({
      use: false,
      reason: expect.stringContaining('the entry flow is not frozen (frozen: middle)'),
    });
    expect(featureCacheDecision(plan, [], null)).toBeUndefined();
    expect(featureCacheDecision(plan, ['entry'], { ...flip, flip: false })).toMatchObject({ use: true });
  });
});

describe('trainingPhases', () => {
  it('splits a fine-tuned run at afterEpoch, the second phase unfreezing the chosen flows', () => {
    const settings = validateTrainingSettings({
      epochs: 5,
      weightsFile: '/w.h5',
      freeze: ['entry', 'middle', 'exit'],
      fineTune: { afterEpoch: 2, unfreeze: ['exit'], learningRate: 1e-5 },
    });
    expect(trainingPhases(settings)).toEqual([
      { phase: 1, from: 0, to: 2, frozen: ['entry', 'middle', 'exit'], learningRate: 0.001 },
      { phase: 2, from: 2, to: 5, frozen: ['entry', 'middle'], learningRate: 1e-5 },
    ]);
    expect(trainingPhases({ ...settings, fineTune: null })).toHaveLength(1);
  });
});
