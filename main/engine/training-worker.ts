/**
 * The training worker: one long-lived thread that owns the tfjs engine. tfjs-node cannot be
 * loaded by a second worker in one process (tensorflow/tfjs#2079), so the host starts exactly
 * one and sends it all tensor work: model summaries now, training jobs later.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { selectBackend, parseBackendPreference, type TfLike } from './backend-select';
import { closeKernelPool, kernelPool, registerFastKernels, simdAvailable } from './kernels';
import type { HostMessage, WorkerMessage, WorkerRequest, WorkerRequests, WorkerStartData } from './worker-protocol';
import { toWireError } from '../errors';
import { buildXception, type Tf } from '../models/xception';
import { summarizeModel } from '../models/model-summary';
import { train, type TrainControl } from '../training/trainer';
import type { TrainEvent } from './worker-protocol';
import { evaluateCheckpoint, exportCheckpoint, predictWithCheckpoint } from '../evaluation/inference';

const port = parentPort;
if (!port) throw new Error('training-worker must run in a worker thread');

const post = (message: WorkerMessage): void => port.postMessage(message);
const log = (level: 'info' | 'warn' | 'error', message: string): void =>
  post({ type: 'log', entry: { level, message, time: new Date().toISOString() } });

const require = createRequire(import.meta.url);

/** Stop switches of the runs training now, by run id. */
const controls = new Map<string, TrainControl>();

const trainEvent = (runId: string, event: TrainEvent): void => post({ type: 'train-event', runId, event });

type Handlers = { [K in keyof WorkerRequests]: (request: WorkerRequests[K]['request'], tf: Tf) => Promise<WorkerRequests[K]['response']> };

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

async function main(): Promise<void> {
  const data = (workerData ?? {}) as WorkerStartData;
  let tf: Tf;
  try {
    const force = parseBackendPreference(data.force);
    const selected = await selectBackend<TfLike>({ load: (name) => require(name) as TfLike, force });
    tf = selected.tf as unknown as Tf;
    log('info', `Engine: ${selected.info.name} ${selected.info.version} on ${selected.info.device.toUpperCase()} — ${selected.info.reason}`);
    if (selected.info.name === 'tfjs' && process.env.XLAB_FAST_KERNELS !== '0') {
      log('info', `Fast kernels for the JS engine${simdAvailable() ? ' (WebAssembly SIMD)' : ''} on ${kernelPool().threads} thread(s) (XLAB_THREADS): ${registerFastKernels(tf).join(', ')}. XLAB_FAST_KERNELS=0 turns them off.`);
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
