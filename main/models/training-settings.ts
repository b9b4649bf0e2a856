import { z } from 'zod';
import { LabError } from '../errors';
import { limitText, trainingLimits as limits } from './limits';
import { defaultMonitor, monitors } from './monitor';

/**
 * How a model is trained, stored with its model config (a "named config") and used by every
 * run. Defaults follow common Keras practice for fine-grained image classification from scratch.
 */
export const optimizers = ['adam', 'sgd', 'rmsprop'] as const;
export const schedules = ['constant', 'step', 'cosine', 'plateau'] as const;
export const classWeightModes = ['none', 'balanced'] as const;
/** Parts of the network that can be frozen; `head` is the pooling, dropout and classifier. */
export const freezableFlows = ['entry', 'middle', 'exit', 'head'] as const;
export type FreezableFlow = (typeof freezableFlows)[number];

export const trainingSettingsSchema = z.strictObject({
  optimizer: z.enum(optimizers).default('adam'),
  learningRate: z.number().gt(limits.learningRate.min).max(limits.learningRate.max).default(0.001),
  /** SGD only. */
  momentum: z.number().min(0).lt(1).default(0.9),
  /** SGD only. */
  nesterov: z.boolean().default(false),
  schedule: z.enum(schedules).default('constant'),
  /** step: multiply the rate by `stepFactor` every `stepEvery` epochs. */
  stepEvery: z.int().min(1).max(10_000).default(10),
  stepFactor: z.number().gt(0).lt(1).default(0.1),
  /** plateau: multiply by `plateauFactor` after `plateauPatience` epochs without val_loss improving. */
  plateauFactor: z.number().gt(0).lt(1).default(0.5),
  plateauPatience: z.int().min(1).max(1000).default(3),
  /** The rate never goes below this (cosine and plateau). */
  minLearningRate: z.number().min(0).default(1e-6),
  batchSize: z.int().min(limits.batchSize.min).max(limits.batchSize.max).default(32),
  epochs: z.int().min(limits.epochs.min).max(limits.epochs.max).default(20),
  /** L2 penalty on conv and dense kernels (0 = none). */
  weightDecay: z.number().min(0).max(1).default(0),
  /** 0 = hard labels; Keras' `label_smoothing`. */
  labelSmoothing: z.number().min(0).lt(1).default(0),
  classWeights: z.enum(classWeightModes).default('none'),
  seed: z.int().min(limits.seed.min).max(limits.seed.max).default(42),
  /**
   * What picks the best epoch (Keras' `monitor`): the best checkpoint, early stopping and every
   * "best epoch" view. `val_loss`: lowest wins (Keras' default); `val_accuracy`: highest wins.
   */
  monitor: z.enum(monitors).default(defaultMonitor),
  /** Stop after this many epochs without the monitored metric improving; 0 = never stop early. */
  earlyStoppingPatience: z.int().min(0).max(10_000).default(0),
  /** At the end, keep the weights of the best epoch (by `monitor`) rather than the last. */
  restoreBestWeights: z.boolean().default(false),
  /** Fractions of each class held out; given splits (train/val/test folders) take precedence. */
  valFraction: z.number().gt(0).lt(1).default(0.2),
  testFraction: z.number().min(0).lt(1).default(0),
  /**
   * Start from these weights instead of random ones: Keras' Xception .h5 (legacy layout), a
   * Keras 3 .weights.h5, or a run's checkpoint folder. The lab never downloads them. null: random.
   */
  weightsFile: z.string().min(1).max(4096).nullable().default(null),
  /** Flows whose weights stay as loaded (their batch norms run in inference mode). */
  freeze: z.array(z.enum(freezableFlows)).max(4).default([]),
  /**
   * Two-phase fine-tuning in one run: the first `afterEpoch` epochs train with `freeze` as set,
   * then the `unfreeze` flows train too, at `learningRate` (with a fresh optimizer, as Keras'
   * transfer-learning guide recompiles). null: one phase.
   */
  fineTune: z
    .strictObject({
      afterEpoch: z.int().min(1).max(10_000),
      unfreeze: z.array(z.enum(freezableFlows)).min(1).max(4),
      learningRate: z.number().gt(0).max(10),
    })
    .nullable()
    .default(null),
});

