import { mkdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type {
  AppInfo,
  EngineInfo,
  ExportedFiles,
  LabApi,
  LabEvents,
  LogEntry,
  SampleDataset,
  Settings,
} from './contract';
import { Emitter } from './events';
import { LabError } from './errors';
import type { TrainingWorkerHost } from './engine/worker-host';
import { createWorkerSlot } from './engine/worker-slot';
import { loadSettings, saveSettings } from './fs/settings-store';
import { settingsFile } from './fs/data-dir';
import { listSamples } from './dataset/samples';
import { appInfo, appRoot, appVersion } from './version';
import { checkTrainingSettings, describeModel, listModelPresets } from './models/describe-model';
import { deleteNamedConfig, listNamedConfigs, saveNamedConfig } from './models/named-configs';
import { createRunStore } from './runs/run-store';
import { watchRuns } from './runs/run-watcher';
import { createBaselineStore } from './runs/baselines';
import { createTrainingService } from './training/training-service';
import { createRunTrainers } from './training/run-trainers';
import { recoverRuns } from './runs/recover-runs';
import { createLabLog } from './lab-log';
import { autoEvaluate } from './evaluation/auto-evaluate';
// dataset-service imports sharp: it must be loaded on this (main) thread before the training
// worker loads it, or the worker's copy fails to register (sharp's own advice for workers).
import { createDatasetService } from './dataset/dataset-service';
import { browseFolder } from './fs/browse-folder';
import { createEvaluationService } from './evaluation/evaluation-service';
import { createReportService, type PdfPrinter } from './reports/report-service';
import { exportsDir } from './fs/export-files';
import { checkOpenableFolder } from './fs/open-folder-policy';
import { loadTfjs } from './keras/keras-export';
import { createKerasRunner } from './keras/keras-run';
import { createKerasStatus } from './keras/keras-status';
import { findKerasPython } from './keras/python-env';

const maxLogEntries = 500;
/** How long closing waits for an evaluation in progress. */
const evaluationGraceMs = 30_000;
/** How long closing waits for a training run to stop after its current batch. */
const trainingGraceMs = 10_000;

export interface LabOptions {
  /** Runs, caches and settings live here (created if missing). */
  dataDir: string;
  /** Folder of bundled sample datasets; defaults to assets/samples in the app folder. */
  samplesDir?: string;
  /** The bundled training worker (out/training-worker.mjs), passed by each entry point. */
  workerUrl: URL;
  /** Environment the engine reads (XLAB_BACKEND, TF_*); defaults to the process's. */
  env?: NodeJS.ProcessEnv;
  /** Start the training worker on first use instead of at once (CLI commands that may not need it). */
  lazyEngine?: boolean;
  /** Prints report HTML to PDF; the desktop app passes Electron's printToPDF, elsewhere headless Chromium. */
  pdf?: PdfPrinter;
  /** Shows a folder in the system's file manager; only the desktop app has one (Electron's shell.openPath). */
  openFolder?: (path: string) => Promise<void>;
}

/** The engine behind every front end: the contract's calls plus its typed events. */
export interface Lab extends LabApi {
  readonly events: Emitter<LabEvents>;
  close(): Promise<void>;
}

/**
 * Creates the engine for one data folder. The training worker starts at once, so the engine
 * (which may take seconds to load) is ready by the time the user looks at it.
 */
export async function createLab(options: LabOptions): Promise<Lab> {
  const { dataDir } = options;
  try {
    await mkdir(dataDir, { recursive: true });
  } catch (error) {
    throw new LabError(
      'DATA_DIR_UNWRITABLE',
      `Cannot create the data folder ${dataDir}: ${(error as Error).message}. Choose another with --data-dir or XLAB_HOME.`,
    );
  }
  const root = appRoot();
  const samplesDir = options.samplesDir ?? join(root, 'assets', 'samples');
  const version = appVersion(root);
  const events = new Emitter<LabEvents>();
  const log = createLabLog((entry) => events.emit('log', entry), maxLogEntries);
  const { warn } = log;

  const file = settingsFile(dataDir);
  const loaded = await loadSettings(file);
  let settings: Settings = loaded.settings;
  if (loaded.warning) warn(loaded.warning);

  const runs = createRunStore(dataDir);
  const baselines = createBaselineStore({
    dataDir,
    runExists: async (id) => {
      try {
        await stat(runs.paths(id).record);
        return true;
      } catch {
        return false;
      }
    },
    warn,
  });
  await recoverRuns(runs, warn);

  let closing = false;
  const workers = createWorkerSlot({
    workerUrl: options.workerUrl,
    env: options.env,
    lazy: options.lazyEngine,
    closing: () => closing,
    log: log.add,
    error: log.error,
    onEngine: (engine) => events.emit('engine', engine),
  });
  const currentWorker = (): TrainingWorkerHost => workers.current();

  const datasets = createDatasetService({
    dataDir,
    emit: (event, payload) => events.emit(event, payload),
    warn,
  });

  const training = createTrainingService({
    dataDir,
    runs,
    worker: currentWorker,
    indexDataset: (path) => datasets.index(path),
    emit: (event, payload) => events.emit(event, payload),
    versions: { app: version, node: process.versions.node },
    onFinished: (run) => afterRun(run),
  });

  // The Keras engine: train.py in a Python subprocess, writing into the run folder.
  const keras = createKerasRunner({
    dataDir,
    runs,
    env: options.env ?? process.env,
    indexDataset: (path) => datasets.index(path),
    emit: (event, payload) => events.emit(event, payload),
    versions: { app: version, node: process.versions.node },
    loadTf: loadTfjs,
    onFinished: (run) => afterRun(run),
  });
  const trainers = createRunTrainers(training, keras, runs);
  const kerasStatus = createKerasStatus(() => findKerasPython(dataDir, options.env ?? process.env));
  // Runs trained by other processes (the CLI, a second app) show live here, and Stop reaches them.
  const watcher = watchRuns({
    runs,
    emit: (event, payload) => events.emit(event, payload),
    isLocal: (id) => trainers.active === id,
  });

  const evaluation = createEvaluationService({
    dataDir,
    runs,
    worker: currentWorker,
    indexDataset: (path) => datasets.index(path),
    emit: (event, payload) => events.emit(event, payload),
    warn,
  });

  function afterRun(run: { id: string; status: string; best?: unknown }): void {
    if (!closing) autoEvaluate(evaluation, runs, warn, run);
  }

  const getAppInfo = async (): Promise<AppInfo> => appInfo(dataDir, version);

  const reports = createReportService({
    dataDir,
    runs,
    evaluations: (runId) => evaluation.list(runId),
    appInfo: getAppInfo,
    baselines: () => baselines.list(),
    env: options.env,
    ...(options.pdf ? { pdf: options.pdf } : {}),
  });
  const exportFolder = exportsDir(dataDir);
  // Folders exports were written to in this session (any the user picked): openFolder may show them.
  const exportedTo = new Set<string>();
  const rememberExport = (exported: ExportedFiles): ExportedFiles => {
    for (const file of exported.files) exportedTo.add(dirname(file));
    return exported;
  };

  return {
    events,
    getAppInfo,
    getEngine(): Promise<EngineInfo> {
      return currentWorker().engine;
    },
    getKerasEngine(refresh = false) {
      return kerasStatus(refresh);
    },
    async getSettings(): Promise<Settings> {
      return { ...settings };
    },
    async updateSettings(patch: Partial<Settings>): Promise<Settings> {
      const next = { ...settings, ...patch };
      await saveSettings(file, next);
      settings = next;
      events.emit('settings', { ...settings });
      return { ...settings };
    },
    listSamples(): Promise<SampleDataset[]> {
      return listSamples(samplesDir);
    },
    async getLog(): Promise<LogEntry[]> {
      return log.entries();
    },
    async listModelPresets() {
      return listModelPresets();
    },
    describeModel(request, batchSize = 32) {
      return describeModel(request, batchSize, (config) => currentWorker().request({ kind: 'summarizeModel', config }));
    },
    async checkTrainingSettings(settings) {
      return checkTrainingSettings(settings);
    },
    listConfigs() {
      return listNamedConfigs(dataDir);
    },
    saveConfig(config, overwrite) {
      return saveNamedConfig(dataDir, config, { overwrite });
    },
    deleteConfig(name) {
      return deleteNamedConfig(dataDir, name);
    },
    startTraining: (request) => trainers.start(request),
    stopTraining: (runId) => trainers.stop(runId),
    resumeRun: (runId) => trainers.resume(runId),
    async listRuns() {
      return (await runs.list()).map((listed) => ('record' in listed ? { id: listed.id, run: listed.record } : listed));
    },
    async getRun(runId) {
      const [run, metrics, log] = await Promise.all([
        runs.get(runId),
        runs.readMetrics(runId),
        runs.readLog(runId, 300),
      ]);
      return { run, metrics: metrics.lines, damaged: metrics.damaged, folder: runs.paths(runId).dir, log };
    },
    async renameRun(runId, name) {
      const run = await runs.rename(runId, name);
      events.emit('runUpdated', { runId, run });
      return run;
    },
    async deleteRun(runId) {
      if (trainers.active === runId)
        throw new LabError('BUSY', `Run ${runId} is training: stop it before deleting it.`);
      await runs.remove(runId); // RUN_BUSY while another process trains it
      const notice = await baselines.forget(runId);
      if (notice) warn(notice);
      events.emit('runUpdated', { runId, deleted: true });
    },
    scanDataset: (path, scanId) => datasets.scan(path, scanId),
    cancelScan: (scanId) => datasets.cancel(scanId),
    listRecentDatasets: () => datasets.recent(),
    forgetRecentDataset: (path) => datasets.forget(path),
    browseFolder: (path) => browseFolder(path),
    getThumbnails: (root, className, offset, limit) => datasets.thumbnails(root, className, offset, limit),
    previewAugmentation: (root, settings, size, count, seed) => datasets.preview(root, settings, size, count, seed),
    getCacheInfo: () => datasets.cacheInfo(),
    clearCache: () => datasets.clearCache(),
    evaluateRun: (runId, split, checkpoint) => evaluation.evaluate(runId, split, checkpoint),
    getEvaluations: (runId) => evaluation.list(runId),
    getRunImages: (runId, paths) => evaluation.images(runId, paths),
    predictImages: (runId, inputs, checkpoint) => evaluation.predict(runId, inputs, checkpoint),
    exportModel: async (runId, checkpoint, folder) =>
      rememberExport(await evaluation.exportModel(runId, checkpoint, folder ?? exportFolder)),
    compareRuns: (runIds, basis) => reports.compare(runIds, basis),
    renderReport: (request) => reports.render(request),
    exportReport: async (request, format, folder) =>
      rememberExport(await reports.export(request, format, folder ?? exportFolder)),
    downloadReport: (request, format) => reports.download(request, format),
    listBaselines: () => baselines.list(),
    pinBaseline: (runId, label) => baselines.pin(runId, label),
    unpinBaseline: (runId) => baselines.unpin(runId),
    async getExportTarget() {
      return { folder: exportFolder };
    },
    async openFolder(path) {
      if (!options.openFolder) {
        throw new LabError(
          'NOT_AVAILABLE',
          `Folders open in the desktop app only; in browser mode ${path} is on the machine running the lab: copy its path.`,
        );
      }
      const recent = (await datasets.recent()).map((dataset) => dataset.path);
      await options.openFolder(await checkOpenableFolder(path, [dataDir, ...recent, ...exportedTo]));
    },
    async close(): Promise<void> {
      closing = true;
      watcher.close();
      // Each wait is bounded, and its timer cleared once the wait is over: a pending timer would
      // keep a finished CLI command alive until it fires.
      const bounded = async (work: Promise<unknown>, ms: number): Promise<void> => {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([work, new Promise((r) => (timer = setTimeout(r, ms)))]);
        clearTimeout(timer);
      };
      if (training.active) {
        workers.started?.stopTraining(training.active);
        await bounded(training.idle(), trainingGraceMs);
      }
      if (keras.active) {
        // train.py finishes its batch and saves; the timer must not keep the process alive after.
        keras.stop(keras.active);
        let kerasTimer: NodeJS.Timeout | undefined;
        await Promise.race([keras.idle(), new Promise((r) => (kerasTimer = setTimeout(r, 60_000)))]);
        clearTimeout(kerasTimer);
      }
      // An evaluation in progress (e.g. the one after a run completed) gets a while to finish;
      // after that the worker is stopped under it and its eval.json is simply not written.
      await bounded(evaluation.idle(), evaluationGraceMs);
      events.clear();
      await workers.started?.terminate();
    },
  };
}
