/**
 * `xlab import-keras DIR`: an exported project trained by train.py (here, on a GPU server, on a
 * cluster) becomes a normal run — config, split, metrics history, best/last checkpoints, engine
 * "keras" with TensorFlow's version and device — that Runs, Compare, Evaluate, Predict and
 * Report handle like any other. Checked first, nothing written on failure: the dataset must be
 * the exported one (fingerprint), and the checkpoints' weights must fit the lab's plan.
 */
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { parseAugmentSettings } from '../dataset/image/augment';
import { indexDataset } from '../dataset/pipeline/dataset-index';
import { saveSplit, type DatasetSplit } from '../dataset/pipeline/split';
import { LabError } from '../errors';
import { validateModelConfig, type ModelConfig } from '../models/model-config';
import { validateTrainingSettings } from '../models/training-settings';
import { planXception } from '../models/xception-plan';
import { buildFromPlan, type Tf } from '../models/xception';
import { writeDirAtomic } from '../runs/checkpoint-dir';
import { committedFile } from '../runs/epoch-commit';
import { readMetrics } from '../runs/metrics-log';
import type { RunRecord } from '../runs/run-record';
import type { RunStore } from '../runs/run-store';
import { labJsonFile, labJsonSchema, splitJsonFile, type LabJson } from './keras-project';

const summarySchema = z.object({
  epoch: z.int().nonnegative(),
  loss: z.number().nullable(),
  acc: z.number().nullable(),
  val_loss: z.number().nullable(),
  val_acc: z.number().nullable(),
});

/** state.json, written by train.py in its output folder. */
export const kerasStateSchema = z.looseObject({
  formatVersion: z.literal(1),
  status: z.enum(['running', 'completed', 'stopped', 'failed']),
  epochs: z.int().positive(),
  epochsDone: z.int().nonnegative(),
  best: summarySchema.nullable().optional(),
  last: summarySchema.nullable().optional(),
  params: z.int().nonnegative().optional(),
  error: z.string().optional(),
  engine: z
    .looseObject({ name: z.string(), version: z.string(), keras: z.string().optional(), device: z.string() })
    .optional(),
});
export type KerasState = z.output<typeof kerasStateSchema>;

export interface ImportOptions {
  /** The project folder (with lab.json). */
  dir: string;
  /** train.py's output folder; default DIR/output. */
  results?: string;
  /** The dataset's folder on this machine, when it is not where it was exported from. */
  dataset?: string;
  tf: Tf;
  versions: Record<string, string>;
}

