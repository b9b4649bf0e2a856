import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CheckpointKind } from '../contract';
import { LabError, firstLine } from '../errors';
import type { RunRecord } from '../runs/run-record';
import { modelJsonFile } from '../training/checkpoint-io';

/** A checkpoint's epoch (0-based) from the metadata `saveCheckpoint` stores in model.json. */
export async function checkpointEpoch(dir: string, run: RunRecord, kind: CheckpointKind): Promise<number> {
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
