/**
 * One training run, inside the training worker: build or resume the model, stream batches from
 * the dataset pipeline, report progress and epochs, keep the last and best checkpoints, stop on
 * request, on NaN, or early. Reports through callbacks; never touches the UI or run.json.
 *
 * An epoch exists once it is committed: `checkpoints/last` replaced, in one atomic step, by the
 * epoch's weights together with the run's history up to it (`runs/epoch-commit.ts`); only then
 * is it reported. A stop discards the unfinished epoch; a non-finite loss, val_loss or weight
 * fails the run before anything of that epoch is saved.
 */
import type * as TF from '@tensorflow/tfjs';
import { type LabError, toWireError } from '../errors';
import type { EpochMetricsLine, WireError } from '../contract';
import type { AugmentSettings } from '../dataset/image/augment';
import { ImageCache } from '../dataset/pipeline/cache';
import type { LabelledImage } from '../dataset/labelled-image';
import { createPipeline } from '../dataset/pipeline/pipeline';
import type { ModelConfig } from '../models/model-config';
import { isBetterEpoch } from '../models/monitor';
import { balancedClassWeights, type TrainingSettings } from '../models/training-settings';
import { buildFromPlan } from '../models/xception';
import { planXception } from '../models/xception-plan';
import { freezeFlows, loadStartingWeights } from '../models/pretrained/load-weights';
import { disposeLoadedModel, loadCheckpoint, saveCheckpoint } from './checkpoint-io';
import type { CommittedEpochs, EpochLine } from '../runs/epoch-commit';
import { batchNormWarmup, type MomentumLayer } from './batch-norm-warmup';
import {
  featureCacheDecision,
  phaseLearningRate,
  phaseOf,
  trainingPhases,
  type TrainingPhase,
} from './training-phases';
import { openFeatureTraining, type FeatureTraining } from './feature-training';

type Tf = typeof TF;

/** An epoch's metrics as the trainer reports them: its metrics.jsonl line, every field measured. */
export type EpochMetrics = Omit<EpochMetricsLine, 'type'> &
  Required<Pick<EpochMetricsLine, 'val_loss' | 'val_acc' | 'lr' | 'epochTimeMs' | 'imagesPerSec' | 'tensors'>>;

export interface BestEpoch {
  epoch: number;
  val_loss: number | null;
  val_acc: number | null;
}

export interface TrainJob {
  runId: string;
  dataDir: string;
  checkpoints: { last: string; best: string };
  classNames: string[];
  train: LabelledImage[];
  val: LabelledImage[];
  model: ModelConfig;
  settings: TrainingSettings;
  augment: AugmentSettings | null;
  /** Epochs already done (0 for a new run); a resumed run loads `checkpoints.last`. */
  initialEpoch: number;
  /** The best epoch so far, when resuming, so best-checkpoint and early-stopping carry on. */
  best?: BestEpoch;
  /** Epochs since the best one, when resuming. */
  epochsSinceBest?: number;
  /** When resuming: the committed metrics line of each epoch done, carried into the next commits. */
  history?: EpochLine[];
  /** When resuming: the trainer state the last commit saved (`CommittedEpochs.trainer`). */
  trainerState?: Record<string, unknown>;
  /** Progress messages per second at most. */
  progressPerSecond?: number;
  /**
   * false: never train from cached features, even where a frozen prefix allows it (the bench's
   * and the tests' reference: the full forward pass every batch). Default true.
   */
  featureCache?: boolean;
}

export interface TrainProgress {
  epoch: number;
  batch: number;
  batchesPerEpoch: number;
  loss: number;
  acc: number | null;
  imagesPerSec: number;
  /** Estimated time to the end of the run. */
  etaMs: number;
}

export interface TrainReporter {
  progress(progress: TrainProgress): void;
  epoch(metrics: EpochMetrics, best: BestEpoch | undefined): void;
  /** After a few batches of the first epoch: how long an epoch will take on this engine. */
  estimate(secondsPerEpoch: number): void;
  log(level: 'info' | 'warn' | 'error', message: string): void;
  params(count: number): void;
}

export interface TrainOutcome {
  status: 'completed' | 'stopped' | 'failed';
  epochsDone: number;
  best?: BestEpoch;
  epochsSinceBest: number;
  error?: WireError;
}

