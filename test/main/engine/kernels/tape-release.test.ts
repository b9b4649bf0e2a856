import { describe, expect, it } from 'vitest';
import { patchTapeRelease } from '../../../../main/engine/kernels/tape-release';
import { expectIdentical, randomTensor, seededRandom, tf, useCpuBackend } from './helpers';

useCpuBackend();

/** Gradients of a deep chain of element-wise ops and a matrix product, the peak tensor bytes on the way, and tensors left behind. */
async function chain(release: boolean): Promise<{ grads: tf.Tensor[]; peakBytes: number; leaked: number }> {
  const random = seededRandom(3);
  const w = tf.variable(randomTensor(random, [64, 64]), true, `chain_w_${release}`);
  const x = randomTensor(random, [256, 64]);
  const restore = release ? patchTapeRelease(tf) : () => {};
  try {
    const before = tf.memory().numTensors;
    let grads: tf.Tensor[] = [];
    const profile = await tf.profile(() => {
      const { value, grads: g } = tf.variableGrads(() => {
        let h = tf.matMul(x, w);
        for (let i = 0; i < 12; i++) h = tf.relu(tf.add(tf.mul(h, 0.9), tf.sin(h)));
        return tf.sum(tf.mul(h, h));
      });
      value.dispose();
      grads = [g[w.name]!];
      return grads;
    });
    const leaked = tf.memory().numTensors - before - grads.length;
    return { grads, peakBytes: profile.peakBytes, leaked };
  } finally {
    restore();
    w.dispose();
    x.dispose();
  }
}

describe('releasing each op’s gradients and saved tensors as backpropagation passes it', () => {
  it('gives the same gradients with a lower peak and nothing left behind', async () => {
    const kept = await chain(false);
    const released = await chain(true);
    expectIdentical(released.grads[0]!, kept.grads[0]!);
    expect(released.leaked).toBe(0);
    expect(kept.leaked).toBe(0);
    // Here the forward pass's own peak (every intermediate alive until it ends) is most of it;
    // in a network the backward pass's dys alone are as big as the activations.
    expect(released.peakBytes).toBeLessThan(kept.peakBytes);
  });

  it('leaves gradients of gradients alone', () => {
    const restore = patchTapeRelease(tf);
    try {
      const x = tf.scalar(3);
      const second = tf.grad(tf.grad((v: tf.Tensor) => tf.mul(tf.mul(v, v), v)))(x); // d²(x³)/dx² = 6x
      expect(second.dataSync()[0]).toBeCloseTo(18, 5);
    } finally {
      restore();
    }
  });
});
