/**
 * Evaluating a run: its checkpoint on the exact images of one split of its dataset (checked
 * against the dataset as it is now), scored (`metrics.ts`) and stored as eval.json.
 */
import { relative } from 'node:path';
import type { CheckpointKind, EvalPrediction, EvalResult, EvalSplit } from '../contract';
import { changesSince } from '../dataset/dataset-changes';
import { type DatasetIndex, indexForClasses } from '../dataset/pipeline/dataset-index';
import { loadSplit, prepareSplit, splitImages, type DatasetSplit } from '../dataset/pipeline/split';
import { LabError, firstLine } from '../errors';
import type { RunRecord } from '../runs/run-record';
import { checkpointEpoch } from './checkpoint-epoch';
import { pct, toPosix, type EvaluationServiceOptions } from './evaluation-context';
import { writeEvaluation } from './eval-store';
import { scoreImages } from './metrics';

/** The run's stored split, checked against the dataset as it is now. */
async function splitOf(
  options: EvaluationServiceOptions,
  run: RunRecord,
): Promise<{ index: DatasetIndex; split: DatasetSplit }> {
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

/** Evaluates the run's `checkpoint` on its `splitName` images and stores the result. */
export async function evaluateRun(
  options: EvaluationServiceOptions,
  runId: string,
  splitName: EvalSplit,
  checkpoint: CheckpointKind,
): Promise<EvalResult> {
  const { runs, emit, warn } = options;
  const started = Date.now();
  const run = await runs.get(runId);
  if (run.status === 'running') {
    throw new LabError('BUSY', `Run ${runId} is training: evaluate it once it has finished or been stopped.`);
  }
  const checkpointDir = runs.paths(runId).checkpoints[checkpoint];
  const epoch = await checkpointEpoch(checkpointDir, run, checkpoint);
  const { index, split } = await splitOf(options, run);
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
