import type { TrainEvent } from '../engine/worker-protocol';
import type { TrainingContext } from './training-context';

/** A run estimated longer than this gets a warning with what to change. */
const longRunSeconds = 3600;

/** Turns the worker's reports on a run into events, metrics.jsonl lines and run.json updates. */
export function onTrainEvent(ctx: TrainingContext, runId: string, event: TrainEvent): void {
  const { runs, emit, inBackground, updated } = ctx;
  switch (event.kind) {
    case 'progress':
      emit('trainProgress', { runId, ...event.progress, epochs: ctx.active?.epochs ?? 0 });
      inBackground(runId, () =>
        runs.appendMetrics(runId, [
          {
            type: 'batch',
            epoch: event.progress.epoch,
            batch: event.progress.batch,
            batches: event.progress.batchesPerEpoch,
            time: new Date().toISOString(),
            loss: event.progress.loss,
            acc: event.progress.acc,
            // For a UI in another process following this run through metrics.jsonl.
            imagesPerSec: event.progress.imagesPerSec,
            etaMs: event.progress.etaMs,
          },
        ]),
      );
      break;
    case 'epoch': {
      // Already committed with the checkpoint: this line is the committed one, written as is.
      const line = { type: 'epoch' as const, ...event.metrics };
      emit('trainEpoch', { runId, metrics: line });
      const summary = {
        epoch: line.epoch,
        loss: line.loss,
        acc: line.acc,
        val_loss: line.val_loss,
        val_acc: line.val_acc,
      };
      const best = event.best;
      const session = ctx.active?.runId === runId ? ctx.active : undefined;
      inBackground(runId, async () => {
        await runs.appendMetrics(runId, [line]);
        const run = await runs.update(runId, () => ({
          epochsDone: line.epoch + 1,
          last: summary,
          ...(best && best.epoch === line.epoch ? { best: summary } : {}),
          ...(session ? { durationMs: session.baseDurationMs + Date.now() - session.startedAt } : {}),
        }));
        if (session) session.record = run;
        updated(run);
      });
      break;
    }
    case 'estimate': {
      const totalSeconds = event.secondsPerEpoch * (ctx.active?.epochs ?? 1);
      const warning =
        totalSeconds > longRunSeconds
          ? `This run will take about ${Math.round(totalSeconds / 60)} minutes on this engine: try the mini preset or a smaller input size.`
          : undefined;
      emit('trainEstimate', {
        runId,
        secondsPerEpoch: event.secondsPerEpoch,
        totalSeconds,
        ...(warning ? { warning } : {}),
      });
      // The live view writes its own line from `trainEstimate`; train.log keeps it for later.
      inBackground(runId, () =>
        runs.appendLog(
          runId,
          `Estimate: about ${Math.ceil(event.secondsPerEpoch)} s per epoch.${warning ? ` ${warning}` : ''}`,
        ),
      );
      break;
    }
    case 'params':
      inBackground(runId, async () => {
        const run = await runs.update(runId, () => ({ params: event.count }));
        if (ctx.active?.runId === runId) ctx.active.record = run;
        updated(run);
      });
      break;
    case 'log':
      emit('trainLog', { runId, level: event.level, message: event.message });
      inBackground(runId, () => runs.appendLog(runId, `[${event.level}] ${event.message}`));
      break;
  }
}
