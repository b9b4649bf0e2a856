import { describe, expect, it } from 'vitest';
import { registerFastKernels, unregisterFastKernels } from '../../../../main/engine/kernels';
import { useSimd } from '../../../../main/engine/kernels/simd';
import { expectIdentical, randomTensor, seededRandom, tf, useCpuBackend } from './helpers';

useCpuBackend();

/** The gradient of Σ relu(x)·w by x, with its kernels; x has zeros, NaN and −0 among random values. */
async function reluGrad(fast: boolean, size: number): Promise<{ dx: tf.Tensor; kernels: string[] }> {
  const random = seededRandom(size);
  const values = randomTensor(random, [size]).dataSync().slice();
  values[0] = 0;
  values[1] = NaN;
  values[2] = -0;
  const x = tf.tensor1d(values);
  const w = randomTensor(random, [size]);
  if (fast) registerFastKernels(tf);
  try {
    let dx: tf.Tensor | undefined;
    const profile = await tf.profile(() => (dx = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.relu(v), w)))(x)));
    return { dx: dx!, kernels: profile.kernelNames };
  } finally {
    unregisterFastKernels(tf);
  }
}

describe('the one-op ReLU gradient', () => {
  for (const [path, size] of [
    ['simd', 1000],
    ['js', 1000],
    ['simd', 7],
  ] as const) {
    it(`is the stock gradient bit for bit (${path}, ${size} values)`, async () => {
      const stock = await reluGrad(false, size);
      useSimd(path === 'simd');
      const fast = await reluGrad(true, size);
      useSimd(true);
      expect(fast.kernels).toContain('XlabReluGrad');
      expect(fast.kernels).not.toContain('Step');
      expect(stock.kernels).toContain('Step');
      expectIdentical(fast.dx, stock.dx);
    });
  }
});
