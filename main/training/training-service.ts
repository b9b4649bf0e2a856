/**
 * The main-thread side of training: prepares a run (dataset index, split, run folder), hands
 * the job to the training worker, and turns the worker's reports into metrics.jsonl lines,
 * run.json updates and events. It never does tensor math.
 *
 * A run is trained by one process at a time: its lock (owner.json) is taken before anything
 * else, and a second start in this app is refused synchronously, before any await. The worker
 * reports an epoch only after committing it to `checkpoints/last`; metrics.jsonl and run.json
 * follow, and when the run ends they are reconciled to the checkpoint, so they never claim an
 * epoch the weights have not done.
 */
import type { EngineInfo, LabEvents, RunInfo, TrainRequest } from '../contract';
import { parseAugmentSettings } from '../dataset/image/augment';
import { type DatasetIndex, excludedClassesText, indexForClasses } from '../dataset/pipeline/dataset-index';
import { changesSince, saveManifest } from '../dataset/dataset-changes';
import { requireAbsolute } from '../dataset/dataset-service';
import { LabError, toWireError } from '../errors';
import { validateModelConfig } from '../models/model-config';
import { validateTrainingSettings, type TrainingSettings } from '../models/training-settings';
import { requireImagenetWeights } from '../models/pretrained/imagenet';
import type { RunStore } from '../runs/run-store';
import { runRecordSchema, type RunRecord } from '../runs/run-record';
import type { EpochLine } from '../runs/epoch-commit';
import type { TrainEvent } from '../engine/worker-protocol';
import type { TrainingWorkerHost } from '../engine/worker-host';
import { modelForClasses, prepareRunData } from './prepare-run-data';
import type { TrainJob, TrainOutcome } from './trainer';

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

/** A run estimated longer than this gets a warning with what to change. */
const longRunSeconds = 3600;

export interface TrainingService {
  start(request: TrainRequest): Promise<RunInfo>;
  resume(runId: string): Promise<RunInfo>;
  stop(runId: string): Promise<void>;
  /** The run training now, if any. */
  readonly active: string | undefined;
  /** Resolves when the active run (if any) has ended. */
  idle(): Promise<void>;
}

/** The run training in this app: what its session needs to record durations and progress. */
interface ActiveRun {
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

/** How often the trainer's process looks for a stop request from another process. */
const stopPollMs = 1000;

export function createTrainingService(options: TrainingServiceOptions): TrainingService {
  const { runs, emit } = options;
  let active: ActiveRun | undefined;
  /** A start or resume between its busy check and `active` being set (it awaits in between). */
  let starting: string | undefined;
  // One writer per run file: events are applied in order.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => {});
    return next;
  };

  const updated = (run: RunRecord): void => emit('runUpdated', { runId: run.id, run });

  /**
   * Recording that can wait (metrics lines, run.json progress, train.log): in order, and a
   * failure (a full disk) is one warning in the run's log, never an unhandled rejection. What
   * it would have recorded is rebuilt from the checkpoint when the run ends.
   */
  const warned = new Set<string>();
  const inBackground = (runId: string, work: () => Promise<unknown>): void => {
    serial(work).catch((error: unknown) => {
      const message = `Could not record the run's progress: ${(error as Error).message}`;
      if (warned.has(`${runId}:${message}`)) return;
      warned.add(`${runId}:${message}`);
      emit('trainLog', { runId, level: 'warn', message });
    });
  };

