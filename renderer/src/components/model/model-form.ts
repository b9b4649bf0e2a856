/**
 * The Model page's form as data: which fields it shows, in which groups, how the text a user
 * types becomes the values sent to `describeModel` / `checkTrainingSettings`, and how two saved
 * configs are compared. Pure, no DOM: unit-tested in test/renderer/model-form.test.ts.
 *
 * Values are sent as typed: text that is not a number goes to the engine as a string, so its
 * message names the field and quotes what was typed ("inputSize is "abc"; it must be …").
 */
import type {
  ModelConfig,
  ModelPresetInfo,
  ModelRequest,
  NamedConfig,
  TrainingRequest,
  TrainingSettings,
} from '../../../../main/contract';
import { describeChange, diffConfigs } from '../../../../main/models/config-diff';
import {
  MAX_ENTRY_BLOCKS,
  MAX_INPUT_SIZE,
  MAX_MIDDLE_REPEATS,
  MAX_WIDTH_MULTIPLIER,
  MIN_CLASSES,
  trainingLimits,
} from '../../../../main/models/limits';

/**
 * `number`: one number; `list`: comma-separated numbers; `pair`: two numbers; `choice`: a select;
 * `path`: a file path (empty: none); `names`: comma-separated words.
 */
export type FieldKind = 'number' | 'list' | 'pair' | 'choice' | 'boolean' | 'path' | 'names';

/** What a form control holds: text for numbers and lists, two texts for a pair, a flag for a checkbox. */
export type FieldText = string | boolean | [string, string];
export type FormValues = Record<string, FieldText>;

/** A field of the model config or of the training settings. */
export type ModelField = keyof ModelConfig;
/** A training setting, or one field of a nested setting as `outer.inner` (`fineTune.afterEpoch`). */
export type TrainingField =
  keyof TrainingSettings | `fineTune.${keyof NonNullable<TrainingSettings['fineTune']> & string}`;

export interface FieldSpec<Name extends ModelField | TrainingField = ModelField | TrainingField> {
  /** The config field (`inputSize`, `learningRate`, …); also the key of issues from the engine. */
  name: Name;
  label: string;
  kind: FieldKind;
  /** Whole numbers only (numeric keyboard); otherwise decimals. */
  integer?: boolean;
  /** A short line under the field: unit, range, meaning. */
  hint?: string;
  choices?: readonly { value: string; label: string }[];
  /** Labels of a pair's two inputs. */
  parts?: readonly [string, string];
  /** Training fields that only apply to some settings (momentum for SGD, …). */
  when?: (values: FormValues) => boolean;
  /** Takes a whole row of the field grid. */
  wide?: boolean;
  /**
   * The engine field whose issues this control shows, when not `name`: a nested setting's
   * controls are named `outer.inner` (`fineTune.afterEpoch`), its issues come as `outer`.
   */
  issueField?: string;
}

export interface FieldGroup<Name extends ModelField | TrainingField = ModelField | TrainingField> {
  id: string;
  title: string;
  fields: readonly FieldSpec<Name>[];
}

export const modelGroups: readonly FieldGroup<ModelField>[] = [
  {
    id: 'input',
    title: 'Input & classes',
    fields: [
      {
        name: 'inputSize',
        label: 'Input size (px)',
        kind: 'number',
        integer: true,
        hint: `Square images; at most ${MAX_INPUT_SIZE}.`,
      },
      {
        name: 'classes',
        label: 'Classes',
        kind: 'number',
        integer: true,
        hint: `One per class folder of your dataset; at least ${MIN_CLASSES}.`,
      },
    ],
  },
  {
    id: 'architecture',
    title: 'Architecture',
    fields: [
      {
        name: 'blockStyle',
        label: 'Block style',
        kind: 'choice',
        choices: [
          { value: 'keras', label: 'keras — ReLU before each separable conv (Chollet 2017)' },
          { value: 'seed', label: "seed — conv → BN → ReLU (the lecture's block())" },
        ],
        wide: true,
      },
      {
        name: 'widthMultiplier',
        label: 'Width multiplier α',
        kind: 'number',
        hint: `Every width × α, rounded; above 0, at most ${MAX_WIDTH_MULTIPLIER}.`,
      },
      { name: 'dropout', label: 'Dropout', kind: 'number', hint: 'Before the classifier; 0 = none, below 1.' },
      {
        name: 'stemWidths',
        label: 'Stem widths',
        kind: 'pair',
        integer: true,
        parts: ['block1_conv1', 'block1_conv2'],
      },
      {
        name: 'entryWidths',
        label: 'Entry widths',
        kind: 'list',
        hint: `1 to ${MAX_ENTRY_BLOCKS} widths separated by commas, one downsampling block each.`,
      },
      {
        name: 'middleRepeats',
        label: 'Middle repeats',
        kind: 'number',
        integer: true,
        hint: `Identity blocks, 0 to ${MAX_MIDDLE_REPEATS}.`,
      },
      {
        name: 'middleWidth',
        label: 'Middle width',
        kind: 'number',
        integer: true,
        hint: 'Equal to the last entry width.',
      },
      {
        name: 'exitBlockWidths',
        label: 'Exit block widths',
        kind: 'pair',
        integer: true,
        parts: ['sepconv1', 'sepconv2'],
      },
      {
        name: 'exitConvWidths',
        label: 'Exit conv widths',
        kind: 'pair',
        integer: true,
        parts: ['sepconv1', 'sepconv2'],
      },
    ],
  },
];

