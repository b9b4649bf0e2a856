/**
 * Evaluation, prediction and model export on the main thread's side: finds a run's checkpoint
 * and the exact images of its split, asks the training worker for the tensor work
 * (`inference.ts`), computes the metrics (`metrics.ts`) and stores eval.json (`eval-store.ts`).
 * It never does tensor math, and never writes into the dataset or over an existing file.
 * Its parts: evaluate-run.ts, predict-images.ts, export-model.ts and run-images.ts.
 */
import type {
  CheckpointKind,
  EvalResult,
  EvalSplit,
  ExportedFiles,
  PredictInput,
  PredictionResult,
  Thumbnail,
} from '../contract';
import { evaluateRun } from './evaluate-run';
import type { EvaluationServiceOptions } from './evaluation-context';
import { readEvaluations } from './eval-store';
import { exportModel } from './export-model';
import { predictImages } from './predict-images';
import { runImages } from './run-images';

export type { EvaluationServiceOptions } from './evaluation-context';

export interface EvaluationService {
  evaluate(runId: string, split: EvalSplit, checkpoint: CheckpointKind): Promise<EvalResult>;
  list(runId: string): Promise<EvalResult[]>;
  images(runId: string, paths: string[]): Promise<Thumbnail[]>;
  predict(runId: string, inputs: PredictInput[], checkpoint: CheckpointKind): Promise<PredictionResult[]>;
  exportModel(runId: string, checkpoint: CheckpointKind, folder: string): Promise<ExportedFiles>;
  /** Resolves once every evaluation started so far has ended (successfully or not). */
  idle(): Promise<void>;
}

export function createEvaluationService(options: EvaluationServiceOptions): EvaluationService {
  const { runs, warn } = options;
  const inFlight = new Map<string, Promise<EvalResult>>();

  return {
    evaluate(runId, split, checkpoint) {
      const key = `${runId}/${split}/${checkpoint}`;
      const running = inFlight.get(key);
      if (running) return running;
      const work = evaluateRun(options, runId, split, checkpoint).finally(() => inFlight.delete(key));
      inFlight.set(key, work);
      return work;
    },

    async list(runId) {
      await runs.get(runId);
      const read = await readEvaluations(runs.paths(runId).dir);
      if (read.warning) warn(read.warning);
      return read.results;
    },

    images: (runId, paths) => runImages(options, runId, paths),
    predict: (runId, inputs, checkpoint) => predictImages(options, runId, inputs, checkpoint),
    exportModel: (runId, checkpoint, folder) => exportModel(options, runId, checkpoint, folder),

    async idle() {
      await Promise.allSettled([...inFlight.values()]);
    },
  };
}
