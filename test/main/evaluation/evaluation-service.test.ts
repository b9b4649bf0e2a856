/**
 * The evaluation service against a real run folder, dataset, split and checkpoint, with the
 * worker's tensor work (`inference.ts`) run in-process on the pure-JS engine.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EvalResult, LabEvents } from '../../../main/contract';
import { indexDataset } from '../../../main/dataset/pipeline/dataset-index';
import { prepareSplit } from '../../../main/dataset/pipeline/split';
import { saveManifest } from '../../../main/dataset/dataset-changes';
import type { TrainingWorkerHost } from '../../../main/engine/worker-host';
import type { WorkerRequest } from '../../../main/engine/worker-protocol';
import { createEvaluationService } from '../../../main/evaluation/evaluation-service';
import { evaluateCheckpoint, exportCheckpoint, predictWithCheckpoint } from '../../../main/evaluation/inference';
import { resolveModelConfig } from '../../../main/models/presets';
import { buildXception } from '../../../main/models/xception';
import { createRunStore } from '../../../main/runs/run-store';
import { loadCheckpoint, saveCheckpoint } from '../../../main/training/checkpoint-io';
import { put } from '../dataset/fixtures';
import { learnableDataset } from '../training/learnable-dataset';

/** The worker's requests, answered here. */
function inProcessWorker(requests: string[]): TrainingWorkerHost {
  return {
    engine: Promise.resolve({ name: 'tfjs', device: 'cpu', reason: 'test', backend: 'cpu', version: tf.version_core }),
    async request(request: WorkerRequest) {
      requests.push(request.kind);
      if (request.kind === 'evaluate') return evaluateCheckpoint(tf, request);
      if (request.kind === 'predict') return predictWithCheckpoint(tf, request);
      if (request.kind === 'exportModel') return exportCheckpoint(tf, request);
      throw new Error(`unexpected ${request.kind}`);
    },
    stopTraining() {},
    exited: false,
    terminate: async () => {},
  } as unknown as TrainingWorkerHost;
}

