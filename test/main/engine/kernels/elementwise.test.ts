import { describe, expect, it } from 'vitest';
import { expectIdentical, randomTensor, seededRandom, stockAndFast, tf, useCpuBackend, type Paths } from './helpers';

useCpuBackend();

/** Random values with the awkward ones mixed in: NaN, ±∞, ±0. */
function awkward(random: () => number, shape: number[]): tf.Tensor {
  const values = randomTensor(random, shape, 3).dataSync().slice();
  const specials = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -0];
  for (let i = 0; i < values.length; i += 7) values[i] = specials[(i / 7) % specials.length]!;
  return tf.tensor(values, shape);
}

const paths: Paths[] = ['simd', 'js'];

/** Shape pairs: same, scalars, per-channel vectors (whole SIMD vectors or not), per-row, and one left to stock. */
const broadcasts: [string, number[], number[]][] = [
  ['same shape', [2, 5, 7, 8], [2, 5, 7, 8]],
  ['scalar b', [2, 5, 7, 8], []],
  ['scalar a', [], [3, 5, 7, 6]],
  ['per-channel vector of 8', [2, 5, 7, 8], [8]],
  ['per-channel [1,1,1,8] first', [1, 1, 1, 8], [2, 5, 7, 8]],
  ['per-channel vector of 7', [3, 5, 5, 7], [7]],
  ['per-row column', [40, 5], [40, 1]],
  ['three broadcast groups (stock)', [2, 1, 30], [1, 4, 1]],
  ['small (plain loop)', [3, 5], [3, 5]],
  ['same shape, several SIMD blocks', [3, 50, 50, 9], [3, 50, 50, 9]],
  ['per-channel vector, several SIMD blocks', [4, 64, 64, 8], [8]],
];

describe.each(paths)('binary kernels are bit-identical to tfjs-backend-cpu (%s path)', (path) => {
  for (const kernel of ['Add', 'Sub', 'Multiply', 'RealDiv']) {
    it.each(broadcasts)(`${kernel} %s`, (_, aShape, bShape) => {
      const random = seededRandom(41);
      const { stock, fast } = stockAndFast(
        kernel,
        { a: awkward(random, aShape), b: awkward(random, bShape) },
        {},
        path,
      );
      expectIdentical(fast, stock);
    });
  }

  it('int32 Multiply is left to the stock kernel', () => {
    const a = tf.tensor([1, 2, 3, 4], [4], 'int32');
    const { stock, fast } = stockAndFast('Multiply', { a, b: tf.scalar(3, 'int32') }, {}, path);
    expect(fast.dtype).toBe('int32');
    expectIdentical(fast, stock);
  });
});

describe.each(paths)('unary kernels are bit-identical to tfjs-backend-cpu (%s path)', (path) => {
  it.each([
    ['Relu', {}],
    ['Step', { alpha: 0 }],
    ['Step', { alpha: 0.25 }],
    ['Sqrt', {}],
    ['Square', {}],
  ] as const)('%s %o', (kernel, attrs) => {
    for (const shape of [[2, 9, 9, 5], [3], [3, 50, 50, 9]]) {
      const random = seededRandom(42);
      const { stock, fast } = stockAndFast(kernel, { x: awkward(random, shape) }, attrs, path);
      expectIdentical(fast, stock);
    }
  });
});

describe.each(paths)('reductions are bit-identical to tfjs-backend-cpu (%s path)', (path) => {
  const cases: [number[], number | number[], boolean][] = [
    [[3, 5, 4, 8], [0, 1, 2], false],
    [[3, 5, 4, 7], [0, 1, 2], true],
    [[3, 5, 4, 7], [1, 2], false],
    [[3, 5, 4, 7], 3, true],
    [[3, 5, 4, 7], -1, false],
    [[32, 10], 1, false],
    [[33, 10], 0, false],
    [[3, 5, 4, 7], [0, 2], false], // not contiguous: stock
    [[2, 16, 16, 32], [0, 1, 2], false],
    [[4, 40, 40, 12], [0, 1, 2], false], // several SIMD blocks
  ];
  it.each(cases)('Sum and Mean of %o over %o (keepDims %s)', (shape, axis, keepDims) => {
    for (const kernel of ['Sum', 'Mean']) {
      const random = seededRandom(43);
      const { stock, fast } = stockAndFast(kernel, { x: randomTensor(random, shape, 10) }, { axis, keepDims }, path);
      expectIdentical(fast, stock);
    }
  });
});

describe.each(paths)('other kernels are bit-identical to tfjs-backend-cpu (%s path)', (path) => {
  it.each([
    [
      [1, 1, 1, 5],
      [2, 3, 4, 1],
    ],
    [
      [2, 3],
      [3, 2],
    ],
    [
      [2, 1, 3],
      [1, 4, 2],
    ],
  ])('Tile %o by %o', (shape, reps) => {
    const random = seededRandom(44);
    const { stock, fast } = stockAndFast('Tile', { x: randomTensor(random, shape) }, { reps }, path);
    expectIdentical(fast, stock);
  });

  it.each([
    ['per-channel parameters', [2, 5, 5, 6], [6], true],
    ['per-channel parameters, 8 channels', [2, 9, 9, 8], [8], true],
    ['no scale or offset', [2, 5, 5, 6], [6], false],
    ['scalar parameters', [2, 5, 5, 6], [1], true],
    ['several SIMD blocks', [3, 50, 50, 9], [9], true],
  ] as const)('FusedBatchNorm with %s', (_, shape, paramShape, withScale) => {
    const random = seededRandom(45);
    const variance = tf.abs(randomTensor(random, [...paramShape]));
    const inputs = {
      x: randomTensor(random, [...shape], 4),
      mean: randomTensor(random, [...paramShape]),
      variance,
      ...(withScale
        ? { scale: randomTensor(random, [...paramShape]), offset: randomTensor(random, [...paramShape]) }
        : {}),
    };
    const { stock, fast } = stockAndFast('FusedBatchNorm', inputs, { varianceEpsilon: 0.001 }, path);
    expectIdentical(fast, stock);
  });
});
