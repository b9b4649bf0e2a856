import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ModelConfigError } from '../../../main/models/model-config';
import { costLayersFromPlan } from '../../../main/models/model-cost';
import { modelPresetIds, resolveModelConfig } from '../../../main/models/presets';
import { buildXception } from '../../../main/models/xception';
import { planXception } from '../../../main/models/xception-plan';
import type { LayersModel } from '@tensorflow/tfjs';

beforeAll(async () => {
  tf.enableProdMode();
  await tf.setBackend('cpu');
});

/** Builds, hands the model to `use`, and always frees its weights. */
function withModel<T>(config: Parameters<typeof buildXception>[0], use: (model: LayersModel) => T): T {
  const model = buildXception(config, tf);
  try {
    return use(model);
  } finally {
    model.dispose();
  }
}

describe('buildXception: exact parameter counts (full-size builds)', () => {
  it('xception at 1000 classes has Keras’ 22,910,480 parameters', () => {
    expect(withModel(resolveModelConfig({ preset: 'xception', classes: 1000 }), (m) => m.countParams())).toBe(
      22_910_480,
    );
  });

  it('xception and seed at 100 classes both have 21,066,380 parameters', () => {
    expect(withModel(resolveModelConfig({ preset: 'xception', classes: 100 }), (m) => m.countParams())).toBe(
      21_066_380,
    );
    expect(withModel(resolveModelConfig({ preset: 'seed', classes: 100 }), (m) => m.countParams())).toBe(21_066_380);
  });

  it('without the top has 20,861,480 parameters', () => {
    const params = withModel(resolveModelConfig({ preset: 'xception', includeTop: false }), (m) => {
      expect(m.outputs[0]!.shape).toEqual([null, 2048]);
      return m.countParams();
    });
    expect(params).toBe(20_861_480);
  });
});

describe('buildXception: structure of every preset at tiny inputs', () => {
  for (const preset of modelPresetIds) {
    it(`${preset}: Keras layer names, output shape and the planned parameter counts`, () => {
      const config = resolveModelConfig({ preset, inputSize: 32, classes: 3 });
      withModel(config, (model) => {
        const names = model.layers.map((l) => l.name);
        expect(model.inputs[0]!.shape).toEqual([null, 32, 32, 3]);
        expect(model.outputs[0]!.shape).toEqual([null, 3]);
        for (const name of [
          'block1_conv1',
          'block1_conv1_bn',
          'block1_conv1_act',
          'block2_sepconv1',
          'block2_sepconv1_bn',
          'block2_pool',
          'block2_shortcut',
          'block2_shortcut_bn',
          'block5_add',
          'avg_pool',
          'predictions',
        ]) {
          expect(names).toContain(name);
        }
        // Entry block2…4, middle block5…(4 + repeats), exit block with a shortcut, then block14's convs.
        const exit = 5 + config.middleRepeats;
        expect(names.filter((n) => /^block\d+_sepconv3$/.test(n))).toHaveLength(config.middleRepeats);
        expect(names).toContain(`block${exit}_shortcut_bn`);
        expect(names).toContain(`block${exit + 1}_sepconv2_act`);
        expect(names.at(-1)).toBe('predictions');
        // The config-only plan agrees with the real model, layer by layer.
        const planned = new Map(costLayersFromPlan(planXception(config)).map((l) => [l.name, l]));
        for (const layer of model.layers) {
          expect(layer.countParams(), layer.name).toBe(planned.get(layer.name)?.params);
          expect(layer.outputShape.slice(1), layer.name).toEqual(planned.get(layer.name)?.outputShape);
        }
      });
    });
  }

  it('middle flow block5…block12 for 8 repeats', () => {
    withModel(resolveModelConfig({ preset: 'xception', inputSize: 23, classes: 2 }), (model) => {
      const adds = model.layers.map((l) => l.name).filter((n) => /^block\d+_add$/.test(n));
      expect(adds).toEqual([
        'block2_add',
        'block3_add',
        'block4_add',
        ...[5, 6, 7, 8, 9, 10, 11, 12].map((n) => `block${n}_add`),
        'block13_add',
      ]);
    });
  });

  it('the micro model predicts a probability per class', () => {
    withModel(resolveModelConfig({ preset: 'micro', classes: 4, dropout: 0.2 }), (model) => {
      const size = model.inputs[0]!.shape[1]!;
      const probabilities = tf.tidy(() => {
        const out = model.predict(tf.randomUniform([2, size, size, 3])) as tf.Tensor;
        expect(out.shape).toEqual([2, 4]);
        return out.sum(1).arraySync() as number[];
      });
      for (const p of probabilities) expect(p).toBeCloseTo(1, 5);
      expect(model.getLayer('top_dropout').getClassName()).toBe('Dropout');
    });
  });

  it('frees every weight on dispose', () => {
    const before = tf.memory().numTensors;
    withModel(resolveModelConfig({ preset: 'mini' }), () => undefined);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('validates before building', () => {
    expect(() => buildXception({ inputSize: 8 }, tf)).toThrow(ModelConfigError);
    expect(() => buildXception({ inputSize: 8 }, tf)).toThrow(/inputSize is 8/);
  });
});

describe('seeded initialisation', () => {
  it('the same seed gives the same starting weights; another seed does not', () => {
    const config = { inputSize: 24, classes: 3, widthMultiplier: 0.125, middleRepeats: 1 };
    const weights = (seed: number) => {
      const model = buildXception(config, tf, { seed });
      const values = model.getWeights().map((w) => Array.from(w.dataSync()));
      model.dispose();
      return values;
    };
    const a = weights(5);
    expect(weights(5)).toEqual(a);
    expect(weights(6)).not.toEqual(a);
  });
});
