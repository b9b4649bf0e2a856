import type { z } from 'zod';
import { LabError } from '../errors';
import { MAX_INPUT_SIZE, MAX_WIDTH_MULTIPLIER } from './limits';
import {
  allowedValues,
  modelConfigFields,
  modelConfigSchema,
  type ModelConfig,
  type ModelConfigField,
} from './model-config-schema';
import { planXception, scaleWidth } from './xception-plan';
import { describeStrideStages, minInputSize } from './plan-shapes';

export * from './model-config-schema';

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
    if (!isField(top))
      return { field: 'config', message: `the config must be an object of model options (got ${quote(issue.input)}).` };
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
