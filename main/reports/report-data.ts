/**
 * Everything a report shows, gathered once and shared by the HTML, Markdown and CSV writers:
 * the comparison, each run's architecture, hyper-parameters, augmentation, evaluations and
 * environment, and a summary of each dataset + split the runs used.
 */
import { readFile } from 'node:fs/promises';
import type { AppInfo, BaselineDelta, Comparison, CompareRow, EvalResult, ReportRequest, RunInfo } from '../contract';
import { fieldLabel } from '../models/config-diff';
import { validateModelConfig } from '../models/model-config';
import { isModelPresetId, modelPresets } from '../models/presets';
import { outlineFlows, planXception, scaleWidth } from '../models/xception-plan';
import { recentDatasetSchema, recentDatasetsFile } from '../dataset/recent-datasets';
import { firstLine } from '../errors';
import { compareRunData, differenceLabel, engineLabel, type RunForComparison } from './compare-runs';
import { formatCount, formatMetric, formatPercent, formatValue } from './format';
import { runColour } from './charts-svg';
import { baselineDeltas } from './baseline-delta';

export const defaultReportTitle = 'Xception Lab report';

/** A labelled value, as the report's definition lists and small tables show it. */
export interface Item {
  label: string;
  value: string;
}

export interface ReportRun {
  run: RunInfo;
  row: CompareRow;
  colour: string;
  /** Preset, block style, widths, flows, parameters; `null` when the stored config cannot be read. */
  architecture: Item[] | null;
  hyperParameters: Item[];
  /** `null`: trained without augmentation. */
  augmentation: Item[] | null;
  environment: Item[];
  evaluations: EvalResult[];
}

export interface ReportDataset {
  path: string;
  fingerprint: string;
  /** Names of the runs that used this dataset and split. */
  runs: string[];
  split: Item[];
  classes: { name: string; train: number; val: number; test: number }[];
  /** Class folders left out of training (no usable image), and why. */
  excluded: { name: string; reason: string }[];
  /** From the folder's last scan in this data folder, if it was scanned here. */
  scan: { problems: number; images: number; scannedAt: string } | null;
}

/** The pinned baseline the report's runs are measured against ("Against the baseline"). */
export interface ReportBaseline {
  runId: string;
  label: string;
  /** The baseline run's metrics, on the report's basis. */
  row: CompareRow;
  /** One per report run, in `runs` order: the run's metrics minus the baseline's. */
  deltas: BaselineDelta[];
}

export interface ReportData {
  title: string;
  author: string | null;
  notes: string | null;
  createdAt: Date;
  comparison: Comparison;
  runs: ReportRun[];
  datasets: ReportDataset[];
  app: AppInfo;
  /** Runs that could not be read, evaluations that could not be loaded. */
  problems: string[];
  baseline: ReportBaseline | null;
}

export interface GatherOptions {
  request: ReportRequest;
  runs: RunForComparison[];
  /** Runs that could not be read. */
  problems: string[];
  evaluations: (runId: string) => Promise<EvalResult[]>;
  app: AppInfo;
  dataDir: string;
  now?: Date;
  /** The pinned baseline to measure the runs against, already read. */
  baseline?: { label: string; run: RunForComparison } | null;
}

/** The architecture of a stored model config in words; `null` when it is not a valid config. */
export function architectureItems(model: RunInfo['model'], params: number | null): Item[] | null {
  const { preset, ...fields } = model;
  let config;
  try {
    config = validateModelConfig(fields);
  } catch {
    return null;
  }
  const alpha = config.widthMultiplier;
  const widths = (list: readonly number[]): string => {
    const given = list.join(', ');
    return alpha === 1 ? given : `${given} (× ${alpha} → ${list.map((w) => scaleWidth(w, alpha)).join(', ')})`;
  };
  const flows = outlineFlows(planXception(config));
  const flowText = flows
    .map(
      (f) =>
        `${f.flow}: ${f.blocks.length} block${f.blocks.length === 1 ? '' : 's'}, ${f.blocks.reduce((n, b) => n + b.layers.length, 0)} layers`,
    )
    .join('; ');
  const presetTitle =
    typeof preset === 'string'
      ? isModelPresetId(preset)
        ? `${modelPresets[preset].title} (${preset})`
        : preset
      : 'custom';
  return [
    { label: 'preset', value: presetTitle },
    {
      label: 'block style',
      value:
        config.blockStyle === 'seed'
          ? "seed (post-activation, the lecture's block())"
          : 'keras (pre-activation, Chollet 2017)',
    },
    { label: 'input size', value: `${config.inputSize} × ${config.inputSize} px` },
    { label: 'classes', value: String(config.classes) },
    { label: fieldLabel('widthMultiplier'), value: String(alpha) },
    { label: fieldLabel('stemWidths'), value: widths(config.stemWidths) },
    { label: fieldLabel('entryWidths'), value: widths(config.entryWidths) },
    { label: 'middle flow', value: `${config.middleRepeats} × ${widths([config.middleWidth])}` },
    { label: fieldLabel('exitBlockWidths'), value: widths(config.exitBlockWidths) },
    { label: fieldLabel('exitConvWidths'), value: widths(config.exitConvWidths) },
    { label: 'dropout', value: String(config.dropout) },
    { label: 'batch-norm momentum', value: String(config.batchNormMomentum) },
    { label: 'flows', value: flowText },
    { label: 'parameters', value: formatCount(params) },
  ];
}

