import { describe, expect, it } from 'vitest';
import { registerFastKernels } from '../../../../main/engine/kernels';
import { patchActivationRelease } from '../../../../main/engine/kernels/activation-release';
import { buildXception } from '../../../../main/models/xception';
import { MICRO_SEED, randomTensor, seededRandom, tf, useCpuBackend } from './helpers';

useCpuBackend();

function batch(): { x: tf.Tensor; y: tf.Tensor } {
  const x = randomTensor(seededRandom(23), [4, 24, 24, 3]);
  return { x, y: tf.oneHot(tf.tensor1d([0, 4, 4, 9], 'int32'), 10) };
}

type Call = (inputs: unknown, kwargs?: unknown) => tf.Tensor;

/** Replaces `layer`'s call on this instance only, to watch it. */
function watch(layer: tf.layers.Layer, after: (output: tf.Tensor) => void): void {
  const own = layer as unknown as { call: Call };
  const call = own.call.bind(layer);
  own.call = (inputs, kwargs) => {
    const output = call(inputs, kwargs);
    after(output);
    return output;
  };
}

describe('releasing layer outputs once their last reader has run', () => {
  it('frees every batch-norm output a ReLU reads before the forward pass ends', async () => {
    registerFastKernels(tf);
    const model = buildXception(MICRO_SEED, tf, { seed: 2 });
    const { x, y } = batch();
    try {
      model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
      const outputs: tf.Tensor[] = [];
      const bns = model.layers.filter((l) => l.name.endsWith('_bn') && !l.name.includes('shortcut'));
      expect(bns.length).toBeGreaterThan(10);
      for (const layer of bns) watch(layer, (output) => outputs.push(output));
      let alive = -1;
      const tensorInfo = (tf.engine() as unknown as { state: { tensorInfo: WeakMap<object, unknown> } }).state
        .tensorInfo;
      watch(model.getLayer('predictions'), () => {
        alive = outputs.filter((t) => !t.isDisposed || tensorInfo.has(t.dataId)).length;
      });
      const loss = (await model.trainOnBatch(x, y)) as number;
      expect(Number.isFinite(loss)).toBe(true);
      expect(outputs).toHaveLength(bns.length);
      expect(alive).toBe(0); // disposed, and their memory with them
    } finally {
      model.dispose();
    }
  });

  it('trains bit for bit as without it', async () => {
    const { x, y } = batch();
    const train = async (): Promise<{ losses: number[]; weights: Float32Array[] }> => {
      const model = buildXception(MICRO_SEED, tf, { seed: 3 });
      try {
        model.compile({ optimizer: tf.train.adam(1e-2), loss: 'categoricalCrossentropy' });
        const losses: number[] = [];
        for (let step = 0; step < 3; step++) losses.push((await model.trainOnBatch(x, y)) as number);
        return { losses, weights: model.getWeights().map((w) => w.dataSync() as Float32Array) };
      } finally {
        model.dispose();
      }
    };
    const kept = await train();
    const restore = patchActivationRelease(tf);
    let released;
    try {
      released = await train();
    } finally {
      restore();
    }
    expect(released.losses).toEqual(kept.losses);
    expect(released.weights).toEqual(kept.weights);
  });
});
