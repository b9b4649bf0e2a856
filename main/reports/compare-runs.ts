/**
 * The lecture's comparison table (Model, Params, Loss, Val_Loss, ACC, Val_ACC), the curves, the
 * config fields that differ and the reasons a comparison may not be fair, computed from run
 * records and their epoch metrics. Pure: `readRunsForComparison` does the reading.
 */
import type {
  CompareBasis,
  CompareRow,
  Comparison,
  ConfigDifference,
  EpochMetricsLine,
  EpochSummary,
  RunInfo,
} from '../contract';
import { diffConfigs, fieldLabel } from '../models/config-diff';
import { estimateCost } from '../models/model-cost';
import { bestEpochBy, defaultMonitor, monitorOf, type Monitor } from '../models/monitor';
export { basisDescription } from '../models/monitor';
import type { RunStore } from '../runs/run-store';
import { firstLine } from '../errors';
import { formatValue } from './format';
import { noValue } from '../format';

/** A run as the comparison reads it: its record and its epoch lines. */
export interface RunForComparison {
  run: RunInfo;
  epochs: EpochMetricsLine[];
  /** metrics.jsonl lines that could not be read. */
  damagedLines?: number;
}

/** Labels for the fields config-diff.ts does not name; `fieldLabel` covers the rest. */
const extraLabels: Record<string, string> = {
  preset: 'preset',
  classes: 'classes',
  dropout: 'dropout',
  pooling: 'pooling',
  includeTop: 'classifier on top',
  batchNormMomentum: 'batch-norm momentum',
  optimizer: 'optimizer',
  momentum: 'momentum',
  nesterov: 'Nesterov momentum',
  schedule: 'learning-rate schedule',
  stepEvery: 'step every (epochs)',
  stepFactor: 'step factor',
  plateauFactor: 'plateau factor',
  plateauPatience: 'plateau patience',
  minLearningRate: 'minimum learning rate',
  epochs: 'epochs',
  seed: 'seed',
  weightsFile: 'starting weights',
  freeze: 'frozen flows',
  flip: 'flip',
  rotation: 'rotation (°)',
  zoom: 'zoom',
  brightness: 'brightness',
  contrast: 'contrast',
  noise: 'noise',
};

/** A config field path's readable name: `model.blockStyle` → `block style`, `augment.zoom` → `augmentation: zoom`. */
export function differenceLabel(path: string): string {
  if (path === 'augment') return 'augmentation';
  const [group, field = ''] = path.split('.', 2) as [string, string?];
  const name = extraLabels[field] ?? fieldLabel(field);
  return group === 'augment' ? `augmentation: ${name}` : name;
}

/** The model, training and augmentation settings of a run as one flat map of `group.field` → value. */
export function flattenSettings(run: RunInfo): Record<string, unknown> {
  const flat: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(run.model)) flat[`model.${field}`] = value;
  const { augment, ...training } = run.training;
  for (const [field, value] of Object.entries(training)) flat[`training.${field}`] = value;
  if (augment && typeof augment === 'object') {
    flat.augment = 'on';
    for (const [field, value] of Object.entries(augment)) flat[`augment.${field}`] = value;
  } else {
    flat.augment = 'off';
  }
  return flat;
}

/** Only the settings that differ between the runs, each run's value in words (`–` where a run has none). */
export function configDifferences(runs: readonly RunInfo[]): ConfigDifference[] {
  const flats = runs.map(flattenSettings);
  const [first, ...others] = flats;
  if (!first) return [];
  const differing = new Set(others.flatMap((other) => diffConfigs(first, other).map((change) => change.field)));
  const order = [...new Set(flats.flatMap((flat) => Object.keys(flat)))];
  return order
    .filter((field) => differing.has(field))
    .map((field) => ({
      field,
      label: differenceLabel(field),
      values: flats.map((flat) => (flat[field] === undefined ? noValue : formatValue(flat[field]))),
    }));
}

