/**
 * A helper thread of the kernel pool (pool.ts), bundled as out/kernel-worker.mjs beside the
 * training worker: it waits for tasks with Atomics.wait, runs its share, and returns when the
 * pool closes.
 */
import { workerData } from 'node:worker_threads';
import { helperReady, serveOne, type PoolWorkerData } from './pool';

const data = workerData as PoolWorkerData;
const seen = helperReady(data);
while (serveOne(data, seen));
