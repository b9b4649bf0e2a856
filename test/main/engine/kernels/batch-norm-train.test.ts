import { describe, expect, it } from 'vitest';
import { registerFastKernels, unregisterFastKernels } from '../../../../main/engine/kernels';
import { useSimd } from '../../../../main/engine/kernels/simd';
import { expectClose, expectIdentical, randomTensor, seededRandom, tf, useCpuBackend } from './helpers';

useCpuBackend();

interface Result {
  y: tf.Tensor;
  grads: tf.Tensor[];
  moving: tf.Tensor[];
  /** The kernels that ran. */
  kernels: string[];
}

/**
 * A BatchNormalization layer in training on `x` (gamma, beta and moving statistics from a seed),
 * the fused op on or off: its output, the gradients of Σ y·w by x, gamma and beta, and the
 * moving statistics after the call.
 */
async function run(fast: boolean, shape: number[], seed: number): Promise<Result> {
  const random = seededRandom(seed);
  const channels = shape.at(-1)!;
  const x = randomTensor(random, shape, 3);
  const w = randomTensor(random, shape);
  const layer = tf.layers.batchNormalization({ momentum: 0.9 });
  layer.build(shape);
  layer.setWeights([
    randomTensor(random, [channels], 2), // gamma
    randomTensor(random, [channels]), // beta
    randomTensor(random, [channels]), // moving mean
    tf.abs(randomTensor(random, [channels])), // moving variance
  ]);
  const [gamma, beta] = layer.trainableWeights.map((v) => v.read());
  if (fast) registerFastKernels(tf);
  try {
    let y: tf.Tensor | undefined;
    const f = (xi: tf.Tensor, _g: tf.Tensor, _b: tf.Tensor): tf.Scalar => {
      y = tf.keep(layer.apply(xi, { training: true }) as tf.Tensor);
      return tf.sum(tf.mul(y, w));
    };
    let grads: tf.Tensor[] = [];
    const profile = await tf.profile(() => (grads = tf.grads(f)([x, gamma!, beta!])));
    // tf.grads takes gamma and beta as inputs only to hand back their gradients: the layer reads
    // its own variables, which are the same tensors.
    return { y: y!, grads, moving: layer.getWeights().slice(2), kernels: profile.kernelNames };
  } finally {
    unregisterFastKernels(tf);
  }
}

describe('the fused batch normalisation in training', () => {
  for (const shape of [
    [2, 5, 5, 3],
    [4, 3, 7, 16],
    [3, 10],
  ]) {
    it(`matches the stock layer on ${JSON.stringify(shape)}`, async () => {
      const stock = await run(false, shape, 5);
      const fast = await run(true, shape, 5);
      expect(fast.kernels).toContain('XlabBatchNormTrainGrad');
      expect(fast.kernels).not.toContain('FusedBatchNorm');
      expect(stock.kernels).toContain('FusedBatchNorm');
      expectIdentical(fast.y, stock.y); // forward bit for bit
      fast.moving.forEach((m, i) => expectIdentical(m, stock.moving[i]!));
      const [dx, dgamma, dbeta] = fast.grads;
      expectClose(dx!, stock.grads[0]!, 1e-5);
      expectClose(dgamma!, stock.grads[1]!, 1e-5);
      expectClose(dbeta!, stock.grads[2]!, 1e-5);
    });
  }

  it('gives the same numbers, bit for bit, on the SIMD and the plain-JS paths', async () => {
    const shape = [3, 6, 5, 10];
    const onSimd = await run(true, shape, 8);
    useSimd(false);
    const inJs = await run(true, shape, 8);
    useSimd(true);
    expectIdentical(inJs.y, onSimd.y);
    inJs.grads.forEach((g, i) => expectIdentical(g, onSimd.grads[i]!));
  });

  it('leaves inference to the stock layer', () => {
    const layer = tf.layers.batchNormalization({});
    layer.build([2, 3]);
    const x = randomTensor(seededRandom(3), [2, 3]);
    const stock = layer.apply(x, { training: false }) as tf.Tensor;
    registerFastKernels(tf);
    const fast = layer.apply(x, { training: false }) as tf.Tensor;
    unregisterFastKernels(tf);
    expectIdentical(fast, stock);
    expect(tf.getKernel('XlabBatchNormTrain', 'cpu')).toBeUndefined();
  });
});
