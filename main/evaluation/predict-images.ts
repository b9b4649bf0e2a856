/**
 * Predicting with a run's checkpoint on files and folders the user picks (or images sent as
 * bytes): folders are expanded as the dataset scan would, and an input that is no image gets
 * its reason instead of failing the others.
 */
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { CheckpointKind, PredictInput, PredictionResult } from '../contract';
import { looksLikeImage } from '../dataset/image/inspect-image';
import { unreadableReason } from '../dataset/image/reasons';
import { DatasetWalker } from '../dataset/scan/walk';
import { LabError } from '../errors';
import { checkpointEpoch } from './checkpoint-epoch';
import type { EvaluationServiceOptions } from './evaluation-context';
import type { PredictSource } from './inference';

/** Images one predict call may cover (folders included): more is a job for an evaluation. */
export const MAX_PREDICT_IMAGES = 2000;

/** Predicts the classes of `inputs` with the run's `checkpoint`, one result per file. */
export async function predictImages(
  options: EvaluationServiceOptions,
  runId: string,
  inputs: PredictInput[],
  checkpoint: CheckpointKind,
): Promise<PredictionResult[]> {
  const { runs } = options;
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
