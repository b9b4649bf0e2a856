/**
 * The Keras bridge end to end on real images (a 3-class slice of the bundled fashion-mini,
 * micro preset at 32 px): `xlab export-keras`, the generated train.py run by Python for two
 * epochs, its metrics and checkpoints in the lab's formats, `xlab import-keras` into a run the
 * lab's own tfjs code loads, and fidelity — for the same weights Keras and tfjs predict the
 * same within 1e-4, and data.py prepares the same pixels as the lab's pipeline. Python is
 * started three times in all (importing TensorFlow takes seconds on a loaded machine).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { copyFile, cp, mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { runCli } from '../../../main/cli/program';
import { decodeImage } from '../../../main/dataset/image/decode';
import { metricsLineSchema } from '../../../main/runs/metrics-log';
import { readCommitted } from '../../../main/runs/epoch-commit';
import { createRunStore } from '../../../main/runs/run-store';
import { disposeLoadedModel, loadCheckpoint } from '../../../main/training/checkpoint-io';
import { createLab } from '../../../main/lab';
import { builtWorkerUrl, repoRoot } from '../../helpers/built';
import { findTestPython, runPython, type TestPython } from '../../helpers/keras-python';

tf.enableProdMode();

const classes = ['Bag', 'Sandal', 'Trouser'];
const experiment = {
  model: { preset: 'micro', inputSize: 32, dropout: 0.2 },
  training: { epochs: 2, batchSize: 8, seed: 7, labelSmoothing: 0.1, classWeights: 'balanced', schedule: 'cosine' },
  augment: { flip: true, rotation: 5, zoom: 0.1 },
};
const perClass = 10;
let env: TestPython = {};
let work: string;
let dataDir: string;
let dataset: string;
let project: string;
let images: string[];

async function xlab(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli([...argv, '--data-dir', dataDir], {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    env: process.env,
    workerUrl: new URL('file:///unused-worker.js'),
  });
  return { code, stdout, stderr };
}

beforeAll(async () => {
  env = await findTestPython();
  if (!env.python) return;
  work = await mkdtemp(join(tmpdir(), 'xlab-keras-bridge-'));
  dataDir = join(work, 'data');
  dataset = join(work, 'fashion-3');
  images = [];
  for (const name of classes) {
    const from = join(repoRoot, 'assets', 'samples', 'fashion-mini', name);
    await mkdir(join(dataset, name), { recursive: true });
    for (const file of (await readdir(from)).sort().slice(0, perClass)) {
      await copyFile(join(from, file), join(dataset, name, file));
      images.push(join(dataset, name, file));
    }
  }
  const config = join(work, 'config.json');
  await writeFile(config, JSON.stringify({ name: 'keras bridge test', ...experiment }));
  project = join(work, 'project');
  const exported = await xlab('export-keras', '--config', config, dataset, '--out', project);
  expect(exported.code, exported.stderr).toBe(0);
  await runPython(env.python, [join(project, 'train.py')], { cwd: project });
}, 900_000);

describe('Keras bridge', { timeout: 600_000 }, () => {
  it('export-keras writes the project and refuses a folder that is not empty', async (ctx) => {
    if (!env.python) return ctx.skip(env.skip);
    expect((await readdir(project)).sort()).toEqual(
      [
        'README.md',
        'data.py',
        'lab.json',
        'lab_files.py',
        'model.py',
        'output',
        'requirements.txt',
        'split.json',
        'tfjs_topology.json',
        'train.py',
      ].sort(),
    );
    const again = await xlab('export-keras', '--config', join(work, 'config.json'), dataset, '--out', project);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/is not empty/);
  });

  it('train.py writes metrics.jsonl in the lab format, checkpoints and state', async (ctx) => {
    if (!env.python) return ctx.skip(env.skip);
    const out = join(project, 'output');
    const lines = (await readFile(join(out, 'metrics.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => metricsLineSchema.parse(JSON.parse(l)));
    const epochs = lines.filter((l) => l.type === 'epoch');
    expect(epochs.map((l) => l.epoch)).toEqual([0, 1]);
    expect(lines.some((l) => l.type === 'batch' && l.batches === Math.ceil(24 / 8))).toBe(true);
    for (const e of epochs) expect(e.loss).toBeGreaterThan(0);
    const state = JSON.parse(await readFile(join(out, 'state.json'), 'utf8'));
    expect(state).toMatchObject({ status: 'completed', epochsDone: 2, engine: { name: 'keras' } });
    for (const kind of ['last', 'best']) {
      expect((await readdir(join(out, 'checkpoints', kind))).sort()).toEqual([
        'epoch.json',
        'model.json',
        'model.keras',
        'weights.bin',
      ]);
    }
    // The commit record of the last epoch, as the lab reads it (runs/epoch-commit.ts).
    expect(await readCommitted(join(out, 'checkpoints', 'last'))).toMatchObject({
      epochsDone: 2,
      history: epochs.map((line) => ({ ...line })),
    });
  });

  it('import-keras makes a normal run the lab loads; same weights predict the same in Keras and tfjs', async (ctx) => {
    if (!env.python) return ctx.skip(env.skip);
    const imported = await xlab('import-keras', project, '--json');
    expect(imported.code, imported.stderr).toBe(0);
    const run = JSON.parse(imported.stdout);
    expect(run).toMatchObject({
      status: 'completed',
      epochsDone: 2,
      epochs: 2,
      engine: { name: 'keras' },
      dataset: { classNames: classes },
    });
    expect(run.engine.version).toMatch(/^2\./);
    const runs = createRunStore(dataDir);
    const metrics = await runs.readMetrics(run.id);
    expect(metrics.lines.filter((l) => l.type === 'epoch')).toHaveLength(2);

    // The lab's inputs for five real images, through its own decode + normalisation.
    const size = 32;
    const picked = images.filter((_, i) => i % 6 === 0).slice(0, 5);
    const pixels = new Float32Array(picked.length * size * size * 3);
    const bytes = new Uint8Array(picked.length * size * size * 3);
    for (const [i, file] of picked.entries()) {
      const rgb = await decodeImage(file, size);
      bytes.set(rgb, i * rgb.length);
      for (let p = 0; p < rgb.length; p++) pixels[i * rgb.length + p] = rgb[p]! / 127.5 - 1;
    }
    await writeFile(join(work, 'inputs.bin'), Buffer.from(pixels.buffer));
    await writeFile(join(work, 'paths.json'), JSON.stringify(picked));

    const model = await loadCheckpoint(tf, runs.paths(run.id).checkpoints.last);
    const lab = (
      model.predict(tf.tensor4d(pixels, [picked.length, size, size, 3])) as tf.Tensor
    ).arraySync() as number[][];
    disposeLoadedModel(model);

    const script = `
import json, sys
import numpy as np
import keras
sys.path.insert(0, sys.argv[1])
import data, lab_files
from model import CONFIG, make_model
n = ${picked.length}
x = np.fromfile(sys.argv[2], dtype="<f4").reshape(n, ${size}, ${size}, 3)
saved = keras.models.load_model(sys.argv[1] + "/output/checkpoints/last/model.keras")
rebuilt = make_model()
lab_files.load_lab_weights(rebuilt, sys.argv[1] + "/output/checkpoints/last")
paths = json.load(open(sys.argv[3]))
images = np.stack([data.load_image(p, ${size}).numpy() for p in paths]).astype(np.uint8)
print("RESULT " + json.dumps({
    "keras": saved.predict(x, verbose=0).tolist(),
    "fromLabWeights": rebuilt.predict(x, verbose=0).tolist(),
    "pixels": images.reshape(-1).tolist(),
}))
`;
    const stdout = await runPython(
      env.python!,
      ['-c', script, project, join(work, 'inputs.bin'), join(work, 'paths.json')],
      { cwd: project },
    );
    const result = JSON.parse(
      stdout
        .split('\n')
        .find((l) => l.startsWith('RESULT '))!
        .slice(7),
    ) as { keras: number[][]; fromLabWeights: number[][]; pixels: number[] };
    const maxDiff = (a: number[][], b: number[][]) =>
      Math.max(...a.flatMap((row, i) => row.map((v, j) => Math.abs(v - b[i]![j]!))));
    expect(maxDiff(result.keras, lab)).toBeLessThan(1e-4);
    expect(maxDiff(result.fromLabWeights, lab)).toBeLessThan(1e-4);
    // data.py: Pillow decode + TensorFlow's half-pixel bilinear enlargement, rounded: the lab's
    // pixels to within one level (float rounding at .5 boundaries).
    const pixelDiff = Math.max(...result.pixels.map((v, i) => Math.abs(v - bytes[i]!)));
    expect(pixelDiff).toBeLessThanOrEqual(1);
  });

  it('import-keras names the first layer whose weights do not fit, and refuses another dataset', async (ctx) => {
    if (!env.python) return ctx.skip(env.skip);
    const copy = join(work, 'project-edited');
    await cp(project, copy, { recursive: true });
    const modelJson = join(copy, 'output', 'checkpoints', 'last', 'model.json');
    const json = JSON.parse(await readFile(modelJson, 'utf8'));
    const spec = json.weightsManifest[0].weights.find(
      (w: { name: string }) => w.name === 'block2_sepconv1/pointwise_kernel',
    );
    spec.shape = [1, 1, 8, 32];
    await writeFile(modelJson, JSON.stringify(json));
    const bad = await xlab('import-keras', copy);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(
      /layer block2_sepconv1 weight "block2_sepconv1\/pointwise_kernel" is \[1, 1, 8, 32\] in the checkpoint but \[1, 1, 8, 16\] in the lab's plan/,
    );

    const other = join(work, 'other-dataset');
    await cp(dataset, other, { recursive: true });
    await copyFile(images[0]!, join(other, classes[1]!, 'extra.png'));
    const moved = await xlab('import-keras', project, '--dataset', other);
    expect(moved.code).toBe(1);
    expect(moved.stderr).toMatch(/is not the one .* was exported with \(fingerprint/);
    const listed = await createRunStore(dataDir).list();
    expect(listed).toHaveLength(1); // only the good import made a run
  });

  it("the lab's engine and Keras give training losses in the same band on the same split and seed", async (ctx) => {
    if (!env.python) return ctx.skip(env.skip);
    const keras = (await readFile(join(project, 'output', 'metrics.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((l) => l.type === 'epoch')
      .map((l) => l.loss as number);
    const lab = await createLab({ dataDir, workerUrl: builtWorkerUrl(), env: { ...process.env, XLAB_BACKEND: 'js' } });
    let js: number[];
    try {
      const started = await lab.startTraining({ dataset, ...experiment, name: 'same experiment, tfjs' });
      await new Promise<void>((resolve) => {
        const off = lab.events.on('runUpdated', (u) => {
          if (u.runId === started.id && u.run && u.run.status !== 'running') {
            off();
            resolve();
          }
        });
      });
      const details = await lab.getRun(started.id);
      expect(details.run.status).toBe('completed');
      expect(details.run.dataset.split.key).toBe(
        JSON.parse(await readFile(join(project, 'lab.json'), 'utf8')).dataset.split.key,
      );
      js = details.metrics.filter((l) => l.type === 'epoch').map((l) => l.loss as number);
    } finally {
      await lab.close();
    }
    // The band: both start at ~ln 3 = 1.10 (three classes; Glorot-uniform weights, a softmax
    // close to uniform) and move by a similar amount in two epochs of three batches. What
    // differs between the engines is randomness — initial weights, batch order, augmentation
    // draws — whose effect on a mean over three batches of 8 is a few tenths of a nat. A
    // tolerance of 0.6 nats, about half of ln 3, passes any seed of either engine but fails an
    // engine that is broken (a wrong loss, labels or normalisation puts the loss at 2+ or NaN).
    expect(js).toHaveLength(2);
    expect(keras).toHaveLength(2);
    for (let epoch = 0; epoch < 2; epoch++) {
      expect(Number.isFinite(js[epoch]!)).toBe(true);
      expect(Math.abs(js[epoch]! - keras[epoch]!)).toBeLessThan(0.6);
      expect(Math.abs(keras[epoch]! - Math.log(3))).toBeLessThan(0.8);
    }
  });
});
