import { describe, expect, it } from 'vitest';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LogEntry } from '../../../main/contract';
import { startTrainingWorker } from '../../../main/engine/worker-host';

async function workerScript(source: string): Promise<URL> {
  const dir = await mkdtemp(join(tmpdir(), 'xlab-worker-'));
  const file = join(dir, 'worker.mjs');
  await writeFile(file, source);
  return pathToFileURL(file);
}

describe('startTrainingWorker', () => {
  it('sets TF_FORCE_GPU_ALLOW_GROWTH before the engine loads, unless the user set it', async () => {
    const url = await workerScript(`
      import { parentPort } from 'node:worker_threads';
      parentPort.postMessage({ type: 'ready', engine: { name: 'tfjs', device: 'cpu', reason: process.env.TF_FORCE_GPU_ALLOW_GROWTH, backend: 'cpu', version: '0' } });
    `);
    const env: NodeJS.ProcessEnv = {};
    const host = startTrainingWorker({ workerUrl: url, env });
    expect((await host.engine).reason).toBe('true');
    expect(env.TF_FORCE_GPU_ALLOW_GROWTH).toBe('true');
    await host.terminate();

    const userEnv: NodeJS.ProcessEnv = { TF_FORCE_GPU_ALLOW_GROWTH: 'false' };
    const second = startTrainingWorker({ workerUrl: url, env: userEnv });
    expect((await second.engine).reason).toBe('false');
    await second.terminate();
  });

  it('turns a worker that dies while loading into a clear error', async () => {
    const url = await workerScript(`process.exit(3);`);
    const host = startTrainingWorker({ workerUrl: url, env: {} });
    await expect(host.engine).rejects.toMatchObject({
      code: 'ENGINE_FAILED',
      message: expect.stringContaining('exit code 3'),
    });
  });

  it("reports a run's train events and an unexpected exit to its listeners", async () => {
    const url = await workerScript(`
      import { parentPort } from 'node:worker_threads';
      parentPort.postMessage({ type: 'ready', engine: { name: 'tfjs', device: 'cpu', reason: '', backend: 'cpu', version: '0' } });
      parentPort.postMessage({ type: 'train-event', runId: 'r1', event: { kind: 'params', count: 7 } });
      setTimeout(() => process.exit(5), 50);
    `);
    const host = startTrainingWorker({ workerUrl: url, env: {} });
    const trainEvents: unknown[] = [];
    host.on('trainEvent', (e) => trainEvents.push(e));
    const exitCode = new Promise((resolve) => host.on('unexpectedExit', resolve));
    expect(await exitCode).toBe(5);
    expect(trainEvents).toEqual([{ runId: 'r1', event: { kind: 'params', count: 7 } }]);
    expect(host.exited).toBe(true);
  });

  it('routes what libraries print to the log, not to stdout', async () => {
    const url = await workerScript(`
      import { parentPort } from 'node:worker_threads';
      console.log('Hi there from a library');
      console.error('a warning');
      console.warn('============================');
      console.warn('Hi there 👋. Looks like you are running TensorFlow.js in Node.js. To speed things up dramatically, install our node backend');
      setTimeout(() => parentPort.postMessage({ type: 'ready', engine: { name: 'tfjs', device: 'cpu', reason: '', backend: 'cpu', version: '0' } }), 50);
    `);
    const logs: LogEntry[] = [];
    const host = startTrainingWorker({ workerUrl: url, env: {} });
    host.on('log', (e) => logs.push(e));
    await host.engine;
    await new Promise((r) => setTimeout(r, 50));
    await host.terminate();
    expect(logs.map((l) => [l.level, l.message])).toEqual(
      expect.arrayContaining([
        ['info', 'Hi there from a library'],
        ['warn', 'a warning'],
        ['info', '============================'],
      ]),
    );
    // tfjs's "install the node backend" banner is not a warning about the user's work.
    expect(logs.filter((l) => l.message.includes('Hi there'))[0]?.level).toBe('info');
  });
});
