import { z } from 'zod';
import { LabError } from '../errors';

/**
 * How a model is trained, stored with its model config (a "named config") and used by every
 * run. Defaults follow common Keras practice for fine-grained image classification from scratch.
 */
export const optimizers = ['adam', 'sgd', 'rmsprop'] as const;
export const schedules = ['constant', 'step', 'cosine', 'plateau'] as const;
export const classWeightModes = ['none', 'balanced'] as const;

export const trainingSettingsSchema = z.strictObject({
  optimizer: z.enum(optimizers).default('adam'),
  learningRate: z.number().gt(0).max(10).default(0.001),
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
  batchSize: z.int().min(1).max(4096).default(32),
  epochs: z.int().min(1).max(10_000).default(20),
  /** L2 penalty on conv and dense kernels (0 = none). */
  weightDecay: z.number().min(0).max(1).default(0),
  /** 0 = hard labels; Keras' `label_smoothing`. */
  labelSmoothing: z.number().min(0).lt(1).default(0),
  classWeights: z.enum(classWeightModes).default('none'),
  seed: z.int().min(0).max(2 ** 31 - 1).default(42),
  /** Stop after this many epochs without val_loss improving; 0 = never stop early. */
  earlyStoppingPatience: z.int().min(0).max(10_000).default(0),
  /** At the end, keep the weights of the best epoch (by val_loss) rather than the last. */
  restoreBestWeights: z.boolean().default(false),
  /** Fractions of each class held out; given splits (train/val/test folders) take precedence. */
  valFraction: z.number().gt(0).lt(1).default(0.2),
  testFraction: z.number().min(0).lt(1).default(0),
});

export type TrainingSettings = z.output<typeof trainingSettingsSchema>;
export type TrainingSettingsInput = z.input<typeof trainingSettingsSchema>;

/** Validates training settings; the error names the field, quotes the value and says what is allowed. */
export function validateTrainingSettings(raw: unknown): TrainingSettings {
  const parsed = trainingSettingsSchema.safeParse(raw ?? {}, { reportInput: true });
  if (parsed.success) {
    const s = parsed.data;
    if (s.valFraction + s.testFraction >= 1) {
      throw new LabError(
        'INVALID_TRAINING_SETTINGS',
        `Invalid training settings: valFraction (${s.valFraction}) + testFraction (${s.testFraction}) must be below 1, leaving images to train on.`,
      );
    }
    return s;
  }
  const issue = parsed.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    throw new LabError(
      'INVALID_TRAINING_SETTINGS',
      `Invalid training settings: unknown field ${issue.keys.map((k) => `"${k}"`).join(', ')}; the fields are ${Object.keys(trainingSettingsSchema.shape).join(', ')}.`,
    );
  }
  const field = issue.path.join('.');
  const value = JSON.stringify(issue.input) ?? 'missing';
  throw new LabError('INVALID_TRAINING_SETTINGS', `Invalid training settings: ${field} is ${value}; ${issue.message}.`);
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
