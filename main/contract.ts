/**
 * The one contract between the lab's engine and every front end.
 *
 * Every call the renderer can make (`LabApi`) and every event the engine pushes (`LabEvents`)
 * is declared here once. The preload bridge, the Electron IPC handlers, the browser-mode
 * WebSocket transport and the renderer's client are all built from `labMethods` / `labEvents`,
 * and the compile-time checks at the bottom make a call that is declared but not listed (or
 * listed but not declared) a type error. This file imports types only, from zod schemas in
 * browser-safe modules (each shape is defined once, by its schema): it is shared by Node, the
 * preload and the browser.
 */
import type { z } from 'zod';
import type {
  argSchemas,
  baselineSchema,
  checkpointKindSchema,
  compareBasisSchema,
  evalSplitSchema,
  recentDatasetSchema,
  reportFormatSchema,
  reportRequestSchema,
  settingsSchema,
  themeSchema,
} from './contract-schemas';
import type { AugmentSettings } from './dataset/image/augment-settings';
import type { WireError } from './errors';
import type { ModelConfig } from './models/model-config-schema';
import type { Monitor } from './models/monitor';
import type { NamedConfig } from './models/named-config-schema';
import type { TrainingSettings, TrainingSettingsInput } from './models/training-settings';
import type { EpochSummary, RunRecord, RunStatus } from './runs/run-record';
import type { Unchecked } from './unchecked';

export type { Unchecked };

export type { ModelConfig, TrainingSettings };

/** Which training library really runs. */
export type EngineName = 'tfjs-node-gpu' | 'tfjs-node' | 'tfjs';

/** What the training worker loaded, on which device, and why that one. */
export interface EngineInfo {
  name: EngineName;
  device: 'gpu' | 'cpu';
  /** One sentence a user can read: why this engine and not a faster one. */
  reason: string;
  /** The tfjs backend name (`tensorflow` for native, `cpu` for pure JS). */
  backend: string;
  /** Version of the loaded tfjs package. */
  version: string;
  /** Native engines: the TensorFlow version inside (the binding's TF_Version). */
  tensorflow?: string;
  /** Native engines: the folder the TensorFlow libraries are loaded from (links resolved). */
  libraries?: string;
}

export interface AppInfo {
  name: string;
  version: string;
  /** Where runs, caches and settings live. */
  dataDir: string;
  platform: string;
  arch: string;
  versions: { node: string; electron?: string; chrome?: string };
}

export type ThemeSetting = z.output<typeof themeSchema>;

export type Settings = z.output<typeof settingsSchema>;

/** A small dataset shipped inside the app so a new user can train at once. */
export interface SampleDataset {
  id: string;
  name: string;
  description: string;
  /** Absolute folder path, usable wherever a dataset path is accepted. */
  path: string;
  classes: { name: string; images: number }[];
  images: number;
  license: string;
}

/** A model preset: a starting point whose every field stays editable. */
export interface ModelPresetInfo {
  id: string;
  title: string;
  description: string;
  suggestedSizes: { min: number; max: number };
  /** The preset's full config (every field filled in). */
  config: ModelConfig;
}

/** What the UI sends to describe a model: a preset id plus the fields the user changed. */
export interface ModelRequest {
  preset?: string;
  [field: string]: unknown;
}

/** A problem with one field of a model config or training settings, shown next to that field. */
export interface FieldIssue {
  /** The field name (`classes`, `widthMultiplier`, …), `preset`, or `config` for the whole. */
  field: string;
  message: string;
}

export interface ModelSummaryRow {
  name: string;
  type: string;
  /** Batch first; `null` = any batch size. */
  outputShape: (number | null)[];
  params: number;
  connectedTo: string[];
}

/** Everything the Model page shows about a valid config, computed from the real model. */
export interface ModelDescription {
  /** The resolved config, every field filled in. */
  config: ModelConfig;
  summary: {
    name: string;
    rows: ModelSummaryRow[];
    totals: { params: number; trainableParams: number; nonTrainableParams: number };
  };
  cost: {
    batchSize: number;
    /** 2 × multiply-adds per image. */
    flopsPerImage: number;
    /** float32 bytes of every layer's output for one batch. */
    activationBytes: number;
    params: number;
    paramBytes: number;
    layers: { name: string; flops: number; activationBytes: number }[];
  };
  /** Entry / Middle / Exit, their blocks and each block's layers, for the flow diagram. */
  flows: { flow: 'entry' | 'middle' | 'exit'; blocks: { block: string; layers: string[] }[] }[];
}

