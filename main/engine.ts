import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { AppInfo, EngineInfo, LabApi, LabEvents, LogEntry, SampleDataset, Settings } from './contract';
import { Emitter } from './events';
import { LabError } from './errors';
import { startTrainingWorker, type TrainingWorkerHost } from './engine/worker-host';
import { loadSettings, saveSettings } from './settings/settings-store';
import { settingsFile } from './paths/data-dir';
import { listSamples } from './samples/samples';
import { appRoot, appVersion, productName } from './version';
import { checkTrainingSettings, describeModel, listModelPresets } from './models/describe-model';
import { deleteNamedConfig, listNamedConfigs, saveNamedConfig } from './models/named-configs';
import { createRunStore } from './runs/run-store';
import { createBaselineStore } from './runs/baselines';
import { createTrainingService } from './training/training-service';
// dataset-service imports sharp: it must be loaded on this (main) thread before the training
// worker loads it, or the worker's copy fails to register (sharp's own advice for workers).
import { createDatasetService, requireAbsolute } from './dataset/dataset-service';
import { browseFolder } from './fs/browse-folder';
import { createEvaluationService } from './evaluation/evaluation-service';
import { createReportService, type PdfPrinter } from './reports/report-service';
import { exportsDir } from './exports/export-files';

const maxLogEntries = 500;
/** How long closing waits for an evaluation in progress. */
const evaluationGraceMs = 30_000;

export interface LabOptions {
  /** Runs, caches and settings live here (created if missing). */
  dataDir: string;
  /** Folder of bundled sample datasets; defaults to assets/samples in the app folder. */
  samplesDir?: string;
  /** The bundled training worker (out/training-worker.js), passed by each entry point. */
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
  const logs: LogEntry[] = [];
  const log = (entry: LogEntry): void => {
    logs.push(entry);
    if (logs.length > maxLogEntries) logs.shift();
    events.emit('log', entry);
  };

