/**
 * The Keras engine: a run trained by real Keras/TensorFlow in a Python subprocess. The run's
 * experiment is exported into its folder (`keras/`) and train.py writes its results straight
 * into the run folder — metrics.jsonl and checkpoints/{last,best} have the lab's layout and
 * format — so the run is a normal run that Runs, Compare, Evaluate, Predict and Report read
 * unchanged. This module follows metrics.jsonl for live events and run.json, asks train.py to
 * stop with SIGTERM (it finishes the batch, drops the unfinished epoch and keeps the last
 * checkpoint), resumes by running it again, and turns a failure into a `failed` run naming the
 * traceback's last line and the log. train.py commits epochs as the tfjs engines do
 * (checkpoints/last with epoch.json), so after any ending the run is reconciled to it.
 *
 * train.py dies with this process: it holds a pipe to train.py's stdin, and train.py
 * (--watch-parent) stops when that closes. Its output goes straight to keras.log, so it never
 * writes into a dead pipe, and the run's lock names it as this process's helper, so no other
 * process takes the run over (recovery, resume) while an orphaned train.py is still stopping.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LabEvents, RunInfo, TrainRequest } from '../contract';
import { parseAugmentSettings } from '../dataset/image/augment';
import type { DatasetIndex } from '../dataset/pipeline/dataset-index';
import { LabError, trainerBusy } from '../errors';
import { setLockHelper } from '../fs/pid-lock';
import { validateTrainingSettings } from '../models/training-settings';
import type { Tf } from '../models/xception';
import { metricsLineSchema, type MetricsLine } from '../runs/metrics-log';
import type { RunRecord } from '../runs/run-record';
import type { RunStore } from '../runs/run-store';
import { modelForClasses, prepareRunData } from '../training/prepare-run-data';
import { kerasStateSchema, type KerasState } from './keras-import';
import type { KerasExperiment } from './keras-experiment';
import { writeKerasProject } from './keras-project';
import { checkKerasTraining } from './train-py';
import { findKerasPython, type PythonProbe } from './python-env';

export interface KerasRunnerOptions {
  dataDir: string;
  runs: RunStore;
  env: NodeJS.ProcessEnv;
  indexDataset: (path: string) => Promise<DatasetIndex>;
  emit: <E extends keyof LabEvents>(event: E, payload: LabEvents[E]) => void;
  versions: Record<string, string>;
  loadTf: () => Promise<Tf>;
  onFinished?: (run: RunRecord) => void;
  /** How often metrics.jsonl is read while training (default 500 ms). */
  pollMs?: number;
}

export interface KerasRunner {
  start(request: TrainRequest): Promise<RunInfo>;
  resume(record: RunRecord): Promise<RunInfo>;
  stop(runId: string): void;
  readonly active: string | undefined;
  idle(): Promise<void>;
}

/** The run folder's files the Keras engine adds: the project and Python's output. */
export const kerasProjectDir = (runDir: string): string => join(runDir, 'keras');
export const kerasLogFile = (runDir: string): string => join(runDir, 'keras.log');

/** The last line of a Python traceback (`ValueError: …`) in a log, or its last non-empty line. */
export function lastTracebackLine(log: string): string | undefined {
  const lines = log
    .split('\n')
    .map((l) => l.trimEnd())
    .filter(Boolean);
  const start = lines.map((l) => l.startsWith('Traceback (most recent call last)')).lastIndexOf(true);
  if (start >= 0) {
    const after = lines.slice(start + 1).filter((l) => !/^\s/.test(l));
    if (after.length > 0) return after[after.length - 1];
  }
  return lines[lines.length - 1];
}