export type DescribeModelResult = { ok: true; model: ModelDescription } | { ok: false; issues: FieldIssue[] };

export type TrainingSettingsResult = { ok: true; settings: TrainingSettings } | { ok: false; issues: FieldIssue[] };

/** A model config and its training settings saved under a name. */
export type { NamedConfig };

/** Training settings as a front end sends them: unchecked, missing fields take the defaults. */
export type TrainingRequest = Unchecked<TrainingSettingsInput>;

export type { EpochSummary, RunStatus };

/** A run as stored in its run.json (less the file's format version). */
export type RunInfo = Omit<RunRecord, 'formatVersion'>;

/** A listed run, or why its run.json could not be read (the others still list). */
export type RunListEntry = { id: string; run: RunInfo } | { id: string; error: string };

/** One epoch's metrics as recorded in metrics.jsonl. */
export interface EpochMetricsLine {
  type: 'epoch';
  epoch: number;
  /** When the epoch was committed (ISO time). */
  time: string;
  loss: number | null;
  acc: number | null;
  val_loss?: number | null;
  val_acc?: number | null;
  top5?: number | null;
  val_top5?: number | null;
  lr?: number;
  epochTimeMs?: number;
  imagesPerSec?: number;
  /** Live tensors in the engine at the epoch's end: flat across epochs unless something leaks. */
  tensors?: number;
  /** With two-phase fine-tuning (`training.fineTune`): 1 while the head trains, 2 once flows are unfrozen. */
  phase?: 1 | 2;
}

/** A sampled batch as recorded in metrics.jsonl. */
export interface BatchMetricsLine {
  type: 'batch';
  epoch: number;
  batch: number;
  time: string;
  loss: number | null;
  acc?: number | null;
  /** Batches in this epoch. */
  batches?: number;
}

export interface RunDetails {
  run: RunInfo;
  metrics: (EpochMetricsLine | BatchMetricsLine)[];
  /** metrics.jsonl lines that could not be read (e.g. torn by a crash). */
  damaged: { line: number; reason: string }[];
  /** The run's folder, for the user to open. */
  folder: string;
  /** The last lines of the run's train.log, oldest first. */
  log: string[];
}

export interface TrainRequest {
  /** Dataset folder. */
  dataset: string;
  /** Preset and fields; `classes` defaults to the dataset's class count. */
  model: ModelRequest;
  training: TrainingRequest;
  /** Augmentation for training images; none when omitted, missing settings off. */
  augment?: Unchecked<AugmentSettings>;
  name?: string;
  /** "keras": train with Keras/TensorFlow in Python (see `xlab engine setup-keras`); else the tfjs engine. */
  engine?: 'keras';
}

export interface TrainProgressEvent {
  runId: string;
  epoch: number;
  batch: number;
  batchesPerEpoch: number;
  epochs: number;
  loss: number;
  acc: number | null;
  imagesPerSec: number;
  etaMs: number;
}

// ---- Datasets (the scanner's report; main/dataset/report.ts re-exports these) ----

/** `folders`: `root/<class>/**`; `splits`: `root/{train, val|validation, test}/<class>/**`. */
export type DatasetLayout = 'folders' | 'splits';

/** `headers`: format, size and structure of each file; `full`: also decodes every image. */
export type ScanValidation = 'headers' | 'full';

/** A file or folder that is not used, and why, e.g. `{ path: "cat/x.jpg", reason: "truncated JPEG" }`. */
export interface DatasetProblem {
  path: string;
  reason: string;
}

/** A class and its usable images; the split counts are there in the `splits` layout only. */
export interface ScannedClass {
  name: string;
  images: number;
  train?: number;
  val?: number;
  test?: number;
}

export interface ImageSize {
  width: number;
  height: number;
}