async function setup(options: { testFraction?: number } = {}) {
  const dataDir = await mkdtemp(join(tmpdir(), 'xlab-eval-service-'));
  const data = await learnableDataset({ classes: 3, perClass: 5, size: 16 });
  const index = await indexDataset(data.root);
  // As the training service does when a run starts: keep the images behind the fingerprint.
  await saveManifest(dataDir, index.fingerprint, index.files!);
  const training = { seed: 7, valFraction: 0.4, testFraction: options.testFraction ?? 0 };
  const { split, file } = await prepareSplit(dataDir, {
    root: index.root,
    images: index.images,
    classNames: index.classNames,
    fingerprint: index.fingerprint,
    seed: training.seed,
    val: training.valFraction,
    test: training.testFraction,
  });
  const runs = createRunStore(dataDir);
  const config = resolveModelConfig({ preset: 'micro', classes: 3, inputSize: 24 });
  const created = await runs.create({
    name: 'micro on colours',
    epochs: 1,
    model: { preset: 'micro', ...config },
    training,
    dataset: {
      path: index.root,
      fingerprint: index.fingerprint,
      classNames: index.classNames,
      split: { seed: training.seed, key: file },
    },
  });
  const summary = { epoch: 0, loss: 1, acc: 0.5, val_loss: 1, val_acc: 0.5 };
  const run = await runs.update(created.id, () => ({
    status: 'completed',
    epochsDone: 1,
    best: summary,
    last: summary,
  }));
  const model = buildXception(config, tf, { seed: 1 });
  model.compile({ optimizer: tf.train.adam(0.001), loss: 'categoricalCrossentropy' });
  await saveCheckpoint(tf, model, runs.paths(run.id).checkpoints.best, { epoch: 1, runId: run.id });
  model.dispose();
  const events: { event: keyof LabEvents; payload: unknown }[] = [];
  const warnings: string[] = [];
  const requests: string[] = [];
  const service = createEvaluationService({
    dataDir,
    runs,
    worker: () => inProcessWorker(requests),
    indexDataset,
    emit: (event, payload) => events.push({ event, payload }),
    warn: (message) => warnings.push(message),
  });
  return { dataDir, data, run, runs, split, service, events, warnings, requests };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('evaluation service', () => {
  it('evaluates the best checkpoint on the exact val split, stores eval.json, logs and announces it', async () => {
    const { run, runs, split, service, events } = await setup();
    const before = tf.memory().numTensors;
    const result = await service.evaluate(run.id, 'val', 'best');
    expect(tf.memory().numTensors).toBe(before);
    expect(result).toMatchObject({
      runId: run.id,
      split: 'val',
      checkpoint: 'best',
      epoch: 0,
      classNames: ['class_0', 'class_1', 'class_2'],
      images: split.val.length,
      skipped: [],
    });
    expect(split.val.length).toBe(6);
    expect(result.confusion.flat().reduce((a, b) => a + b, 0)).toBe(split.val.length);
    expect(result.perClass.map((c) => c.support)).toEqual([2, 2, 2]);
    expect(result.predictions.map((p) => p.path).sort()).toEqual(split.val.map((e) => e.path).sort());
    for (const p of result.predictions) {
      expect(p.predicted).toBe(p.top[0]!.label);
      expect(p.confidence).toBe(p.top[0]!.prob);
      expect(p.label).toBe(split.val.find((e) => e.path === p.path)!.label);
    }
    expect(result.top1).toBe(result.predictions.filter((p) => p.label === p.predicted).length / 6);
    expect(result.top5).toBe(1); // 3 classes: the true one is always among the top 5
    expect(Number.isFinite(result.loss)).toBe(true);
    expect(result.dataset).toEqual({
      path: run.dataset.path,
      fingerprint: run.dataset.fingerprint,
      splitKey: run.dataset.split.key,
    });

    const stored = JSON.parse(await readFile(join(runs.paths(run.id).dir, 'eval.json'), 'utf8')) as {
      results: EvalResult[];
    };
    expect(stored.results).toEqual([result]);
    expect(await service.list(run.id)).toEqual([result]);
    expect(events.find((e) => e.event === 'evalUpdated')?.payload).toEqual({
      runId: run.id,
      split: 'val',
      checkpoint: 'best',
      top1: result.top1,
    });
    expect((await runs.readLog(run.id, 5)).at(-1)).toMatch(
      /Evaluated best checkpoint \(epoch 1\) on val: top-1 \d+\.\d%, top-5 100\.0%, loss \d+\.\d{4} \(6 images\)\./,
    );
  });

  it('runs one evaluation for concurrent calls with the same split and checkpoint', async () => {
    const { run, service, requests } = await setup();
    const [a, b] = await Promise.all([
      service.evaluate(run.id, 'val', 'best'),
      service.evaluate(run.id, 'val', 'best'),
    ]);
    expect(a).toBe(b);
    expect(requests).toEqual(['evaluate']);
    await service.idle();
  });

  it('explains what is missing: a test split, a checkpoint, an unchanged dataset', async () => {
    const { run, service, data } = await setup();
    await expect(service.evaluate(run.id, 'test', 'best')).rejects.toMatchObject({
      code: 'NO_TEST_SPLIT',
      message: expect.stringContaining('set a test fraction when training'),
    });
    await expect(service.evaluate(run.id, 'val', 'last')).rejects.toMatchObject({
      code: 'NO_CHECKPOINT',
      message: expect.stringContaining(run.id),
    });
    await expect(service.predict(run.id, [{ path: data.images[0]!.path }], 'last')).rejects.toMatchObject({
      code: 'NO_CHECKPOINT',
    });
    await put(join(data.root, 'class_0', 'new.png'), await readFile(data.images[0]!.path));
    await put(join(data.root, 'class_1', '2.png'), await readFile(data.images[0]!.path));
    await expect(service.evaluate(run.id, 'val', 'best')).rejects.toMatchObject({
      code: 'DATASET_CHANGED',
      message: expect.stringContaining(
        `The images in ${run.dataset.path} changed since run ${run.id} trained (1 added (class_0/new.png); 1 edited (class_1/2.png))`,
      ),
    });
    expect(await service.list(run.id)).toEqual([]);
  });

  it('evaluates the test split when the run has one, rebuilding a deleted split file identically', async () => {
    const { run, split, service } = await setup({ testFraction: 0.2 });
    await rm(run.dataset.split.key);
    const result = await service.evaluate(run.id, 'test', 'best');
    expect(result.images).toBe(split.test.length);
    expect(result.predictions.map((p) => p.path).sort()).toEqual(split.test.map((e) => e.path).sort());
  });

  it('predicts files, folders and dropped bytes; a non-image is a per-file error', async () => {
    const { run, data, service } = await setup();
    const folder = await mkdtemp(join(tmpdir(), 'xlab-predict-'));
    await put(join(folder, 'a.png'), await readFile(data.images[0]!.path));
    await put(join(folder, 'sub', 'b.png'), await readFile(data.images[6]!.path));
    await put(join(folder, 'sub', '.hidden.png'), await readFile(data.images[6]!.path));
    await put(join(folder, 'readme.txt'), 'words');
    const notes = await put(join(folder, 'notes.txt'), 'not an image');
    const results = await service.predict(
      run.id,
      [
        { path: data.images[0]!.path },
        { path: notes },
        { path: folder },
        { name: 'dropped.png', base64: (await readFile(data.images[12]!.path)).toString('base64') },
        { path: 'relative.png' },
      ],
      'best',
    );
    expect(results.map((r) => [r.file, r.error ?? 'ok'])).toEqual([
      [data.images[0]!.path, 'ok'],
      [notes, 'not an image'],
      [join(folder, 'a.png'), 'ok'],
      [join(folder, 'sub', 'b.png'), 'ok'],
      ['dropped.png', 'ok'],
      ['relative.png', 'not an absolute path'],
    ]);
    const first = results[0]!;
    expect(first.top!.map((t) => t.label).sort()).toEqual(['class_0', 'class_1', 'class_2']);
    expect(first.top!.reduce((s, t) => s + t.prob, 0)).toBeCloseTo(1, 5);
    expect(first.thumbnail).toMatch(/^data:image\/png;base64,/);
    expect(results[2]!.top).toEqual(first.top); // the same image, copied into the folder
  });

  it("gives thumbnails of the run's dataset images and refuses paths leaving its folder", async () => {
    const { run, service, data } = await setup();
    const outside = await mkdtemp(join(tmpdir(), 'xlab-outside-'));
    await put(join(outside, 'secret.png'), await readFile(data.images[0]!.path));
    await symlink(join(outside, 'secret.png'), join(data.root, 'class_0', 'link.png'));
    const thumbs = await service.images(run.id, ['class_0/0.png', 'class_1/missing.png', 'class_0/link.png']);
    expect(thumbs.map((t) => t.path)).toEqual(['class_0/0.png']);
    expect(thumbs[0]!.dataUrl).toMatch(/^data:image\/png;base64,/);
    for (const bad of ['../secret.png', 'class_0/../../x.png', join(outside, 'secret.png')]) {
      await expect(service.images(run.id, [bad])).rejects.toMatchObject({ code: 'BAD_PATH' });
    }
  });

  it('exports the model, labels and a README into a new folder, never reusing one; the model reloads and predicts the same', async () => {
    const { run, runs, service, data } = await setup();
    const target = await mkdtemp(join(tmpdir(), 'xlab-export-'));
    const first = await service.exportModel(run.id, 'best', target);
    const second = await service.exportModel(run.id, 'best', target);
    expect((await readdir(target)).sort()).toEqual([
      'micro on colours - best checkpoint',
      'micro on colours - best checkpoint (2)',
    ]);
    const folder = join(target, 'micro on colours - best checkpoint');
    expect(first.files).toEqual(['model.json', 'weights.bin', 'labels.json', 'README.md'].map((f) => join(folder, f)));
    expect(second.files[0]).toContain('(2)');
    expect(JSON.parse(await readFile(join(folder, 'labels.json'), 'utf8'))).toEqual(data.classNames);
    const readme = await readFile(join(folder, 'README.md'), 'utf8');
    expect(readme).toContain('[batch, 24, 24, 3]');
    expect(readme).toContain('v / 127.5 − 1');
    expect(readme).toContain(
      `tf.loadLayersModel('file://${folder.split('/').map(encodeURIComponent).join('/')}/model.json')`,
    );
    expect(readme).toContain(
      'tensorflowjs_converter --input_format tfjs_layers_model --output_format keras model.json model.h5',
    );

    const modelJson = JSON.parse(await readFile(first.files[0]!, 'utf8')) as tf.io.ModelJSON;
    expect(modelJson.weightsManifest[0]!.weights.some((w) => w.group === 'optimizer')).toBe(false);
    expect(modelJson.userDefinedMetadata).toMatchObject({
      runId: run.id,
      checkpoint: 'best',
      epoch: 0,
      normalisation: 'xception',
    });
    const weights = await readFile(first.files[1]!);
    const exported = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: modelJson.modelTopology,
        weightSpecs: modelJson.weightsManifest[0]!.weights,
        weightData: new Uint8Array(weights).buffer,
      }),
    );
    const original = await loadCheckpoint(tf, runs.paths(run.id).checkpoints.best);
    const x = tf.randomUniform([2, 24, 24, 3], -1, 1, 'float32', 11);
    const a = (exported.predict(x) as tf.Tensor).arraySync() as number[][];
    const b = (original.predict(x) as tf.Tensor).arraySync() as number[][];
    a.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(b[i]![j]!, 6)));
    tf.dispose(x);
    exported.dispose();
    original.optimizer.dispose();
    original.dispose();

    await expect(service.exportModel(run.id, 'last', target)).rejects.toMatchObject({ code: 'NO_CHECKPOINT' });
    expect(await readdir(target)).toHaveLength(2);
    await writeFile(join(target, 'file'), '');
    await expect(service.exportModel(run.id, 'best', join(target, 'file'))).rejects.toMatchObject({
      code: 'EXPORT_UNWRITABLE',
    });
  });
});
