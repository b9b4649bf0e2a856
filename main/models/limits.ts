/**
 * The numeric limits of the model config and the training settings, with no validation code:
 * their zod schemas and the renderer's forms (hints, on-the-spot checks) read the same numbers.
 * Pure and browser-safe: the renderer imports it.
 */

export const MAX_INPUT_SIZE = 1024;
export const MIN_CLASSES = 2;
export const MAX_CLASSES = 100_000;
export const MAX_WIDTH = 4096;
export const MAX_ENTRY_BLOCKS = 8;
export const MAX_MIDDLE_REPEATS = 64;
export const MAX_WIDTH_MULTIPLIER = 4;

/** Training settings with a numeric range: smallest and largest allowed (`learningRate` must be above its min). */
export const trainingLimits = {
  learningRate: { min: 0, max: 10 },
  batchSize: { min: 1, max: 4096 },
  epochs: { min: 1, max: 10_000 },
  seed: { min: 0, max: 2 ** 31 - 1 },
} as const;

/** 4096 → "4,096": how the limits read in messages and hints. */
export const limitText = (n: number): string => n.toLocaleString('en-US');