  async function launch(record: RunRecord, job: TrainJob): Promise<RunInfo> {
    const startedAt = Date.now();
    const session: ActiveRun = {
      runId: record.id,
      done: Promise.resolve(),
      startedAt,
      baseDurationMs: record.durationMs,
      epochs: job.settings.epochs,
      record,
    };
    active = session;
    let running: RunRecord;
    try {
      running = await runs.update(record.id, () => ({
        status: 'running',
        startedAt: new Date(startedAt).toISOString(),
        endedAt: undefined,
        error: undefined,
      }));
    } catch (error) {
      active = undefined;
      await runs.unlock(record.id).catch(() => {});
      throw error;
    }
    session.record = running;
    updated(running);
    // A stop asked before this session began is not for it.
    await runs.takeStopRequest(record.id);
    session.stopPoll = setInterval(() => {
      void runs.takeStopRequest(record.id).then((asked) => {
        if (!asked || active !== session) return;
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
        const stopListening = host.on('trainEvent', ({ runId, event }) => onTrainEvent(runId, event));
        return host.request({ kind: 'train', job }).finally(stopListening);
      })
      .then(
        (outcome) => serial(() => finish(session, outcome)),
        (error: unknown) =>
          serial(() =>
            finish(session, {
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
        if (active === session) active = undefined;
      });
    return running;
  }

  /**
   * The run has ended: run.json and metrics.jsonl are reconciled to the last committed
   * checkpoint and get the final status and training time; the lock is released. When run.json
   * cannot be written (a full disk), the outcome is still reported from memory and the run is
   * left for the next start to recover from its checkpoint.
   */
  async function finish(session: ActiveRun, outcome: TrainOutcome): Promise<void> {
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

  /** `classNames`: a resumed run's own classes (older runs may list an empty one). */
  async function prepare(path: string, settings: TrainingSettings, classNames?: readonly string[]) {
    const scanned = await options.indexDataset(path);
    const index = (classNames && indexForClasses(scanned, classNames)) || scanned;
    const { split, file, images } = await prepareRunData({ dataDir: options.dataDir, index, dataset: path, settings });
    return { index, split, file, images };
  }

  const busy = (): void => {
    if (active)
      throw new LabError(
        'BUSY',
        `Run ${active.runId} is training: stop it, or wait for it to finish, before starting another.`,
      );
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

  /** Resumes a run whose lock this process holds: from exactly where its committed history ends. */
  async function resumeLocked(runId: string): Promise<RunInfo> {
    const { record, reconciled } = await runs.reconcile(runId);
    const { committed, epochsDone } = reconciled;
    if (record.status === 'completed') {
      throw new LabError(
        'RUN_COMPLETE',
        `Run ${runId} has done all its ${record.epochs} epochs: start a new run to train longer.`,
      );
    }
    const { augment, ...training } = record.training as Record<string, unknown>;
    const settings = validateTrainingSettings(training);
    const { index, split, images } = await prepare(record.dataset.path, settings, record.dataset.classNames);
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
    return launch(record, {
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

  return {
    get active() {
      return active?.runId;
    },
    async idle() {
      await active?.done;
    },
    start: (request) =>
      exclusive('A new run', async () => {
        requireAbsolute(request.dataset);
        const settings = validateTrainingSettings(request.training);
        requireImagenetWeights(request.model.preset, settings);
        const augment = request.augment ? parseAugmentSettings(request.augment) : null;
        const { index, split, file, images } = await prepare(request.dataset, settings);
        const model = modelForClasses(request.model, index.classNames.length, request.dataset);
        const engine: EngineInfo = await options.worker().engine;
        const record = await runs.create({
          name: request.name?.trim() || `${request.model.preset ?? 'custom'} on ${index.root.split(/[\\/]/).pop()}`,
          epochs: settings.epochs,
          model: { ...request.model, ...model },
          training: { ...settings, augment },
          dataset: {
            path: index.root,
            fingerprint: index.fingerprint,
            classNames: index.classNames,
            split: {
              seed: split.seed,
              key: file,
              fractions: split.fractions,
              source: split.source,
              counts: split.counts,
            },
            ...(index.excludedClasses.length > 0 ? { excludedClasses: index.excludedClasses } : {}),
          },
          engine: { name: engine.name, device: engine.device, version: engine.version, backend: engine.backend },
          versions: options.versions,
        });
        await runs
          .appendLog(
            record.id,
            `Dataset ${index.root} (${index.images.length} images, fingerprint ${index.fingerprint.slice(0, 12)}); split ${file}.`,
          )
          .catch(() => {});
        // The images behind the fingerprint, so a later "dataset changed" can say what changed.
        if (index.files) await saveManifest(options.dataDir, index.fingerprint, index.files).catch(() => {});
        if (index.excludedClasses.length > 0)
          await runs.appendLog(record.id, `[warn] ${excludedClassesText(index.excludedClasses)}`).catch(() => {});
        return launch(record, {
          runId: record.id,
          dataDir: options.dataDir,
          checkpoints: runs.paths(record.id).checkpoints,
          classNames: index.classNames,
          train: images.train,
          val: images.val,
          model,
          settings,
          augment,
          initialEpoch: 0,
        });
      }),
    resume: (runId) =>
      exclusive(`Run ${runId}`, async () => {
        runs.paths(runId); // a bad id is refused before anything is touched
        await runs.get(runId);
        await runs.lock(runId);
        try {
          return await resumeLocked(runId);
        } catch (error) {
          await runs.unlock(runId).catch(() => {});
          throw error;
        }
      }),
    async stop(runId) {
      if (active?.runId === runId) return options.worker().stopTraining(runId);
      // Trained by another process (the CLI, another app): ask it through the run folder.
      if (await runs.trainedElsewhere(runId)) return runs.requestStop(runId);
      throw new LabError('NOT_RUNNING', `Run ${runId} is not training.`);
    },
  };

  /** Turns the worker's reports on a run into events, metrics.jsonl lines and run.json updates. */
  function onTrainEvent(runId: string, event: TrainEvent): void {
    switch (event.kind) {
      case 'progress':
        emit('trainProgress', { runId, ...event.progress, epochs: active?.epochs ?? 0 });
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
        const session = active?.runId === runId ? active : undefined;
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
        const totalSeconds = event.secondsPerEpoch * (active?.epochs ?? 1);
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
          if (active?.runId === runId) active.record = run;
          updated(run);
        });
        break;
      case 'log':
        emit('trainLog', { runId, level: event.level, message: event.message });
        inBackground(runId, () => runs.appendLog(runId, `[${event.level}] ${event.message}`));
        break;
    }
  }
}
