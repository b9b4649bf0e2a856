import { describe, expect, it } from 'vitest';
import { validateModelConfig, type ModelConfigInput } from '../../../main/models/model-config';
import { outlineFlows, planXception, scaleWidth, type LayerSpec } from '../../../main/models/xception-plan';

const plan = (input: ModelConfigInput = {}) => planXception(validateModelConfig(input));
const byName = (layers: LayerSpec[], name: string): LayerSpec => {
  const layer = layers.find((l) => l.name === name);
  if (!layer) throw new Error(`no layer ${name}`);
  return layer;
};
/** The chain of layer names from `from` following single inputs back `steps` times. */
const chainBack = (layers: LayerSpec[], from: string, steps: number): string[] => {
  const names = [from];
  for (let i = 0; i < steps; i++) names.unshift(byName(layers, names[0]!).inputs[0]!);
  return names;
};

describe('planXception', () => {
  it('names layers like Keras, with unique names and Keras block numbers', () => {
    const { layers, output } = plan();
    const names = layers.map((l) => l.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of [
      'input_layer',
      'block1_conv1',
      'block1_conv1_bn',
      'block1_conv1_act',
      'block1_conv2',
      'block1_conv2_bn',
      'block1_conv2_act',
      'block2_sepconv1',
      'block2_sepconv1_bn',
      'block2_sepconv2_act',
      'block2_sepconv2',
      'block2_sepconv2_bn',
      'block2_pool',
      'block2_shortcut',
      'block2_shortcut_bn',
      'block2_add',
      'block4_pool',
      'block5_sepconv1_act',
      'block12_sepconv3_bn',
      'block12_add',
      'block13_sepconv1',
      'block13_sepconv2',
      'block13_pool',
      'block13_shortcut',
      'block13_shortcut_bn',
      'block14_sepconv1',
      'block14_sepconv1_bn',
      'block14_sepconv1_act',
      'block14_sepconv2_act',
      'avg_pool',
      'predictions',
    ]) {
      expect(names).toContain(name);
    }
    expect(names).not.toContain('block2_sepconv1_act');
    expect(names).not.toContain('block13_sepconv3');
    expect(names.filter((n) => /^block\d+_add$/.test(n) && byName(layers, n).flow === 'middle')).toEqual(
      [5, 6, 7, 8, 9, 10, 11, 12].map((n) => `block${n}_add`),
    );
    expect(output).toBe('predictions');
  });

  it('keras style: ReLU → SeparableConv → BN, shortcut from the block input, add after the pool', () => {
    const { layers } = plan();
    expect(chainBack(layers, 'block3_sepconv1_bn', 2)).toEqual([
      'block3_sepconv1_act',
      'block3_sepconv1',
      'block3_sepconv1_bn',
    ]);
    expect(byName(layers, 'block3_sepconv1_act').inputs).toEqual(['block2_add']);
    expect(byName(layers, 'block3_shortcut').inputs).toEqual(['block2_add']);
    expect(byName(layers, 'block3_add').inputs).toEqual(['block3_pool', 'block3_shortcut_bn']);
    expect(byName(layers, 'block2_sepconv1').inputs).toEqual(['block1_conv2_act']);
    expect(byName(layers, 'block6_add').inputs).toEqual(['block6_sepconv3_bn', 'block5_add']);
    // block14 is post-activation in Keras too, and starts right after the exit block's add.
    expect(chainBack(layers, 'block14_sepconv2_act', 6)).toEqual([
      'block13_add',
      'block14_sepconv1',
      'block14_sepconv1_bn',
      'block14_sepconv1_act',
      'block14_sepconv2',
      'block14_sepconv2_bn',
      'block14_sepconv2_act',
    ]);
    expect(byName(layers, 'block1_conv1')).toMatchObject({
      kind: 'conv',
      strides: 2,
      padding: 'valid',
      filters: 32,
      kernel: 3,
    });
    expect(byName(layers, 'block2_shortcut')).toMatchObject({
      kind: 'conv',
      strides: 2,
      padding: 'same',
      kernel: 1,
      filters: 128,
    });
    expect(byName(layers, 'block2_pool')).toMatchObject({ kind: 'maxpool', pool: 3, strides: 2, padding: 'same' });
    expect(byName(layers, 'block13_shortcut')).toMatchObject({ filters: 1024 });
  });

  it("seed style: the lecture's block() = SeparableConv → BN → ReLU and 'same' stem convs", () => {
    const { layers } = plan({ blockStyle: 'seed' });
    expect(chainBack(layers, 'block2_sepconv2_act', 5)).toEqual([
      'block2_sepconv1',
      'block2_sepconv1_bn',
      'block2_sepconv1_act',
      'block2_sepconv2',
      'block2_sepconv2_bn',
      'block2_sepconv2_act',
    ]);
    expect(byName(layers, 'block2_pool').inputs).toEqual(['block2_sepconv2_act']);
    expect(byName(layers, 'block5_sepconv1').inputs).toEqual(['block4_add']);
    expect(byName(layers, 'block1_conv1')).toMatchObject({ padding: 'same' });
    expect(byName(layers, 'block1_conv2')).toMatchObject({ padding: 'same' });
    // Same layers as Keras apart from the order: the count differs only by block2's extra ReLU.
    expect(layers.length).toBe(plan().layers.length + 1);
  });

  it('scales every width by α and numbers blocks after the entry and middle flows', () => {
    const { layers } = plan({ widthMultiplier: 0.125, middleRepeats: 1, entryWidths: [128, 728] });
    expect(byName(layers, 'block1_conv1')).toMatchObject({ filters: 4 });
    expect(byName(layers, 'block3_sepconv2')).toMatchObject({ filters: scaleWidth(728, 0.125) });
    expect(byName(layers, 'block4_add').flow).toBe('middle');
    expect(byName(layers, 'block5_shortcut')).toMatchObject({ filters: 128, flow: 'exit' });
    expect(byName(layers, 'block6_sepconv2')).toMatchObject({ filters: 256 });
  });

  it('adds dropout before the classifier, and drops the top when asked', () => {
    expect(byName(plan({ dropout: 0.3 }).layers, 'predictions').inputs).toEqual(['top_dropout']);
    const headless = plan({ includeTop: false });
    expect(headless.output).toBe('avg_pool');
    expect(headless.layers.map((l) => l.name)).not.toContain('predictions');
  });
});

describe('outlineFlows', () => {
  it('groups blocks into entry, middle (× N) and exit', () => {
    const flows = outlineFlows(plan({ middleRepeats: 2 }));
    expect(flows.map((f) => f.flow)).toEqual(['entry', 'middle', 'exit']);
    expect(flows.map((f) => f.blocks.map((b) => b.block))).toEqual([
      ['block1', 'block2', 'block3', 'block4'],
      ['block5', 'block6'],
      ['block7', 'block8', 'top'],
    ]);
    expect(flows[1]!.blocks[0]!.layers).toHaveLength(10);
  });
});