/**
 * Sizes of the usable images (after EXIF orientation), ordered by pixel area (width × height,
 * ties by width): the smallest, the median (the lower middle one for an even count) and the
 * largest. Each is the size of a real image, never a mix of two images' dimensions.
 */
export interface SizeDistribution {
  min: ImageSize;
  median: ImageSize;
  max: ImageSize;
}

/** Usable images with identical bytes (same SHA-256), sorted paths; `classes` they are in. */
export interface DuplicateGroup {
  paths: string[];
  classes: string[];
  /** Size of each copy in bytes. */
  bytes: number;
}

export interface ScanReport {
  /** The dataset folder, absolute. */
  root: string;
  layout: DatasetLayout;
  validation: ScanValidation;
  classes: ScannedClass[];
  problems: DatasetProblem[];
  /** Class-level findings in words: empty or tiny classes, imbalance, duplicates, split mismatches. */
  warnings: string[];
  /**
   * Files that are neither images nor problems: hidden and system files and folders (a folder
   * counts once), and files that are not images by name or content (notes.txt, labels.csv).
   * A file with an image extension, or image content, that cannot be used is a problem instead.
   */
  ignored: number;
  /** The ignored files, sorted by path, each with why (`hidden or system file`, `not an image file`, …). */
  ignoredFiles: DatasetProblem[];
  /** Usable images in all classes. */
  images: number;
  /** Usable images per format (`JPEG`, `PNG`, `WebP`, `GIF`, `TIFF`, `AVIF`, `SVG`). */
  formats: Record<string, number>;
  /** `null` when there is no usable image. */
  sizes: SizeDistribution | null;
  duplicates: DuplicateGroup[];
  /**
   * SHA-256 (hex) of the sorted (relative path, size, content hash) of every usable image:
   * equal fingerprints mean the same images with the same bytes at the same paths.
   */
  fingerprint: string;
}

/** Scan progress, at most ~10 a second. `listing`: folders listed of those found so far. */
export interface ScanProgress {
  phase: 'listing' | 'reading';
  done: number;
  total: number;
  /** Usable images so far. */
  images: number;
  problems: number;
}

export type RecentDataset = z.output<typeof recentDatasetSchema>;

export interface FolderListing {
  path: string;
  /** Undefined at a file-system root. */
  parent?: string;
  folders: { name: string; path: string }[];
  /** Image files directly in this folder (a hint that it is a class folder). */
  imageFiles: number;
}

export interface Thumbnail {
  /** Relative to the dataset root. */
  path: string;
  /** A small PNG as a data: URL. */
  dataUrl: string;
}

export type { AugmentSettings };

export interface CacheInfo {
  /** DATA_DIR/cache/images. */
  dir: string;
  bytes: number;
  files: number;
}

// ---- Evaluation, prediction, comparison, reports, model export ----

/** Which images an evaluation uses: the run's validation or test split. */
export type EvalSplit = z.output<typeof evalSplitSchema>;
/** Which checkpoint: the best epoch's (by the run's `monitor`, val_loss unless chosen) or the last epoch's. */
export type CheckpointKind = z.output<typeof checkpointKindSchema>;

export interface ClassMetrics {
  name: string;
  /** `null` when nothing was predicted as this class (0/0). */
  precision: number | null;
  /** `null` when the class has no images in the split. */
  recall: number | null;
  /** `null` when precision or recall is. */
  f1: number | null;
  /** Images of this class in the split. */
  support: number;
}

/** One evaluated image; labels are indices into `EvalResult.classNames`. */
export interface EvalPrediction {
  /** Relative to the dataset root, `/`-separated. */
  path: string;
  label: number;
  predicted: number;
  /** Probability of the predicted class. */
  confidence: number;
  /** The (up to) five most probable classes, most probable first. */
  top: { label: number; prob: number }[];
}

