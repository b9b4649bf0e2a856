import { z } from 'zod';
import { LabError } from '../errors';
import { planXception, scaleWidth } from './xception-plan';
import { describeStrideStages, minInputSize } from './plan-shapes';

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

export const MAX_INPUT_SIZE = 1024;
export const MAX_CLASSES = 100_000;
export const MAX_WIDTH = 4096;
export const MAX_ENTRY_BLOCKS = 8;
export const MAX_MIDDLE_REPEATS = 64;
export const MAX_WIDTH_MULTIPLIER = 4;

/** What each field accepts, in words; every validation message quotes one of these. */
export const allowedValues = {
  inputSize: `a whole number of pixels (square images), at most ${MAX_INPUT_SIZE}; the smallest allowed follows from the network's strides`,
  classes: `a whole number from 2 to ${MAX_CLASSES}`,
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
  classes: z.int().min(2).max(MAX_CLASSES).default(1000),
  /** Channels of the two stem convolutions (block1_conv1, block1_conv2). */
  stemWidths: z.tuple([width, width]).default((): [number, number] => [32, 64]),
  /** One downsampling block per width (block2, block3, block4 in Keras). */
  entryWidths: z.array(width).min(1).max(MAX_ENTRY_BLOCKS).default(() => [128, 256, 728]),
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

/** One problem with a config, attached to the field a UI shows it next to. */
export interface ModelConfigIssue {
  /** Top-level field name (`entryWidths`, not `entryWidths[1]`), or `config` for the whole object. */
  field: ModelConfigField | 'config';
  message: string;
}

/** A model config that cannot be built. `field` names the option, for messages next to a form field. */
export class ModelConfigError extends LabError {
  readonly field: ModelConfigIssue['field'];

  constructor(issue: ModelConfigIssue, more = 0) {
    const tail = more > 0 ? ` (${more} more problem${more === 1 ? '' : 's'} in this config)` : '';
    super('INVALID_MODEL_CONFIG', `Invalid model config: ${issue.message}${tail}`);
    this.name = 'ModelConfigError';
    this.field = issue.field;
  }
}

/** A value as the user typed it: strings in quotes, numbers as is. */
export function quote(value: unknown): string {
  if (value === undefined) return 'missing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function isField(key: unknown): key is ModelConfigField {
  return typeof key === 'string' && key in allowedValues;
}

function pathName(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}

function schemaIssues(error: z.ZodError): ModelConfigIssue[] {
  return error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.map((k) => `"${k}"`).join(', ');
      return {
        field: 'config',
        message: `unknown field${issue.keys.length === 1 ? '' : 's'} ${keys}; the fields are ${modelConfigFields.join(', ')}.`,
      };
    }
    const top = issue.path[0];
    if (!isField(top)) return { field: 'config', message: `the config must be an object of model options (got ${quote(issue.input)}).` };
    return {
      field: top,
      message: `${pathName(issue.path)} is ${quote(issue.input)}; ${issue.path.length > 1 ? top : 'it'} must be ${allowedValues[top]}.`,
    };
  });
}

/** `x` rounded up to 3 significant digits, so a quoted minimum is itself allowed. */
function roundUp(x: number): number {
  const step = 10 ** (Math.floor(Math.log10(x)) - 2);
  return Number((Math.ceil(x / step) * step).toPrecision(3));
}

/** Checks that need the whole (schema-valid) config: identity shortcuts, α rounding, input size. */
function crossFieldIssues(config: ModelConfig): ModelConfigIssue[] {
  const issues: ModelConfigIssue[] = [];
  const lastEntry = config.entryWidths[config.entryWidths.length - 1]!;
  if (config.middleRepeats > 0 && config.middleWidth !== lastEntry) {
    issues.push({
      field: 'middleWidth',
      message: `middleWidth is ${config.middleWidth} but the last entryWidths value is ${lastEntry}; the middle flow adds its input to its output (identity shortcut), so middleWidth must be ${lastEntry}.`,
    });
  }

  const alpha = config.widthMultiplier;
  const widths: [string, number][] = [
    ...config.stemWidths.map((w, i): [string, number] => [`stemWidths[${i}]`, w]),
    ...config.entryWidths.map((w, i): [string, number] => [`entryWidths[${i}]`, w]),
    ...(config.middleRepeats > 0 ? [['middleWidth', config.middleWidth] as [string, number]] : []),
    ...config.exitBlockWidths.map((w, i): [string, number] => [`exitBlockWidths[${i}]`, w]),
    ...config.exitConvWidths.map((w, i): [string, number] => [`exitConvWidths[${i}]`, w]),
  ];
  const vanishing = widths.find(([, w]) => scaleWidth(w, alpha) < 1);
  if (vanishing) {
    const smallest = Math.min(...widths.map(([, w]) => w));
    const minimum = roundUp(0.5 / smallest);
    issues.push({
      field: 'widthMultiplier',
      message: `widthMultiplier is ${quote(alpha)}, which rounds ${vanishing[0]} (${vanishing[1]} channels) to 0 channels; with these widths widthMultiplier must be at least ${minimum} (0.5 ÷ the smallest width, ${smallest}) and at most ${MAX_WIDTH_MULTIPLIER}.`,
    });
  }
  if (issues.length > 0) return issues;

  const plan = planXception(config);
  const minimum = minInputSize(plan);
  if (minimum === undefined) {
    issues.push({
      field: 'inputSize',
      message: `no input size up to ${MAX_INPUT_SIZE} px fits this network's strides (${describeStrideStages(plan)}); remove entry blocks.`,
    });
  } else if (config.inputSize < minimum) {
    issues.push({
      field: 'inputSize',
      message: `inputSize is ${config.inputSize}, too small for this network's strides (${describeStrideStages(plan)}): every stride-2 layer needs at least 2 px to downsample, so inputSize must be from ${minimum} to ${MAX_INPUT_SIZE}.`,
    });
  }
  return issues;
}

/**
 * Every problem with `raw` as a model config, each attached to its field (empty when valid).
 * Field checks come first; the cross-field checks (shortcut widths, α, input size against the
 * strides) run only on a config whose fields are each valid.
 */
export function modelConfigIssues(raw: unknown): ModelConfigIssue[] {
  const parsed = modelConfigSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) return schemaIssues(parsed.error);
  return crossFieldIssues(parsed.data);
}

/**
 * Validates a flat model config and fills in the Keras defaults. Throws a `ModelConfigError`
 * (a `LabError`, code `INVALID_MODEL_CONFIG`) naming the field, quoting the bad value and
 * saying what is allowed.
 */
export function validateModelConfig(raw: unknown): ModelConfig {
  const parsed = modelConfigSchema.safeParse(raw, { reportInput: true });
  const issues = parsed.success ? crossFieldIssues(parsed.data) : schemaIssues(parsed.error);
  if (parsed.success && issues.length === 0) return parsed.data;
  throw new ModelConfigError(issues[0]!, issues.length - 1);
}
