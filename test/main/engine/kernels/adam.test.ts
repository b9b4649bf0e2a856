import { describe, expect, it } from 'vitest';
import { registerFastKernels, unregisterFastKernels } from '../../../../main/engine/kernels';
import { expectIdentical, randomTensor, seededRandom, tf, useCpuBackend } from './helpers';

/** A named optimizer slot, as `getWeights` returns it (tfjs does not export the type). */
type NamedTensor = Awaited<ReturnType<tf.Optimizer['getWeights']>>[number];

useCpuBackend();

const SHAPES = [[3, 3, 4, 5], [5], [17, 3], [1]];

/**
 * `steps` Adam updates of variables starting from the same values with the same gradients (one
 * step's ~1e-9, where Adam's division is most sensitive), the fused update on or off; from
 * `resume` (an optimizer's saved weights) when given. Returns the values and the optimizer's weights.
 */
async function adamRun(
  fast: boolean,
  steps: number,
  resume?: NamedTensor[],
): Promise<{ values: tf.Tensor[]; slots: NamedTensor[] }> {
  const random = seededRandom(41);
  if (fast) registerFastKernels(tf);
  const variables = SHAPES.map((shape, i) => tf.variable(randomTensor(random, shape), true, `adam_test_${i}`));
  const optimizer = tf.train.adam(0.01, 0.9, 0.999);
  try {
    if (resume) await optimizer.setWeights(resume);
    for (let step = 0; step < steps; step++) {
      const grads = Object.fromEntries(
        variables.map((v) => [v.name, randomTensor(random, v.shape, step === 1 ? 1e-9 : 3)]),
      );
      // tfjs' Optimizer takes a map of tensors; AdamOptimizer's own signature says variables.
      (optimizer as tf.Optimizer).applyGradients(grads);
      tf.dispose(Object.values(grads));
    }
    const slots = (await optimizer.getWeights()).map((w) => ({ name: w.name, tensor: w.tensor.clone() }));
    return { values: variables.map((v) => v.clone()), slots };
  } finally {
    optimizer.dispose();
    tf.dispose(variables);
    unregisterFastKernels(tf);
  }
}

function expectSame(
  fast: { values: tf.Tensor[]; slots: NamedTensor[] },
  stock: { values: tf.Tensor[]; slots: NamedTensor[] },
): void {
  expect(fast.values.length).toBe(SHAPES.length);
  stock.values.forEach((s, i) => expectIdentical(fast.values[i]!, s));
  // The slots as checkpoints save them: names, order, values and the iteration count.
  expect(fast.slots.map((w) => w.name)).toEqual(stock.slots.map((w) => w.name));
  stock.slots.forEach((s, i) => expectIdentical(fast.slots[i]!.tensor, s.tensor));
}

describe('the fused Adam update', () => {
  it('gives the stock AdamOptimizer’s values and slots, bit for bit', async () => {
    expectSame(await adamRun(true, 5), await adamRun(false, 5));
  });

  it('continues from a stock optimizer’s saved slots as the stock one does', async () => {
    const saved = (await adamRun(false, 3)).slots;
    expect(saved[0]!.name).toBe('iter');
    expectSame(await adamRun(true, 2, saved), await adamRun(false, 2, saved));
  });
});