function hyperParameterItems(run: RunInfo): { hyperParameters: Item[]; augmentation: Item[] | null } {
  const { augment, ...training } = run.training;
  const hyperParameters = Object.entries(training).map(([field, value]) => ({
    label: differenceLabel(`training.${field}`),
    value: formatValue(value),
  }));
  const augmentation =
    augment && typeof augment === 'object'
      ? Object.entries(augment).map(([field, value]) => ({
          label: differenceLabel(`augment.${field}`).replace(/^augmentation: /, ''),
          value: formatValue(value),
        }))
      : null;
  return { hyperParameters, augmentation };
}

function environmentItems(run: RunInfo): Item[] {
  const items: Item[] = [{ label: 'engine', value: engineLabel(run) }];
  if (run.engine && typeof run.engine.backend === 'string')
    items.push({ label: 'tfjs backend', value: run.engine.backend });
  for (const [name, version] of Object.entries(run.versions)) items.push({ label: `${name} version`, value: version });
  if (run.startedAt) items.push({ label: 'started', value: run.startedAt });
  if (run.endedAt) items.push({ label: 'ended', value: run.endedAt });
  return items;
}

/** The last scan of each dataset folder, read-only (a damaged list is simply not used). */
async function lastScans(
  dataDir: string,
): Promise<Map<string, { problems: number; images: number; scannedAt: string }>> {
  const scans = new Map<string, { problems: number; images: number; scannedAt: string }>();
  try {
    const parsed = recentDatasetSchema
      .array()
      .safeParse(JSON.parse(await readFile(recentDatasetsFile(dataDir), 'utf8')));
    if (parsed.success)
      for (const e of parsed.data) scans.set(e.path, { problems: e.problems, images: e.images, scannedAt: e.openedAt });
  } catch {
    // No recent datasets yet (or unreadable): the report just leaves the count out.
  }
  return scans;
}

interface SplitCount {
  className: string;
  train: number;
  val: number;
  test: number;
}

function splitCounts(run: RunInfo): SplitCount[] {
  const counts = run.dataset.split.counts;
  if (!Array.isArray(counts))
    return run.dataset.classNames.map((className) => ({ className, train: 0, val: 0, test: 0 }));
  return counts.filter(
    (c): c is SplitCount => typeof c === 'object' && c !== null && typeof (c as SplitCount).className === 'string',
  );
}

function datasetSummaries(
  runs: readonly RunInfo[],
  scans: Map<string, { problems: number; images: number; scannedAt: string }>,
): ReportDataset[] {
  const byKey = new Map<string, ReportDataset>();
  for (const run of runs) {
    const { dataset } = run;
    const key = `${dataset.fingerprint}\n${dataset.split.key}`;
    const known = byKey.get(key);
    if (known) {
      known.runs.push(run.name);
      continue;
    }
    const fractions = dataset.split.fractions as { val?: number; test?: number } | undefined;
    const source = typeof dataset.split.source === 'string' ? dataset.split.source : null;
    const split: Item[] = [
      {
        label: 'split',
        value:
          source === 'given'
            ? 'given by the train/val/test folders'
            : source === 'given+val'
              ? 'given train/test folders; validation drawn from train'
              : 'drawn per class',
      },
      { label: 'seed', value: String(dataset.split.seed) },
    ];
    if (fractions && source !== 'given')
      split.push({ label: 'fractions', value: `validation ${fractions.val ?? '?'}, test ${fractions.test ?? '?'}` });
    split.push({ label: 'split file', value: dataset.split.key });
    byKey.set(key, {
      path: dataset.path,
      fingerprint: dataset.fingerprint,
      runs: [run.name],
      split,
      classes: splitCounts(run).map((c) => ({ name: c.className, train: c.train, val: c.val, test: c.test })),
      excluded: dataset.excludedClasses ?? [],
      scan: scans.get(dataset.path) ?? null,
    });
  }
  return [...byKey.values()];
}

