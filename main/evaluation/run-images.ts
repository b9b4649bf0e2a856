import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import type { Thumbnail } from '../contract';
import { thumbnailDataUrl } from '../dataset/dataset-service';
import { LabError, firstLine } from '../errors';
import { toPosix, type EvaluationServiceOptions } from './evaluation-context';

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/** Thumbnails of images of the run's dataset (paths relative to it), e.g. an evaluation's mistakes. */
export async function runImages(
  options: EvaluationServiceOptions,
  runId: string,
  paths: string[],
): Promise<Thumbnail[]> {
  const { runs } = options;
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
}
