import type { EngineInfo, LogEntry } from '../contract';
import { startTrainingWorker, type TrainingWorkerHost } from './worker-host';

export interface WorkerSlotOptions {
  workerUrl: URL;
  env?: NodeJS.ProcessEnv;
  /** Start the worker on first use instead of at once. */
  lazy?: boolean;
  /** True once the app is closing: a worker that died then is not started again. */
  closing: () => boolean;
  log: (entry: LogEntry) => void;
  error: (message: string) => void;
  /** The engine a (re)started worker loaded. */
  onEngine: (engine: EngineInfo) => void;
}

export interface WorkerSlot {
  /** The worker, started (again) if there is none or it died. */
  current(): TrainingWorkerHost;
  /** The worker if one was started, without starting one. */
  readonly started: TrainingWorkerHost | undefined;
}

/**
 * One long-lived training worker; if it dies (crash, out of memory) the run it trained is
 * interrupted and the next request starts a fresh one.
 */
export function createWorkerSlot(options: WorkerSlotOptions): WorkerSlot {
  let worker: TrainingWorkerHost | undefined;
  const startWorker = (): TrainingWorkerHost => {
    const host = startTrainingWorker({ workerUrl: options.workerUrl, env: options.env });
    host.on('log', options.log);
    host.on('unexpectedExit', (code) =>
      options.error(`The training worker stopped unexpectedly (exit code ${code}); it restarts on the next request.`),
    );
    host.engine.then(options.onEngine, (error: Error) => options.error(error.message));
    return host;
  };
  if (!options.lazy) worker = startWorker();
  return {
    current() {
      if (!worker || (worker.exited && !options.closing())) worker = startWorker();
      return worker;
    },
    get started() {
      return worker;
    },
  };
}