/** An evaluation of one checkpoint of a run on one split, stored in the run's eval.json. */
export interface EvalResult {
  runId: string;
  split: EvalSplit;
  checkpoint: CheckpointKind;
  /** 0-based epoch the checkpoint was saved at. */
  epoch: number;
  createdAt: string;
  durationMs: number;
  classNames: string[];
  /** Images evaluated; unreadable ones are in `skipped` and not counted. */
  images: number;
  skipped: DatasetProblem[];
  /** Mean categorical cross-entropy. */
  loss: number;
  top1: number;
  top5: number;
  /** `confusion[true][predicted]`: image counts. */
  confusion: number[][];
  perClass: ClassMetrics[];
  /** Unweighted mean over classes with images (classes never predicted count as precision 0). */
  macro: { precision: number; recall: number; f1: number };
  /** Mean weighted by support. */
  weighted: { precision: number; recall: number; f1: number };
  predictions: EvalPrediction[];
  dataset: { path: string; fingerprint: string; splitKey: string };
  engine: { name: string; device: string; version: string };
}

/** An image to predict: a file or folder on the engine's machine, or bytes (browser drops). */
export type PredictInput = { path: string } | { name: string; base64: string };

/** One file's prediction, or why it could not be predicted (the others still are). */
export interface PredictionResult {
  /** The path given (folders are expanded to their images), or the dropped file's name. */
  file: string;
  top?: { label: string; prob: number }[];
  error?: string;
  /** A small PNG data: URL of the image as the model saw it. */
  thumbnail?: string;
}

/** The lecture's table reads the final epoch or each run's best epoch (by the run's own `monitor`). */
export type CompareBasis = z.output<typeof compareBasisSchema>;

/** One run's line in the comparison table. Metrics are `null` when the run has none. */
export interface CompareRow {
  runId: string;
  /** The run's name (the lecture's "Model" column, e.g. "Custom V3"). */
  model: string;
  preset: string | null;
  status: RunStatus;
  params: number | null;
  loss: number | null;
  val_loss: number | null;
  acc: number | null;
  val_acc: number | null;
  /** 0-based epoch the metrics come from. */
  epoch: number | null;
  /** What picks this run's best epoch (its training setting; `val_loss` for older runs). */
  monitor: Monitor;
  epochsDone: number;
  epochs: number;
  trainingMs: number;
  /** Mean training images per second over the run's epochs. */
  imagesPerSec: number | null;
  /** e.g. `tfjs-node 4.22.0 (cpu)`. */
  engine: string;
  dataset: { path: string; fingerprint: string; splitKey: string; splitSeed: number };
}

/** A config field that differs between the compared runs, with each run's value in words. */
export interface ConfigDifference {
  /** Field path, e.g. `model.blockStyle`, `training.learningRate`. */
  field: string;
  /** Readable name, e.g. `block style`. */
  label: string;
  /** One per compared run, in `rows` order. */
  values: string[];
}

export interface Comparison {
  basis: CompareBasis;
  rows: CompareRow[];
  /** Why the comparison may not be fair (different datasets, splits, engines, epochs…). */
  warnings: string[];
  differences: ConfigDifference[];
  /** Per-epoch curves of each run, in `rows` order. */
  curves: {
    runId: string;
    model: string;
    epochs: EpochSummary[];
    /** With two-phase fine-tuning: the first epoch (0-based) of the second phase, once recorded. */
    fineTuneFrom?: number;
  }[];
  /** Runs that could not be read, and why. */
  problems: string[];
}

export type ReportFormat = z.output<typeof reportFormatSchema>;

/** A run pinned as a baseline that new runs are measured against (DATA_DIR/baselines.json). */
export type Baseline = z.output<typeof baselineSchema>;

export interface BaselineList {
  /** Most recently pinned first. */
  baselines: Baseline[];
  /** Baselines unpinned because their run was deleted, each in one sentence. */
  notices: string[];
}

/** A compared run's metrics minus the baseline's (`null` where either is missing). */
export interface BaselineDelta {
  runId: string;
  loss: number | null;
  val_loss: number | null;
  acc: number | null;
  val_acc: number | null;
}

export type ReportRequest = z.output<typeof reportRequestSchema>;

export interface ExportedFiles {
  /** Absolute paths of every file written (never an existing file overwritten). */
  files: string[];
}

/** A report file sent to the front end (browser mode downloads it to the user's computer). */
export interface DownloadFile {
  name: string;
  /** Media type, e.g. `text/html;charset=utf-8`, `application/pdf`, `image/png`. */
  type: string;
  base64: string;
}