async function readState(file: string): Promise<KerasState | undefined> {
  try {
    const parsed = kerasStateSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

const deviceOf = (probe: PythonProbe): 'gpu' | 'cpu' =>
  probe.devices?.some((d) => d.startsWith('GPU')) ? 'gpu' : 'cpu';

export function createKerasRunner(options: KerasRunnerOptions): KerasRunner {
  const { runs, emit } = options;
  let active: { runId: string; child: ChildProcess; done: Promise<void> } | undefined;

  const busy = (): void => {
    if (active) throw trainerBusy(active.runId);
  };

  async function python(): Promise<PythonProbe> {
    const { found, tried } = await findKerasPython(options.dataDir, options.env);
    if (found) return found;
    const why = tried.map((t) => `${t.python} (${t.from}): ${t.problem}`).join(' ');
    throw new LabError(
      'KERAS_UNAVAILABLE',
      `The Keras engine needs Python with TensorFlow ≥ 2.16, Keras 3 and Pillow. ${why} Run "xlab engine setup-keras", or set XLAB_PYTHON.`,
    );
  }

  async function experimentFor(request: TrainRequest): Promise<KerasExperiment> {
    const training = validateTrainingSettings(request.training);
    const augment = request.augment ? parseAugmentSettings(request.augment) : null;
    const index = await options.indexDataset(request.dataset);
    const {
      split,
      file,
      built: model,
    } = await prepareRunData({
      dataDir: options.dataDir,
      index,
      dataset: request.dataset,
      settings: training,
      forClasses: (classCount) => modelForClasses(request.model, classCount, request.dataset),
    });
    return {
      source: 'the lab (Keras engine)',
      name: request.name?.trim() || `${request.model.preset ?? 'custom'} on ${index.root.split(/[\\/]/).pop()} (Keras)`,
      modelRequest: { ...request.model, ...model },
      model,
      training,
      augment,
      dataset: {
        path: index.root,
        fingerprint: index.fingerprint,
        classNames: index.classNames,
        splitKey: file,
        split,
      },
    };
  }

  /** Runs train.py for `record` and follows it until it exits. */
  async function launch(record: RunRecord, probe: PythonProbe): Promise<RunInfo> {
    const paths = runs.paths(record.id);
    const project = kerasProjectDir(paths.dir);
    const logFile = kerasLogFile(paths.dir);
    const startedAt = Date.now();
    const running = await runs.update(record.id, () => ({
      status: 'running',
      startedAt: new Date(startedAt).toISOString(),
      endedAt: undefined,
      error: undefined,
    }));
    emit('runUpdated', { runId: record.id, run: running });
    const message = `Training with Keras: ${probe.python} (TensorFlow ${probe.tensorflow}, Keras ${probe.keras}); output in ${logFile}.`;
    await runs.appendLog(record.id, message);
    emit('trainLog', { runId: record.id, level: 'info', message });

    const log = await open(logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(
        probe.python,
        [
          join(project, 'train.py'),
          '--out',
          paths.dir,
          '--data',
          record.dataset.path,
          '--epochs',
          String(record.epochs),
          '--watch-parent',
        ],
        {
          cwd: project,
          env: { ...options.env, PYTHONUNBUFFERED: '1', TF_CPP_MIN_LOG_LEVEL: options.env.TF_CPP_MIN_LOG_LEVEL ?? '2' },
          // stdin: the pipe whose closing tells train.py this process is gone (never written to).
          stdio: ['pipe', log.fd, log.fd],
        },
      );
    } catch (error) {
      await log.close();
      throw error;
    }
    // Listened to before anything is awaited: a train.py that fails at once must not exit unseen.
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
      child.on('error', (error) => resolve({ code: null, signal: null, error }));
      child.on('exit', (code, signal) => resolve({ code, signal }));
    });
    child.stdin!.on('error', () => {}); // train.py exited: nothing is written to it anyway
    await log.close(); // the child has its own copy
    if (child.pid !== undefined)
      await setLockHelper(paths.owner, { pid: child.pid, processStartMs: Date.now() }).catch(() => {});

    const follower = followMetrics(record, paths.metrics, join(paths.dir, 'state.json'));
    const done = exited
      .then(async (exit) => {
        child.stdin!.destroy();
        await follower.stop();
        await finish(record, exit, Date.now() - startedAt, logFile);
      })
      .finally(() => {
        if (active?.runId === record.id) active = undefined;
      });
    active = { runId: record.id, child, done };
    return running;
  }

  /** Polls metrics.jsonl for new complete lines: live events, and run.json after each epoch. */
  function followMetrics(record: RunRecord, file: string, stateFile: string) {
    let offset = 0;
    let pending = '';
    let previous: { epoch: number; batch: number; time: number } | undefined;
    let stopped = false;
    let chain: Promise<void> = stat(file).then(
      (s) => void (offset = s.size),
      () => undefined,
    );
    const batchSize = Number((record.training as { batchSize?: number }).batchSize ?? 32);
    const read = async (): Promise<void> => {
      let handle;
      try {
        handle = await open(file, 'r');
      } catch {
        return;
      }
      try {
        const { size } = await handle.stat();
        if (size <= offset) return;
        const buffer = Buffer.alloc(size - offset);
        await handle.read(buffer, 0, buffer.length, offset);
        offset = size;
        pending += buffer.toString('utf8');
      } finally {
        await handle.close();
      }
      const rows = pending.split('\n');
      pending = rows.pop() ?? '';
      for (const row of rows) {
        if (!row.trim()) continue;
        let line: MetricsLine;
        try {
          line = metricsLineSchema.parse(JSON.parse(row));
        } catch {
          continue;
        }
        await onLine(line);
      }
    };
    const onLine = async (line: MetricsLine): Promise<void> => {
      if (line.type === 'batch') {
        // Speed from the lines' own times (they are read in bursts): images since the previous line.
        const time = Date.parse(line.time);
        const batches = line.batches ?? line.batch + 1;
        const rate =
          previous && previous.epoch === line.epoch && time > previous.time
            ? ((line.batch - previous.batch) * batchSize * 1000) / (time - previous.time)
            : 0;
        previous = { epoch: line.epoch, batch: line.batch, time };
        const remaining = (batches - line.batch - 1 + (record.epochs - line.epoch - 1) * batches) * batchSize;
        emit('trainProgress', {
          runId: record.id,
          epoch: line.epoch,
          batch: line.batch,
          batchesPerEpoch: batches,
          epochs: record.epochs,
          loss: line.loss ?? Number.NaN,
          acc: typeof line.acc === 'number' ? line.acc : null,
          imagesPerSec: rate,
          etaMs: rate > 0 ? (remaining * 1000) / rate : 0,
        });
        return;
      }
      emit('trainEpoch', { runId: record.id, metrics: line });
      const state = await readState(stateFile);
      const summary = {
        epoch: line.epoch,
        loss: line.loss,
        acc: line.acc,
        val_loss: line.val_loss ?? null,
        val_acc: line.val_acc ?? null,
      };
      const run = await runs.update(record.id, (current) => ({
        epochsDone: Math.max(current.epochsDone, line.epoch + 1),
        last: summary,
        ...(state?.best ? { best: state.best } : {}),
        ...(state?.params !== undefined ? { params: state.params } : {}),
      }));
      emit('runUpdated', { runId: record.id, run });
    };
    const timer = setInterval(() => {
      if (!stopped) chain = chain.then(read, read);
    }, options.pollMs ?? 500);
    return {
      async stop(): Promise<void> {
        stopped = true;
        clearInterval(timer);
        chain = chain.then(read, read);
        await chain;
      },
    };
  }

  async function finish(
    record: RunRecord,
    exit: { code: number | null; signal: NodeJS.Signals | null; error?: Error },
    sessionMs: number,
    logFile: string,
  ): Promise<void> {
    const state = await readState(join(runs.paths(record.id).dir, 'state.json'));
    let status: RunRecord['status'];
    let error: RunRecord['error'];
    if (exit.error) {
      status = 'failed';
      error = { code: 'KERAS_FAILED', message: `Python could not be started (${exit.error.message}).` };
    } else if (exit.code === 0 && state && (state.status === 'completed' || state.status === 'stopped')) {
      status = state.status;
    } else if (exit.signal === 'SIGKILL' || (exit.signal && state?.status === 'running')) {
      status = 'interrupted';
      error = {
        code: 'INTERRUPTED',
        message: `train.py was killed (${exit.signal}) while training. Resume the run to continue from its last checkpoint.`,
      };
    } else {
      status = 'failed';
      const text = await readFile(logFile, 'utf8').catch(() => '');
      const last = state?.error ?? lastTracebackLine(text) ?? `exit code ${exit.code}`;
      error = { code: 'KERAS_FAILED', message: `train.py failed: ${last} (full output in ${logFile}).` };
    }
    // Epochs done, last and best follow the checkpoint train.py committed (whatever a kill cut short).
    const { record: run } = await runs.reconcile(record.id, (current) => ({
      status,
      endedAt: new Date().toISOString(),
      durationMs: current.durationMs + sessionMs,
      ...(state?.params !== undefined ? { params: state.params } : {}),
      ...(error ? { error } : {}),
    }));
    await runs.unlock(record.id);
    const summary = error
      ? `${run.status}: ${error.message}`
      : `${run.status} after ${run.epochsDone} of ${run.epochs} epochs`;
    await runs.appendLog(record.id, summary);
    emit('trainLog', {
      runId: record.id,
      level: error ? 'error' : 'info',
      message: `Run ${run.status}${error ? `: ${error.message}` : '.'}`,
    });
    emit('runUpdated', { runId: record.id, run });
    options.onFinished?.(run);
  }

  return {
    get active() {
      return active?.runId;
    },
    async idle() {
      await active?.done;
    },
    async start(request) {
      busy();
      const probe = await python();
      const experiment = await experimentFor(request);
      checkKerasTraining(experiment.training);
      busy();
      const record = await runs.create({
        name: experiment.name,
        epochs: experiment.training.epochs,
        model: experiment.modelRequest,
        training: { ...experiment.training, augment: experiment.augment },
        dataset: {
          path: experiment.dataset.path,
          fingerprint: experiment.dataset.fingerprint,
          classNames: experiment.dataset.classNames,
          split: {
            seed: experiment.dataset.split.seed,
            key: experiment.dataset.splitKey,
            fractions: experiment.dataset.split.fractions,
            source: experiment.dataset.split.source,
            counts: experiment.dataset.split.counts,
          },
        },
        engine: {
          name: 'keras',
          device: deviceOf(probe),
          version: probe.tensorflow ?? 'unknown',
          keras: probe.keras,
          python: probe.python,
          devices: probe.devices,
        },
        versions: { ...options.versions, tensorflow: probe.tensorflow ?? 'unknown', keras: probe.keras ?? 'unknown' },
      });
      const project = kerasProjectDir(runs.paths(record.id).dir);
      await writeKerasProject(
        await options.loadTf(),
        { ...experiment, runId: record.id, source: `run ${record.id}` },
        project,
        options.versions.app ?? 'unknown',
      );
      await runs.appendLog(record.id, `Exported the experiment as a Keras project in ${project}.`);
      return launch(record, probe);
    },
    async resume(record) {
      busy();
      if (record.status === 'running') throw new LabError('BUSY', `Run ${record.id} is already training.`);
      if (record.status === 'completed') {
        throw new LabError(
          'RUN_COMPLETE',
          `Run ${record.id} has done all its ${record.epochs} epochs: start a new run to train longer.`,
        );
      }
      const project = kerasProjectDir(runs.paths(record.id).dir);
      if (!(await stat(join(project, 'train.py')).catch(() => undefined))) {
        throw new LabError(
          'NO_CHECKPOINT',
          `Run ${record.id} was imported from Keras without its project: resume it where it was trained (python train.py), then import again.`,
        );
      }
      const probe = await python();
      await runs.lock(record.id); // RUN_BUSY while another process (or its train.py) trains it
      try {
        await runs.reconcile(record.id);
        return await launch(record, probe);
      } catch (error) {
        await runs.unlock(record.id).catch(() => {});
        throw error;
      }
    },
    stop(runId) {
      if (active?.runId !== runId) throw new LabError('NOT_RUNNING', `Run ${runId} is not training in this app.`);
      active.child.kill('SIGTERM');
    },
  };
}
