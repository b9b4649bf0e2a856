import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { registerFastKernels, unregisterFastKernels } from '../../../../main/engine/kernels';
import { configuredThreads, kernelPool, poolWorkerPath, setThreads } from '../../../../main/engine/kernels/pool';
import { buildXception } from '../../../../main/models/xception';
import { MICRO_SEED, seededRandom, randomTensor, tf, useCpuBackend } from './helpers';

useCpuBackend();
afterAll(() => setThreads(undefined));

/** Losses of four Adam steps from the same seeded weights and batches, on `threads` threads. */
async function losses(threads: number): Promise<{ losses: number[]; sharedTasks: number }> {
  // Every task goes to the helpers, however small: the micro model's are all below the usual threshold.
  await setThreads(threads, { minWork: 0 });
  await kernelPool().ready();
  registerFastKernels(tf);
  const model = buildXception(MICRO_SEED, tf, { seed: 5 });
  try {
    model.compile({ optimizer: tf.train.adam(1e-2), loss: 'categoricalCrossentropy' });
    const random = seededRandom(17);
    const x = randomTensor(random, [4, 24, 24, 3]);
    const y = tf.oneHot(tf.tensor1d([1, 3, 3, 7], 'int32'), 10);
    const out: number[] = [];
    for (let step = 0; step < 4; step++) out.push((await model.trainOnBatch(x, y)) as number);
    return { losses: out, sharedTasks: kernelPool().sharedTasks };
  } finally {
    model.dispose();
    unregisterFastKernels(tf);
  }
}

describe('the kernel pool', () => {
  it('finds its helper script in out/ (npm run build makes it)', () => {
    expect(poolWorkerPath()).toBeDefined();
    expect(existsSync(poolWorkerPath()!)).toBe(true);
  });

  it('trains to the same losses, bit for bit, on 1, 2 and 3 threads', async () => {
    const one = await losses(1);
    const two = await losses(2);
    const three = await losses(3);
    expect(one.sharedTasks).toBe(0);
    // The helpers really took part.
    expect(two.sharedTasks).toBeGreaterThan(20);
    expect(three.sharedTasks).toBeGreaterThan(20);
    expect(one.losses.every(Number.isFinite)).toBe(true);
    expect(two.losses).toEqual(one.losses);
    expect(three.losses).toEqual(one.losses);
  }, 120_000);

  it('reads XLAB_THREADS, else the machine', () => {
    expect(configuredThreads({ XLAB_THREADS: '3' })).toBe(3);
    expect(configuredThreads({ XLAB_THREADS: '1' })).toBe(1);
    const machine = configuredThreads({});
    expect(machine).toBeGreaterThanOrEqual(1);
    expect(configuredThreads({ XLAB_THREADS: 'many' })).toBe(machine);
    expect(configuredThreads({ XLAB_THREADS: '0' })).toBe(machine);
  });
});
