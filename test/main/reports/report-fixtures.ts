/**
 * Runs for report tests, written with the real run store (run.json + metrics.jsonl), no training:
 * the lecture's "Custom V3" (seed preset, 100 classes: 21,066,380 parameters) and a mini run.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppInfo, AugmentSettings, EvalResult } from '../../../main/contract';
import { resolveModelConfig } from '../../../main/models/presets';
import { validateTrainingSettings } from '../../../main/models/training-settings';
import { createRunStore, type RunStore } from '../../../main/runs/run-store';
import type { RunRecord } from '../../../main/runs/run-record';

export const xssName = '<img src=x onerror=alert(1)>';
export const fingerprint = 'a'.repeat(64);

export interface EpochValues {
  loss: number;
  acc: number;
  val_loss: number;
  val_acc: number;
  /** With two-phase fine-tuning. */
  phase?: 1 | 2;
}

export interface FixtureRun {
  name: string;
  preset: string;
  classes: string[];
  epochs: EpochValues[];
  totalEpochs?: number;
  status?: RunRecord['status'];
  params?: number;
  fingerprint?: string;
  splitSeed?: number;
  engine?: { name: string; device: string; version: string };
  training?: Record<string, unknown>;
  model?: Record<string, unknown>;
  augment?: AugmentSettings | null;
}

export const app: AppInfo = {
  name: 'Xception Lab',
  version: '0.1.0',
  dataDir: '/data',
  platform: 'linux',
  arch: 'x64',
  versions: { node: '20.0.0' },
};

export async function tempDataDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'xlab-reports-'));
}

/** Creates a run as training would leave it; returns its id. */
export async function writeRun(store: RunStore, dataDir: string, spec: FixtureRun): Promise<string> {
  const model = {
    preset: spec.preset,
    ...resolveModelConfig({ preset: spec.preset, classes: spec.classes.length, ...spec.model }),
  };
  const training = validateTrainingSettings({ epochs: spec.totalEpochs ?? spec.epochs.length, ...spec.training });
  const seed = spec.splitSeed ?? 42;
  const record = await store.create({
    name: spec.name,
    epochs: training.epochs,
    model,
    training: { ...training, augment: spec.augment ?? null },
    dataset: {
      path: '/datasets/flowers',
      fingerprint: spec.fingerprint ?? fingerprint,
      classNames: spec.classes,
      split: {
        seed,
        key: join(dataDir, 'splits', `${spec.fingerprint ?? fingerprint}-${seed}-val0.2-test0.json`),
        fractions: { val: 0.2, test: 0 },
        source: 'seeded',
        counts: spec.classes.map((className, i) => ({ className, train: 8 + i, val: 2, test: 0 })),
      },
    },
    engine: { backend: 'cpu', ...(spec.engine ?? { name: 'tfjs-node', device: 'cpu', version: '4.22.0' }) },
    versions: { app: '0.1.0', node: '20.0.0' },
    ...(spec.params !== undefined ? { params: spec.params } : {}),
  });
  await store.appendMetrics(
    record.id,
    spec.epochs.map((e, epoch) => ({
      type: 'epoch' as const,
      epoch,
      time: `2026-01-01T00:0${epoch}:00.000Z`,
      ...e,
      imagesPerSec: 100 + epoch * 10,
      epochTimeMs: 1000,
    })),
  );
  const last = spec.epochs.length - 1;
  await store.update(record.id, () => ({
    status: spec.status ?? 'completed',
    epochsDone: spec.epochs.length,
    durationMs: 65_000,
    ...(last >= 0 ? { last: { epoch: last, ...spec.epochs[last]! } } : {}),
  }));
  return record.id;
}

/** An evaluation as the evaluation service stores it. */
export function fakeEvaluation(runId: string, classNames: string[], confusion: number[][]): EvalResult {
  return {
    runId,
    split: 'val',
    checkpoint: 'best',
    epoch: 1,
    createdAt: '2026-01-01T01:00:00.000Z',
    durationMs: 1200,
    classNames,
    images: confusion.flat().reduce((a, b) => a + b, 0),
    skipped: [],
    loss: 0.5,
    top1: 0.75,
    top5: 1,
    confusion,
    perClass: classNames.map((name, i) => ({
      name,
      precision: 0.75,
      recall: 0.5 + i * 0.1,
      f1: 0.6,
      support: confusion[i]!.reduce((a, b) => a + b, 0),
    })),
    macro: { precision: 0.75, recall: 0.55, f1: 0.6 },
    weighted: { precision: 0.75, recall: 0.55, f1: 0.6 },
    predictions: [],
    dataset: { path: '/datasets/flowers', fingerprint, splitKey: 'k' },
    engine: { name: 'tfjs-node', device: 'cpu', version: '4.22.0' },
  };
}

export { createRunStore };
