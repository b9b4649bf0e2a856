/**
 * The commit of an epoch. A run's history is what its `checkpoints/last` folder says: the
 * weights and, beside them in the same folder, `epoch.json` — how many epochs those weights
 * have done and every epoch's metrics line. The folder is replaced by one rename
 * (`writeDirAtomic`), so weights and history are committed together or not at all.
 * metrics.jsonl and run.json are written after the commit and are derived from it: recovery
 * brings them back to the checkpoint (`reconcileRun`), never the reverse.
 *
 * Engine-neutral: the checkpoint files are the trainer's (tfjs Layers here; a Keras process
 * can commit its own files the same way).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { LabError } from '../errors';
import { writeDirAtomic } from './checkpoint-dir';
import { metricsLineSchema, type MetricsLine } from './metrics-log';

export const committedFile = 'epoch.json';

const epochLineSchema = metricsLineSchema.options[0];
export type EpochLine = Extract<MetricsLine, { type: 'epoch' }>;

const bestSchema = z.object({
  epoch: z.int().nonnegative(),
  val_loss: z.number().nullable(),
  val_acc: z.number().nullable(),
});

export const committedSchema = z.object({
  formatVersion: z.literal(1),
  runId: z.string(),
  /** Epochs these weights have done. */
  epochsDone: z.int().nonnegative(),
  /** The metrics line of each of those epochs, in order (history[i].epoch === i). */
  history: z.array(epochLineSchema),
  best: bestSchema.optional(),
  epochsSinceBest: z.int().nonnegative().default(0),
  /** Trainer state that must carry over a resume (e.g. the plateau schedule's counters). */
  trainer: z.record(z.string(), z.unknown()).default({}),
});

export type CommittedEpochs = z.output<typeof committedSchema>;

/** What a checkpoint folder says was committed; `history` is missing for checkpoints older than epoch.json. */
export interface CommittedRead {
  epochsDone: number;
  history?: EpochLine[];
  best?: CommittedEpochs['best'];
  epochsSinceBest?: number;
  trainer?: Record<string, unknown>;
}

/**
 * Commits one epoch: `files` (the checkpoint) and `state` replace `dir` in one atomic step.
 * The history must end with the epoch being committed.
 */
export async function commitEpoch(
  dir: string,
  files: Readonly<Record<string, string | Uint8Array>>,
  state: CommittedEpochs,
): Promise<void> {
  if (state.history.length !== state.epochsDone || state.history.some((line, i) => line.epoch !== i)) {
    throw new LabError(
      'INTERNAL',
      `Refusing to commit ${dir}: its history (${state.history.length} epochs) does not match epochsDone ${state.epochsDone}.`,
    );
  }
  await writeDirAtomic(dir, { ...files, [committedFile]: `${JSON.stringify(state)}\n` });
}

/** The committed state of a checkpoint folder, or undefined when there is no checkpoint. */
export async function readCommitted(dir: string): Promise<CommittedRead | undefined> {
  const text = await readText(join(dir, committedFile));
  if (text !== undefined) {
    const parsed = committedSchema.safeParse(parseJson(text));
    if (!parsed.success) {
      throw new LabError(
        'CHECKPOINT_UNREADABLE',
        `${join(dir, committedFile)} is damaged (${parsed.error.issues[0]?.message ?? 'invalid'}).`,
      );
    }
    return parsed.data;
  }
  // A checkpoint written before epoch.json: model.json's metadata has the epoch count only.
  const model = await readText(join(dir, 'model.json'));
  if (model === undefined) return undefined;
  const meta = (parseJson(model) as { userDefinedMetadata?: { epoch?: unknown } } | undefined)?.userDefinedMetadata;
  return typeof meta?.epoch === 'number' ? { epochsDone: meta.epoch } : undefined;
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
