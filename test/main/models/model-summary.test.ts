import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { summarizeModel, type ModelSummary } from '../../../main/models/model-summary';
import { resolveModelConfig } from '../../../main/models/presets';
import { buildXception } from '../../../main/models/xception';
import type { LayersModel } from '@tensorflow/tfjs';

let keras: LayersModel;
let seed: LayersModel;
let summary: ModelSummary;
const row = (s: ModelSummary, name: string) => s.rows.find((r) => r.name === name);

beforeAll(async () => {
  tf.enableProdMode();
  await tf.setBackend('cpu');
  keras = buildXception(resolveModelConfig({ preset: 'micro', classes: 5 }), tf);
  seed = buildXception(resolveModelConfig({ preset: 'micro', classes: 5, blockStyle: 'seed' }), tf);
  summary = summarizeModel(keras);
});

afterAll(() => {
  keras.dispose();
  seed.dispose();
});

describe('summarizeModel', () => {
  it('gives Keras-style rows read from the model', () => {
    expect(summary.name).toBe('xception');
    expect(summary.rows).toHaveLength(keras.layers.length);
    expect(summary.rows[0]).toEqual({
      name: 'input_layer',
      type: 'InputLayer',
      outputShape: [null, 24, 24, 3],
      params: 0,
      connectedTo: [],
    });
    // 3×3×3 kernel to 4 channels (α 0.125 × 32), no bias.
    expect(row(summary, 'block1_conv1')).toEqual({
      name: 'block1_conv1',
      type: 'Conv2D',
      outputShape: [null, 11, 11, 4],
      params: 108,
      connectedTo: ['input_layer'],
    });
    expect(row(summary, 'block1_conv1_bn')).toMatchObject({ type: 'BatchNormalization', params: 16 });
    expect(row(summary, 'block2_sepconv1')).toMatchObject({ type: 'SeparableConv2D', params: 9 * 8 + 8 * 16 });
    expect(row(summary, 'block2_add')).toMatchObject({
      type: 'Add',
      connectedTo: ['block2_pool', 'block2_shortcut_bn'],
    });
    expect(row(summary, 'avg_pool')).toMatchObject({ type: 'GlobalAveragePooling2D', outputShape: [null, 256] });
    expect(row(summary, 'predictions')).toMatchObject({ type: 'Dense', outputShape: [null, 5], params: 256 * 5 + 5 });
  });

  it('counts BatchNormalization moving statistics as non-trainable', () => {
    const bnChannels = summary.rows
      .filter((r) => r.type === 'BatchNormalization')
      .reduce((sum, r) => sum + (r.outputShape.at(-1) ?? 0), 0);
    expect(summary.totals.nonTrainableParams).toBe(2 * bnChannels);
    expect(summary.totals.params).toBe(keras.countParams());
    expect(summary.totals.trainableParams + summary.totals.nonTrainableParams).toBe(summary.totals.params);
    expect(summary.rows.reduce((sum, r) => sum + r.params, 0)).toBe(summary.totals.params);
  });

  it('shows the seed style’s post-activation order in "connected to"', () => {
    const s = summarizeModel(seed);
    expect(s.name).toBe('xception_seed');
    expect(row(s, 'block2_sepconv1_act')?.connectedTo).toEqual(['block2_sepconv1_bn']);
    expect(row(s, 'block2_sepconv2')?.connectedTo).toEqual(['block2_sepconv1_act']);
    expect(row(summary, 'block3_sepconv1')?.connectedTo).toEqual(['block3_sepconv1_act']);
    expect(s.totals).toEqual(summary.totals);
  });
});
