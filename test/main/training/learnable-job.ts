/** Training jobs on the learnable dataset, and trainings that never overlap, for the trainer's tests. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelConfig } from '../../../main/models/model-config';
import { validateTrainingSettings } from '../../../main/models/training-settings';
import { train, type EpochMetrics, type TrainJob, type TrainProgress } from '../../../main/training/trainer';
import type { learnableDataset } from './learnable-dataset';

type Learnable = Awaited<ReturnType<typeof learnableDataset>>;

/**
 * A job on `data` split 3:1 (every fourth image validates) in a fresh data folder: 2 epochs of
 * batch 9 at 0.01, seed 7, unless `settings` says otherwise.
 */
export async function learnableJob(
  data: Learnable,
  model: ModelConfig,
  settings: Record<string, unknown>,
  overrides: Partial<TrainJob> = {},
): Promise<TrainJob> {
  const dataDir = await mkdtemp(join(tmpdir(), 'xlab-train-'));
  return {
    runId: 'test',
    dataDir,
    checkpoints: { last: join(dataDir, 'ckpt', 'last'), best: join(dataDir, 'ckpt', 'best') },
    classNames: data.classNames,
    train: data.images.filter((_, i) => i % 4 !== 0),
    val: data.images.filter((_, i) => i % 4 === 0),
    model,
    settings: validateTrainingSettings({ epochs: 2, batchSize: 9, learningRate: 0.01, seed: 7, ...settings }),
    augment: null,
    initialEpoch: 0,
    ...overrides,
  };
}

/**
 * `train`, remembering the training a test started. A test that times out does not stop its
 * training: it goes on in the background and disposes its model when it ends. Awaiting
 * `settled()` before each test keeps one slow or failed test from tearing tfjs state out from
 * under the next one.
 */
export function trainInSeries(): { train: typeof train; settled: () => Promise<unknown> } {
  let inFlight: Promise<unknown> = Promise.resolve();
  return {
    train: (...args) => {
      const running = train(...args);
      inFlight = running.catch(() => {});
      return running;
    },
    settled: () => inFlight,
  };
}

/**
 * A reporter that records what the trainer reports: epochs, progress, log messages and the
 * last estimate. With `control`, it requests a stop once epoch `stopAfterEpoch` (1-based) ends.
 */
export function recorder(stopAfterEpoch?: number, control?: { stopRequested: boolean }) {
  const epochs: EpochMetrics[] = [];
  const progress: TrainProgress[] = [];
  const logs: string[] = [];
  let estimate: number | undefined;
  return {
    epochs,
    progress,
    logs,
    get estimate() {
      return estimate;
    },
    reporter: {
      progress: (p: TrainProgress) => progress.push(p),
      epoch: (m: EpochMetrics) => {
        epochs.push(m);
        if (control && m.epoch + 1 === stopAfterEpoch) control.stopRequested = true;
      },
      estimate: (s: number) => (estimate = s),
      log: (_level: string, message: string) => logs.push(message),
      params: () => {},
    },
  };
}