const isSgd = (v: FormValues): boolean => v.optimizer === 'sgd';
const scheduleIs =
  (...schedules: string[]) =>
  (v: FormValues): boolean =>
    typeof v.schedule === 'string' && schedules.includes(v.schedule);

const hasWeights = (v: FormValues): boolean => typeof v.weightsFile === 'string' && v.weightsFile.trim() !== '';
const hasFrozen = (v: FormValues): boolean =>
  hasWeights(v) && typeof v.freeze === 'string' && v.freeze.split(/[\s,;]+/).some((part) => part !== '');

export const trainingGroup: FieldGroup<TrainingField> = {
  id: 'training',
  title: 'Training settings',
  fields: [
    {
      name: 'optimizer',
      label: 'Optimizer',
      kind: 'choice',
      choices: [
        { value: 'adam', label: 'Adam' },
        { value: 'sgd', label: 'SGD' },
        { value: 'rmsprop', label: 'RMSprop' },
      ],
    },
    {
      name: 'learningRate',
      label: 'Learning rate',
      kind: 'number',
      hint: `Above ${trainingLimits.learningRate.min}, at most ${trainingLimits.learningRate.max}.`,
    },
    { name: 'momentum', label: 'Momentum', kind: 'number', hint: 'SGD only; 0 to below 1.', when: isSgd },
    { name: 'nesterov', label: 'Nesterov momentum', kind: 'boolean', when: isSgd },
    {
      name: 'schedule',
      label: 'Learning-rate schedule',
      kind: 'choice',
      choices: [
        { value: 'constant', label: 'Constant' },
        { value: 'step', label: 'Step decay' },
        { value: 'cosine', label: 'Cosine decay' },
        { value: 'plateau', label: 'Reduce on plateau' },
      ],
    },
    { name: 'stepEvery', label: 'Step every (epochs)', kind: 'number', integer: true, when: scheduleIs('step') },
    {
      name: 'stepFactor',
      label: 'Step factor',
      kind: 'number',
      hint: 'Rate × factor at each step.',
      when: scheduleIs('step'),
    },
    {
      name: 'plateauPatience',
      label: 'Plateau patience (epochs)',
      kind: 'number',
      integer: true,
      when: scheduleIs('plateau'),
    },
    {
      name: 'plateauFactor',
      label: 'Plateau factor',
      kind: 'number',
      hint: 'Rate × factor on a plateau.',
      when: scheduleIs('plateau'),
    },
    {
      name: 'minLearningRate',
      label: 'Minimum learning rate',
      kind: 'number',
      when: scheduleIs('step', 'cosine', 'plateau'),
    },
    {
      name: 'batchSize',
      label: 'Batch size',
      kind: 'number',
      integer: true,
      hint: 'Also sizes the activation memory.',
    },
    { name: 'epochs', label: 'Epochs', kind: 'number', integer: true },
    { name: 'weightDecay', label: 'Weight decay (L2)', kind: 'number', hint: '0 = none.' },
    { name: 'labelSmoothing', label: 'Label smoothing', kind: 'number', hint: '0 = hard labels.' },
    {
      name: 'classWeights',
      label: 'Class weights',
      kind: 'choice',
      choices: [
        { value: 'none', label: 'None' },
        { value: 'balanced', label: 'Balanced (from class counts)' },
      ],
    },
    { name: 'seed', label: 'Seed', kind: 'number', integer: true },
    {
      name: 'monitor',
      label: 'Best epoch by (monitor)',
      kind: 'choice',
      choices: [
        { value: 'val_loss', label: 'Lowest val_loss (Keras default)' },
        { value: 'val_accuracy', label: 'Highest val_accuracy' },
      ],
    },
    {
      name: 'earlyStoppingPatience',
      label: 'Early-stopping patience',
      kind: 'number',
      integer: true,
      hint: 'Epochs; 0 = never stop early.',
    },
    { name: 'restoreBestWeights', label: 'Restore best weights', kind: 'boolean' },
    { name: 'valFraction', label: 'Validation fraction', kind: 'number', hint: 'Held out per class.' },
    { name: 'testFraction', label: 'Test fraction', kind: 'number', hint: 'Held out per class; 0 = none.' },
    {
      name: 'weightsFile',
      label: 'Start from weights',
      kind: 'path',
      wide: true,
      hint: "Keras' Xception .h5 or .weights.h5, or a run's checkpoint folder, on the lab's machine (never downloaded); empty = random weights.",
    },
    {
      name: 'freeze',
      label: 'Freeze flows',
      kind: 'names',
      hint: 'Any of entry, middle, exit, head, separated by commas: kept as loaded, batch norms in inference mode. Frozen from entry on without augmentation: their output is computed once per image and cached (the log says when).',
      when: hasWeights,
    },
    {
      name: 'fineTune.afterEpoch',
      label: 'Fine-tune after (epochs)',
      kind: 'number',
      integer: true,
      hint: 'Two phases in one run: the head for this many epochs, then unfreeze. Empty = one phase.',
      issueField: 'fineTune',
      when: hasFrozen,
    },
    {
      name: 'fineTune.unfreeze',
      label: 'Then unfreeze flows',
      kind: 'names',
      hint: 'Frozen flows to train in the second phase, e.g. middle, exit.',
      when: hasFrozen,
    },
    {
      name: 'fineTune.learningRate',
      label: 'Fine-tuning learning rate',
      kind: 'number',
      hint: 'Lower than the first phase’s, e.g. 0.00001; a fresh optimizer starts with it.',
      when: hasFrozen,
    },
  ],
};

