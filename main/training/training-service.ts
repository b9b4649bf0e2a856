/**
 * The main-thread side of training: prepares a run (dataset index, split, run folder), hands
 * the job to the training worker, and turns the worker's reports into metrics.jsonl lines,
 * run.json updates and events. It never does tensor math.
 */
import type { EngineInfo, LabEvents, RunInfo, TrainRequest } from '../contract';
import { parseAugmentSettings } from '../dataset/augment';
import type { DatasetIndex } from '../dataset/dataset-index';
import { requireAbsolute } from '../dataset/dataset-service';
import { prepareSplit, splitImages } from '../dataset/split';
import { LabError, toWireError } from '../errors';
import { mergeModelRequest } from '../models/describe-model';
import { validateModelConfig } from '../models/model-config';
import { validateTrainingSettings, type TrainingSettings } from '../models/training-settings';
import { requireImagenetWeights } from '../models/pretrained/imagenet';
import type { RunStore } from '../runs/run-store';
import type { RunRecord } from '../runs/run-record';
import type { TrainEvent } from '../engine/worker-protocol';
import type { TrainingWorkerHost } from '../engine/worker-host';
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
  /** Routes the worker's reports; the engine wires it to the worker host. */
  onTrainEvent(runId: string, event: TrainEvent): void;
  /** The worker died: the active run is interrupted. */
  onWorkerExit(): void;
}

