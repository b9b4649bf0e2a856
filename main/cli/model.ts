import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { LabError } from '../errors';
import { estimateCost, type CostEstimate } from '../models/model-cost';
import { ModelConfigError, type ModelConfig, type ModelConfigField } from '../models/model-config';
import { summarizeModel, type ModelSummary, type OutputShape } from '../models/model-summary';
import { resolveModelConfig } from '../models/presets';
import { buildXception, type Tf } from '../models/xception';

/** The flags of `xlab model`, as commander hands them over (strings until parsed here). */
export interface ModelCommandOptions {
  preset?: string;
  classes?: string;
  size?: string;
  alpha?: string;
  middle?: string;
  style?: string;
  config?: string;
  batch?: string;
  json?: boolean;
}

/** `xlab model --json`: the contract's shape. */
export interface ModelReport {
  params: number;
  trainableParams: number;
  nonTrainableParams: number;
  /** FLOPs per image: 2 × multiply-adds of the conv, separable conv and dense layers. */
  flops: number;
  layers: { name: string; type: string; outputShape: OutputShape; params: number }[];
}

const flagOfField: Partial<Record<ModelConfigField, string>> = {
  classes: '--classes',
  inputSize: '--size',
  widthMultiplier: '--alpha',
  middleRepeats: '--middle',
  blockStyle: '--style',
};

const DEFAULT_BATCH = 32;

function wholeNumber(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\s*[+-]?\d+\s*$/.test(value)) {
    throw new LabError('INVALID_OPTION', `${flag} must be a whole number (got ${JSON.stringify(value)}).`);
  }
  return Number(value);
}

function decimalNumber(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = value.trim() === '' ? Number.NaN : Number(value);
  if (!Number.isFinite(n))
    throw new LabError('INVALID_OPTION', `${flag} must be a number such as 0.5 (got ${JSON.stringify(value)}).`);
  return n;
}

function blockStyle(value: string | undefined): 'keras' | 'seed' | undefined {
  if (value === undefined || value === 'keras' || value === 'seed') return value;
  throw new LabError('INVALID_OPTION', `--style must be keras or seed (got ${JSON.stringify(value)}).`);
}

