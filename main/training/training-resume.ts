import type { RunInfo } from '../contract';
import { parseAugmentSettings } from '../dataset/image/augment';
import { changesSince } from '../dataset/dataset-changes';
import { LabError } from '../errors';
import { validateModelConfig } from '../models/model-config';
import { validateTrainingSettings } from '../models/training-settings';
import type { EpochLine } from '../runs/epoch-commit';
import type { TrainingContext } from './training-context';
import { launch } from './training-session';
import { prepareDataset } from './training-start';

/** Resumes a run whose lock this process holds: from exactly where its committed history ends. */
export async function resumeLocked(ctx: TrainingContext, runId: string): Promise<RunInfo> {
  const { options, runs } = ctx;
  const { record, reconciled } = await runs.reconcile(runId);
  const { committed, epochsDone } = reconciled;
  if (record.status === 'completed') {
    throw new LabError(
      'RUN_COMPLETE',
      `Run ${runId} has done all its ${record.epochs} epochs: start a new run to train longer.`,
    );
  }
  const { augment, ...training } = record.training;
  const settings = validateTrainingSettings(training);
  const { index, split, images } = await prepareDataset(ctx, record.dataset.path, settings, record.dataset.classNames);
  if (index.fingerprint !== record.dataset.fingerprint || split.seed !== record.dataset.split.seed) {
    const what = await changesSince(
      options.dataDir,
      { fingerprint: record.dataset.fingerprint, splitKey: record.dataset.split.key },
      index.files ?? [],
    );
    throw new LabError(
      'DATASET_CHANGED',
      `The images in ${record.dataset.path} changed since run ${runId} started (${what}), so it cannot resume on the same split: start a new run.`,
    );
  }
  const model = validateModelConfig(
    Object.fromEntries(Object.entries(record.model).filter(([key]) => key !== 'preset')),
  );
  // What the checkpoint committed; a checkpoint older than epoch.json falls back on run.json and metrics.jsonl.
  const best =
    committed?.best ??
    (record.best
      ? { epoch: record.best.epoch, val_loss: record.best.val_loss, val_acc: record.best.val_acc }
      : undefined);
  const history =
    committed?.history ??
    (await runs.readMetrics(runId)).lines.filter(
      (line): line is EpochLine => line.type === 'epoch' && line.epoch < epochsDone,
    );
  return launch(ctx, record, {
    runId,
    dataDir: options.dataDir,
    checkpoints: runs.paths(runId).checkpoints,
    classNames: record.dataset.classNames,
    train: images.train,
    val: images.val,
    model,
    settings,
    augment: augment ? parseAugmentSettings(augment) : null,
    initialEpoch: epochsDone,
    ...(best ? { best } : {}),
    epochsSinceBest: committed?.epochsSinceBest ?? (best ? epochsDone - 1 - best.epoch : 0),
    history,
    ...(committed?.trainer ? { trainerState: committed.trainer } : {}),
  });
}