  const file = settingsFile(dataDir);
  const loaded = await loadSettings(file);
  let settings: Settings = loaded.settings;
  if (loaded.warning) log({ level: 'warn', message: loaded.warning, time: new Date().toISOString() });

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
    warn: (message) => log({ level: 'warn', message, time: new Date().toISOString() }),
  });
  for (const id of await runs.recoverInterrupted()) {
    log({ level: 'warn', message: `Run ${id} was interrupted (the app stopped while it trained); resume it from its last checkpoint.`, time: new Date().toISOString() });
  }

  // One long-lived worker; if it dies (crash, out of memory) the run it trained is interrupted
  // and the next request starts a fresh one.
  let worker: TrainingWorkerHost | undefined;
  let closing = false;
  const startWorker = (): TrainingWorkerHost => {
    const host = startTrainingWorker({
      workerUrl: options.workerUrl,
      env: options.env,
      onLog: log,
      onTrainEvent: (runId, event) => training.onTrainEvent(runId, event),
      onUnexpectedExit: (code) =>
        log({ level: 'error', message: `The training worker stopped unexpectedly (exit code ${code}); it restarts on the next request.`, time: new Date().toISOString() }),
    });
    host.engine.then(
      (engine) => events.emit('engine', engine),
      (error: Error) => log({ level: 'error', message: error.message, time: new Date().toISOString() }),
    );
    return host;
  };
  if (!options.lazyEngine) worker = startWorker();
  const currentWorker = (): TrainingWorkerHost => {
    if (!worker || (worker.exited && !closing)) worker = startWorker();
    return worker;
  };

  const datasets = createDatasetService({
    dataDir,
    emit: (event, payload) => events.emit(event, payload),
    warn: (message) => log({ level: 'warn', message, time: new Date().toISOString() }),
  });

  const training = createTrainingService({
    dataDir,
    runs,
    worker: currentWorker,
    indexDataset: (path) => datasets.index(path),
    emit: (event, payload) => events.emit(event, payload),
    versions: { app: version, node: process.versions.node },
    onFinished: (run) => autoEvaluate(run),
  });

  const evaluation = createEvaluationService({
    dataDir,
    runs,
    worker: currentWorker,
    indexDataset: (path) => datasets.index(path),
    emit: (event, payload) => events.emit(event, payload),
    warn: (message) => log({ level: 'warn', message, time: new Date().toISOString() }),
  });

  // A completed run is evaluated on its validation split at once (best checkpoint, or the last
  // when no epoch was validated). A failure is a warning: the run itself stays completed.
  function autoEvaluate(run: { id: string; status: string; best?: unknown }): void {
    if (run.status !== 'completed' || closing) return;
    const checkpoint = run.best ? 'best' : 'last';
    evaluation.evaluate(run.id, 'val', checkpoint).catch((error: unknown) => {
      const message = `Run ${run.id} completed, but evaluating its ${checkpoint} checkpoint on the validation images failed: ${(error as Error).message}`;
      log({ level: 'warn', message, time: new Date().toISOString() });
      void runs.appendLog(run.id, `[warn] ${message}`).catch(() => {});
    });
  }

  const appInfo = async (): Promise<AppInfo> => ({
    name: productName,
    version,
    dataDir,
    platform: process.platform,
    arch: process.arch,
    versions: {
      node: process.versions.node,
      ...(process.versions.electron ? { electron: process.versions.electron } : {}),
      ...(process.versions.chrome ? { chrome: process.versions.chrome } : {}),
    },
  });

  const reports = createReportService({
    dataDir,
    runs,
    evaluations: (runId) => evaluation.list(runId),
    appInfo,
    baselines: () => baselines.list(),
    env: options.env,
    ...(options.pdf ? { pdf: options.pdf } : {}),
  });
  const exportFolder = exportsDir(dataDir);

  return {
    events,
    getAppInfo: appInfo,
    getEngine(): Promise<EngineInfo> {
      return currentWorker().engine;
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
      return [...logs];
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
    startTraining: (request) => training.start(request),
    stopTraining: (runId) => training.stop(runId),
    resumeRun: (runId) => training.resume(runId),
    async listRuns() {
      return (await runs.list()).map((listed) => ('record' in listed ? { id: listed.id, run: listed.record } : listed));
    },
    async getRun(runId) {
      const [run, metrics, log] = await Promise.all([runs.get(runId), runs.readMetrics(runId), runs.readLog(runId, 300)]);
      return { run, metrics: metrics.lines, damaged: metrics.damaged, folder: runs.paths(runId).dir, log };
    },
    async renameRun(runId, name) {
      const run = await runs.rename(runId, name);
      events.emit('runUpdated', { runId, run });
      return run;
    },
    async deleteRun(runId) {
      if (training.active === runId) throw new LabError('BUSY', `Run ${runId} is training: stop it before deleting it.`);
      await runs.remove(runId);
      const notice = await baselines.forget(runId);
      if (notice) log({ level: 'warn', message: notice, time: new Date().toISOString() });
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
    exportModel: (runId, checkpoint, folder) => evaluation.exportModel(runId, checkpoint, folder ?? exportFolder),
    compareRuns: (runIds, basis) => reports.compare(runIds, basis),
    renderReport: (request) => reports.render(request),
    exportReport: (request, format, folder) => reports.export(request, format, folder ?? exportFolder),
    downloadReport: (request, format) => reports.download(request, format),
    listBaselines: () => baselines.list(),
    pinBaseline: (runId, label) => baselines.pin(runId, label),
    unpinBaseline: (runId) => baselines.unpin(runId),
    async getExportTarget() {
      return { folder: exportFolder };
    },
    async openFolder(path) {
      requireAbsolute(path);
      if (!options.openFolder) {
        throw new LabError('NOT_AVAILABLE', `Folders open in the desktop app only; in browser mode ${path} is on the machine running the lab: copy its path.`);
      }
      const info = await stat(path).catch(() => undefined);
      if (!info?.isDirectory()) throw new LabError('NOT_A_FOLDER', `${path} is not a folder (any more): it cannot be opened.`);
      await options.openFolder(path);
    },
    async close(): Promise<void> {
      closing = true;
      if (training.active) {
        worker?.stopTraining(training.active);
        await Promise.race([training.idle(), new Promise((r) => setTimeout(r, 10_000))]);
      }
      // An evaluation in progress (e.g. the one after a run completed) gets a while to finish;
      // after that the worker is stopped under it and its eval.json is simply not written.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([evaluation.idle(), new Promise((r) => (timer = setTimeout(r, evaluationGraceMs)))]);
      clearTimeout(timer);
      events.clear();
      await worker?.terminate();
    },
  };
}
