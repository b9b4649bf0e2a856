/**
 * What the parts of the evaluation service share: the options it was made with (no state of
 * their own: each call reads the run and its files afresh), and two small formatting helpers.
 */
import { sep } from 'node:path';
import type { LabEvents } from '../contract';
import type { DatasetIndex } from '../dataset/pipeline/dataset-index';
import type { TrainingWorkerHost } from '../engine/worker-host';
import type { RunStore } from '../runs/run-store';

export interface EvaluationServiceOptions {
  dataDir: string;
  runs: RunStore;
  worker: () => TrainingWorkerHost;
  indexDataset: (path: string) => Promise<DatasetIndex>;
  emit: <E extends keyof LabEvents>(event: E, payload: LabEvents[E]) => void;
  warn: (message: string) => void;
}

export const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;

export const toPosix = (path: string): string => (sep === '/' ? path : path.split(sep).join('/'));
