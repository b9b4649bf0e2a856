import { z } from 'zod';
import type { AugmentSettings } from '../dataset/image/augment-settings';
import type { TrainingSettings } from '../models/training-settings';

/** running → completed | stopped | failed; a run whose process died while running is `interrupted`. */
export const runStatuses = ['running', 'completed', 'stopped', 'interrupted', 'failed'] as const;
export type RunStatus = (typeof runStatuses)[number];

/** An epoch's losses and accuracies (the run's best and last, a comparison curve's points). */
const epochSummary = z.object({
  /** 0-based. */
  epoch: z.int().nonnegative(),
  loss: z.number().nullable(),
  acc: z.number().nullable(),
  val_loss: z.number().nullable(),
  val_acc: z.number().nullable(),
});

/**
 * run.json's `training`: the settings the run was started with, validated then by their own
 * schema (runs from older versions lack newer fields), and the run's augmentation (none: null).
 */
export type RunTraining = Partial<TrainingSettings> & { augment?: AugmentSettings | null };

/**
 * run.json: everything needed to understand, compare and resume a run without its logs.
 * `model` and `training` are kept as given (their own schemas validate them before a run starts,
 * and again on resume), so here only their shape is checked.
 */
export const runRecordSchema = z.object({
  formatVersion: z.literal(1),
  id: z.string(),
  name: z.string(),
  status: z.enum(runStatuses),
  createdAt: z.string(),
  updatedAt: z.string(),
  startedAt: z.string().optional(),
  endedAt: z.string().optional(),
  /** Training time so far, summed over every session of the run (resumes included). */
  durationMs: z.number().nonnegative().default(0),
  epochs: z.int().positive(),
  epochsDone: z.int().nonnegative(),
  params: z.int().nonnegative().optional(),
  /** The model request the run was started with: preset and changed fields. */
  model: z.looseObject({ preset: z.string().optional() }),
  training: z.looseObject({}).pipe(z.custom<RunTraining>()),
  dataset: z.object({
    path: z.string(),
    fingerprint: z.string(),
    /** The classes the model has: those with usable images. */
    classNames: z.array(z.string()),
    split: z.looseObject({ seed: z.int(), key: z.string() }),
    /** Class folders without a usable image, left out of the model (absent in runs from before). */
    excludedClasses: z.array(z.object({ name: z.string(), reason: z.string() })).optional(),
  }),
  engine: z.looseObject({ name: z.string(), device: z.string(), version: z.string() }).optional(),
  versions: z.record(z.string(), z.string()).default({}),
  best: epochSummary.optional(),
  last: epochSummary.optional(),
  /** Why a failed run failed, as the user saw it. */
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});

export type RunRecord = z.output<typeof runRecordSchema>;
export type EpochSummary = z.output<typeof epochSummary>;

/**
 * A sortable, readable, unique id: `20261125-210839-my-run-3f2a`. The name part is ASCII so the
 * folder name works on every file system; the run's real name lives in run.json.
 */
export function makeRunId(now: Date, name: string, random: string): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${now.getUTCFullYear()}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}-${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}`;
  const slug = name
    .normalize('NFKD')
    .replace(/[^\w\s-]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '-')
    .slice(0, 40)
    .replace(/^-|-$/g, '');
  return [stamp, slug, random].filter(Boolean).join('-');
}

/** A run id as it may appear in a path: no separators, no dots. */
export function isRunId(id: string): boolean {
  return /^[0-9]{8}-[0-9]{6}(-[a-z0-9-]+)?$/.test(id);
}
