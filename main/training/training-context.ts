/**
 * What the parts of the training service share: its options, the run training in this app,
 * and one ordered writer for the run files.
 */
import type { LabEvents } from '../contract';
import type { DatasetIndex } from '../dataset/pipeline/dataset-index';
import type { TrainingWorkerHost } from '../engine/worker-host';
import type { RunRecord } from '../runs/run-record';
import type { RunStore } from '../runs/run-store';

export interface TrainingServiceOptions {
  dataDir: string;
  runs: RunStore;
  worker: () => TrainingWorkerHost;
  indexDataset: (path: string) => Promise<DatasetIndex>;
  emit: <E extends keyof LabEvents>(event: E, payload: LabEvents[E]) => void;
  versions: Record<string, string>;
  /** Called once a run has ended (any status) and its run.json is final, e.g. to evaluate it. */
  onFinished?: (run: RunRecord) => void;
}

/** The run training in this app: what its session needs to record durations and progress. */
export interface ActiveRun {
  runId: string;
  done: Promise<void>;
  startedAt: number;
  /** Training time of the run's earlier sessions. */
  baseDurationMs: number;
  epochs: number;
  /** The record as last written (or meant to be), for when run.json cannot be written. */
  record: RunRecord;
  /** Checks for a stop asked by another process (a UI showing this run). */
  stopPoll?: NodeJS.Timeout;
}

export interface TrainingContext {
  readonly options: TrainingServiceOptions;
  readonly runs: RunStore;
  readonly emit: TrainingServiceOptions['emit'];
  /** The run training in this app, if any. */
  active: ActiveRun | undefined;
  /** One writer per run file: `work` runs after everything queued before it, in order. */
  serial<T>(work: () => Promise<T>): Promise<T>;
  /**
   * Recording that can wait (metrics lines, run.json progress, train.log): in order, and a
   * failure (a full disk) is one warning in the run's log, never an unhandled rejection. What
   * it would have recorded is rebuilt from the checkpoint when the run ends.
   */
  inBackground(runId: string, work: () => Promise<unknown>): void;
  /** Tells the front ends a run's record changed. */
  updated(run: RunRecord): void;
}

export function createTrainingContext(options: TrainingServiceOptions): TrainingContext {
  const { runs, emit } = options;
  // One writer per run file: events are applied in order.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => {});
    return next;
  };
  const warned = new Set<string>();
  return {
    options,
    runs,
    emit,
    active: undefined,
    serial,
    inBackground(runId, work) {
      serial(work).catch((error: unknown) => {
        const message = `Could not record the run's progress: ${(error as Error).message}`;
        if (warned.has(`${runId}:${message}`)) return;
        warned.add(`${runId}:${message}`);
        emit('trainLog', { runId, level: 'warn', message });
      });
    },
    updated: (run) => emit('runUpdated', { runId: run.id, run }),
  };
}