export const modelFields: readonly FieldSpec<ModelField>[] = modelGroups.flatMap((g) => g.fields);

/** The value of `name` in a config: `outer.inner` reads a nested setting. */
function configValue(config: Readonly<Record<string, unknown>>, name: string): unknown {
  const [outer, inner] = name.split('.') as [string, string | undefined];
  const value = config[outer];
  if (inner === undefined) return value;
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[inner] : undefined;
}

const blank = (value: unknown): boolean => value === '' || value === null || (Array.isArray(value) && !value.length);
export const trainingFields: readonly FieldSpec<TrainingField>[] = trainingGroup.fields;

const numberPattern = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;

/** "0.25" → 0.25; anything that is not a plain number stays the text, for the engine to quote. */
export function parseNumber(text: string): number | string {
  const trimmed = text.trim();
  return numberPattern.test(trimmed) ? Number(trimmed) : trimmed;
}

/** "128, 256 728" → [128, 256, 728]; commas, semicolons and spaces all separate. */
export function parseList(text: string): (number | string)[] {
  return text
    .split(/[\s,;]+/)
    .filter((part) => part !== '')
    .map(parseNumber);
}

/** The value a control's text stands for. */
export function parseField(spec: FieldSpec, text: FieldText | undefined): unknown {
  switch (spec.kind) {
    case 'boolean':
      return text === true;
    case 'choice':
      return typeof text === 'string' ? text : '';
    case 'pair':
      return Array.isArray(text) ? [parseNumber(text[0]), parseNumber(text[1])] : [];
    case 'list':
      return typeof text === 'string' ? parseList(text) : [];
    case 'number':
      return typeof text === 'string' ? parseNumber(text) : '';
    case 'path':
      return typeof text === 'string' && text.trim() !== '' ? text.trim() : null;
    case 'names':
      return typeof text === 'string' ? text.split(/[\s,;]+/).filter((part) => part !== '') : [];
  }
}

/** A number as a person would type it: 0.001, not 1e-3 (very small or large ones stay exponential). */
export function numberText(value: unknown): string {
  if (typeof value !== 'number') return value === undefined || value === null ? '' : String(value);
  return String(value);
}