async function readJson<T>(file: string, schema: z.ZodType<T>, what: string): Promise<T> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new LabError('KERAS_PROJECT_INCOMPLETE', `${file} is missing: ${what}.`);
    throw new LabError('FILE_UNREADABLE', `Cannot read ${file}: ${(error as Error).message}.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new LabError('KERAS_PROJECT_INVALID', `${file} is not valid JSON (${(error as Error).message}).`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new LabError(
      'KERAS_PROJECT_INVALID',
      `${file} has a bad field "${issue?.path.join('.')}": ${issue?.message}.`,
    );
  }
  return parsed.data;
}

/** The weight names and shapes of the lab's model for `config`, in its order. */
export function planWeights(tf: Tf, config: ModelConfig): { name: string; shape: number[] }[] {
  const model = buildFromPlan(planXception(config), tf);
  try {
    return model.weights.map((w) => ({ name: w.originalName ?? w.name, shape: [...w.shape] as number[] }));
  } finally {
    model.dispose();
  }
}

const shapeText = (shape: readonly number[]): string => `[${shape.join(', ')}]`;
const layerOf = (weight: string): string => weight.split('/')[0] ?? weight;

/**
 * Checks a checkpoint folder (model.json + weights.bin) against the plan's weights and
 * returns its files. The error names the first layer that does not fit and both shapes.
 */
export async function checkCheckpoint(
  dir: string,
  expected: readonly { name: string; shape: number[] }[],
): Promise<Record<string, Uint8Array>> {
  let modelJson: {
    weightsManifest?: { paths: string[]; weights: { name: string; shape: number[]; dtype?: string }[] }[];
  };
  let weights: Buffer;
  try {
    modelJson = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    weights = await readFile(join(dir, 'weights.bin'));
  } catch (error) {
    throw new LabError(
      'CHECKPOINT_UNREADABLE',
      `The checkpoint in ${dir} cannot be read (${(error as Error).message}).`,
    );
  }
  const specs = (modelJson.weightsManifest ?? []).flatMap((group) => group.weights);
  const byName = new Map(specs.map((spec) => [spec.name, spec]));
  for (const want of expected) {
    const got = byName.get(want.name);
    if (!got) {
      throw new LabError(
        'WEIGHTS_MISMATCH',
        `The checkpoint in ${dir} does not fit the lab's model: layer ${layerOf(want.name)} has no weight "${want.name}" (the lab's plan expects ${shapeText(want.shape)}).`,
      );
    }
    if (shapeText(got.shape) !== shapeText(want.shape)) {
      throw new LabError(
        'WEIGHTS_MISMATCH',
        `The checkpoint in ${dir} does not fit the lab's model: layer ${layerOf(want.name)} weight "${want.name}" is ${shapeText(got.shape)} in the checkpoint but ${shapeText(want.shape)} in the lab's plan (was model.py's CONFIG changed?).`,
      );
    }
  }
  const planned = new Set(expected.map((w) => w.name));
  const extra = specs.find((spec) => !planned.has(spec.name));
  if (extra) {
    throw new LabError(
      'WEIGHTS_MISMATCH',
      `The checkpoint in ${dir} does not fit the lab's model: it has a weight "${extra.name}" ${shapeText(extra.shape)} that the lab's plan does not have (layer ${layerOf(extra.name)}).`,
    );
  }
  const bytes = specs.reduce((sum, spec) => sum + 4 * spec.shape.reduce((a, b) => a * b, 1), 0);
  if (weights.byteLength !== bytes) {
    throw new LabError(
      'CHECKPOINT_UNREADABLE',
      `${join(dir, 'weights.bin')} holds ${weights.byteLength} bytes but its model.json lists ${bytes}: the checkpoint is damaged.`,
    );
  }
  const files: Record<string, Uint8Array> = {
    'model.json': await readFile(join(dir, 'model.json')),
    'weights.bin': weights,
  };
  // Kept whole: model.keras (Keras' own) and epoch.json (what these weights committed, runs/epoch-commit.ts).
  for (const name of ['model.keras', committedFile]) {
    const data = await readFile(join(dir, name)).catch(() => undefined);
    if (data) files[name] = data;
  }
  return files;
}

const exists = (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );

