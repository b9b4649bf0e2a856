import { describe, expect, it } from 'vitest';
import { fastKernels, registerFastKernels, unregisterFastKernels } from '../../../../main/engine/kernels';
import { buildXception } from '../../../../main/models/xception';
import { MICRO_SEED, seededRandom, randomTensor, tf, useCpuBackend } from './helpers';

useCpuBackend();

function batch(seed: number, size: number): { x: tf.Tensor4D; y: tf.Tensor2D } {
  const random = seededRandom(seed);
  const x = randomTensor(random, [size, 24, 24, 3]) as tf.Tensor4D;
  const labels = Array.from({ length: size }, () => Math.floor(random() * 10));
  return { x, y: tf.oneHot(tf.tensor1d(labels, 'int32'), 10) as tf.Tensor2D };
}

describe('registerFastKernels / unregisterFastKernels', () => {
  it('replaces the cpu kernels, reports their names, and puts the stock ones back', () => {
    const stock = new Map(fastKernels.map((k) => [k.kernelName, tf.getKernel(k.kernelName, 'cpu')?.kernelFunc]));
    const names = registerFastKernels(tf);
    expect(names).toEqual(fastKernels.map((k) => k.kernelName));
    expect(names).toContain('Conv2DBackpropFilter');
    for (const name of names) expect(tf.getKernel(name, 'cpu').kernelFunc).not.toBe(stock.get(name));
    expect(registerFastKernels(tf)).toEqual(names); // a second call changes nothing
    unregisterFastKernels(tf);
    for (const name of names) expect(tf.getKernel(name, 'cpu').kernelFunc).toBe(stock.get(name));
    unregisterFastKernels(tf); // and neither does a second unregister
    for (const name of names) expect(tf.getKernel(name, 'cpu').kernelFunc).toBe(stock.get(name));
  });
});

describe('a seed-style micro Xception with the fast kernels', () => {
  it('has the same gradients as with the stock kernels', () => {
    const model = buildXception(MICRO_SEED, tf);
    try {
      const { x, y } = batch(61, 3);
      const loss = (): tf.Scalar =>
        tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar;
      const stock = tf.variableGrads(loss);
      registerFastKernels(tf);
      const fast = tf.variableGrads(loss);
      unregisterFastKernels(tf);

      expect(fast.value.dataSync()[0]).toBeCloseTo(stock.value.dataSync()[0]!, 5);
      const names = Object.keys(stock.grads);
      expect(Object.keys(fast.grads).sort()).toEqual([...names].sort());
      expect(names.length).toBeGreaterThan(50);
      // Relative to each gradient's own scale; gradients that are ~0 (a BN offset right before
      // another BN) are compared with the largest gradient's scale instead.
      const largest = Math.max(...names.map((n) => tf.max(tf.abs(stock.grads[n]!)).dataSync()[0]!));
      const errors = names.map((name) => {
        const s = stock.grads[name]!.dataSync();
        const f = fast.grads[name]!.dataSync();
        let diff = 0;
        let scale = 0;
        for (let i = 0; i < s.length; i++) {
          diff = Math.max(diff, Math.abs(f[i]! - s[i]!));
          scale = Math.max(scale, Math.abs(s[i]!));
        }
        return { name, error: diff / Math.max(scale, 1e-3 * largest) };
      });
      const worst = errors.reduce((a, b) => (b.error > a.error ? b : a));
      expect(worst.error, worst.name).toBeLessThan(1e-3);
    } finally {
      model.dispose();
    }
  });

  // SGD with momentum at a moderate rate: its steps are linear in the gradients, so rounding
  // differences stay rounding-sized. (Adam's first steps are lr × sign(g) for every component:
  // a gradient that is ±1e-9 by rounding flips a whole step, and curves of the same model
  // diverged by up to 7e-3 on some random starts — chaos, not a kernel error. A high rate that
  // drives the loss of 4 images to ~0 makes relative differences meaningless the same way.)
  it('follows the same loss curve for a few SGD steps', async () => {
    const { x, y } = batch(62, 4);
    // Seeded weights: the comparison must not depend on a random start (Adam amplifies the
    // float-rounding differences of some starts more than others).
    const model = buildXception(MICRO_SEED, tf, { seed: 11 });
    const initial = model.getWeights().map((w) => w.clone());
    const curve = async (): Promise<number[]> => {
      model.setWeights(initial);
      model.compile({ optimizer: tf.train.momentum(0.01, 0.9), loss: 'categoricalCrossentropy' });
      const losses: number[] = [];
      for (let step = 0; step < 4; step++) losses.push((await model.trainOnBatch(x, y)) as number);
      return losses;
    };
    try {
      const stock = await curve();
      registerFastKernels(tf);
      const fast = await curve();
      unregisterFastKernels(tf);
      expect(stock[3]).toBeLessThan(stock[0]!); // it does learn
      const worst = Math.max(...stock.map((s, i) => Math.abs(fast[i]! - s) / s));
      expect(worst).toBeLessThan(1e-4); // measured ~1e-6 on several starts
    } finally {
      model.dispose();
      tf.dispose(initial);
    }
  });
});