/** Images per class summed over a dataset's classes, per part of the split and in all. */
export function datasetTotals(dataset: ReportDataset): { train: number; val: number; test: number; images: number } {
  const total = (key: 'train' | 'val' | 'test'): number => dataset.classes.reduce((n, c) => n + c[key], 0);
  const [train, val, test] = [total('train'), total('val'), total('test')];
  return { train, val, test, images: train + val + test };
}

/** What the report says about a dataset above its table of classes. */
export function datasetItems(dataset: ReportDataset): Item[] {
  return [
    { label: 'folder', value: dataset.path },
    { label: 'fingerprint', value: dataset.fingerprint },
    { label: 'used by', value: dataset.runs.join(', ') },
    { label: 'classes', value: formatCount(dataset.classes.length) },
    ...(dataset.excluded.length > 0
      ? [{ label: 'classes left out', value: dataset.excluded.map((c) => `${c.name} (${c.reason})`).join('; ') }]
      : []),
    { label: 'images', value: formatCount(datasetTotals(dataset).images) },
    ...dataset.split,
    {
      label: 'problems found',
      value: dataset.scan
        ? `${formatCount(dataset.scan.problems)} in the last scan (${dataset.scan.scannedAt.slice(0, 10)})`
        : 'not known (the folder was not scanned in this data folder)',
    },
  ];
}

/** The heading of an evaluation: run, split, checkpoint and its epoch. */
export function evaluationHeading(run: ReportRun, result: EvalResult): string {
  return `${run.row.model}: ${result.split === 'val' ? 'validation' : 'test'} split, ${result.checkpoint} checkpoint (epoch ${result.epoch + 1})`;
}

/** An evaluation's numbers in words. */
export function evaluationItems(result: EvalResult): Item[] {
  return [
    {
      label: 'images',
      value: `${formatCount(result.images)}${result.skipped.length > 0 ? ` (${formatCount(result.skipped.length)} unreadable, skipped)` : ''}`,
    },
    { label: 'loss', value: formatMetric(result.loss) },
    { label: 'top-1 accuracy', value: `${formatMetric(result.top1)} (${formatPercent(result.top1)})` },
    { label: 'top-5 accuracy', value: `${formatMetric(result.top5)} (${formatPercent(result.top5)})` },
    {
      label: 'macro precision / recall / F1',
      value: [result.macro.precision, result.macro.recall, result.macro.f1].map(formatMetric).join(' / '),
    },
    {
      label: 'weighted precision / recall / F1',
      value: [result.weighted.precision, result.weighted.recall, result.weighted.f1].map(formatMetric).join(' / '),
    },
  ];
}

/** The app and platform that made the report. */
export function generatorItems(app: AppInfo): Item[] {
  return [
    { label: 'app', value: `${app.name} ${app.version}` },
    { label: 'platform', value: `${app.platform} ${app.arch}` },
    { label: 'Node.js', value: app.versions.node },
    ...(app.versions.electron ? [{ label: 'Electron', value: app.versions.electron }] : []),
    ...(app.versions.chrome ? [{ label: 'Chromium', value: app.versions.chrome }] : []),
  ];
}

/** Everything the report shows; evaluations that cannot be loaded become problems, not failures. */
export async function gatherReportData(options: GatherOptions): Promise<ReportData> {
  const { request } = options;
  const comparison = compareRunData(options.runs, request.basis ?? 'final', options.problems);
  const problems = [...options.problems];
  const runs: ReportRun[] = [];
  for (const [i, data] of options.runs.entries()) {
    const row = comparison.rows[i]!;
    let evaluations: EvalResult[] = [];
    try {
      evaluations = await options.evaluations(data.run.id);
    } catch (error) {
      problems.push(
        `The evaluations of "${data.run.name}" could not be read (${firstLine(error)}); the report shows none for it.`,
      );
    }
    runs.push({
      run: data.run,
      row,
      colour: runColour(i),
      architecture: architectureItems(data.run.model, row.params),
      ...hyperParameterItems(data.run),
      environment: environmentItems(data.run),
      evaluations,
    });
  }
  let baseline: ReportBaseline | null = null;
  if (options.baseline) {
    const row = compareRunData([options.baseline.run], comparison.basis, []).rows[0]!;
    baseline = { runId: row.runId, label: options.baseline.label, row, deltas: baselineDeltas(comparison.rows, row) };
  }
  const trim = (text: string | undefined): string | null => (text && text.trim() ? text.trim() : null);
  return {
    title: trim(request.title) ?? defaultReportTitle,
    author: trim(request.author),
    notes: trim(request.notes),
    createdAt: options.now ?? new Date(),
    comparison,
    runs,
    datasets: datasetSummaries(
      options.runs.map((r) => r.run),
      await lastScans(options.dataDir),
    ),
    app: options.app,
    problems,
    baseline,
  };
}