async function readConfigFile(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new LabError('CONFIG_UNREADABLE', `Cannot read the model config ${file}: ${(error as Error).message}.`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new LabError(
      'INVALID_MODEL_CONFIG',
      `The model config ${file} is not valid JSON: ${(error as Error).message}.`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new LabError(
      'INVALID_MODEL_CONFIG',
      `The model config ${file} must be a JSON object of model options, such as {"preset": "mini", "classes": 5}.`,
    );
  }
  // A saved named config ({ name, model, training, savedAt }) keeps its model options under `model`.
  const { model } = parsed as { model?: unknown };
  if (typeof model === 'object' && model !== null && !Array.isArray(model)) return model as Record<string, unknown>;
  return parsed as Record<string, unknown>;
}

/**
 * The validated config the flags ask for: the preset (`--preset`, else the file's `preset`, else
 * `xception`), then the `--config` file's fields, then the flags. Errors name the flag or file.
 */
export async function configFromOptions(options: ModelCommandOptions): Promise<ModelConfig> {
  const flags = {
    classes: wholeNumber('--classes', options.classes),
    inputSize: wholeNumber('--size', options.size),
    widthMultiplier: decimalNumber('--alpha', options.alpha),
    middleRepeats: wholeNumber('--middle', options.middle),
    blockStyle: blockStyle(options.style),
  };
  const file = options.config === undefined ? {} : await readConfigFile(options.config);
  try {
    // Only the flags given: an unset flag must not hide the file's value.
    const given = Object.fromEntries(Object.entries(flags).filter(([, value]) => value !== undefined));
    return resolveModelConfig({
      ...file,
      ...(options.preset === undefined ? {} : { preset: options.preset }),
      ...given,
    });
  } catch (error) {
    if (!(error instanceof ModelConfigError)) throw error;
    const flag = error.field === 'config' ? undefined : flagOfField[error.field];
    const byFlag = flag !== undefined && flags[error.field as keyof typeof flags] !== undefined;
    const inFile = options.config !== undefined && (error.field === 'config' || error.field in file);
    const where = byFlag ? ` (set by ${flag})` : inFile ? ` (set in ${options.config})` : '';
    const message =
      where === ''
        ? error.message
        : error.message.endsWith('.')
          ? `${error.message.slice(0, -1)}${where}.`
          : `${error.message}${where}`;
    throw new LabError(error.code, message, { cause: error });
  }
}

export function modelReport(summary: ModelSummary, cost: CostEstimate): ModelReport {
  return {
    ...summary.totals,
    flops: cost.flopsPerImage,
    layers: summary.rows.map(({ name, type, outputShape, params }) => ({ name, type, outputShape, params })),
  };
}

const count = (n: number): string => n.toLocaleString('en-US');

function bytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 2)} ${units[unit]}`;
}

function flops(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  return `${(n / 1e3).toFixed(2)} K`;
}

const shapeText = (shape: OutputShape): string => `(${shape.map((d) => (d === null ? 'None' : String(d))).join(', ')})`;

/** A Keras-style `model.summary()` table with totals and the cost estimate. */
export function formatModelSummary(summary: ModelSummary, cost: CostEstimate, config: ModelConfig): string {
  const header = ['Layer (type)', 'Output shape', 'Param #', 'Connected to'] as const;
  const cells = summary.rows.map((row) => [
    `${row.name} (${row.type})`,
    shapeText(row.outputShape),
    count(row.params),
    row.connectedTo.join(', '),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: readonly string[]): string =>
    [c[0]!.padEnd(widths[0]!), c[1]!.padEnd(widths[1]!), c[2]!.padStart(widths[2]!), c[3]!].join('  ').trimEnd();
  const rule = '─'.repeat(widths.reduce((sum, w) => sum + w + 2, 0));
  const { totals } = summary;
  const size = `${config.inputSize}×${config.inputSize}×3`;
  return [
    `Model "${summary.name}": ${config.blockStyle} style, ${size} input, α ${config.widthMultiplier}, ${config.middleRepeats} middle block${config.middleRepeats === 1 ? '' : 's'}, ${config.includeTop ? `${config.classes} classes` : 'no top'}`,
    rule,
    line(header),
    rule,
    ...cells.map(line),
    rule,
    `Total params: ${count(totals.params)} (${bytes(totals.params * 4)})`,
    `Trainable params: ${count(totals.trainableParams)} (${bytes(totals.trainableParams * 4)})`,
    `Non-trainable params: ${count(totals.nonTrainableParams)} (${bytes(totals.nonTrainableParams * 4)})`,
    `FLOPs per image: ${flops(cost.flopsPerImage)} (2 × multiply-adds of conv, separable conv and dense layers)`,
    `Activation memory, batch of ${cost.batchSize}: ${bytes(cost.activationBytes)} (float32 outputs of every layer)`,
    '',
  ].join('\n');
}

/** Pure-JS tfjs on the CPU: building a model does no training, so the main thread may do it. */
async function loadTfjs(): Promise<Tf> {
  const tf = await import('@tensorflow/tfjs');
  // Prod mode silences tfjs' "install the node backend" console hint; the training worker picks engines.
  tf.enableProdMode();
  await tf.setBackend('cpu');
  return tf;
}

/** Where the command writes (a `CliIo` fits) and how it loads tfjs; both default to the real ones. */
export interface ModelCommandIo {
  stdout?: (text: string) => void;
  loadTf?: () => Promise<Tf>;
}

/** Builds the model the options describe and writes its summary (table, or JSON with `--json`). */
export async function runModelCommand(options: ModelCommandOptions, io: ModelCommandIo = {}): Promise<void> {
  const write = io.stdout ?? ((text: string) => void process.stdout.write(text));
  const config = await configFromOptions(options);
  const batchSize = wholeNumber('--batch', options.batch) ?? DEFAULT_BATCH;
  if (batchSize < 1) throw new LabError('INVALID_OPTION', `--batch must be at least 1 (got ${batchSize}).`);
  const tf = await (io.loadTf ?? loadTfjs)();
  const model = buildXception(config, tf);
  try {
    const summary = summarizeModel(model);
    const cost = estimateCost(model, batchSize);
    write(
      options.json
        ? `${JSON.stringify(modelReport(summary, cost), null, 2)}\n`
        : formatModelSummary(summary, cost, config),
    );
  } finally {
    model.dispose();
  }
}

/** `xlab model`: build a preset (with changes) and print its Keras-style summary. */
export function modelCommand(io: ModelCommandIo = {}): Command {
  return new Command('model')
    .description('build an Xception model and print its layers, parameter counts and cost')
    .option('--preset <id>', 'starting point: xception, seed, mini or micro (default: xception)')
    .option('--classes <n>', 'number of classes')
    .option('--size <px>', 'input image size in pixels (square)')
    .option('--alpha <a>', 'width multiplier α')
    .option('--middle <m>', 'middle flow repeats')
    .option('--style <style>', 'block style: keras or seed')
    .option(
      '--config <file>',
      'JSON file of model options (may name a "preset"), or a saved named config; flags override it',
    )
    .option('--batch <n>', `batch size for the activation-memory estimate (default: ${DEFAULT_BATCH})`)
    .option('--json', 'print JSON: params, trainableParams, nonTrainableParams, flops, layers')
    .action(async (options: ModelCommandOptions) => {
      await runModelCommand(options, io);
    });
}
