/**
 * Keras' own Xception (weights=None, every weight drawn from a fixed seed) saved by Keras in
 * both HDF5 layouts, loaded into our builder's model: the same inputs give the same pooled
 * features and class probabilities within 1e-4. No 83 MB download: the files are made here.
 */
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LayersModel, SymbolicTensor } from '@tensorflow/tfjs';
import { loadStartingWeights } from '../../../../main/models/pretrained/load-weights';
import { readWeightsFile } from '../../../../main/models/pretrained/weights-file';
import { resolveModelConfig } from '../../../../main/models/presets';
import { buildXception } from '../../../../main/models/xception';
import { findKerasPython } from './keras-python';

const here = dirname(fileURLToPath(import.meta.url));
const keras = findKerasPython();
if (!keras.python) console.warn(`Skipping the Keras weight-agreement tests: ${keras.reason}.`);

interface Expected {
  size: number;
  inputs: number[];
  features: number[];
  featureCount: number;
  probs: number[];
}

let dir: string;
let expected: Expected;

function model(classes: number): LayersModel {
  return buildXception(resolveModelConfig({ preset: 'xception', inputSize: expected.size, classes }), tf, { seed: 1 });
}

/** The model's output at `layer` for Keras' inputs. */
function outputAt(m: LayersModel, layer: string): Float32Array {
  const probe = tf.model({ inputs: m.inputs, outputs: m.getLayer(layer).output as SymbolicTensor });
  const count = expected.inputs.length / (expected.size * expected.size * 3);
  return tf.tidy(
    () =>
      (
        probe.predict(tf.tensor4d(expected.inputs, [count, expected.size, expected.size, 3])) as tf.Tensor
      ).dataSync() as Float32Array,
  );
}

/** Largest |a − b| between the model's output at `layer` and `want` (Keras'). */
function maxDifference(m: LayersModel, layer: string, want: ArrayLike<number>): number {
  const got = outputAt(m, layer);
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
  return worst;
}

describe.skipIf(!keras.python)('weights from Keras files (Keras-made Xception, both HDF5 layouts)', () => {
  beforeAll(async () => {
    tf.enableProdMode();
    await tf.setBackend('cpu');
    dir = await mkdtemp(join(tmpdir(), 'xlab-keras-weights-'));
    const made = spawnSync(keras.python!, [join(here, 'make_keras_xception.py'), dir], {
      encoding: 'utf8',
      env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' },
      timeout: 600_000,
    });
    if (made.status !== 0) throw new Error(`make_keras_xception.py failed: ${made.stderr}`);
    expected = JSON.parse(await readFile(join(dir, 'expected.json'), 'utf8')) as Expected;
  }, 620_000);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('legacy .h5 ("notop", the layout of Keras\' ImageNet files): pooled features agree within 1e-4; the classifier starts fresh, which is said', async () => {
    const m = model(3);
    const origin = await loadStartingWeights(tf, m, join(dir, 'notop_legacy.h5'));
    expect(origin).toMatchObject({ format: 'keras-h5', known: null });
    expect(origin.notes).toEqual(['The classifier ("predictions") starts from fresh weights: the file has none.']);
    expect(maxDifference(m, 'avg_pool', expected.features)).toBeLessThan(1e-4);
    m.dispose();
  }, 300_000);

  it('Keras 3 .weights.h5: the same features', async () => {
    const m = model(3);
    const origin = await loadStartingWeights(tf, m, join(dir, 'notop.weights.h5'));
    expect(origin.format).toBe('keras3-weights');
    expect(maxDifference(m, 'avg_pool', expected.features)).toBeLessThan(1e-4);
    m.dispose();
  }, 300_000);

  it('with a top: the same class probabilities; at another class count all but the classifier loads, which is said', async () => {
    const five = model(5);
    const origin = await loadStartingWeights(tf, five, join(dir, 'top5_legacy.h5'));
    expect(origin.notes).toEqual([]);
    expect(maxDifference(five, 'predictions', expected.probs)).toBeLessThan(1e-4);
    const base = outputAt(five, 'avg_pool');
    five.dispose();

    const three = model(3);
    const other = await loadStartingWeights(tf, three, join(dir, 'top5_legacy.h5'));
    expect(other.notes).toEqual([
      'The classifier ("predictions") was not loaded: the file\'s is for 5 classes, this model has 3; it starts from fresh weights.',
    ]);
    expect(maxDifference(three, 'avg_pool', base)).toBeLessThan(1e-6); // everything below the classifier loaded
    three.dispose();
  }, 400_000);

  it('a model the weights do not fit: each layer named with the shape expected and the shape found', async () => {
    const mini = buildXception(resolveModelConfig({ preset: 'mini', inputSize: 71, classes: 3 }), tf, { seed: 1 });
    const error = await loadStartingWeights(tf, mini, join(dir, 'notop_legacy.h5')).catch(
      (e: Error & { code?: string }) => e,
    );
    expect(error).toMatchObject({ code: 'WEIGHTS_MISMATCH' });
    expect((error as Error).message).toContain(
      'layer block1_conv1 — kernel: expected [3, 3, 3, 8], found [3, 3, 3, 32]',
    );
    expect((error as Error).message).toMatch(
      /in the file but not in this model: block7_sepconv3 \(\[3, 3, 728, 1\], \[1, 1, 728, 728\]\)/,
    );
    mini.dispose();
  }, 300_000);

  it("a truncated copy is named as such: under Keras' file name by its hash, under any other as unreadable", async () => {
    const whole = await readFile(join(dir, 'notop_legacy.h5'));
    const named = join(dir, 'xception_weights_tf_dim_ordering_tf_kernels_notop.h5');
    await writeFile(named, whole.subarray(0, whole.length >> 1));
    await expect(readWeightsFile(named)).rejects.toMatchObject({
      code: 'WEIGHTS_DAMAGED',
      message: expect.stringMatching(
        /named like Keras' ImageNet Xception weights but its content differs .*expected b0042744bf5b25fce3cb969f33bebb97.*truncated.*storage\.googleapis\.com/,
      ),
    });
    const other = join(dir, 'mine.h5');
    await copyFile(named, other);
    await expect(readWeightsFile(other)).rejects.toMatchObject({
      code: 'WEIGHTS_UNREADABLE',
      message: expect.stringContaining('may be truncated or damaged'),
    });
    await writeFile(join(dir, 'text.h5'), 'not hdf5');
    await expect(readWeightsFile(join(dir, 'text.h5'))).rejects.toMatchObject({ code: 'WEIGHTS_NOT_HDF5' });
  }, 60_000);
});
