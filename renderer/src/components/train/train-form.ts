/**
 * The Train page's form: what the user typed (all text, as typed), checked on the spot and
 * turned into the `TrainRequest` the engine takes. Pure, so unit-tested.
 */
import type {
  EngineInfo,
  KerasEngineStatus,
  ModelPresetInfo,
  NamedConfig,
  SampleDataset,
  TrainRequest,
  ScanReport,
} from '../../../../main/contract';
import { startingEpochs, startingPreset } from '../../lib/form-defaults';
import { MAX_INPUT_SIZE, trainingLimits } from '../../../../main/models/limits';
import { defaultMonitor, monitorOf, type Monitor } from '../../../../main/models/monitor';

export interface TrainFormValues {
  datasetSource: 'sample' | 'path';
  sampleId: string;
  path: string;
  modelSource: 'preset' | 'config';
  preset: string;
  configName: string;
  inputSize: string;
  epochs: string;
  batchSize: string;
  learningRate: string;
  seed: string;
  /** What picks the best epoch: the best checkpoint, early stopping, "best" in every view. */
  monitor: Monitor;
  name: string;
  /** "builtin": the running tfjs engine; "keras": Keras/TensorFlow in Python. */
  engine: 'builtin' | 'keras';
}

/** The fields an error can be shown next to. */
export type TrainField = 'dataset' | 'model' | 'inputSize' | 'epochs' | 'batchSize' | 'learningRate' | 'seed' | 'name';

export type FieldErrors = Partial<Record<TrainField, string>>;

export interface KnobSpec {
  field: Exclude<TrainField, 'dataset' | 'model' | 'name'>;
  label: string;
  integer: boolean;
  min: number;
  max: number;
  /** `min` itself is not allowed (learning rate > 0). */
  exclusiveMin?: boolean;
  unit?: string;
}

export const knobs: readonly KnobSpec[] = [
  { field: 'inputSize', label: 'Input size', integer: true, min: 1, max: MAX_INPUT_SIZE, unit: 'px' },
  { field: 'epochs', label: 'Epochs', integer: true, ...trainingLimits.epochs },
  { field: 'batchSize', label: 'Batch size', integer: true, ...trainingLimits.batchSize },
  { field: 'learningRate', label: 'Learning rate', integer: false, ...trainingLimits.learningRate, exclusiveMin: true },
  { field: 'seed', label: 'Seed', integer: true, ...trainingLimits.seed },
];

export function initialValues(): TrainFormValues {
  return {
    datasetSource: 'sample',
    sampleId: '',
    path: '',
    modelSource: 'preset',
    preset: startingPreset,
    configName: '',
    inputSize: '24',
    epochs: String(startingEpochs),
    batchSize: '32',
    learningRate: '0.001',
    seed: '42',
    monitor: defaultMonitor,
    name: '',
    engine: 'builtin',
  };
}

const text = (value: unknown): string | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? String(value) : typeof value === 'string' ? value : undefined;

/** The knobs' values a preset brings (its input size). */
export function knobsFromPreset(preset: ModelPresetInfo | undefined): Partial<TrainFormValues> {
  const size = text(preset?.config.inputSize);
  return size ? { inputSize: size } : {};
}

/** The knobs' values a saved config brings (its input size and training settings). */
export function knobsFromConfig(config: NamedConfig | undefined): Partial<TrainFormValues> {
  if (!config) return {};
  const out: Partial<TrainFormValues> = {};
  const size = text(config.model.inputSize);
  if (size) out.inputSize = size;
  for (const field of ['epochs', 'batchSize', 'learningRate', 'seed'] as const) {
    const value = text(config.training[field]);
    if (value) out[field] = value;
  }
  if (config.training.monitor !== undefined) out.monitor = monitorOf(config.training);
  return out;
}

/** The monitor choices, as the Train form lists them. */
export const monitorChoices: readonly { value: Monitor; label: string }[] = [
  { value: 'val_loss', label: 'Lowest val_loss' },
  { value: 'val_accuracy', label: 'Highest val_accuracy' },
];

export interface EngineChoice {
  value: TrainFormValues['engine'];
  label: string;
  disabled: boolean;
}

/** The Engine select's options: the running tfjs engine, and Keras (disabled until a Python can train). */
export function engineChoices(builtin: EngineInfo | null, keras: KerasEngineStatus | null): EngineChoice[] {
  const found = keras?.found;
  const device = found?.devices?.find((d) => /GPU/i.test(d)) ?? found?.devices?.[0] ?? 'CPU';
  return [
    { value: 'builtin', label: `Built-in (${builtin?.name ?? 'loading…'})`, disabled: false },
    {
      value: 'keras',
      label: found
        ? `Keras (TensorFlow ${found.tensorflow ?? '?'}, ${device})`
        : keras
          ? 'Keras (not available)'
          : 'Keras (checking…)',
      disabled: !found,
    },
  ];
}

/** What to install for the Keras engine, when no Python can train: the first problem and the fix. */
export function kerasNote(keras: KerasEngineStatus | null): string | undefined {
  if (!keras || keras.found) return undefined;
  const problem = keras.tried.find((t) => t.problem)?.problem ?? 'No Python was found.';
  // The probe's own install advice (": install them with …") gives way to the page's one fix.
  return `Keras is not available: ${problem.replace(/: install them with .*$/s, '.')}`;
}

