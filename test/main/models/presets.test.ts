import { describe, expect, it } from 'vitest';
import { LabError } from '../../../main/errors';
import { getModelPreset, modelPresetIds, modelPresets, resolveModelConfig } from '../../../main/models/presets';

describe('model presets', () => {
  it('keeps the CLI ids', () => {
    expect(modelPresetIds).toEqual(['xception', 'seed', 'mini', 'micro', 'xception-imagenet']);
    for (const id of modelPresetIds) expect(modelPresets[id].id).toBe(id);
  });

  it('resolves each preset to a valid config', () => {
    expect(resolveModelConfig({ preset: 'xception' })).toMatchObject({
      blockStyle: 'keras',
      inputSize: 299,
      classes: 1000,
      middleRepeats: 8,
    });
    expect(resolveModelConfig({ preset: 'seed' })).toMatchObject({
      blockStyle: 'seed',
      inputSize: 299,
      classes: 100,
      middleRepeats: 8,
    });
    expect(resolveModelConfig({ preset: 'mini' })).toMatchObject({
      widthMultiplier: 0.25,
      middleRepeats: 2,
      inputSize: 32,
    });
    const micro = resolveModelConfig({ preset: 'micro' });
    expect(micro.inputSize).toBeLessThanOrEqual(32);
    expect(micro).toMatchObject({ widthMultiplier: 0.125, middleRepeats: 1 });
    expect(resolveModelConfig({})).toEqual(resolveModelConfig({ preset: 'xception' }));
  });

  it('fits the suggested sizes', () => {
    for (const id of modelPresetIds) {
      const { suggestedSizes } = modelPresets[id];
      expect(() => resolveModelConfig({ preset: id, inputSize: suggestedSizes.min })).not.toThrow();
      expect(resolveModelConfig({ preset: id }).inputSize).toBeLessThanOrEqual(suggestedSizes.max);
    }
  });

  it('merges overrides and ignores undefined ones', () => {
    const config = resolveModelConfig({ preset: 'mini', classes: 5, inputSize: 64, middleRepeats: undefined });
    expect(config).toMatchObject({ classes: 5, inputSize: 64, middleRepeats: 2, widthMultiplier: 0.25 });
  });

  it('validates the merged config', () => {
    expect(() => resolveModelConfig({ preset: 'micro', classes: 1 })).toThrow(/classes is 1/);
  });

  it('names an unknown preset and lists the valid ids', () => {
    expect(() => getModelPreset('resnet')).toThrow(LabError);
    expect(() => resolveModelConfig({ preset: 'resnet' })).toThrow(
      'Unknown model preset "resnet"; the presets are xception, seed, mini, micro, xception-imagenet.',
    );
    try {
      resolveModelConfig({ preset: 'tiny' });
    } catch (error) {
      expect((error as LabError).code).toBe('UNKNOWN_PRESET');
    }
  });
});