export type FineTuneSettings = NonNullable<z.output<typeof trainingSettingsSchema>['fineTune']>;

export type TrainingSettings = z.output<typeof trainingSettingsSchema>;
export type TrainingSettingsInput = z.input<typeof trainingSettingsSchema>;

/** What each field accepts, in words; every validation message quotes one of these. */
export const allowedTrainingValues: Record<keyof TrainingSettings, string> = {
  optimizer: `one of ${optimizers.map((o) => `"${o}"`).join(', ')}`,
  learningRate: `a number greater than ${limits.learningRate.min} and at most ${limits.learningRate.max}`,
  momentum: 'a number from 0 up to, but not including, 1',
  nesterov: 'true or false',
  schedule: `one of ${schedules.map((o) => `"${o}"`).join(', ')}`,
  stepEvery: 'a whole number of epochs from 1 to 10,000',
  stepFactor: 'a number between 0 and 1 (both excluded)',
  plateauFactor: 'a number between 0 and 1 (both excluded)',
  plateauPatience: 'a whole number of epochs from 1 to 1,000',
  minLearningRate: 'a number of 0 or more',
  batchSize: `a whole number from ${limits.batchSize.min} to ${limitText(limits.batchSize.max)}`,
  epochs: `a whole number from ${limits.epochs.min} to ${limitText(limits.epochs.max)}`,
  weightDecay: 'a number from 0 (none) to 1',
  labelSmoothing: 'a number from 0 (none) up to, but not including, 1',
  classWeights: `one of ${classWeightModes.map((o) => `"${o}"`).join(', ')}`,
  seed: `a whole number from ${limits.seed.min} to ${limitText(limits.seed.max)}`,
  monitor: `one of ${monitors.map((o) => `"${o}"`).join(', ')}`,
  earlyStoppingPatience: 'a whole number of epochs from 0 (never stop early) to 10,000',
  restoreBestWeights: 'true or false',
  valFraction: 'a number between 0 and 1 (both excluded)',
  testFraction: 'a number from 0 up to, but not including, 1',
  weightsFile: "the path of a weights file (.h5, .weights.h5 or a run's checkpoint folder), or null",
  freeze: `a list of ${freezableFlows.map((f) => `"${f}"`).join(', ')}`,
  fineTune: `null, or { afterEpoch: a whole number of epochs from 1, unfreeze: a list of ${freezableFlows.map((f) => `"${f}"`).join(', ')}, learningRate: a number greater than 0 and at most 10 }`,
};

/** One problem with training settings, attached to its field (`config` for unknown fields). */
export interface TrainingSettingsIssue {
  field: keyof TrainingSettings | 'config';
  message: string;
}

const isTrainingField = (key: unknown): key is keyof TrainingSettings =>
  typeof key === 'string' && key in allowedTrainingValues;