/** The engine's training defaults (from `checkTrainingSettings({})`) for the knobs it has. */
export function knobsFromDefaults(settings: Record<string, unknown> | null): Partial<TrainFormValues> {
  if (!settings) return {};
  const out: Partial<TrainFormValues> = {};
  for (const field of ['batchSize', 'learningRate', 'seed'] as const) {
    const value = text(settings[field]);
    if (value) out[field] = value;
  }
  return out;
}

/** A knob's number, or why it is not acceptable. */
export function parseKnob(spec: KnobSpec, raw: string): { ok: true; value: number } | { ok: false; message: string } {
  const trimmed = raw.trim();
  if (trimmed === '') return { ok: false, message: `${spec.label} is required.` };
  const value = Number(trimmed);
  if (!Number.isFinite(value)) return { ok: false, message: `${spec.label} must be a number, not "${trimmed}".` };
  if (spec.integer && !Number.isInteger(value)) return { ok: false, message: `${spec.label} must be a whole number.` };
  if (spec.exclusiveMin ? value <= spec.min : value < spec.min) {
    return { ok: false, message: `${spec.label} must be ${spec.exclusiveMin ? 'above' : 'at least'} ${spec.min}.` };
  }
  if (value > spec.max)
    return { ok: false, message: `${spec.label} must be at most ${spec.max.toLocaleString('en-US')}.` };
  return { ok: true, value };
}

export interface FormContext {
  samples: readonly SampleDataset[];
  configs: readonly NamedConfig[];
}

/** The request for `startTraining`, or the problems field by field. `classes` is left to the dataset. */
export function buildTrainRequest(
  values: TrainFormValues,
  context: FormContext,
): { ok: true; request: TrainRequest } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  let dataset = '';
  if (values.datasetSource === 'sample') {
    const sample = context.samples.find((s) => s.id === values.sampleId);
    if (sample) dataset = sample.path;
    else errors.dataset = 'Pick a sample dataset.';
  } else {
    dataset = values.path.trim();
    if (!dataset) errors.dataset = 'Type the path of a dataset folder (one sub-folder per class).';
  }

  let model: TrainRequest['model'] = {};
  let training: Record<string, unknown> = {};
  if (values.modelSource === 'preset') {
    if (values.preset) model = { preset: values.preset };
    else errors.model = 'Pick a model preset.';
  } else {
    const config = context.configs.find((c) => c.name === values.configName);
    if (config) {
      // The engine sizes the classifier to the dataset: a saved class count would only clash.
      const { classes: _classes, ...fields } = config.model;
      model = fields;
      training = { ...config.training };
    } else {
      errors.model = 'Pick a saved config.';
    }
  }

  const numbers: Partial<Record<KnobSpec['field'], number>> = {};
  for (const spec of knobs) {
    const parsed = parseKnob(spec, values[spec.field]);
    if (parsed.ok) numbers[spec.field] = parsed.value;
    else errors[spec.field] = parsed.message;
  }
  const name = values.name.trim();
  if (name.length > 200) errors.name = `A run name can be at most 200 characters (this one has ${name.length}).`;

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const request: TrainRequest = {
    dataset,
    model: { ...model, inputSize: numbers.inputSize },
    training: {
      ...training,
      epochs: numbers.epochs,
      batchSize: numbers.batchSize,
      learningRate: numbers.learningRate,
      seed: numbers.seed,
      monitor: values.monitor,
    },
  };
  if (name) request.name = name;
  if (values.engine === 'keras') request.engine = 'keras';
  return { ok: true, request };
}

/** The engine's message names the field it is about ("… inputSize is 20, …"): which of ours? */
export function fieldOfServerError(code: string, message: string): TrainField | undefined {
  const named = /\b(inputSize|epochs|batchSize|learningRate|seed)\b/.exec(message)?.[1];
  if (named) return named as TrainField;
  if (/^(DATASET_|NO_CLASSES|NOT_A_FOLDER|SPLIT_|BAD_PATH)/.test(code)) return 'dataset';
  if (code === 'UNKNOWN_PRESET' || code === 'CLASS_COUNT_MISMATCH' || code === 'INVALID_MODEL_CONFIG') return 'model';
  return undefined;
}

/**
 * What the last health report of the form's dataset says a user should know before training:
 * files left out, classes left out (no usable image: not a class of the model), and the
 * report's other warnings. Empty for a clean dataset.
 */
export function healthNotices(report: Pick<ScanReport, 'classes' | 'problems' | 'warnings'>): string[] {
  const notices: string[] = [];
  const count = (n: number, one: string, many: string): string =>
    `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
  if (report.problems.length > 0) {
    notices.push(
      `${count(report.problems.length, 'file has a problem', 'files have problems')} (damaged, unsupported, …) and ${report.problems.length === 1 ? 'is' : 'are'} left out.`,
    );
  }
  const empty = report.classes.filter((c) => c.images === 0).map((c) => c.name);
  const used = report.classes.length - empty.length;
  if (empty.length > 0) {
    notices.push(
      `${empty.map((name) => `"${name}"`).join(', ')} ${empty.length === 1 ? 'has' : 'have'} no usable images and ${empty.length === 1 ? 'is' : 'are'} left out: the model gets ${count(used, 'class', 'classes')}.`,
    );
  }
  const emptyWarning = /^Class ".*" has no usable images\.$/;
  notices.push(...report.warnings.filter((warning) => !emptyWarning.test(warning)));
  return notices;
}
