/**
 * The worker's side of evaluation, run here in-process on the pure-JS engine: a micro model
 * saved as a real checkpoint (with optimizer state), evaluated, asked to predict, exported.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  evaluateCheckpoint,
  exportCheckpoint,
  predictWithCheckpoint,
  topClasses,
} from '../../../main/evaluation/inference';
import { resolveModelConfig } from '../../../main/models/presets';
import { buildXception } from '../../../main/models/xception';
import { saveCheckpoint } from '../../../main/training/checkpoint-io';
import { learnableDataset } from '../training/learnable-dataset';

let dir: string;
let data: Awaited<ReturnType<typeof learnableDataset>>;
const checkpoint = () => join(dir, 'ckpt');

beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'xlab-inference-'));
  data = await learnableDataset({ classes: 3, perClass: 3, size: 16 });
  const model = buildXception(resolveModelConfig({ preset: 'micro', classes: 3, inputSize: 24 }), tf, { seed: 3 });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
  // One step, so the optimizer has state that the checkpoint carries (and the export must not).
  const xs = tf.randomNormal([2, 24, 24, 3]);
  const ys = tf.oneHot(tf.tensor1d([0, 2], 'int32'), 3);
  await model.fit(xs, ys, { epochs: 1, verbose: 0 });
  await saveCheckpoint(tf, model, checkpoint(), { epoch: 1 });
  tf.dispose([xs, ys]);
  model.dispose();
});

describe('topClasses', () => {
  it('ranks the k most probable, ties to the lower class, fewer when there are fewer classes', () => {
    const probs = new Float32Array([0.1, 0.3, 0.3, 0.05, 0.25, 0.0, 0.6, 0.4]);
    expect(topClasses(probs, 0, 6, 3)).toEqual([
      { label: 1, prob: expect.closeTo(0.3, 6) },
      { label: 2, prob: expect.closeTo(0.3, 6) },
      { label: 4, prob: expect.closeTo(0.25, 6) },
    ]);
    expect(topClasses(probs, 3, 2, 5).map((t) => t.label)).toEqual([0, 1]);
  });
});

describe('evaluate / predict / export a checkpoint', () => {
  it('evaluates every readable image in order, skips a damaged one with its reason, and leaks no tensor', async () => {
    const broken = join(dir, 'class_1', 'broken.png');
    await mkdir(join(dir, 'class_1'), { recursive: true });
    await writeFile(broken, (await readFile(data.images[0]!.path)).subarray(0, 40));
    const images = [
      ...data.images.slice(0, 4),
      { path: broken, label: 1, className: 'class_1' },
      ...data.images.slice(4),
    ];
    const before = tf.memory().numTensors;
    const answer = await evaluateCheckpoint(tf, { checkpointDir: checkpoint(), images, classNames: data.classNames });
    expect(tf.memory().numTensors).toBe(before);
    expect(answer.inputSize).toBe(24);
    expect(answer.images.map((i) => i.path)).toEqual(data.images.map((i) => i.path));
    expect(answer.skipped).toEqual([{ path: broken, reason: expect.stringContaining('Cannot') }]);
    for (const image of answer.images) {
      expect(image.top).toHaveLength(3);
      expect(image.top[0]!.prob).toBeGreaterThanOrEqual(image.top[1]!.prob);
      expect(image.top.reduce((s, t) => s + t.prob, 0)).toBeCloseTo(1, 5);
      expect(image.trueProb).toBe(image.top.find((t) => t.label === image.label)!.prob);
    }
  });

  it('predicts files and bytes like the evaluation sees them; a non-image gets its reason, the others still predict', async () => {
    const evaluated = await evaluateCheckpoint(tf, {
      checkpointDir: checkpoint(),
      images: data.images.slice(0, 2),
      classNames: data.classNames,
    });
    const notes = join(dir, 'notes.txt');
    await writeFile(notes, 'not a picture');
    const before = tf.memory().numTensors;
    const answers = await predictWithCheckpoint(tf, {
      checkpointDir: checkpoint(),
      classCount: 3,
      inputs: [
        { file: 'a', path: data.images[0]!.path },
        { file: 'notes', path: notes },
        { file: 'b', bytes: await readFile(data.images[1]!.path) },
        { file: 'gone', path: join(dir, 'missing.png') },
        { file: 'empty', bytes: new Uint8Array(0) },
      ],
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(answers.map((a) => ('error' in a ? a.error : 'ok'))).toEqual([
      'ok',
      'not an image',
      'ok',
      'file not found',
      'empty file',
    ]);
    for (const i of [0, 2]) {
      const answer = answers[i] as { top: { label: number; prob: number }[]; thumbnail: string };
      const expected = evaluated.images[i === 0 ? 0 : 1]!.top;
      expect(answer.top.map((t) => t.label)).toEqual(expected.map((t) => t.label));
      answer.top.forEach((t, k) => expect(t.prob).toBeCloseTo(expected[k]!.prob, 6));
      expect(answer.thumbnail).toMatch(/^data:image\/png;base64,/);
    }
  });

  it('exports model.json + weights.bin without optimizer state; the export reloads and predicts the same', async () => {
    const out = join(dir, 'export');
    await mkdir(out);
    const before = tf.memory().numTensors;
    const exported = await exportCheckpoint(tf, { checkpointDir: checkpoint(), outDir: out, metadata: { runId: 'r' } });
    expect(tf.memory().numTensors).toBe(before);
    expect(exported.files).toEqual([join(out, 'model.json'), join(out, 'weights.bin')]);
    const groups = (file: string) =>
      readFile(file, 'utf8').then((t) =>
        (JSON.parse(t) as tf.io.ModelJSON).weightsManifest[0]!.weights.map((w) => w.group ?? 'model'),
      );
    expect(await groups(join(checkpoint(), 'model.json'))).toContain('optimizer');
    expect(await groups(join(out, 'model.json'))).not.toContain('optimizer');
    const modelJson = JSON.parse(await readFile(join(out, 'model.json'), 'utf8')) as tf.io.ModelJSON;
    expect(modelJson.userDefinedMetadata).toEqual({ runId: 'r' });
    const weights = await readFile(join(out, 'weights.bin'));
    expect(weights.byteLength).toBe(exported.weightBytes);

    const reloaded = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: modelJson.modelTopology,
        weightSpecs: modelJson.weightsManifest[0]!.weights,
        weightData: new Uint8Array(weights).buffer,
      }),
    );
    const { loadCheckpoint } = await import('../../../main/training/checkpoint-io');
    const original = await loadCheckpoint(tf, checkpoint());
    const x = tf.randomUniform([3, 24, 24, 3], -1, 1, 'float32', 5);
    const a = (reloaded.predict(x) as tf.Tensor).arraySync() as number[][];
    const b = (original.predict(x) as tf.Tensor).arraySync() as number[][];
    a.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(b[i]![j]!, 6)));
    // Never over an existing file.
    await expect(
      exportCheckpoint(tf, { checkpointDir: checkpoint(), outDir: out, metadata: {} }),
    ).rejects.toMatchObject({ code: 'EXPORT_UNWRITABLE' });
    tf.dispose([x]);
    reloaded.dispose();
    original.dispose();
  });
});
