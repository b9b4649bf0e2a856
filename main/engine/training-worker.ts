/**
 * The training worker: one long-lived thread that owns the tfjs engine. tfjs-node cannot be
 * loaded by a second worker in one process (tensorflow/tfjs#2079), so the host starts exactly
 * one and sends it all tensor work: model summaries now, training jobs later.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { packedUrl } from '../fs/asar';
import { selectBackend, parseBackendPreference, type TfLike } from './backend-select';
import { pinNativeLibraries } from './native-pin';
import { dirname, join } from 'node:path';
import { realpathSync } from 'node:fs';
import { registerFastKernels, simdAvailable, closeKernelPool, kernelPool } from './kernels';
import type {
  HostMessage,
  WorkerMessage,
  WorkerRequest,
  WorkerRequests,
  WorkerStartData,
  TrainEvent,
} from './worker-protocol';
import { toWireError } from '../errors';
import { buildXception, type Tf } from '../models/xception';
import { summarizeModel } from '../models/model-summary';
import { train, type TrainControl } from '../training/trainer';
import { logEntry } from '../log-entry';
import { evaluateCheckpoint, exportCheckpoint, predictWithCheckpoint } from '../evaluation/inference';

const port = parentPort;
if (!port) throw new Error('training-worker must run in a worker thread');

const post = (message: WorkerMessage): void => port.postMessage(message);
const log = (level: 'info' | 'warn' | 'error', message: string): void =>
  post({ type: 'log', entry: logEntry(level, message) });

// Packages load through app.asar in the packaged app, where this file runs unpacked (see main/fs/asar.ts).
const require = createRequire(packedUrl(import.meta.url));

/** Stop switches of the runs training now, by run id. */
const controls = new Map<string, TrainControl>();

const trainEvent = (runId: string, event: TrainEvent): void => post({ type: 'train-event', runId, event });

type Handlers = {
  [K in keyof WorkerRequests]: (
    request: WorkerRequests[K]['request'],
    tf: Tf,
  ) => Promise<WorkerRequests[K]['response']>;
};

const handlers: Handlers = {
  async summarizeModel({ config }, tf) {
    const model = buildXception(config, tf);
    try {
      return summarizeModel(model);
    } finally {
      model.dispose();
    }
  },
  async train({ job }, tf) {
    const control: TrainControl = { stopRequested: false };
    controls.set(job.runId, control);
    try {
      return await train(tf, job, control, {
        progress: (progress) => trainEvent(job.runId, { kind: 'progress', progress }),
        epoch: (metrics, best) => trainEvent(job.runId, { kind: 'epoch', metrics, ...(best ? { best } : {}) }),
        estimate: (secondsPerEpoch) => trainEvent(job.runId, { kind: 'estimate', secondsPerEpoch }),
        params: (count) => trainEvent(job.runId, { kind: 'params', count }),
        log: (level, message) => trainEvent(job.runId, { kind: 'log', level, message }),
      });
    } finally {
      controls.delete(job.runId);
    }
  },
  evaluate: (request, tf) => evaluateCheckpoint(tf, request),
  predict: (request, tf) => predictWithCheckpoint(tf, request),
  exportModel: (request, tf) => exportCheckpoint(tf, request),
};

async function answer(id: number, request: WorkerRequest, tf: Tf): Promise<void> {
  try {
    const handler = handlers[request.kind] as (r: WorkerRequest, tf: Tf) => Promise<unknown>;
    post({ type: 'response', id, ok: true, value: await handler(request, tf) });
  } catch (error) {
    post({ type: 'response', id, ok: false, error: toWireError(error) });
  }
}

/** Loads an engine package; native ones get their libraries pinned first (see native-pin.ts). */
function loadEngine(name: string): TfLike {
  if (name !== '@tensorflow/tfjs') {
    let packageDir: string | undefined;
    try {
      packageDir = dirname(require.resolve(`${name}/package.json`));
    } catch {
      // Not installed: require() below says so.
    }
    if (packageDir) {
      for (const pin of pinNativeLibraries(packageDir))
        if (pin.error) log('warn', `Could not preload ${pin.file}: ${pin.error}`);
    }
  }
  return require(name) as TfLike;
}

/** Where a native package's TensorFlow libraries really are (deps/lib, links resolved). */
function librariesOf(name: string): string | undefined {
  try {
    return realpathSync(join(dirname(require.resolve(`@tensorflow/${name}/package.json`)), 'deps', 'lib'));
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const data = (workerData ?? {}) as WorkerStartData;
  let tf: Tf;
  try {
    const force = parseBackendPreference(data.force);
    const selected = await selectBackend<TfLike>({ load: loadEngine, force });
    tf = selected.tf as unknown as Tf;
    if (selected.info.name !== 'tfjs') selected.info.libraries = librariesOf(selected.info.name);
    log(
      'info',
      `Engine: ${selected.info.name} ${selected.info.version} on ${selected.info.device.toUpperCase()} — ${selected.info.reason}`,
    );
    if (selected.info.name === 'tfjs' && process.env.XLAB_FAST_KERNELS !== '0') {
      log(
        'info',
        `Fast kernels for the JS engine${simdAvailable() ? ' (WebAssembly SIMD)' : ''} on ${kernelPool().threads} thread(s) (XLAB_THREADS): ${registerFastKernels(tf).join(', ')}. XLAB_FAST_KERNELS=0 turns them off.`,
      );
    }
    post({ type: 'ready', engine: selected.info });
  } catch (error) {
    post({ type: 'failed', error: toWireError(error) });
    return;
  }
  port!.on('message', (message: HostMessage) => {
    if (message.type === 'request') void answer(message.id, message.request, tf);
    if (message.type === 'stop-training') {
      const control = controls.get(message.runId);
      if (control) control.stopRequested = true;
    }
  });
}

port.on('message', (message: HostMessage) => {
  // The kernel pool's helper threads end first (they are this thread's own workers).
  if (message.type === 'shutdown') void closeKernelPool().finally(() => process.exit(0));
});

void main();
