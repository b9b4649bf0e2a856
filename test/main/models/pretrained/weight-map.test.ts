import { describe, expect, it } from 'vitest';
import { mapWeights, type TargetLayer } from '../../../../main/models/pretrained/weight-map';
import type { FileLayer } from '../../../../main/models/pretrained/weights-file';

const values = (n: number, v = 1): Float32Array => new Float32Array(n).fill(v);
const conv = (name: string, shape: number[], v = 1): FileLayer => ({
  name,
  weights: [
    {
      name: 'kernel',
      shape,
      values: values(
        shape.reduce((a, b) => a * b, 1),
        v,
      ),
    },
  ],
});
const target = (name: string, ...shapes: [string, number[]][]): TargetLayer => ({
  name,
  weights: shapes.map(([w, shape]) => ({ name: `${name}/${w}`, shape })),
});

describe('mapping file weights onto the model by layer name', () => {
  it("Keras' unnamed shortcut convs (conv2d, conv2d_1, …) go to block*_shortcut in order; others by name", () => {
    const file = [
      conv('block1_conv1', [3, 3, 3, 4]),
      conv('conv2d_1', [1, 1, 4, 8], 2),
      conv('conv2d', [1, 1, 4, 8], 1),
    ];
    const map = mapWeights(file, [
      target('block1_conv1', ['kernel', [3, 3, 3, 4]]),
      target('block2_shortcut', ['kernel', [1, 1, 4, 8]]),
      target('block3_shortcut', ['kernel', [1, 1, 4, 8]]),
    ]);
    expect(map.problems).toEqual([]);
    expect(map.loaded).toEqual(['block1_conv1', 'block2_shortcut', 'block3_shortcut']);
    expect(map.assignments.map((a) => [a.layer, a.values[0]])).toEqual([
      ['block1_conv1', 1],
      ['block2_shortcut', 1],
      ['block3_shortcut', 2],
    ]);
  });

  it("Keras 3 numbered variables match in the layer's order", () => {
    const file: FileLayer[] = [
      { name: 'bn', weights: ['0', '1'].map((name, i) => ({ name, shape: [2], values: values(2, i) })) },
    ];
    const map = mapWeights(file, [target('bn', ['gamma', [2]], ['beta', [2]])]);
    expect(map.assignments.map((a) => [a.index, a.values[0]])).toEqual([
      [0, 0],
      [1, 1],
    ]);
  });

  it('names every missing layer, extra layer and other shape', () => {
    const map = mapWeights(
      [conv('a', [1, 1, 2, 2]), conv('zzz', [3])],
      [target('a', ['kernel', [1, 1, 2, 4]]), target('b', ['kernel', [1]])],
    );
    expect(map.problems).toEqual([
      'layer b (kernel [1]) is missing from the file',
      "the file's layer zzz ([3]) has no counterpart in this model",
      'layer a — kernel: expected [1, 1, 2, 4], found [1, 1, 2, 2]',
    ]);
  });

  it('the classifier alone may differ or be absent: it starts fresh, and that is said', () => {
    const head = (units: number): FileLayer => ({
      name: 'predictions',
      weights: [
        { name: 'kernel', shape: [8, units], values: values(8 * units) },
        { name: 'bias', shape: [units], values: values(units) },
      ],
    });
    const ours = target('predictions', ['kernel', [8, 3]], ['bias', [3]]);
    expect(mapWeights([head(1000)], [ours])).toMatchObject({
      problems: [],
      assignments: [],
      notes: [
        'The classifier ("predictions") was not loaded: the file\'s is for 1000 classes, this model has 3; it starts from fresh weights.',
      ],
    });
    expect(mapWeights([], [ours]).notes).toEqual([
      'The classifier ("predictions") starts from fresh weights: the file has none.',
    ]);
    expect(mapWeights([head(3)], [ours]).loaded).toEqual(['predictions']);
  });
});