/** Where the app can write exports by default. */
export interface ExportTarget {
  /** The folder exports go to unless the user picks another (DATA_DIR/exports). */
  folder: string;
}

/** One Python the Keras engine asked: its versions and devices, or why it cannot train. */
export interface KerasPython {
  python: string;
  /** Where the candidate came from: "XLAB_PYTHON", "setup-keras", "PATH". */
  from: string;
  ok: boolean;
  pythonVersion?: string;
  tensorflow?: string;
  keras?: string;
  devices?: string[];
  /** Why this Python cannot run Keras projects, and what to install. */
  problem?: string;
}

/** Whether the Train page can offer the Keras engine (see `xlab engine setup-keras`). */
export interface KerasEngineStatus {
  /** The Python it would use; absent when none of `tried` can train. */
  found?: KerasPython;
  /** Every candidate asked, in order. */
  tried: KerasPython[];
  /** The one-line fix when none works. */
  fix: string;
}

/** Every call a front end can make. All calls are async; errors arrive as `WireError`. */
export interface LabApi {
  getAppInfo(): Promise<AppInfo>;
  getEngine(): Promise<EngineInfo>;
  /** The Keras engine's Python, asked once per session; `refresh` asks again ("Check again"). */
  getKerasEngine(refresh?: boolean): Promise<KerasEngineStatus>;
  getSettings(): Promise<Settings>;
  updateSettings(patch: Partial<Settings>): Promise<Settings>;
  listSamples(): Promise<SampleDataset[]>;
  /** The recent log (engine messages, warnings), oldest first; new entries arrive as `log` events. */
  getLog(): Promise<LogEntry[]>;

  listModelPresets(): Promise<ModelPresetInfo[]>;
  /** Validates a model request; when valid, builds it (in the training worker) and describes it. */
  describeModel(request: ModelRequest, batchSize?: number): Promise<DescribeModelResult>;
  /** Validates training settings and fills in defaults (`{}` gives all the defaults). */
  checkTrainingSettings(settings: TrainingRequest): Promise<TrainingSettingsResult>;
  listConfigs(): Promise<{ configs: NamedConfig[]; problems: string[] }>;
  /** Saves a named config; an existing one is replaced only with `overwrite: true`. */
  saveConfig(
    config: { name: string; model: ModelRequest; training: TrainingRequest },
    overwrite: boolean,
  ): Promise<NamedConfig>;
  deleteConfig(name: string): Promise<void>;

  /** Scans the dataset, draws (or reuses) its split, creates the run and starts training it. */
  startTraining(request: TrainRequest): Promise<RunInfo>;
  /** Finishes the current batch, saves, and keeps the run as `stopped`. */
  stopTraining(runId: string): Promise<void>;
  /** Continues a stopped or interrupted run from its last checkpoint, optimizer state included. */
  resumeRun(runId: string): Promise<RunInfo>;
  listRuns(): Promise<RunListEntry[]>;
  getRun(runId: string): Promise<RunDetails>;
  renameRun(runId: string, name: string): Promise<RunInfo>;
  /** Deletes a run's folder; the UI confirms first. A running run cannot be deleted. */
  deleteRun(runId: string): Promise<void>;

  /**
   * The dataset's health report; progress arrives as `scanProgress` events with this `scanId`.
   * Only reads the folder. A successful scan is remembered in the recent datasets.
   */
  scanDataset(path: string, scanId: string): Promise<ScanReport>;
  /** Ends a scan early; its `scanDataset` call rejects with code CANCELLED. */
  cancelScan(scanId: string): Promise<void>;
  listRecentDatasets(): Promise<RecentDataset[]>;
  forgetRecentDataset(path: string): Promise<RecentDataset[]>;
  /** Sub-folders of a folder on the machine running the engine (browser mode cannot see its disk). */
  browseFolder(path?: string): Promise<FolderListing>;
  /** Thumbnails of a scanned class's usable images, a page at a time. */
  getThumbnails(
    root: string,
    className: string,
    offset: number,
    limit: number,
  ): Promise<{ total: number; thumbnails: Thumbnail[] }>;
  /** Augmented variants of one image of a scanned dataset, as the training pipeline makes them. */
  previewAugmentation(
    root: string,
    settings: AugmentSettings,
    size: number,
    count: number,
    seed: number,
  ): Promise<{ path: string; images: string[] }>;
  getCacheInfo(): Promise<CacheInfo>;
  /** Deletes the preprocessing cache (refused while training uses it). */
  clearCache(): Promise<CacheInfo>;