/** Each epoch once (a resumed run may have written an epoch twice: the later line wins), in order. */
export function epochLines(lines: readonly EpochMetricsLine[]): EpochMetricsLine[] {
  const byEpoch = new Map<number, EpochMetricsLine>();
  for (const line of lines) byEpoch.set(line.epoch, line);
  return [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
}

const summary = (line: EpochMetricsLine): EpochSummary => ({
  epoch: line.epoch,
  loss: line.loss,
  acc: line.acc,
  val_loss: line.val_loss ?? null,
  val_acc: line.val_acc ?? null,
});

/**
 * The best epoch under the run's monitor — the epoch its best checkpoint holds: by default the
 * lowest val_loss (ties: higher val_acc, then the earlier epoch); see `isBetterEpoch`.
 */
export function bestEpoch(
  epochs: readonly EpochSummary[],
  monitor: Monitor = defaultMonitor,
): EpochSummary | undefined {
  return bestEpochBy(monitor, epochs);
}

/** `tfjs-node 4.22.0 (cpu)`, or `unknown engine` for a run that never started one. */
export function engineLabel(run: RunInfo): string {
  return run.engine ? `${run.engine.name} ${run.engine.version} (${run.engine.device})` : 'unknown engine';
}

/** The run's parameter count: as the engine counted it, else from its model config (no tfjs needed). */
export function paramsOf(run: RunInfo): number | null {
  if (run.params !== undefined) return run.params;
  try {
    const { preset: _preset, ...config } = run.model;
    return estimateCost(config, 1).params;
  } catch {
    return null;
  }
}

function compareRow(data: RunForComparison, basis: CompareBasis): { row: CompareRow; curve: EpochSummary[] } {
  const { run } = data;
  const lines = epochLines(data.epochs);
  const curve = lines.map(summary);
  const monitor = monitorOf(run.training);
  // Without metrics.jsonl the record's own summaries still give the table its numbers.
  const chosen =
    basis === 'best'
      ? (bestEpoch(curve, monitor) ?? (curve.length === 0 ? run.best : undefined))
      : (curve.at(-1) ?? run.last);
  const rates = lines
    .map((l) => l.imagesPerSec)
    .filter((r): r is number => typeof r === 'number' && Number.isFinite(r));
  const row: CompareRow = {
    runId: run.id,
    model: run.name,
    preset: typeof run.model.preset === 'string' ? run.model.preset : null,
    status: run.status,
    params: paramsOf(run),
    loss: chosen?.loss ?? null,
    val_loss: chosen?.val_loss ?? null,
    acc: chosen?.acc ?? null,
    val_acc: chosen?.val_acc ?? null,
    epoch: chosen?.epoch ?? null,
    monitor,
    epochsDone: run.epochsDone,
    epochs: run.epochs,
    trainingMs: run.durationMs,
    imagesPerSec: rates.length > 0 ? rates.reduce((a, b) => a + b, 0) / rates.length : null,
    engine: engineLabel(run),
    dataset: {
      path: run.dataset.path,
      fingerprint: run.dataset.fingerprint,
      splitKey: run.dataset.split.key,
      splitSeed: run.dataset.split.seed,
    },
  };
  return { row, curve };
}

const quoted = (names: readonly string[]): string => names.map((n) => `"${n}"`).join(', ');

/** Runs grouped by a key, in first-seen order: `"A", "B": key1; "C": key2`. */
function groups(rows: readonly CompareRow[], key: (row: CompareRow) => string): string {
  const byKey = new Map<string, string[]>();
  for (const row of rows) byKey.set(key(row), [...(byKey.get(key(row)) ?? []), row.model]);
  return [...byKey].map(([k, names]) => `${quoted(names)}: ${k}`).join('; ');
}

const distinct = <T>(values: readonly T[]): number => new Set(values).size;

/** Why the comparison may not be fair, in sentences. */
export function fairnessWarnings(rows: readonly CompareRow[], basis: CompareBasis): string[] {
  const warnings: string[] = [];
  if (distinct(rows.map((r) => r.dataset.fingerprint)) > 1) {
    warnings.push(
      `The runs used different datasets (${groups(rows, (r) => `${r.dataset.path}, fingerprint ${r.dataset.fingerprint.slice(0, 12)}`)}): their losses and accuracies are measured on different images and are not comparable.`,
    );
  } else if (distinct(rows.map((r) => r.dataset.splitKey)) > 1) {
    warnings.push(
      `The runs used different train/validation splits of the same dataset (${groups(rows, (r) => `seed ${r.dataset.splitSeed}, ${splitName(r.dataset.splitKey)}`)}): their validation metrics are measured on different images.`,
    );
  }
  if (distinct(rows.map((r) => r.engine)) > 1) {
    warnings.push(
      `The runs trained on different engines or devices (${groups(rows, (r) => r.engine)}): training time and images/s are not comparable.`,
    );
  }
  for (const row of rows) {
    if (row.status === 'completed') continue;
    const state = row.status === 'running' ? 'is still training' : `is ${row.status}`;
    warnings.push(
      `"${row.model}" ${state} after ${row.epochsDone} of ${row.epochs} epochs: its numbers may change or are not final.`,
    );
  }
  if (basis === 'final' && distinct(rows.map((r) => r.epochsDone)) > 1) {
    warnings.push(
      `The runs trained for different numbers of epochs (${groups(rows, (r) => String(r.epochsDone))}): final-epoch metrics favour the longer runs; compare best epochs too.`,
    );
  }
  return warnings;
}

/**
 * A split's short name from its key (the split file's path, `<fingerprint>-<seed>-<fractions>.json`):
 * the fractions part, e.g. `val0.2-test0` or `given`; other keys as they are, without folders.
 */
export function splitName(key: string): string {
  const file = key.split(/[\\/]/).pop() ?? key;
  return /^[0-9a-f]{64}-\d+-(.+)\.json$/.exec(file)?.[1] ?? file;
}

/** The comparison of runs, in the given order. `problems`: runs that could not be read. */
export function compareRunData(
  runs: readonly RunForComparison[],
  basis: CompareBasis,
  problems: string[] = [],
): Comparison {
  const built = runs.map((data) => compareRow(data, basis));
  const rows = built.map((b) => b.row);
  const warnings = fairnessWarnings(rows, basis);
  for (const data of runs) {
    if (data.damagedLines) {
      warnings.push(
        `"${data.run.name}": ${data.damagedLines} line${data.damagedLines === 1 ? '' : 's'} of its metrics.jsonl could not be read and ${data.damagedLines === 1 ? 'is' : 'are'} left out.`,
      );
    }
    const monitor = monitorOf(data.run.training);
    if (basis === 'best' && data.epochs.length > 0 && !bestEpoch(epochLines(data.epochs).map(summary), monitor)) {
      warnings.push(
        `"${data.run.name}" has no epoch with a ${monitor === 'val_loss' ? 'validation loss' : 'validation accuracy'}, so it has no best epoch.`,
      );
    }
  }
  return {
    basis,
    rows,
    warnings,
    differences: configDifferences(runs.map((r) => r.run)),
    curves: built.map((b, i) => {
      const fineTuneFrom = epochLines(runs[i]!.epochs).find((line) => line.phase === 2)?.epoch;
      return {
        runId: b.row.runId,
        model: b.row.model,
        epochs: b.curve,
        ...(fineTuneFrom !== undefined ? { fineTuneFrom } : {}),
      };
    }),
    problems,
  };
}

/** Reads each run's record and epoch metrics; a run that cannot be read becomes a problem, the others still compare. */
export async function readRunsForComparison(
  store: RunStore,
  runIds: readonly string[],
): Promise<{ runs: RunForComparison[]; problems: string[] }> {
  const runs: RunForComparison[] = [];
  const problems: string[] = [];
  for (const id of [...new Set(runIds)]) {
    try {
      const run = await store.get(id);
      const metrics = await store.readMetrics(id);
      // Epoch lines carry the contract's optional fields (imagesPerSec, epochTimeMs, …) as written by the trainer.
      const epochs = metrics.lines.filter((line) => line.type === 'epoch') as EpochMetricsLine[];
      runs.push({ run, epochs, damagedLines: metrics.damaged.length });
    } catch (error) {
      problems.push(`Run ${id} could not be read: ${firstLine(error)}`);
    }
  }
  return { runs, problems };
}
