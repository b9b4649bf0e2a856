import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { LabError } from '../../../main/errors';
import { costLayersFromModel, costLayersFromPlan, estimateCost } from '../../../main/models/model-cost';
import { resolveModelConfig } from '../../../main/models/presets';
import { buildXception } from '../../../main/models/xception';
import { planXception } from '../../../main/models/xception-plan';

beforeAll(async () => {
  tf.enableProdMode();
  await tf.setBackend('cpu');
});

const flopsOf = (estimate: ReturnType<typeof estimateCost>, name: string) =>
  estimate.layers.find((l) => l.name === name)?.flops;

describe('estimateCost', () => {
  it('counts 2 × multiply-adds of conv, separable conv and dense layers (Keras Xception at 299 px)', () => {
    const cost = estimateCost({}, 1);
    // 149×149 outputs × (3×3×3×32) weights.
    expect(flopsOf(cost, 'block1_conv1')).toBe(2 * 149 * 149 * 3 * 3 * 3 * 32);
    // depthwise 3×3×64 + pointwise 64×128 at 147×147.
    expect(flopsOf(cost, 'block2_sepconv1')).toBe(2 * 147 * 147 * (9 * 64 + 64 * 128));
    expect(flopsOf(cost, 'predictions')).toBe(2 * 2048 * 1000);
    expect(flopsOf(cost, 'block2_sepconv1_bn')).toBe(0);
    // ≈ 8.4 G multiply-adds, the figure usually quoted for Xception.
    expect(cost.flopsPerImage / 2 / 1e9).toBeCloseTo(8.36, 2);
    expect(cost.params).toBe(22_910_480);
    expect(cost.paramBytes).toBe(22_910_480 * 4);
  });

  it('gives the same estimate from the config and from the built model', () => {
    const config = resolveModelConfig({ preset: 'mini', inputSize: 48, dropout: 0.2 });
    const model = buildXception(config, tf);
    try {
      const fromModel = estimateCost(model, 8);
      const fromConfig = estimateCost(config, 8);
      expect(fromModel.flopsPerImage).toBe(fromConfig.flopsPerImage);
      expect(fromModel.activationBytes).toBe(fromConfig.activationBytes);
      expect(fromModel.params).toBe(model.countParams());
      expect(fromConfig.params).toBe(model.countParams());
      // Same layers with the same numbers; tfjs lists them by depth, the plan in build order.
      const byName = <T extends { name: string }>(list: T[]) => [...list].sort((a, b) => a.name.localeCompare(b.name));
      expect(byName(costLayersFromModel(model))).toEqual(byName(costLayersFromPlan(planXception(config))));
      expect(byName(fromModel.layers)).toEqual(byName(fromConfig.layers));
    } finally {
      model.dispose();
    }
  });

  it('sums float32 layer outputs for one batch', () => {
    expect(estimateCost(resolveModelConfig({ preset: 'micro' }), 32).activationBytes).toBe(
      32 * estimateCost(resolveModelConfig({ preset: 'micro' }), 1).activationBytes,
    );
    const input = estimateCost({ inputSize: 299 }, 2).layers[0]!;
    expect(input).toEqual({ name: 'input_layer', flops: 0, activationBytes: 2 * 299 * 299 * 3 * 4 });
  });

  it('shows the cost of 299 px against 64 px before building', () => {
    const big = estimateCost({ inputSize: 299 }, 32);
    const small = estimateCost({ inputSize: 64 }, 32);
    expect(big.flopsPerImage / small.flopsPerImage).toBeGreaterThan(15);
    expect(big.activationBytes).toBeGreaterThan(15 * small.activationBytes);
  });

  it('rejects a bad batch size and an invalid config', () => {
    expect(() => estimateCost({}, 0)).toThrow(LabError);
    expect(() => estimateCost({}, 1.5)).toThrow(/batchSize is 1.5/);
    expect(() => estimateCost({ classes: 1 }, 1)).toThrow(/classes is 1/);
  });
});