  /**
   * Evaluates a checkpoint of a run on its val or test split and stores the result in the run's
   * eval.json (replacing the same split + checkpoint's earlier result). Completed runs are
   * evaluated on val with the best checkpoint automatically.
   */
  evaluateRun(runId: string, split: EvalSplit, checkpoint: CheckpointKind): Promise<EvalResult>;
  /** The stored evaluations of a run (none yet: an empty list). */
  getEvaluations(runId: string): Promise<EvalResult[]>;
  /** Thumbnails of images of a run's dataset, by path relative to its root (e.g. a confusion cell's images). */
  getRunImages(runId: string, paths: string[]): Promise<Thumbnail[]>;
  /** Top-5 predictions of a run's checkpoint for files, folders or dropped images. */
  predictImages(runId: string, inputs: PredictInput[], checkpoint: CheckpointKind): Promise<PredictionResult[]>;
  /** The comparison table, curves, config diff and fairness warnings of runs, in the given order. */
  compareRuns(runIds: string[], basis: CompareBasis): Promise<Comparison>;
  /** The report as one self-contained HTML page, for the preview. */
  renderReport(request: ReportRequest): Promise<{ html: string }>;
  /**
   * The report's files in memory (html: one; pdf: one; md: the Markdown and its chart PNGs;
   * csv: epochs and summary), for a browser to download where the engine's disk is not the user's.
   */
  downloadReport(request: ReportRequest, format: ReportFormat): Promise<{ files: DownloadFile[] }>;
  /** Writes the report into `folder` (default: the export folder); never overwrites a file. */
  exportReport(request: ReportRequest, format: ReportFormat, folder?: string): Promise<ExportedFiles>;
  /** Writes a checkpoint as a tfjs Layers model with labels.json and a README into a new folder inside `folder`. */
  exportModel(runId: string, checkpoint: CheckpointKind, folder?: string): Promise<ExportedFiles>;
  getExportTarget(): Promise<ExportTarget>;
  /** The pinned baselines; runs deleted since are unpinned here, with a notice. */
  listBaselines(): Promise<BaselineList>;
  /** Pins a run as a baseline under a label (pinning it again changes the label). */
  pinBaseline(runId: string, label: string): Promise<BaselineList>;
  unpinBaseline(runId: string): Promise<BaselineList>;
  /**
   * Opens a folder (a run's, an export's) in the system's file manager. Desktop app only: in
   * browser mode the folder is on the machine running the engine, and the call is refused.
   */
  openFolder(path: string): Promise<void>;
}

export interface LogEntry {
  level: 'info' | 'warn' | 'error';
  message: string;
  /** ISO 8601 time. */
  time: string;
}

/** Commands from the native menu (Electron only), delivered to the renderer. */
export type MenuCommand = 'open-dataset' | 'export-report' | 'toggle-dark-mode';

export interface MenuEvent {
  command: MenuCommand;
  /** For `open-dataset`: the folder the user picked in the native dialog. */
  path?: string;
}

/** Every event the back end pushes, with its payload. */
export interface LabEvents {
  engine: EngineInfo;
  log: LogEntry;
  menu: MenuEvent;
  /** Settings after any change, so every window and tab follows (e.g. the theme). */
  settings: Settings;
  /** Batch-level progress of the training run, at most ~10 a second. */
  trainProgress: TrainProgressEvent;
  /** A finished epoch of a training run. */
  trainEpoch: { runId: string; metrics: EpochMetricsLine };
  /** How long an epoch will take, measured on the first batches; `warning` when the run looks long. */
  trainEstimate: { runId: string; secondsPerEpoch: number; totalSeconds: number; warning?: string };
  /** A run's record changed (started, epoch done, stopped, finished, renamed, deleted → `deleted: true`). */
  runUpdated: { run?: RunInfo; runId: string; deleted?: boolean };
  /** A line of a run's training log. */
  trainLog: { runId: string; level: 'info' | 'warn' | 'error'; message: string };
  /** Progress of a dataset scan, at most ~10 a second. */
  scanProgress: ScanProgress & { scanId: string };
  /** An evaluation ran (on demand or after a completed run); its result is in the run's eval.json. */
  evalUpdated: { runId: string; split: EvalSplit; checkpoint: CheckpointKind; top1: number };
}

