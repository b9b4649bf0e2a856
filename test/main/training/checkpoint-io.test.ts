import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCheckpoint, saveCheckpoint } from '../../../main/training/checkpoint-io';

describe('checkpoints', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('round-trip weights and optimizer state, and saving leaks no tensor', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3], activation: 'softmax' })] });
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
    const x = tf.randomNormal([8, 3]);
    const y = tf.tensor2d([1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1], [8, 2]);
    await model.fit(x, y, { epochs: 2, verbose: 0 });
    const dir = join(await mkdtemp(join(tmpdir(), 'xlab-ckpt-io-')), 'last');
    await saveCheckpoint(tf, model, dir);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await saveCheckpoint(tf, model, dir);
    expect(tf.memory().numTensors).toBe(before);
    const loaded = await loadCheckpoint(tf, dir);
    expect(Array.from((loaded.predict(x) as tf.Tensor).dataSync())).toEqual(
      Array.from((model.predict(x) as tf.Tensor).dataSync()),
    );
    expect((await loaded.optimizer.getWeights()).length).toBe((await model.optimizer.getWeights()).length);
  });
});
