/**
 * The training worker: one long-lived thread that owns the tfjs engine. tfjs-node cannot be
 * loaded by a second worker in one process (tensorflow/tfjs#2079), so the host starts exactly
 * one and later issues send it training jobs. Here it loads the best engine and reports which.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { selectBackend, parseBackendPreference, type TfLike } from './backend-select';
import type { HostMessage, WorkerMessage, WorkerStartData } from './worker-protocol';
import { toWireError } from '../errors';

const port = parentPort;
if (!port) throw new Error('training-worker must run in a worker thread');

const post = (message: WorkerMessage): void => port.postMessage(message);
const log = (level: 'info' | 'warn' | 'error', message: string): void =>
  post({ type: 'log', entry: { level, message, time: new Date().toISOString() } });

const require = createRequire(import.meta.url);

async function main(): Promise<void> {
  const data = (workerData ?? {}) as WorkerStartData;
  try {
    const force = parseBackendPreference(data.force);
    const { info } = await selectBackend<TfLike>({ load: (name) => require(name) as TfLike, force });
    log('info', `Engine: ${info.name} ${info.version} on ${info.device.toUpperCase()} — ${info.reason}`);
    post({ type: 'ready', engine: info });
  } catch (error) {
    post({ type: 'failed', error: toWireError(error) });
  }
}

port.on('message', (message: HostMessage) => {
  if (message.type === 'shutdown') process.exit(0);
});

void main();
