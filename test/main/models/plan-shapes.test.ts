import { describe, expect, it } from 'vitest';
import { validateModelConfig, type ModelConfigInput } from '../../../main/models/model-config';
import { describeStrideStages, inferShapes, minInputSize } from '../../../main/models/plan-shapes';
import { planXception } from '../../../main/models/xception-plan';

const plan = (input: ModelConfigInput = {}) => planXception(validateModelConfig(input));

describe('inferShapes', () => {
  it('follows Keras Xception at 299 px', () => {
    const { shapes, problem } = inferShapes(plan());
    expect(problem).toBeUndefined();
    expect(shapes.get('block1_conv1')).toEqual([149, 149, 32]);
    expect(shapes.get('block1_conv2')).toEqual([147, 147, 64]);
    expect(shapes.get('block2_add')).toEqual([74, 74, 128]);
    expect(shapes.get('block3_add')).toEqual([37, 37, 256]);
    expect(shapes.get('block4_add')).toEqual([19, 19, 728]);
    expect(shapes.get('block12_add')).toEqual([19, 19, 728]);
    expect(shapes.get('block13_add')).toEqual([10, 10, 1024]);
    expect(shapes.get('block14_sepconv2_act')).toEqual([10, 10, 2048]);
    expect(shapes.get('avg_pool')).toEqual([2048]);
    expect(shapes.get('predictions')).toEqual([1000]);
  });

  it("keeps the stem's size with 'same' padding (seed style)", () => {
    const { shapes } = inferShapes(plan({ blockStyle: 'seed' }));
    expect(shapes.get('block1_conv2')).toEqual([150, 150, 64]);
    expect(shapes.get('block13_add')).toEqual([10, 10, 1024]);
  });

  it('names the first layer a too-small input does not fit', () => {
    expect(inferShapes(plan(), 22).problem?.layer).toBe('block13_shortcut');
    expect(inferShapes(plan(), 6).problem?.layer).toBe('block1_conv2');
  });
});

describe('minInputSize', () => {
  it('is the smallest size at which every stride-2 layer still has 2 px to halve', () => {
    expect(minInputSize(plan())).toBe(23);
    expect(minInputSize(plan({ blockStyle: 'seed' }))).toBe(17);
    // One entry block fewer: one stride-2 stage fewer.
    expect(minInputSize(plan({ entryWidths: [128, 728] }))).toBe(15);
    expect(describeStrideStages(plan())).toBe("keras style: 'valid' 3×3 stem convs and 5 stride-2 stages");
  });
});