export type LabMethod = keyof LabApi;
export type LabEvent = keyof LabEvents;

/** The list every transport is built from. Adding a call means adding it here and in `LabApi`. */
export const labMethods = [
  'getAppInfo',
  'getEngine',
  'getKerasEngine',
  'getSettings',
  'updateSettings',
  'listSamples',
  'getLog',
  'listModelPresets',
  'describeModel',
  'checkTrainingSettings',
  'listConfigs',
  'saveConfig',
  'deleteConfig',
  'startTraining',
  'stopTraining',
  'resumeRun',
  'listRuns',
  'getRun',
  'renameRun',
  'deleteRun',
  'scanDataset',
  'cancelScan',
  'listRecentDatasets',
  'forgetRecentDataset',
  'browseFolder',
  'getThumbnails',
  'previewAugmentation',
  'getCacheInfo',
  'clearCache',
  'evaluateRun',
  'getEvaluations',
  'getRunImages',
  'predictImages',
  'compareRuns',
  'renderReport',
  'exportReport',
  'downloadReport',
  'exportModel',
  'getExportTarget',
  'openFolder',
  'listBaselines',
  'pinBaseline',
  'unpinBaseline',
] as const satisfies readonly LabMethod[];

export const labEvents = [
  'engine',
  'log',
  'menu',
  'settings',
  'trainProgress',
  'trainEpoch',
  'trainEstimate',
  'runUpdated',
  'trainLog',
  'scanProgress',
  'evalUpdated',
] as const satisfies readonly LabEvent[];

export type { WireError };

/** What every transport returns for a call: the value, or an error the UI can show as is. */
export type CallResult<T> = { ok: true; value: T } | { ok: false; error: WireError };

export type LabArgs<M extends LabMethod> = Parameters<LabApi[M]>;
export type LabResult<M extends LabMethod> = Awaited<ReturnType<LabApi[M]>>;

/**
 * What the Electron preload exposes as `window.lab`: each call returns its `CallResult`
 * (errors keep their code across the context bridge); `on` returns an unsubscribe.
 */
export type LabBridge = {
  [M in LabMethod]: (...args: LabArgs<M>) => Promise<CallResult<LabResult<M>>>;
} & {
  on<E extends LabEvent>(event: E, listener: (payload: LabEvents[E]) => void): () => void;
  /** The absolute path of a file or folder dropped on the window. */
  pathForFile(file: File): string;
};

/** Browser-mode WebSocket messages. */
export type ClientMessage = { type: 'call'; id: number; method: string; args: unknown[] };
export type ServerMessage =
  { type: 'result'; id: number; result: CallResult<unknown> } | { type: 'event'; event: LabEvent; payload: unknown };

/** IPC channel names, derived from the lists so both sides agree. */
export const callChannel = (method: LabMethod): string => `lab:call:${method}`;
export const eventChannel = (event: LabEvent): string => `lab:event:${event}`;

// Compile-time completeness: a method or event missing from its list fails to type-check here.
type Unlisted<All, Listed> = Exclude<All, Listed>;
const everyMethodListed: [Unlisted<LabMethod, (typeof labMethods)[number]>] extends [never] ? true : never = true;
const everyMethodHasArgs: [Unlisted<LabMethod, keyof typeof argSchemas>] extends [never] ? true : never = true;
const onlyMethodsHaveArgs: [Unlisted<keyof typeof argSchemas, LabMethod>] extends [never] ? true : never = true;
void everyMethodHasArgs;
void onlyMethodsHaveArgs;
const everyEventListed: [Unlisted<LabEvent, (typeof labEvents)[number]>] extends [never] ? true : never = true;
void everyMethodListed;
void everyEventListed;