/** Every problem with `raw` as training settings, field by field (empty when valid). */
export function trainingSettingsIssues(raw: unknown): TrainingSettingsIssue[] {
  const parsed = trainingSettingsSchema.safeParse(raw ?? {}, { reportInput: true });
  if (!parsed.success) {
    return parsed.error.issues.map((issue) => {
      if (issue.code === 'unrecognized_keys' && issue.path.length === 0) {
        return {
          field: 'config',
          message: `unknown field ${issue.keys.map((k) => `"${k}"`).join(', ')}; the fields are ${Object.keys(allowedTrainingValues).join(', ')}.`,
        };
      }
      const field = issue.path[0];
      if (!isTrainingField(field))
        return { field: 'config', message: 'training settings must be an object of fields and values.' };
      const name = issue.path.join('.');
      const allowed = allowedTrainingValues[field];
      if (issue.code === 'unrecognized_keys')
        return {
          field,
          message: `${name} has an unknown field ${issue.keys.map((k) => `"${k}"`).join(', ')}; ${field} must be ${allowed}.`,
        };
      const value = issue.input === undefined ? 'missing' : (JSON.stringify(issue.input) ?? String(issue.input));
      return { field, message: `${name} is ${value}; ${field} must be ${allowed}.` };
    });
  }
  const s = parsed.data;
  if (s.freeze.length > 0 && !s.weightsFile) {
    return [
      {
        field: 'freeze',
        message: 'freeze needs starting weights (weightsFile): frozen random weights would never learn.',
      },
    ];
  }
  const fineTune = fineTuneIssue(s);
  if (fineTune) return [{ field: 'fineTune', message: fineTune }];
  if (s.valFraction + s.testFraction >= 1) {
    const message = `valFraction (${s.valFraction}) + testFraction (${s.testFraction}) must be below 1, leaving images to train on.`;
    return [
      { field: 'valFraction', message },
      { field: 'testFraction', message },
    ];
  }
  return [];
}

/** What is wrong with a parsed `fineTune` next to the other settings, if anything. */
function fineTuneIssue(s: TrainingSettings): string | undefined {
  const ft = s.fineTune;
  if (!ft) return undefined;
  if (!s.weightsFile || s.freeze.length === 0)
    return 'fineTune needs starting weights (weightsFile) and frozen flows (freeze): its second phase unfreezes some of them.';
  const notFrozen = ft.unfreeze.filter((flow) => !s.freeze.includes(flow));
  if (notFrozen.length > 0)
    return `fineTune.unfreeze lists ${notFrozen.map((f) => `"${f}"`).join(', ')}, which ${notFrozen.length === 1 ? 'is' : 'are'} not frozen (freeze: ${s.freeze.map((f) => `"${f}"`).join(', ')}); unfreeze only frozen flows.`;
  if (ft.afterEpoch >= s.epochs)
    return `fineTune.afterEpoch is ${ft.afterEpoch}, but the run has ${s.epochs} epochs; the second phase must start before the last epoch (afterEpoch below epochs).`;
  return undefined;
}

/** Validates training settings; the error names the field, quotes the value and says what is allowed. */
export function validateTrainingSettings(raw: unknown): TrainingSettings {
  const issues = trainingSettingsIssues(raw);
  if (issues.length > 0) {
    const more = issues.length > 1 && issues[1]!.message !== issues[0]!.message ? ` (${issues.length - 1} more)` : '';
    throw new LabError('INVALID_TRAINING_SETTINGS', `Invalid training settings: ${issues[0]!.message}${more}`);
  }
  return trainingSettingsSchema.parse(raw ?? {});
}

/**
 * The learning rate of epoch `epoch` (0-based) for the time-based schedules; `plateau` is
 * driven by validation loss at run time and starts at `learningRate`. Pure.
 */
export function scheduledLearningRate(settings: TrainingSettings, epoch: number): number {
  const { learningRate, minLearningRate } = settings;
  switch (settings.schedule) {
    case 'constant':
    case 'plateau':
      return learningRate;
    case 'step':
      return Math.max(minLearningRate, learningRate * settings.stepFactor ** Math.floor(epoch / settings.stepEvery));
    case 'cosine': {
      const progress = Math.min(1, epoch / Math.max(1, settings.epochs - 1));
      return minLearningRate + (learningRate - minLearningRate) * 0.5 * (1 + Math.cos(Math.PI * progress));
    }
  }
}

/** Keras' "balanced" class weights: n_samples / (n_classes × count), so rare classes weigh more. */
export function balancedClassWeights(counts: readonly number[]): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((count) => (count > 0 ? total / (counts.length * count) : 0));
}