export function createTrainingService(options: TrainingServiceOptions): TrainingService {
  const { runs, emit } = options;
  let active: { runId: string; done: Promise<void>; startedAt: number; baseDurationMs: number; epochs: number } | undefined;
  // One writer per run file: events are applied in order.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => {});
    return next;
  };

  const updated = (run: RunRecord): void => emit('runUpdated', { runId: run.id, run });

  async function launch(record: RunRecord, job: TrainJob): Promise<RunInfo> {
    await runs.claim(record.id);
    const startedAt = Date.now();
    const running = await runs.update(record.id, () => ({
      status: 'running',
      startedAt: new Date(startedAt).toISOString(),
      endedAt: undefined,
      error: undefined,
    }));
    updated(running);
    const started = `Training started: epochs ${job.initialEpoch + 1}–${job.settings.epochs}, ${job.train.length} training and ${job.val.length} validation images.`;
    await runs.appendLog(record.id, started);
    emit('trainLog', { runId: record.id, level: 'info', message: started });
    const done = options
      .worker()
      .request({ kind: 'train', job })
      .then(
        (outcome) => serial(() => finish(record.id, outcome)),
        (error: unknown) =>
          serial(() =>
            finish(record.id, {
              status: 'failed',
              epochsDone: job.initialEpoch,
              epochsSinceBest: 0,
              error: { ...toWireError(error), code: (error as LabError).code === 'ENGINE_FAILED' ? 'INTERRUPTED' : toWireError(error).code },
            }),
          ),
      )
      .finally(() => {
        if (active?.runId === record.id) active = undefined;
      });
    active = { runId: record.id, done, startedAt, baseDurationMs: record.durationMs, epochs: job.settings.epochs };
    return running;
  }

  async function finish(runId: string, outcome: TrainOutcome): Promise<void> {
    const interrupted = outcome.error?.code === 'INTERRUPTED';
    const session = active?.runId === runId ? Date.now() - active.startedAt : 0;
    const run = await runs.update(runId, (current) => ({
      status: interrupted ? 'interrupted' : outcome.status,
      endedAt: new Date().toISOString(),
      epochsDone: Math.max(current.epochsDone, outcome.epochsDone),
      durationMs: current.durationMs + session,
      ...(outcome.error
        ? {
            error: interrupted
              ? { code: 'INTERRUPTED', message: 'The training worker stopped while this run was training. Resume it to continue from its last checkpoint.' }
              : outcome.error,
          }
        : {}),
    }));
    await runs.release(runId);
    const summary = outcome.error ? `${run.status}: ${run.error?.message}` : `${run.status} after ${run.epochsDone} of ${run.epochs} epochs`;
    await runs.appendLog(runId, summary);
    emit('trainLog', { runId, level: outcome.error ? 'error' : 'info', message: `Run ${run.status}${outcome.error ? `: ${run.error?.message}` : '.'}` });
    updated(run);
    options.onFinished?.(run);
  }

  async function prepare(path: string, settings: TrainingSettings) {
    const index = await options.indexDataset(path);
    if (index.classNames.length < 2) {
      throw new LabError('DATASET_TOO_SMALL', `${path} has ${index.classNames.length} usable class: training needs at least 2 classes.`);
    }
    const { split, file } = await prepareSplit(options.dataDir, {
      root: index.root,
      images: index.images,
      classNames: index.classNames,
      fingerprint: index.fingerprint,
      seed: settings.seed,
      val: settings.valFraction,
      test: settings.testFraction,
    });
    const images = splitImages(split, index.root);
    if (images.train.length === 0 || images.val.length === 0) {
      throw new LabError('DATASET_TOO_SMALL', `${path} is too small to split into training and validation images: add images to each class.`);
    }
    return { index, split, file, images };
  }

  const busy = (): void => {
    if (active) throw new LabError('BUSY', `Run ${active.runId} is training: stop it, or wait for it to finish, before starting another.`);
  };

  return {
    get active() {
      return active?.runId;
    },
    async idle() {
      await active?.done;
    },
    async start(request) {
      busy();
      requireAbsolute(request.dataset);
      const settings = validateTrainingSettings(request.training);
      requireImagenetWeights(request.model.preset, settings);
      const augment = request.augment ? parseAugmentSettings(request.augment) : null;
      const { index, split, file, images } = await prepare(request.dataset, settings);
      const merged = mergeModelRequest({ ...request.model, classes: request.model.classes ?? index.classNames.length });
      const model = validateModelConfig(merged);
      if (model.classes !== index.classNames.length) {
        throw new LabError(
          'CLASS_COUNT_MISMATCH',
          `The model has ${model.classes} classes but ${request.dataset} has ${index.classNames.length}: leave classes empty to follow the dataset.`,
        );
      }
      busy();
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
          split: { seed: split.seed, key: file, fractions: split.fractions, source: split.source, counts: split.counts },
        },
        engine: { name: engine.name, device: engine.device, version: engine.version, backend: engine.backend },
        versions: options.versions,
      });
      await runs.appendLog(record.id, `Dataset ${index.root} (${index.images.length} images, fingerprint ${index.fingerprint.slice(0, 12)}); split ${file}.`);
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
    },
    async resume(runId) {
      busy();
      const record = await runs.get(runId);
      if (record.status === 'running') throw new LabError('BUSY', `Run ${runId} is already training.`);
      if (record.epochsDone >= record.epochs) {
        throw new LabError('RUN_COMPLETE', `Run ${runId} has done all its ${record.epochs} epochs: start a new run to train longer.`);
      }
      if (record.epochsDone === 0) {
        throw new LabError('NO_CHECKPOINT', `Run ${runId} stopped before finishing its first epoch, so it has no checkpoint to resume from: start it again.`);
      }
      const { augment, ...training } = record.training as Record<string, unknown>;
      const settings = validateTrainingSettings(training);
      const { index, split, images } = await prepare(record.dataset.path, settings);
      if (index.fingerprint !== record.dataset.fingerprint || split.seed !== record.dataset.split.seed) {
        throw new LabError(
          'DATASET_CHANGED',
          `The images in ${record.dataset.path} changed since run ${runId} started, so it cannot resume on the same split: start a new run.`,
        );
      }
      const model = validateModelConfig(Object.fromEntries(Object.entries(record.model).filter(([key]) => key !== 'preset')));
      const best = record.best;
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
        initialEpoch: record.epochsDone,
        ...(best ? { best: { epoch: best.epoch, val_loss: best.val_loss, val_acc: best.val_acc } } : {}),
        epochsSinceBest: best ? record.epochsDone - 1 - best.epoch : 0,
      });
    },
    async stop(runId) {
      if (active?.runId !== runId) throw new LabError('NOT_RUNNING', `Run ${runId} is not training in this app.`);
      options.worker().stopTraining(runId);
    },
    onTrainEvent(runId, event) {
      switch (event.kind) {
        case 'progress':
          emit('trainProgress', { runId, ...event.progress, epochs: active?.epochs ?? 0 });
          void serial(() =>
            runs.appendMetrics(runId, [
              {
                type: 'batch',
                epoch: event.progress.epoch,
                batch: event.progress.batch,
                batches: event.progress.batchesPerEpoch,
                time: new Date().toISOString(),
                loss: event.progress.loss,
                acc: event.progress.acc,
              },
            ]),
          );
          break;
        case 'epoch': {
          const line = { type: 'epoch' as const, time: new Date().toISOString(), ...event.metrics };
          emit('trainEpoch', { runId, metrics: line });
          const summary = { epoch: line.epoch, loss: line.loss, acc: line.acc, val_loss: line.val_loss, val_acc: line.val_acc };
          const best = event.best;
          const session = active?.runId === runId ? active : undefined;
          void serial(async () => {
            await runs.appendMetrics(runId, [line]);
            const run = await runs.update(runId, () => ({
              epochsDone: line.epoch + 1,
              last: summary,
              ...(best && best.epoch === line.epoch ? { best: summary } : {}),
              ...(session ? { durationMs: session.baseDurationMs + Date.now() - session.startedAt } : {}),
            }));
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
          emit('trainEstimate', { runId, secondsPerEpoch: event.secondsPerEpoch, totalSeconds, ...(warning ? { warning } : {}) });
          // The live view writes its own line from `trainEstimate`; train.log keeps it for later.
          void serial(() => runs.appendLog(runId, `Estimate: about ${Math.ceil(event.secondsPerEpoch)} s per epoch.${warning ? ` ${warning}` : ''}`));
          break;
        }
        case 'params':
          void serial(async () => updated(await runs.update(runId, () => ({ params: event.count }))));
          break;
        case 'log':
          emit('trainLog', { runId, level: event.level, message: event.message });
          void serial(() => runs.appendLog(runId, `[${event.level}] ${event.message}`));
          break;
      }
    },
    onWorkerExit() {
      // The pending `train` request rejects with ENGINE_FAILED; `launch` records the run as interrupted.
    },
  };
}