/** Reads, checks and imports a trained project; returns the new run. */
export async function importKerasProject(runs: RunStore, dataDir: string, options: ImportOptions): Promise<RunRecord> {
  const dir = resolve(options.dir);
  const lab: LabJson = await readJson(
    join(dir, labJsonFile),
    labJsonSchema,
    `${dir} is not a Keras project exported by "xlab export-keras"`,
  );
  const results = resolve(options.results ?? join(dir, 'output'));
  const state = await readJson(
    join(results, 'state.json'),
    kerasStateSchema,
    `the project has no results in ${results}: run "python train.py" first (or pass --results)`,
  );
  if (state.epochsDone === 0) {
    throw new LabError(
      'NO_CHECKPOINT',
      `${results} has no finished epoch yet: train at least one epoch before importing.`,
    );
  }
  const split = (await readJson(
    join(dir, splitJsonFile),
    z.looseObject({ format: z.literal(1) }),
    'the project is incomplete',
  )) as unknown as DatasetSplit;

  const model = validateModelConfig(lab.modelConfig);
  const { augment, ...trainingFields } = lab.training;
  const training = validateTrainingSettings(trainingFields);
  const augmentSettings = lab.augment
    ? parseAugmentSettings(lab.augment)
    : augment
      ? parseAugmentSettings(augment)
      : null;

  // The dataset must be the one exported: the same images, or the split means nothing.
  const datasetPath = resolve(options.dataset ?? lab.dataset.path);
  const index = await indexDataset(datasetPath);
  if (index.fingerprint !== lab.dataset.fingerprint) {
    throw new LabError(
      'DATASET_MISMATCH',
      `The dataset in ${datasetPath} is not the one ${dir} was exported with (fingerprint ${index.fingerprint.slice(0, 12)}…, expected ${lab.dataset.fingerprint.slice(0, 12)}…): pass the right folder with --dataset, or export again.`,
    );
  }

  const expected = planWeights(options.tf, model);
  const last = await checkCheckpoint(join(results, 'checkpoints', 'last'), expected);
  const bestDir = join(results, 'checkpoints', 'best');
  const best = (await exists(bestDir)) ? await checkCheckpoint(bestDir, expected) : undefined;
  const metrics = await readMetrics(join(results, 'metrics.jsonl'));
  const splitKey = await saveSplit(dataDir, split);

  const engine = state.engine ?? { name: 'keras', version: 'unknown', device: 'unknown' };
  const record = await runs.create({
    name: lab.name,
    epochs: state.epochs,
    ...(state.params !== undefined ? { params: state.params } : {}),
    model: { ...lab.model, ...model },
    training: { ...training, augment: augmentSettings },
    dataset: {
      path: index.root,
      fingerprint: index.fingerprint,
      classNames: lab.dataset.classNames,
      split: { ...lab.dataset.split, key: splitKey },
    },
    // Like the tfjs engines' runs: device "gpu" or "cpu"; what train.py saw stays in `devices`.
    engine: {
      ...engine,
      name: 'keras',
      version: engine.version,
      device: /gpu/i.test(engine.device) ? 'gpu' : 'cpu',
      devices: engine.device,
    },
    versions: { ...options.versions, tensorflow: engine.version, ...(engine.keras ? { keras: engine.keras } : {}) },
  });
  const paths = runs.paths(record.id);
  await writeDirAtomic(paths.checkpoints.last, last);
  if (best) await writeDirAtomic(paths.checkpoints.best, best);
  await runs.appendMetrics(record.id, metrics.lines);
  await runs.appendLog(
    record.id,
    `Imported from the Keras project ${dir} (results ${results}): TensorFlow ${engine.version} on ${engine.device}.`,
  );
  if (metrics.damaged.length > 0) {
    await runs.appendLog(
      record.id,
      `[warn] ${metrics.damaged.length} line(s) of ${join(results, 'metrics.jsonl')} could not be read and were left out.`,
    );
  }
  const durationMs = metrics.lines.reduce(
    (sum, line) => sum + (line.type === 'epoch' && typeof line.epochTimeMs === 'number' ? line.epochTimeMs : 0),
    0,
  );
  const status = state.status === 'running' ? 'interrupted' : state.status;
  const endedAt = metrics.lines.at(-1)?.time ?? new Date().toISOString();
  await runs.update(record.id, () => ({
    status,
    epochsDone: state.epochsDone,
    durationMs,
    startedAt: metrics.lines[0]?.time ?? endedAt,
    endedAt,
    ...(state.best ? { best: state.best } : {}),
    ...(state.last ? { last: state.last } : {}),
    ...(state.status === 'failed'
      ? { error: { code: 'KERAS_FAILED', message: state.error ?? 'train.py failed.' } }
      : state.status === 'running'
        ? {
            error: {
              code: 'INTERRUPTED',
              message:
                'train.py stopped without finishing (killed or crashed): run it again to continue, then import again.',
            },
          }
        : {}),
  }));
  // A project whose train.py was killed: its files are brought back to the epoch its checkpoint committed.
  return (await runs.reconcile(record.id)).record;
}