/** The text a control shows for a config value. */
export function fieldText(spec: FieldSpec, value: unknown): FieldText {
  switch (spec.kind) {
    case 'boolean':
      return value === true;
    case 'choice':
      return value === undefined ? '' : String(value);
    case 'pair': {
      const [a, b] = Array.isArray(value) ? value : [];
      return [numberText(a), numberText(b)];
    }
    case 'list':
      return Array.isArray(value) ? value.map(numberText).join(', ') : numberText(value);
    case 'number':
      return numberText(value);
    case 'path':
      return typeof value === 'string' ? value : '';
    case 'names':
      return Array.isArray(value) ? value.join(', ') : '';
  }
}

/** The form values for a config (every field of `specs` taken from `config`). */
export function formValues(specs: readonly FieldSpec[], config: Readonly<Record<string, unknown>>): FormValues {
  return Object.fromEntries(specs.map((spec) => [spec.name, fieldText(spec, configValue(config, spec.name))]));
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Whether a field applies to the current values (hidden ones are left out of requests). */
export const isShown = (spec: FieldSpec, values: FormValues): boolean => spec.when?.(values) ?? true;

/**
 * What to send to `describeModel` and to save: the preset id plus only the fields that differ
 * from the preset (`extra` carries fields of a loaded config the form does not show).
 */
export function modelRequest(
  preset: Pick<ModelPresetInfo, 'id' | 'config'>,
  values: FormValues,
  extra: Readonly<Record<string, unknown>> = {},
): ModelRequest {
  const request: ModelRequest = { preset: preset.id };
  const config: Readonly<Record<string, unknown>> = preset.config;
  for (const [field, value] of Object.entries(extra)) {
    if (value !== undefined && !same(value, config[field])) request[field] = value;
  }
  for (const spec of modelFields) {
    const value = parseField(spec, values[spec.name]);
    if (!same(value, preset.config[spec.name])) request[spec.name] = value;
  }
  return request;
}

/** Training settings to check and save: every field that applies (hidden ones take the defaults). */
export function trainingRequest(values: FormValues): TrainingRequest {
  const request: Record<string, unknown> = {};
  const nested: Record<string, Record<string, unknown>> = {};
  for (const spec of trainingFields.filter((s) => isShown(s, values))) {
    const [outer, inner] = spec.name.split('.') as [string, string | undefined];
    const value = parseField(spec, values[spec.name]);
    if (inner === undefined) request[outer] = value;
    else (nested[outer] ??= {})[inner] = value;
  }
  // A nested setting left all empty is off (null); partly filled, the engine says what is missing.
  for (const [outer, fields] of Object.entries(nested))
    request[outer] = Object.values(fields).every(blank) ? null : fields;
  return request;
}

/** Fields of a saved model request that the form does not show (kept so a load → save round-trips). */
export function extraModelFields(request: ModelRequest): Record<string, unknown> {
  const shown = new Set(['preset', ...modelFields.map((spec) => spec.name)]);
  return Object.fromEntries(
    Object.entries(request).filter(([field, value]) => !shown.has(field) && value !== undefined),
  );
}

/**
 * A saved config spelled out in full: its preset, the preset's fields with the saved ones on
 * top, then the training defaults with the saved settings on top.
 */
export function mergedConfig(
  config: Pick<NamedConfig, 'model' | 'training'>,
  presets: readonly Pick<ModelPresetInfo, 'id' | 'config'>[],
  trainingDefaults: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const { preset = 'xception', ...fields } = config.model;
  const base = presets.find((p) => p.id === preset)?.config ?? {};
  const given = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
  return { preset, ...base, ...given, ...trainingDefaults, ...config.training };
}

/** "classes: 10 → 5", one line per field that differs between two configs. */
export function configDifferences(
  a: Pick<NamedConfig, 'model' | 'training'>,
  b: Pick<NamedConfig, 'model' | 'training'>,
  presets: readonly Pick<ModelPresetInfo, 'id' | 'config'>[],
  trainingDefaults: Readonly<Record<string, unknown>>,
): string[] {
  return diffConfigs(mergedConfig(a, presets, trainingDefaults), mergedConfig(b, presets, trainingDefaults)).map(
    describeChange,
  );
}

/** α × width rounded to whole channels, as the builder does (`scaleWidth`). */
export function scaledWidths(widths: readonly unknown[], alpha: unknown): number[] | undefined {
  if (typeof alpha !== 'number' || !(alpha > 0)) return undefined;
  if (!widths.every((w): w is number => typeof w === 'number' && Number.isFinite(w))) return undefined;
  return widths.map((w) => Math.round(w * alpha));
}
