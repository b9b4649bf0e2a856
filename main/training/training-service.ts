/**
 * The main-thread side of training: prepares a run (dataset index, split, run folder), hands
 * the job to the training worker, and turns the worker's reports into metrics.jsonl lines,
 * run.json updates and events. It never does tensor math. Its parts: starting a new run
 * (training-start.ts), resuming one (training-resume.ts), a session on the worker
 * (training-session.ts) and the worker's reports (training-events.ts), sharing one
 * TrainingContext.
 *
 * A run is trained by one process at a time: its lock (owner.json) is taken before anything
 * else, and a second start in this app is refused synchronously, before any await. The worker
 * reports an epoch only after committing it to `checkpoints/last`; metrics.jsonl and run.json
 * follow, and when the run ends they are reconciled to the checkpoint, so they never claim an
 * epoch the weights have not done.
 */
import type { RunInfo, TrainRequest } from '../contract';
import { LabError, trainerBusy } from '../errors';
import { createTrainingContext, type TrainingServiceOptions } from './training-context';
import { resumeLocked } from './training-resume';
import { startRun } from './training-start';

export type { TrainingServiceOptions } from './training-context';

export interface TrainingService {
  start(request: TrainRequest): Promise<RunInfo>;
  resume(runId: string): Promise<RunInfo>;
  stop(runId: string): Promise<void>;
  /** The run training now, if any. */
  readonly active: string | undefined;
  /** Resolves when the active run (if any) has ended. */
  idle(): Promise<void>;
}

export function createTrainingService(options: TrainingServiceOptions): TrainingService {
  const ctx = createTrainingContext(options);
  const { runs } = ctx;
  /** A start or resume between its busy check and `active` being set (it awaits in between). */
  let starting: string | undefined;

  const busy = (): void => {
    if (ctx.active) throw trainerBusy(ctx.active.runId);
    if (starting)
      throw new LabError(
        'BUSY',
        `${starting} is starting: wait for it, then stop it or let it finish, before starting another.`,
      );
  };

  /** Runs `work` as the one start or resume in progress: the busy check and the claim are one synchronous step. */
  async function exclusive<T>(what: string, work: () => Promise<T>): Promise<T> {
    busy();
    starting = what;
    try {
      return await work();
    } finally {
      starting = undefined;
    }
  }

  return {
    get active() {
      return ctx.active?.runId;
    },
    async idle() {
      await ctx.active?.done;
    },
    start: (request) => exclusive('A new run', () => startRun(ctx, request)),
    resume: (runId) =>
      exclusive(`Run ${runId}`, async () => {
        runs.paths(runId); // a bad id is refused before anything is touched
        await runs.get(runId);
        await runs.lock(runId);
        try {
          return await resumeLocked(ctx, runId);
        } catch (error) {
          await runs.unlock(runId).catch(() => {});
          throw error;
        }
      }),
    async stop(runId) {
      if (ctx.active?.runId === runId) return options.worker().stopTraining(runId);
      // Trained by another process (the CLI, another app): ask it through the run folder.
      if (await runs.trainedElsewhere(runId)) return runs.requestStop(runId);
      throw new LabError('NOT_RUNNING', `Run ${runId} is not training.`);
    },
  };
}
