import type { RunStore } from '../runs/run-store';
import type { EvaluationService } from './evaluation-service';

/**
 * A completed run is evaluated on its validation split at once (best checkpoint, or the last
 * when no epoch was validated). A failure is a warning: the run itself stays completed.
 */
export function autoEvaluate(
  evaluation: EvaluationService,
  runs: RunStore,
  warn: (message: string) => void,
  run: { id: string; status: string; best?: unknown },
): void {
  if (run.status !== 'completed') return;
  const checkpoint = run.best ? 'best' : 'last';
  evaluation.evaluate(run.id, 'val', checkpoint).catch((error: unknown) => {
    const message = `Run ${run.id} completed, but evaluating its ${checkpoint} checkpoint on the validation images failed: ${(error as Error).message}`;
    warn(message);
    void runs.appendLog(run.id, `[warn] ${message}`).catch(() => {});
  });
}
