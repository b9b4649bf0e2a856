import { describe, it } from 'vitest';
import { expectClose, expectIdentical, randomTensor, seededRandom, stockAndFast, tf, useCpuBackend } from './helpers';

useCpuBackend();

/** Whole numbers from a few values, so windows have ties (the first maximum must win), plus NaN and −∞. */
function withTies(random: () => number, shape: number[]): tf.Tensor {
  const values = randomTensor(random, shape)
    .dataSync()
    .map((v) => Math.round(v * 2));
  for (let i = 5; i < values.length; i += 17) values[i] = i % 2 === 0 ? Number.NaN : Number.NEGATIVE_INFINITY;
  return tf.tensor(values, shape);
}

const cases: [string, number[], number, number, 'same' | 'valid'][] = [
  ['3×3/2 same (the network’s)', [2, 9, 9, 5], 3, 2, 'same'],
  ['3×3/2 valid', [3, 7, 8, 4], 3, 2, 'valid'],
  ['2×2/2 same, odd size', [1, 7, 5, 3], 2, 2, 'same'],
  ['3×3/1 same', [2, 6, 6, 8], 3, 1, 'same'],
];

describe('pooling kernels match tfjs-backend-cpu', () => {
  it.each(cases)('MaxPool %s', (_, shape, filterSize, strides, pad) => {
    const random = seededRandom(51);
    const { stock, fast } = stockAndFast('MaxPool', { x: withTies(random, shape) }, { filterSize, strides, pad });
    expectIdentical(fast, stock);
  });

  it.each(cases)('MaxPoolGrad %s', (_, shape, filterSize, strides, pad) => {
    const random = seededRandom(52);
    const input = withTies(random, shape);
    const output = tf.maxPool(input as tf.Tensor4D, filterSize, strides, pad);
    const dy = randomTensor(random, output.shape);
    const { stock, fast } = stockAndFast('MaxPoolGrad', { dy, input, output }, { filterSize, strides, pad });
    // Overlapping windows add into one input pixel: in float32 here, in doubles in the stock kernel.
    expectClose(fast, stock, 1e-6);
  });
});