/** A stop request from the host, read between batches. */
export interface TrainControl {
  stopRequested: boolean;
}

const probeBatches = 3;

/** Top-5 accuracy: the true class is among the five most probable. */
function top5(tf: Tf): (yTrue: TF.Tensor, yPred: TF.Tensor) => TF.Tensor {
  const fn = (yTrue: TF.Tensor, yPred: TF.Tensor): TF.Tensor =>
    tf.tidy(() => {
      const k = Math.min(5, yPred.shape[yPred.shape.length - 1] ?? 5);
      const { indices } = tf.topk(yPred, k);
      const truth = tf.argMax(yTrue, -1).expandDims(1).cast('int32');
      return tf.any(tf.equal(indices, truth), -1).cast('float32');
    });
  Object.defineProperty(fn, 'name', { value: 'top5' });
  return fn;
}

function makeOptimizer(tf: Tf, settings: TrainingSettings, learningRate: number): TF.Optimizer {
  switch (settings.optimizer) {
    case 'adam':
      return tf.train.adam(learningRate);
    case 'sgd':
      return settings.momentum > 0
        ? tf.train.momentum(learningRate, settings.momentum, settings.nesterov)
        : tf.train.sgd(learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(learningRate);
  }
}

/**
 * Cross-entropy with label smoothing, plus an L2 penalty on conv and dense kernels (weight
 * decay). The penalty reads the model's variables inside the loss, so the optimizer's
 * gradients include it.
 */
function makeLoss(tf: Tf, model: TF.LayersModel, settings: TrainingSettings, classes: number) {
  const kernels = model.trainableWeights.filter((w) => /kernel$/.test(w.originalName ?? w.name));
  const loss = (yTrue: TF.Tensor, yPred: TF.Tensor): TF.Tensor =>
    tf.tidy(() => {
      const target =
        settings.labelSmoothing > 0
          ? yTrue.mul(1 - settings.labelSmoothing).add(settings.labelSmoothing / classes)
          : yTrue;
      const ce = tf.metrics.categoricalCrossentropy(target, yPred).mean();
      if (settings.weightDecay === 0 || kernels.length === 0) return ce;
      const l2 = tf.addN(kernels.map((k) => tf.sum(tf.square(k.read()))));
      return ce.add(l2.mul(settings.weightDecay));
    });
  Object.defineProperty(loss, 'name', { value: 'loss' });
  return loss;
}

function currentLearningRate(optimizer: TF.Optimizer): number {
  return (optimizer as unknown as { learningRate: number }).learningRate;
}

function setLearningRate(optimizer: TF.Optimizer, rate: number): void {
  (optimizer as unknown as { learningRate: number }).learningRate = rate;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** A metric that is a number but not a finite one (undefined means "not measured"). */
const nonFinite = (v: unknown): v is number => typeof v === 'number' && !Number.isFinite(v);

const describeNonFinite = (v: number): string => (Number.isNaN(v) ? 'NaN' : 'infinite');

/** The LOSS_NAN message: what went non-finite where, what is kept, and a lower learning rate to try. */
function nanMessage(what: string, where: string, epochsDone: number, rate: number): string {
  const kept =
    epochsDone > 0
      ? `resuming continues from the checkpoint of epoch ${epochsDone}`
      : 'resuming starts again from the initial weights';
  return `${what} at ${where}; that epoch's weights were not saved (${kept}) — try a lower learning rate, e.g. ${Number((rate / 10).toPrecision(2))} (this run uses ${rate})`;
}

/** True when every weight of the model and every optimizer slot (Adam's moments…) is finite. */
async function allFinite(tf: Tf, model: TF.LayersModel, optimizer: TF.Optimizer): Promise<boolean> {
  tf.engine().startScope();
  try {
    const slots = (await optimizer.getWeights()).map((named) => named.tensor);
    const tensors = [...model.weights.map((w) => w.read()), ...slots].filter((t) => t.dtype === 'float32');
    if (tensors.length === 0) return true;
    const finite = tf.tidy(() => tf.stack(tensors.map((t) => tf.all(tf.isFinite(t)))).all());
    return (await finite.data())[0] === 1;
  } finally {
    tf.engine().endScope();
  }
}

/** Out of memory in the native engine or in V8 typed arrays. */
function isOutOfMemory(error: unknown): boolean {
  const text = error instanceof Error ? `${error.name} ${error.message}` : String(error);
  return /OOM|out of memory|Array buffer allocation failed|allocation failed|Invalid typed array length/i.test(text);
}

export async function train(
  tf: Tf,
  job: TrainJob,
  control: TrainControl,
  report: TrainReporter,
): Promise<TrainOutcome> {
  const { settings, classNames } = job;
  const classes = classNames.length;
  const epochs = settings.epochs;
  let best = job.best;
  let epochsSinceBest = job.epochsSinceBest ?? 0;
  let epochsDone = job.initialEpoch;
  const history: EpochLine[] = committedHistory(job);
  let failure: WireError | undefined;
  let stoppedEarly = false;

  const cache = await ImageCache.open({ dataDir: job.dataDir, size: job.model.inputSize }).catch((error: unknown) => {
    report.log('warn', `The preprocessing cache is unavailable (${(error as Error).message}); decoding every epoch.`);
    return null;
  });
  const skipped = (image: LabelledImage, error: LabError): void =>
    report.log('warn', `Skipped ${image.path}: ${error.message}`);
  const common = {
    tf,
    classNames,
    size: job.model.inputSize,
    batchSize: settings.batchSize,
    seed: settings.seed,
    cache,
    onUnreadable: skipped,
  };
  const plan = planXception(job.model);
  const phases = trainingPhases(settings);
  let phase = phaseOf(phases, job.initialEpoch);

  let model: TF.LayersModel;
  let optimizer: TF.Optimizer;
  /** The phase the optimizer's state belongs to: a new phase starts with a fresh optimizer. */
  let optimizerPhase: number;
  if (job.initialEpoch > 0) {
    model = await loadCheckpoint(tf, job.checkpoints.last);
    optimizer = model.optimizer ?? makeOptimizer(tf, settings, phaseLearningRate(settings, phase, job.initialEpoch));
    optimizerPhase =
      model.optimizer && typeof job.trainerState?.phase === 'number' ? job.trainerState.phase : phase.phase;
    report.log('info', `Resumed from the checkpoint of epoch ${job.initialEpoch}, optimizer state included.`);
  } else {
    model = buildFromPlan(plan, tf, { seed: settings.seed });
    if (settings.weightsFile) {
      try {
        const origin = await loadStartingWeights(tf, model, settings.weightsFile);
        const what = origin.known
          ? `Keras' ImageNet weights (${origin.known}, md5 verified)`
          : `${origin.format} weights`;
        report.log(
          'info',
          `Started from ${what} in ${origin.file}: ${origin.layersLoaded} layers loaded${origin.md5 ? `, md5 ${origin.md5}` : ''}. Inputs are scaled to [-1, 1], as Keras' Xception expects.`,
        );
        for (const note of origin.notes) report.log('warn', note);
      } catch (error) {
        model.dispose();
        await cache?.close();
        return { status: 'failed', epochsDone, best, epochsSinceBest, error: toWireError(error) };
      }
    }
    optimizer = makeOptimizer(tf, settings, phaseLearningRate(settings, phase, 0));
    optimizerPhase = phase.phase;
  }
  report.params(model.countParams());
  const metrics: (string | ((yTrue: TF.Tensor, yPred: TF.Tensor) => TF.Tensor))[] =
    classes > 5 ? ['accuracy', top5(tf)] : ['accuracy'];
  /** The model being fitted: the whole one, or the tail after a cached frozen prefix. */
  let fitting = model;
  let batchesPerEpoch = 0;

  const counts = classNames.map((_, label) => job.train.filter((image) => image.label === label).length);
  const classWeight =
    settings.classWeights === 'balanced'
      ? Object.fromEntries(balancedClassWeights(counts).map((w, i) => [i, w]))
      : undefined;

  const throttleMs = 1000 / (job.progressPerSecond ?? 10);
  let epochStart = 0;
  let batchStart = 0;
  const batchTimes: number[] = [];
  let lastProgress = 0;
  let imagesThisEpoch = 0;
  let plateauWait = typeof job.trainerState?.plateauWait === 'number' ? job.trainerState.plateauWait : 0;
  let plateauBest =
    typeof job.trainerState?.plateauBest === 'number' ? job.trainerState.plateauBest : Number.POSITIVE_INFINITY;
  /** What a checkpoint commits with the weights of `lines.length` epochs. */
  const committedState = (lines: EpochLine[], extra: Record<string, unknown> = {}): CommittedEpochs => ({
    formatVersion: 1,
    runId: job.runId,
    epochsDone: lines.length,
    history: lines,
    ...(best ? { best } : {}),
    epochsSinceBest,
    trainer: {
      plateauWait,
      plateauBest: Number.isFinite(plateauBest) ? plateauBest : null,
      phase: phase.phase,
      ...extra,
    },
  });
  const warmup = batchNormWarmup(
    model.layers.filter((layer) => layer.getClassName() === 'BatchNormalization') as unknown as MomentumLayer[],
  );
  let step = job.initialEpoch * Math.ceil(job.train.length / settings.batchSize);

  const callbacks = new tf.CustomCallback({
    onEpochBegin: async (epoch) => {
      epochStart = Date.now();
      imagesThisEpoch = 0;
      if (settings.schedule !== 'plateau') setLearningRate(optimizer, phaseLearningRate(settings, phase, epoch));
    },
    onBatchBegin: async () => {
      batchStart = Date.now();
      warmup.atStep(step++);
    },
    onBatchEnd: async (batch, logs) => {
      const epoch = epochsDone;
      const loss = logs?.loss;
      const size = Math.min(settings.batchSize, job.train.length - batch * settings.batchSize);
      imagesThisEpoch += Math.max(0, size);
      if (loss === undefined || !Number.isFinite(loss)) {
        failure = {
          code: 'LOSS_NAN',
          message: nanMessage(
            `loss became ${loss === undefined ? 'NaN' : describeNonFinite(loss)}`,
            `epoch ${epoch + 1}, batch ${batch + 1}`,
            epochsDone,
            phase.learningRate,
          ),
        };
        fitting.stopTraining = true;
        return;
      }
      if (epoch === job.initialEpoch && batchTimes.length < probeBatches) {
        batchTimes.push(Date.now() - batchStart);
        if (batchTimes.length === Math.min(probeBatches, batchesPerEpoch)) {
          // The first batch includes one-off set-up; use the others when there are any.
          const steady = batchTimes.length > 1 ? batchTimes.slice(1) : batchTimes;
          const perBatch = steady.reduce((a, b) => a + b, 0) / steady.length;
          report.estimate((perBatch * batchesPerEpoch) / 1000);
        }
      }
      const now = Date.now();
      if (now - lastProgress >= throttleMs || batch + 1 === batchesPerEpoch) {
        lastProgress = now;
        const elapsed = now - epochStart;
        const perBatch = elapsed / (batch + 1);
        const remaining = (batchesPerEpoch - batch - 1) * perBatch + (epochs - epoch - 1) * perBatch * batchesPerEpoch;
        report.progress({
          epoch,
          batch,
          batchesPerEpoch,
          loss,
          acc: num(logs?.acc),
          imagesPerSec: elapsed > 0 ? (imagesThisEpoch * 1000) / elapsed : 0,
          etaMs: Math.max(0, remaining),
        });
      }
      if (control.stopRequested) fitting.stopTraining = true;
    },
    onEpochEnd: async (epoch, logs) => {
      warmup.restore();
      if (failure) return;
      // An epoch cut short by a stop request is not a finished epoch: it is discarded, and a
      // resume redoes it from the last committed epoch. That includes a stop after its last
      // batch: tfjs then skips the validation, so the epoch has no val_loss.
      if (control.stopRequested && (imagesThisEpoch < job.train.length || logs?.val_loss === undefined)) return;
      const epochTimeMs = Date.now() - epochStart;
      const bad = nonFinite(logs?.loss) ? 'loss' : nonFinite(logs?.val_loss) ? 'val_loss' : undefined;
      if (bad || !(await allFinite(tf, model, optimizer))) {
        const what = bad
          ? `${bad} became ${describeNonFinite(logs![bad] as number)}`
          : 'the weights became NaN or infinite';
        failure = {
          code: 'LOSS_NAN',
          message: nanMessage(what, `epoch ${epoch + 1}`, epochsDone, phase.learningRate),
        };
        fitting.stopTraining = true;
        return;
      }
      const line: EpochMetrics = {
        epoch,
        time: new Date().toISOString(),
        loss: num(logs?.loss),
        acc: num(logs?.acc),
        val_loss: num(logs?.val_loss),
        val_acc: num(logs?.val_acc),
        ...(classes > 5 ? { top5: num(logs?.top5), val_top5: num(logs?.val_top5) } : {}),
        lr: currentLearningRate(optimizer),
        ...(phases.length > 1 ? { phase: phase.phase } : {}),
        epochTimeMs,
        imagesPerSec: epochTimeMs > 0 ? (imagesThisEpoch * 1000) / epochTimeMs : 0,
        tensors: tf.memory().numTensors,
      };
      const improved = isBetterEpoch(settings.monitor, line, best);
      if (improved) {
        best = { epoch, val_loss: line.val_loss, val_acc: line.val_acc };
        epochsSinceBest = 0;
      } else {
        epochsSinceBest++;
      }
      if (settings.schedule === 'plateau' && line.val_loss !== null) {
        if (line.val_loss < plateauBest) {
          plateauBest = line.val_loss;
          plateauWait = 0;
        } else if (++plateauWait >= settings.plateauPatience) {
          const next = Math.max(settings.minLearningRate, currentLearningRate(optimizer) * settings.plateauFactor);
          setLearningRate(optimizer, next);
          plateauWait = 0;
          report.log(
            'info',
            `val_loss has not improved for ${settings.plateauPatience} epochs: learning rate lowered to ${next}.`,
          );
        }
      }
      // The commit: weights and history together; from here the epoch exists and is reported.
      // The best checkpoint follows (recovery rebuilds it from `last` if a crash comes first).
      const lines = [...history, { type: 'epoch' as const, ...line }];
      await saveCheckpoint(
        tf,
        model,
        job.checkpoints.last,
        { epoch: lines.length, runId: job.runId },
        committedState(lines),
      );
      history.push(lines[lines.length - 1]!);
      epochsDone = lines.length;
      report.epoch(line, best);
      if (improved)
        await saveCheckpoint(
          tf,
          model,
          job.checkpoints.best,
          { epoch: epochsDone, runId: job.runId },
          committedState(lines),
        );
      if (settings.earlyStoppingPatience > 0 && epochsSinceBest >= settings.earlyStoppingPatience) {
        stoppedEarly = true;
        const since = best ? ` (best: epoch ${best.epoch + 1})` : '';
        report.log(
          'info',
          `Early stopping: ${settings.monitor} has not improved for ${epochsSinceBest} epochs${since}.`,
        );
        fitting.stopTraining = true;
      }
      if (control.stopRequested) fitting.stopTraining = true;
    },
  });

  let features: FeatureTraining | undefined;
  /** Freezes the phase's flows, picks images or cached features, and fits up to the phase's end. */
  const fitPhase = async (current: TrainingPhase): Promise<void> => {
    const frozen = freezeFlows(model, job.model, current.frozen);
    if (frozen.length > 0)
      report.log(
        'info',
        `Frozen: ${current.frozen.join(', ')} (${frozen.length} layers with weights; their batch norms use their moving statistics).`,
      );
    await features?.close();
    features = undefined;
    const decision = job.featureCache === false ? undefined : featureCacheDecision(plan, current.frozen, job.augment);
    if (decision && !decision.use) report.log('info', `Feature cache: not used — ${decision.reason}.`);
    if (decision?.use) {
      try {
        features = await openFeatureTraining({
          tf,
          model,
          plan,
          prefix: decision.prefix,
          dataDir: job.dataDir,
          train: job.train,
          val: job.val,
          classNames,
          batchSize: settings.batchSize,
          seed: settings.seed,
          initialEpoch: epochsDone,
          imageCache: cache,
          onUnreadable: skipped,
          log: (level, message) => report.log(level, message),
        });
      } catch (error) {
        report.log(
          'warn',
          `Feature cache: not used — it could not be prepared (${(error as Error).message}); training the full forward pass.`,
        );
      }
    }
    fitting = features?.tail ?? model;
    const trainData =
      features?.train ??
      createPipeline({ ...common, images: job.train, shuffle: true, augment: job.augment, initialEpoch: epochsDone });
    const valData = features?.val ?? createPipeline({ ...common, images: job.val, shuffle: false, augment: null });
    batchesPerEpoch = trainData.batchesPerEpoch;
    fitting.compile({ optimizer, loss: makeLoss(tf, fitting, settings, classes), metrics });
    // The full model is what checkpoints save: compiled with the same optimizer, its state is saved too.
    if (fitting !== model) model.compile({ optimizer, loss: makeLoss(tf, model, settings, classes), metrics });
    await fitting.fitDataset(trainData.dataset, {
      epochs: current.to,
      initialEpoch: epochsDone,
      validationData: valData.dataset,
      callbacks: [callbacks],
      ...(classWeight ? { classWeight } : {}),
      verbose: 0,
    });
  };

  try {
    for (const next of phases) {
      if (next.to <= epochsDone) continue;
      if (failure || stoppedEarly || control.stopRequested) break;
      phase = next;
      if (optimizerPhase !== phase.phase) {
        // Keras' fine-tuning recipe: recompile with a new optimizer at the lower rate; the head
        // phase's moments were for other weights and another rate.
        optimizer.dispose();
        optimizer = makeOptimizer(tf, settings, phaseLearningRate(settings, phase, epochsDone));
        optimizerPhase = phase.phase;
        plateauWait = 0;
        plateauBest = Number.POSITIVE_INFINITY;
        report.log(
          'info',
          `Fine-tuning from epoch ${epochsDone + 1}: ${settings.fineTune?.unfreeze.join(', ')} unfrozen, learning rate ${phase.learningRate}, a fresh ${settings.optimizer} optimizer.`,
        );
      }
      await fitPhase(phase);
    }
    if (failure) return { status: 'failed', epochsDone, best, epochsSinceBest, error: failure };
    warmup.restore();
    if (control.stopRequested && !stoppedEarly && epochsDone < epochs) {
      // The unfinished epoch is discarded: `last` stays the last committed epoch, so a resume
      // redoes the epoch from there exactly as an uninterrupted run would have.
      return { status: 'stopped', epochsDone, best, epochsSinceBest };
    }
    if (settings.restoreBestWeights && best && best.epoch + 1 !== epochsDone) {
      const bestModel = await loadCheckpoint(tf, job.checkpoints.best);
      model.setWeights(bestModel.getWeights());
      disposeLoadedModel(bestModel);
      await saveCheckpoint(
        tf,
        model,
        job.checkpoints.last,
        { epoch: epochsDone, runId: job.runId, restoredBest: best.epoch + 1 },
        committedState(history, { restoredBest: best.epoch }),
      );
      report.log('info', `Restored the weights of the best epoch (${best.epoch + 1}).`);
    }
    return { status: 'completed', epochsDone, best, epochsSinceBest };
  } catch (error) {
    if (isOutOfMemory(error)) {
      const half = Math.max(1, Math.floor(settings.batchSize / 2));
      return {
        status: 'failed',
        epochsDone,
        best,
        epochsSinceBest,
        error: {
          code: 'OUT_OF_MEMORY',
          message: `batch size ${settings.batchSize} does not fit on this device — try ${half}`,
        },
      };
    }
    return { status: 'failed', epochsDone, best, epochsSinceBest, error: toWireError(error) };
  } finally {
    await features?.close();
    model.dispose();
    // A model does not own an optimizer passed to compile(), nor one loaded with a checkpoint.
    optimizer.dispose();
    await cache?.close();
  }
}

/**
 * The committed history a resumed run carries on. A run whose checkpoint predates epoch.json
 * gets its lines from metrics.jsonl (via the job); an epoch missing there gets an empty line.
 */
function committedHistory(job: TrainJob): EpochLine[] {
  const given = new Map((job.history ?? []).map((line) => [line.epoch, line]));
  return Array.from(
    { length: job.initialEpoch },
    (_, epoch) => given.get(epoch) ?? { type: 'epoch' as const, epoch, time: '', loss: null, acc: null },
  );
}
