/**
 * One training session of a run: recorded as running, handed to the training worker (whose
 * reports on it go to `onTrainEvent`), and recorded with its outcome when it ends.
 */
import type { RunInfo } from '../contract';
import { toWireError, type LabError } from '../errors';
import { runRecordSchema, type RunRecord } from '../runs/run-record';
import type { ActiveRun, TrainingContext } from './training-context';
import { onTrainEvent } from './training-events';
import type { TrainJob, TrainOutcome } from './trainer';

/** How often the trainer's process looks for a stop request from another process. */
const stopPollMs = 1000;

/** Starts training `record` (its lock held) as the app's active run; resolves once it is recorded as running. */
export async function launch(ctx: TrainingContext, record: RunRecord, job: TrainJob): Promise<RunInfo> {
  const { options, runs, emit, serial, updated } = ctx;
  const startedAt = Date.now();
  const session: ActiveRun = {
    runId: record.id,
    done: Promise.resolve(),
    startedAt,
    baseDurationMs: record.durationMs,
    epochs: job.settings.epochs,
    record,
  };
  ctx.active = session;
  let running: RunRecord;
  try {
    running = await runs.update(record.id, () => ({
      status: 'running',
      startedAt: new Date(startedAt).toISOString(),
      endedAt: undefined,
      error: undefined,
    }));
  } catch (error) {
    ctx.active = undefined;
    await runs.unlock(record.id).catch(() => {});
    throw error;
  }
  session.record = running;
  updated(running);
  // A stop asked before this session began is not for it.
  await runs.takeStopRequest(record.id);
  session.stopPoll = setInterval(() => {
    void runs.takeStopRequest(record.id).then((asked) => {
      if (!asked || ctx.active !== session) return;
      emit('trainLog', {
        runId: record.id,
        level: 'info',
        message: 'Stop requested from another window or process.',
      });
      options.worker().stopTraining(record.id);
    });
  }, stopPollMs);
  session.stopPoll.unref();
  const started = `Training started: epochs ${job.initialEpoch + 1}–${job.settings.epochs}, ${job.train.length} training and ${job.val.length} validation images.`;
  emit('trainLog', { runId: record.id, level: 'info', message: started });
  session.done = serial(() => runs.appendLog(record.id, started))
    .catch(() => {})
    .then(() => {
      // The worker that trains the run reports on it until the request is answered.
      const host = options.worker();
      const stopListening = host.on('trainEvent', ({ runId, event }) => onTrainEvent(ctx, runId, event));
      return host.request({ kind: 'train', job }).finally(stopListening);
    })
    .then(
      (outcome) => serial(() => finish(ctx, session, outcome)),
      (error: unknown) =>
        serial(() =>
          finish(ctx, session, {
            status: 'failed',
            epochsDone: job.initialEpoch,
            epochsSinceBest: 0,
            error: {
              ...toWireError(error),
              code: (error as LabError).code === 'ENGINE_FAILED' ? 'INTERRUPTED' : toWireError(error).code,
            },
          }),
        ),
    )
    .finally(() => {
      clearInterval(session.stopPoll);
      if (ctx.active === session) ctx.active = undefined;
    });
  return running;
}

/**
 * The run has ended: run.json and metrics.jsonl are reconciled to the last committed
 * checkpoint and get the final status and training time; the lock is released. When run.json
 * cannot be written (a full disk), the outcome is still reported from memory and the run is
 * left for the next start to recover from its checkpoint.
 */
async function finish(ctx: TrainingContext, session: ActiveRun, outcome: TrainOutcome): Promise<void> {
  const { options, runs, emit, updated } = ctx;
  const { runId } = session;
  const interrupted = outcome.error?.code === 'INTERRUPTED';
  const final: Partial<RunRecord> = {
    status: interrupted ? 'interrupted' : outcome.status,
    endedAt: new Date().toISOString(),
    durationMs: session.baseDurationMs + (Date.now() - session.startedAt),
    ...(outcome.error
      ? {
          error: interrupted
            ? {
                code: 'INTERRUPTED',
                message:
                  'The training worker stopped while this run was training. Resume it to continue from its last checkpoint.',
              }
            : outcome.error,
        }
      : {}),
  };
  let run: RunRecord;
  try {
    run = (await runs.reconcile(runId, () => final)).record;
  } catch (error) {
    const wire = outcome.error && !interrupted ? outcome.error : toWireError(error);
    // Not recorded as completed: a resume (once there is room) finishes the run from its checkpoint.
    run = runRecordSchema.parse({
      ...session.record,
      ...final,
      status: final.status === 'completed' ? 'failed' : final.status,
      error: wire,
    });
    emit('trainLog', { runId, level: 'error', message: `Could not write run.json: ${(error as Error).message}` });
  }
  await runs.unlock(runId).catch(() => {});
  const lines: { level: 'info' | 'error'; message: string }[] = [];
  if (run.status === 'completed')
    lines.push({
      level: 'info',
      message: `Finished ${run.epochsDone} epochs in ${Math.round(run.durationMs / 1000)} s of training.`,
    });
  lines.push(
    run.error
      ? { level: 'error', message: `Run ${run.status}: ${run.error.message}` }
      : { level: 'info', message: `Run ${run.status} after ${run.epochsDone} of ${run.epochs} epochs.` },
  );
  for (const line of lines) {
    emit('trainLog', { runId, ...line });
    await runs
      .appendLog(runId, line.level === 'info' ? line.message : `[${line.level}] ${line.message}`)
      .catch(() => {});
  }
  updated(run);
  options.onFinished?.(run);
}
