import { Worker } from 'node:worker_threads';
import type { Readable } from 'node:stream';
import type { EngineInfo, LogEntry } from '../contract';
import { LabError } from '../errors';
import { Emitter } from '../events';
import { logEntry } from '../log-entry';
import type {
  HostMessage,
  TrainEvent,
  WorkerMessage,
  WorkerRequest,
  WorkerRequests,
  WorkerStartData,
} from './worker-protocol';

/** What the worker reports besides answers to requests; `on` returns the unsubscribe. */
export interface WorkerHostEvents {
  /** A line for the app's log: what the worker logs, and what libraries print in it. */
  log: LogEntry;
  /** A training run's progress, epochs and logs, for whoever sent its `train` request. */
  trainEvent: { runId: string; event: TrainEvent };
  /** The worker ended without being asked to (crash, out of memory, killed): its exit code. */
  unexpectedExit: number;
}

export interface TrainingWorkerHost {
  on<E extends keyof WorkerHostEvents>(event: E, listener: (payload: WorkerHostEvents[E]) => void): () => void;
  /** Resolves with the engine the worker loaded; rejects with a LabError if none could load. */
  readonly engine: Promise<EngineInfo>;
  /** Asks the worker for tensor work once its engine is ready; rejects with the worker's LabError. */
  request<K extends keyof WorkerRequests>(
    request: { kind: K } & WorkerRequests[K]['request'],
  ): Promise<WorkerRequests[K]['response']>;
  /** Asks a training run to finish its batch and stop. */
  stopTraining(runId: string): void;
  /** True once the worker thread has ended (crash or terminate). */
  readonly exited: boolean;
  terminate(): Promise<void>;
}

export interface StartWorkerOptions {
  /** The bundled worker, out/training-worker.mjs; each entry point passes its own sibling. */
  workerUrl: URL;
  env?: NodeJS.ProcessEnv;
}

/**
 * Starts the one long-lived training worker. Native TensorFlow reads its environment from the
 * process, not from the worker's copy of `process.env`, so GPU settings are set here, on the
 * process, before the worker (and the library) loads.
 */
export function startTrainingWorker(options: StartWorkerOptions): TrainingWorkerHost {
  const env = options.env ?? process.env;
  // Without this TensorFlow reserves all GPU memory at start; the user's own value wins.
  if (env.TF_FORCE_GPU_ALLOW_GROWTH === undefined) env.TF_FORCE_GPU_ALLOW_GROWTH = 'true';
  // Keep TensorFlow's C++ info chatter out of the user's terminal unless asked for.
  if (env.TF_CPP_MIN_LOG_LEVEL === undefined) env.TF_CPP_MIN_LOG_LEVEL = '2';

  const events = new Emitter<WorkerHostEvents>();
  const onLog = (entry: LogEntry): void => events.emit('log', entry);
  const workerData: WorkerStartData = { force: env.XLAB_BACKEND };
  const worker = new Worker(options.workerUrl, {
    workerData,
    env,
    stdout: true,
    stderr: true,
  });
  // Libraries print to the console (tfjs's "install the node backend" hint); that belongs in the
  // log, not in a CLI's --json stdout.
  forwardLines(worker.stdout, (line) => onLog(logEntry('info', line)));
  forwardLines(worker.stderr, (line) => onLog(logEntry(isLibraryBanner(line) ? 'info' : 'warn', line)));

  let terminated = false;
  let exited = false;
  let nextId = 1;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  const failPending = (error: Error): void => {
    for (const call of pending.values()) call.reject(error);
    pending.clear();
  };
  const exit = new Promise<void>((resolve) =>
    worker.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const engine = new Promise<EngineInfo>((resolve, reject) => {
    worker.on('message', (message: WorkerMessage) => {
      switch (message.type) {
        case 'ready':
          resolve(message.engine);
          break;
        case 'failed':
          reject(new LabError(message.error.code, message.error.message));
          break;
        case 'log':
          onLog(message.entry);
          break;
        case 'train-event':
          events.emit('trainEvent', { runId: message.runId, event: message.event });
          break;
        case 'response': {
          const call = pending.get(message.id);
          pending.delete(message.id);
          if (message.ok) call?.resolve(message.value);
          else call?.reject(new LabError(message.error.code, message.error.message));
          break;
        }
      }
    });
    worker.on('error', (error) =>
      reject(new LabError('ENGINE_FAILED', `The training worker crashed while loading the engine: ${error.message}`)),
    );
    worker.on('exit', (code) => {
      failPending(new LabError('ENGINE_FAILED', `The training worker stopped (exit code ${code}) before it answered.`));
      if (!terminated) events.emit('unexpectedExit', code);
      if (!terminated) {
        reject(
          new LabError(
            'ENGINE_FAILED',
            `The training worker stopped unexpectedly (exit code ${code}). Restart the app; if it happens again run "xlab doctor".`,
          ),
        );
      }
    });
  });
  // A rejection nobody awaited yet is still reported through getEngine(); don't crash the process.
  engine.catch(() => {});

  return {
    on: (event, listener) => events.on(event, listener),
    engine,
    async request(request) {
      await engine;
      if (exited) throw new LabError('ENGINE_FAILED', 'The training worker has stopped: restart the app.');
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
        worker.postMessage({ type: 'request', id, request: request as WorkerRequest } satisfies HostMessage);
      });
    },
    stopTraining(runId) {
      if (!exited) worker.postMessage({ type: 'stop-training', runId } satisfies HostMessage);
    },
    get exited() {
      return exited;
    },
    async terminate() {
      terminated = true;
      if (exited) return;
      worker.postMessage({ type: 'shutdown' } satisfies HostMessage);
      // A worker busy in a long synchronous kernel cannot read the message: end it after a grace period.
      const timer = setTimeout(() => void worker.terminate(), 2000);
      await exit;
      clearTimeout(timer);
    },
  };
}

/** pure-JS tfjs prints a "install the node backend" banner on stderr; `xlab doctor` already says that. */
export function isLibraryBanner(line: string): boolean {
  return (
    /^=+$/.test(line.trim()) ||
    /Looks like you are running TensorFlow\.js in Node\.js|install our node backend/.test(line)
  );
}

function forwardLines(stream: Readable, onLine: (line: string) => void): void {
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) onLine(line.trimEnd());
  });
  stream.on('end', () => {
    if (buffered.trim()) onLine(buffered.trimEnd());
  });
}
