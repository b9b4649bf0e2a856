/**
 * The model config's shape: fields, limits and defaults, with no validation logic, so the
 * planner (xception-plan.ts) and the validator (model-config.ts) both import it without a cycle.
 */
import { z } from 'zod';
import {
  MAX_CLASSES,
  MAX_ENTRY_BLOCKS,
  MAX_INPUT_SIZE,
  MAX_MIDDLE_REPEATS,
  MAX_WIDTH,
  MAX_WIDTH_MULTIPLIER,
  MIN_CLASSES,
} from './limits';

/**
 * The flat, documented options of the Xception builder. Defaults are Keras'
 * `keras.applications.Xception` (Chollet 2017, ImageNet: 299 px, 1000 classes).
 */
export const blockStyles = ['keras', 'seed'] as const;
/**
 * `keras`: Chollet/Keras xception.py — ReLU before each separable conv (except the first of the
 * first entry block), 'valid' stem convs. `seed`: the lecture's post-activation `block()` =
 * SeparableConv2D → BatchNormalization → ReLU, 'same' stem convs. Both have the same layers and
 * the same parameter count.
 */
export type BlockStyle = (typeof blockStyles)[number];

/** What each field accepts, in words; every validation message quotes one of these. */
export const allowedValues = {
  inputSize: `a whole number of pixels (square images), at most ${MAX_INPUT_SIZE}; the smallest allowed follows from the network's strides`,
  classes: `a whole number from ${MIN_CLASSES} to ${MAX_CLASSES}`,
  stemWidths: `two whole numbers from 1 to ${MAX_WIDTH} (channels of block1_conv1 and block1_conv2)`,
  entryWidths: `1 to ${MAX_ENTRY_BLOCKS} whole numbers from 1 to ${MAX_WIDTH} (one downsampling block each)`,
  middleRepeats: `a whole number from 0 to ${MAX_MIDDLE_REPEATS}`,
  middleWidth: `a whole number from 1 to ${MAX_WIDTH}, equal to the last entryWidths value`,
  exitBlockWidths: `two whole numbers from 1 to ${MAX_WIDTH} (the exit block's two separable convs; the second is also its shortcut's width)`,
  exitConvWidths: `two whole numbers from 1 to ${MAX_WIDTH} (the last two separable convs)`,
  widthMultiplier: `a number greater than 0 and at most ${MAX_WIDTH_MULTIPLIER}`,
  blockStyle: `one of ${blockStyles.map((s) => `"${s}"`).join(', ')}`,
  dropout: 'a number from 0 (no dropout) up to, but not including, 1',
  pooling: '"avg" (global average pooling)',
  includeTop: 'true or false',
  batchNormMomentum: 'a number from 0 up to, but not including, 1 (Keras: 0.99)',
} as const;

export type ModelConfigField = keyof typeof allowedValues;

const width = z.int().min(1).max(MAX_WIDTH);

export const modelConfigSchema = z.strictObject({
  /** Height = width of the input images, in pixels. */
  inputSize: z.int().min(1).max(MAX_INPUT_SIZE).default(299),
  /** Number of classes of the softmax classifier. */
  classes: z.int().min(MIN_CLASSES).max(MAX_CLASSES).default(1000),
  /** Channels of the two stem convolutions (block1_conv1, block1_conv2). */
  stemWidths: z.tuple([width, width]).default((): [number, number] => [32, 64]),
  /** One downsampling block per width (block2, block3, block4 in Keras). */
  entryWidths: z
    .array(width)
    .min(1)
    .max(MAX_ENTRY_BLOCKS)
    .default(() => [128, 256, 728]),
  /** How many identity blocks the middle flow repeats (block5…block12 in Keras). */
  middleRepeats: z.int().min(0).max(MAX_MIDDLE_REPEATS).default(8),
  /** Channels of the middle flow; must equal the last entry width (identity shortcuts). */
  middleWidth: width.default(728),
  /** The exit downsampling block (block13): its two separable convs; the shortcut has the second width. */
  exitBlockWidths: z.tuple([width, width]).default((): [number, number] => [728, 1024]),
  /** The last two separable convs (block14), each followed by BN and ReLU. */
  exitConvWidths: z.tuple([width, width]).default((): [number, number] => [1536, 2048]),
  /** α: every width above is multiplied by it and rounded to the nearest whole channel. */
  widthMultiplier: z.number().gt(0).max(MAX_WIDTH_MULTIPLIER).default(1),
  blockStyle: z.enum(blockStyles).default('keras'),
  /** Dropout rate before the classifier (0 = no dropout layer). */
  dropout: z.number().min(0).lt(1).default(0),
  pooling: z.enum(['avg']).default('avg'),
  /** false: the model ends at the pooled features (`avg_pool`), without dropout and classifier. */
  includeTop: z.boolean().default(true),
  /**
   * How fast BatchNormalization's moving statistics follow the batches (Keras: 0.99). With few
   * batches per epoch (small datasets) 0.99 leaves them near their initial values for many
   * epochs, so validation looks like chance; the CPU presets use 0.9. Not a parameter count.
   */
  batchNormMomentum: z.number().min(0).lt(1).default(0.99),
});

/** A validated config with every field filled in. */
export type ModelConfig = z.output<typeof modelConfigSchema>;
/** What callers may pass: any subset of the fields; missing ones take the Keras defaults. */
export type ModelConfigInput = z.input<typeof modelConfigSchema>;

export const modelConfigFields = Object.keys(allowedValues) as ModelConfigField[];
