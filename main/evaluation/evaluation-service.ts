/**
 * Evaluation, prediction and model export on the main thread's side: finds a run's checkpoint
 * and the exact images of its split, asks the training worker for the tensor work
 * (`inference.ts`), computes the metrics (`metrics.ts`) and stores eval.json (`eval-store.ts`).
 * It never does tensor math, and never writes into the dataset or over an existing file.
 */
import { readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type {
  CheckpointKind,
  EvalPrediction,
  EvalResult,
  EvalSplit,
  ExportedFiles,
  LabEvents,
  PredictInput,
  PredictionResult,
  Thumbnail,
} from '../contract';
import { type DatasetIndex, indexForClasses } from '../dataset/pipeline/dataset-index';
import { requireAbsolute, thumbnailDataUrl } from '../dataset/dataset-service';
import { DEFAULT_FIT } from '../dataset/image/decode';
import { looksLikeImage } from '../dataset/image/inspect-image';
import { unreadableReason } from '../dataset/image/reasons';
import { loadSplit, prepareSplit, splitImages, type DatasetSplit } from '../dataset/pipeline/split';
import { DatasetWalker } from '../dataset/scan/walk';
import type { TrainingWorkerHost } from '../engine/worker-host';
import type { PredictSource } from './inference';
import type { RunStore } from '../runs/run-store';
import type { RunRecord } from '../runs/run-record';
import { changesSince } from '../dataset/dataset-changes';
import { LabError, firstLine } from '../errors';
import { claimNewFolder, safeFileName } from '../fs/export-files';
import { modelJsonFile } from '../training/checkpoint-io';
import { readEvaluations, writeEvaluation } from './eval-store';
import { scoreImages } from './metrics';

export interface EvaluationServiceOptions {
  dataDir: string;
  runs: RunStore;
  worker: () => TrainingWorkerHost;
  indexDataset: (path: string) => Promise<DatasetIndex>;
  emit: <E extends keyof LabEvents>(event: E, payload: LabEvents[E]) => void;
  warn: (message: string) => void;
}

export interface EvaluationService {
  evaluate(runId: string, split: EvalSplit, checkpoint: CheckpointKind): Promise<EvalResult>;
  list(runId: string): Promise<EvalResult[]>;
  images(runId: string, paths: string[]): Promise<Thumbnail[]>;
  predict(runId: string, inputs: PredictInput[], checkpoint: CheckpointKind): Promise<PredictionResult[]>;
  exportModel(runId: string, checkpoint: CheckpointKind, folder: string): Promise<ExportedFiles>;
  /** Resolves once every evaluation started so far has ended (successfully or not). */
  idle(): Promise<void>;
}

/** Images one predict call may cover (folders included): more is a job for an evaluation. */
export const MAX_PREDICT_IMAGES = 2000;
const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;

/** A checkpoint's epoch (0-based) from the metadata `saveCheckpoint` stores in model.json. */
async function checkpointEpoch(dir: string, run: RunRecord, kind: CheckpointKind): Promise<number> {
  let text: string;
  try {
    text = await readFile(join(dir, modelJsonFile), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new LabError(
        'CHECKPOINT_UNREADABLE',
        `The ${kind} checkpoint of run ${run.id} cannot be read (${firstLine(error)}): check ${dir}.`,
      );
    }
    throw new LabError(
      'NO_CHECKPOINT',
      kind === 'best'
        ? `Run ${run.id} has no best checkpoint yet: it is saved at the end of the first epoch with a validation loss. Train or resume the run, or use the last checkpoint.`
        : `Run ${run.id} has no checkpoint yet: it is saved at the end of every epoch. Train or resume the run past its first epoch.`,
    );
  }
  let meta: { epoch?: unknown; partial?: unknown } = {};
  try {
    meta = ((JSON.parse(text) as { userDefinedMetadata?: typeof meta }).userDefinedMetadata ?? {}) as typeof meta;
  } catch {
    throw new LabError(
      'CHECKPOINT_UNREADABLE',
      `The ${kind} checkpoint of run ${run.id} is damaged (${join(dir, modelJsonFile)} is not valid JSON).`,
    );
  }
  // `epoch` counts the epochs done; a partial save (a stop mid-epoch) is inside the next one.
  if (typeof meta.epoch === 'number') return Math.max(0, meta.partial ? meta.epoch : meta.epoch - 1);
  return (kind === 'best' ? run.best?.epoch : run.last?.epoch) ?? 0;
}

const toPosix = (path: string): string => (sep === '/' ? path : path.split(sep).join('/'));

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

export function createEvaluationService(options: EvaluationServiceOptions): EvaluationService {
  const { runs, emit, warn } = options;
  const inFlight = new Map<string, Promise<EvalResult>>();

  /** The run's stored split, checked against the dataset as it is now. */
  async function splitOf(run: RunRecord): Promise<{ index: DatasetIndex; split: DatasetSplit }> {
    const { path, fingerprint } = run.dataset;
    let index: DatasetIndex;
    try {
      const scanned = await options.indexDataset(path);
      // Older runs kept an empty class folder as a class: label the images by the run's own list.
      index = indexForClasses(scanned, run.dataset.classNames) ?? scanned;
    } catch (error) {
      const code = error instanceof LabError ? error.code : 'DATASET_UNREADABLE';
      throw new LabError(code, `Cannot read the dataset of run ${run.id}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const changed = async (): Promise<LabError> => {
      const what = await changesSince(
        options.dataDir,
        { fingerprint, splitKey: run.dataset.split.key },
        index.files ?? [],
      );
      return new LabError(
        'DATASET_CHANGED',
        `The images in ${path} changed since run ${run.id} trained (${what}), so its split cannot be rebuilt as it was: restore the folder, or train a new run on the current images.`,
      );
    };
    if (index.fingerprint !== fingerprint) throw await changed();
    let split = await loadSplit(run.dataset.split.key);
    if (!split) {
      // The split file was deleted: the same dataset, seed and fractions draw the same split again.
      const training = run.training as { valFraction?: unknown; testFraction?: unknown };
      ({ split } = await prepareSplit(options.dataDir, {
        root: index.root,
        images: index.images,
        classNames: index.classNames,
        fingerprint: index.fingerprint,
        seed: run.dataset.split.seed,
        ...(typeof training.valFraction === 'number' ? { val: training.valFraction } : {}),
        ...(typeof training.testFraction === 'number' ? { test: training.testFraction } : {}),
      }));
    }
    if (split.fingerprint !== fingerprint) throw await changed();
    const names = run.dataset.classNames;
    if (split.classNames.length !== names.length || split.classNames.some((name, i) => name !== names[i])) {
      throw new LabError(
        'SPLIT_MISMATCH',
        `The split ${run.dataset.split.key} lists other classes than run ${run.id} trained on: it cannot be evaluated on it.`,
      );
    }
    return { index, split };
  }

  async function runEvaluation(runId: string, splitName: EvalSplit, checkpoint: CheckpointKind): Promise<EvalResult> {
    const started = Date.now();
    const run = await runs.get(runId);
    if (run.status === 'running') {
      throw new LabError('BUSY', `Run ${runId} is training: evaluate it once it has finished or been stopped.`);
    }
    const checkpointDir = runs.paths(runId).checkpoints[checkpoint];
    const epoch = await checkpointEpoch(checkpointDir, run, checkpoint);
    const { index, split } = await splitOf(run);
    const entries = split[splitName];
    if (entries.length === 0) {
      throw new LabError(
        splitName === 'test' ? 'NO_TEST_SPLIT' : 'NO_VAL_SPLIT',
        splitName === 'test'
          ? `Run ${runId} has no test split: set a test fraction when training (or add a test folder to the dataset).`
          : `Run ${runId} has no validation images to evaluate on.`,
      );
    }
    const images = splitImages(split, index.root)[splitName];
    const relOf = new Map(images.map((image, i) => [image.path, entries[i]!.path]));
    const classNames = run.dataset.classNames;
    const worker = options.worker();
    const answer = await worker.request({
      kind: 'evaluate',
      checkpointDir,
      images,
      classNames,
      dataDir: options.dataDir,
    });
    const skipped = answer.skipped.map((s) => ({
      path: relOf.get(s.path) ?? toPosix(relative(index.root, s.path)),
      reason: s.reason,
    }));
    if (answer.images.length === 0) {
      throw new LabError(
        'NOTHING_EVALUATED',
        `None of the ${images.length} ${splitName} images of run ${runId} could be read (${skipped[0]?.reason ?? 'unknown'}): scan ${run.dataset.path} to see its problems.`,
      );
    }
    const scores = scoreImages(
      answer.images.map((image) => ({
        label: image.label,
        top: image.top.map((t) => t.label),
        trueProb: image.trueProb,
      })),
      classNames,
    );
    const predictions: EvalPrediction[] = answer.images.map((image) => ({
      path: relOf.get(image.path) ?? toPosix(relative(index.root, image.path)),
      label: image.label,
      predicted: image.top[0]!.label,
      confidence: image.top[0]!.prob,
      top: image.top,
    }));
    const engine = await worker.engine;
    const result: EvalResult = {
      runId,
      split: splitName,
      checkpoint,
      epoch,
      createdAt: new Date().toISOString(),
      durationMs: Date.now() - started,
      classNames: [...classNames],
      images: answer.images.length,
      skipped,
      loss: scores.loss,
      top1: scores.top1,
      top5: scores.top5,
      confusion: scores.confusion,
      perClass: scores.perClass,
      macro: scores.macro,
      weighted: scores.weighted,
      predictions,
      dataset: { path: run.dataset.path, fingerprint: run.dataset.fingerprint, splitKey: run.dataset.split.key },
      engine: { name: engine.name, device: engine.device, version: engine.version },
    };
    const { dir } = runs.paths(runId);
    const written = await writeEvaluation(dir, result);
    if (written.warning) warn(written.warning);
    const line = `Evaluated ${checkpoint} checkpoint (epoch ${epoch + 1}) on ${splitName}: top-1 ${pct(result.top1)}, top-5 ${pct(result.top5)}, loss ${result.loss.toFixed(4)} (${result.images} images${skipped.length ? `, ${skipped.length} unreadable skipped` : ''}).`;
    await runs
      .appendLog(runId, line)
      .catch((error: unknown) => warn(`Cannot write to the log of run ${runId}: ${firstLine(error)}`));
    emit('trainLog', { runId, level: 'info', message: line });
    emit('evalUpdated', { runId, split: splitName, checkpoint, top1: result.top1 });
    return result;
  }

  /** Files and folders (expanded) to predict; inputs that are no file get their reason. */
  async function expand(inputs: PredictInput[]): Promise<(PredictSource | { file: string; error: string })[]> {
    const out: (PredictSource | { file: string; error: string })[] = [];
    for (const input of inputs) {
      if ('base64' in input) {
        out.push({ file: input.name, bytes: Buffer.from(input.base64, 'base64') });
        continue;
      }
      const { path } = input;
      if (!isAbsolute(path)) {
        out.push({ file: path, error: 'not an absolute path' });
        continue;
      }
      let info;
      try {
        info = await stat(path);
      } catch (error) {
        out.push({
          file: path,
          error: (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : unreadableReason(error),
        });
        continue;
      }
      if (!info.isDirectory()) {
        out.push({ file: path, path });
      } else {
        let found: string[];
        try {
          found = await imagesIn(path);
        } catch (error) {
          out.push({ file: path, error: unreadableReason(error) });
          continue;
        }
        if (found.length === 0) out.push({ file: path, error: 'no images in this folder' });
        for (const file of found) out.push({ file, path: file });
      }
      if (out.length > MAX_PREDICT_IMAGES) {
        throw new LabError(
          'TOO_MANY_IMAGES',
          `Predict takes at most ${MAX_PREDICT_IMAGES} images at a time (${path} brings it over): pick fewer files, or evaluate the run on a split.`,
        );
      }
    }
    return out;
  }

  /** The image files below `folder`, skipping hidden and system files as the dataset scan does. */
  async function imagesIn(folder: string): Promise<string[]> {
    const real = await realpath(folder);
    const walker = new DatasetWalker(real);
    const files = await walker.walk([{ dir: { rel: '', real, link: false }, owner: null }]);
    const images: string[] = [];
    for (const { file } of files.sort((a, b) => (a.file.rel < b.file.rel ? -1 : a.file.rel > b.file.rel ? 1 : 0))) {
      if (await looksLikeImage(file.real)) images.push(join(folder, ...file.rel.split('/')));
      if (images.length > MAX_PREDICT_IMAGES) break;
    }
    return images;
  }

  return {
    evaluate(runId, split, checkpoint) {
      const key = `${runId}/${split}/${checkpoint}`;
      const running = inFlight.get(key);
      if (running) return running;
      const work = runEvaluation(runId, split, checkpoint).finally(() => inFlight.delete(key));
      inFlight.set(key, work);
      return work;
    },

    async list(runId) {
      await runs.get(runId);
      const read = await readEvaluations(runs.paths(runId).dir);
      if (read.warning) warn(read.warning);
      return read.results;
    },

    async images(runId, paths) {
      const run = await runs.get(runId);
      const root = run.dataset.path;
      let rootReal: string;
      try {
        rootReal = await realpath(root);
      } catch (error) {
        throw new LabError(
          'DATASET_UNREADABLE',
          `The dataset folder ${root} of run ${runId} cannot be read (${firstLine(error)}).`,
        );
      }
      const targets = paths.map((rel) => {
        const absolute = resolve(root, rel);
        if (isAbsolute(rel) || rel.includes('\0') || !inside(resolve(root), absolute)) {
          throw new LabError(
            'BAD_PATH',
            `"${rel}" is not a path inside the dataset folder ${root}: give paths relative to it.`,
          );
        }
        return { rel, absolute };
      });
      const thumbnails = await Promise.all(
        targets.map(async ({ rel, absolute }): Promise<Thumbnail | undefined> => {
          const real = await realpath(absolute).catch(() => undefined);
          // A symbolic link leading out of the dataset is not followed (as in the scan).
          if (!real || !inside(rootReal, real)) return undefined;
          const dataUrl = await thumbnailDataUrl(real);
          return dataUrl ? { path: toPosix(rel), dataUrl } : undefined;
        }),
      );
      return thumbnails.filter((t): t is Thumbnail => t !== undefined);
    },

    async predict(runId, inputs, checkpoint) {
      const run = await runs.get(runId);
      const checkpointDir = runs.paths(runId).checkpoints[checkpoint];
      await checkpointEpoch(checkpointDir, run, checkpoint);
      const expanded = await expand(inputs);
      const sources = expanded.filter((item): item is PredictSource => !('error' in item));
      const classNames = run.dataset.classNames;
      const answers =
        sources.length > 0
          ? await options
              .worker()
              .request({ kind: 'predict', checkpointDir, inputs: sources, classCount: classNames.length })
          : [];
      let next = 0;
      return expanded.map((item): PredictionResult => {
        if ('error' in item) return { file: item.file, error: item.error };
        const answer = answers[next++]!;
        if ('error' in answer) return { file: item.file, error: answer.error };
        return {
          file: item.file,
          top: answer.top.map((t) => ({ label: classNames[t.label] ?? String(t.label), prob: t.prob })),
          thumbnail: answer.thumbnail,
        };
      });
    },

    async exportModel(runId, checkpoint, folder) {
      requireAbsolute(folder, 'folder (where to export)');
      const run = await runs.get(runId);
      const checkpointDir = runs.paths(runId).checkpoints[checkpoint];
      const epoch = await checkpointEpoch(checkpointDir, run, checkpoint);
      const outDir = await claimNewFolder(
        folder,
        safeFileName(`${run.name} - ${checkpoint} checkpoint`, `${runId}-${checkpoint}`),
      );
      try {
        const written = await options.worker().request({
          kind: 'exportModel',
          checkpointDir,
          outDir,
          metadata: { runId, runName: run.name, checkpoint, epoch, normalisation: 'xception', fit: DEFAULT_FIT },
        });
        const labels = join(outDir, 'labels.json');
        const readme = join(outDir, 'README.md');
        await writeFile(labels, `${JSON.stringify(run.dataset.classNames, null, 2)}\n`, { flag: 'wx' });
        await writeFile(readme, modelReadme(run, checkpoint, epoch, written.inputSize, outDir), { flag: 'wx' });
        return { files: [...written.files, labels, readme] };
      } catch (error) {
        // The folder was made for this export a moment ago: nothing of the user's is in it.
        await rm(outDir, { recursive: true, force: true }).catch(() => {});
        if (error instanceof LabError) throw error;
        throw new LabError(
          'EXPORT_UNWRITABLE',
          `Cannot write the model into ${outDir}: ${firstLine(error)}. Choose another folder.`,
          { cause: error },
        );
      }
    },

    async idle() {
      await Promise.allSettled([...inFlight.values()]);
    },
  };
}

/** The exported model's README: what it is, what input it expects, how to load and convert it. */
export function modelReadme(
  run: RunRecord,
  checkpoint: CheckpointKind,
  epoch: number,
  inputSize: number,
  outDir: string,
): string {
  const classes = run.dataset.classNames;
  const summary = checkpoint === 'best' ? run.best : run.last;
  const valAcc = summary?.val_acc != null ? `, validation accuracy ${pct(summary.val_acc)}` : '';
  const url = pathToFileURL(join(outDir, 'model.json')).href;
  const s = inputSize;
  return `# ${run.name}: ${checkpoint} checkpoint

Exported by Xception Lab from run \`${run.id}\`: the ${checkpoint} checkpoint, epoch ${epoch + 1} of ${run.epochsDone}${valAcc}.

| File | What it is |
| --- | --- |
| \`model.json\` + \`weights.bin\` | The model in TensorFlow.js Layers format (weights only, no optimizer state). |
| \`labels.json\` | The ${classes.length} class names: output \`i\` of the model is the probability of \`labels[i]\`. |

## Input and output

- Input: a float32 tensor \`[batch, ${s}, ${s}, 3]\`, RGB.
- Resize the whole image to ${s}×${s} pixels, stretching it (no crop, as Keras' \`image_dataset_from_directory\` does); put transparent images on white.
- Normalise every channel value \`v\` (0–255) to \`v / 127.5 − 1\`, i.e. the range −1…1: Keras' \`xception.preprocess_input\` (mode "tf").
- Output: \`[batch, ${classes.length}]\` softmax probabilities, in the order of \`labels.json\`.

## Load it with TensorFlow.js

In Node.js (\`npm install @tensorflow/tfjs-node\`):

\`\`\`js
import * as tf from '@tensorflow/tfjs-node';
import { readFileSync } from 'node:fs';

const model = await tf.loadLayersModel('${url}');
const labels = JSON.parse(readFileSync(new URL('labels.json', '${url}'), 'utf8'));
// Bilinear with half-pixel centres, as the lab resized (it shrinks large images with antialiasing first).
const input = tf.tidy(() =>
  tf.image.resizeBilinear(tf.node.decodeImage(readFileSync('photo.jpg'), 3), [${s}, ${s}], false, true).div(127.5).sub(1).expandDims(0),
);
const probs = await model.predict(input).data();
console.log(labels[probs.indexOf(Math.max(...probs))]);
\`\`\`

In a browser, serve this folder with any web server and load it by URL:

\`\`\`js
const model = await tf.loadLayersModel('https://example.com/${encodeURIComponent(outDir.split(/[\\/]/).pop() ?? 'model')}/model.json');
const input = tf.tidy(() => tf.image.resizeBilinear(tf.browser.fromPixels(imageElement), [${s}, ${s}], false, true).div(127.5).sub(1).expandDims(0));
\`\`\`

## Convert it to Keras

\`\`\`sh
pip install tensorflowjs
tensorflowjs_converter --input_format tfjs_layers_model --output_format keras model.json model.h5
\`\`\`

Then in Python, \`keras.models.load_model("model.h5")\`, and prepare images with
\`keras.applications.xception.preprocess_input\` at ${s}×${s} pixels. The model comes without
an optimizer: to train it further, \`model.compile(optimizer="adam", loss="categorical_crossentropy",
metrics=["accuracy"])\` first (predicting needs no compile).
`;
}
