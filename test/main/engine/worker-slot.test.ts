import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import type { EngineInfo } from '../../../main/contract';
import { createWorkerSlot } from '../../../main/engine/worker-slot';

/** A worker that loads an "engine" and dies a moment later, as an out-of-memory crash would. */
async function crashingWorker(): Promise<URL> {
  const dir = await mkdtemp(join(tmpdir(), 'xlab-slot-'));
  const file = join(dir, 'worker.mjs');
  await writeFile(
    file,
    `import { parentPort } from 'node:worker_threads';
    parentPort.postMessage({ type: 'ready', engine: { name: 'tfjs', device: 'cpu', reason: '', backend: 'cpu', version: '0' } });
    setTimeout(() => process.exit(3), 50);`,
  );
  return pathToFileURL(file);
}

describe('worker slot', () => {
  it('starts a fresh worker on the next request after one died, except while closing', async () => {
    let closing = false;
    const errors: string[] = [];
    const engines: EngineInfo[] = [];
    const slot = createWorkerSlot({
      workerUrl: await crashingWorker(),
      env: {},
      lazy: true,
      closing: () => closing,
      log: () => {},
      error: (message) => errors.push(message),
      onEngine: (engine) => engines.push(engine),
    });
    expect(slot.started).toBeUndefined();
    const first = slot.current();
    await vi.waitFor(() => expect(first.exited).toBe(true), { timeout: 60_000, interval: 20 });
    expect(errors).toEqual([expect.stringContaining('stopped unexpectedly (exit code 3)')]);

    const second = slot.current();
    expect(second).not.toBe(first);
    await second.engine;
    expect(engines).toHaveLength(2);
    await vi.waitFor(() => expect(second.exited).toBe(true), { timeout: 60_000, interval: 20 });

    closing = true;
    expect(slot.current()).toBe(second);
  });
});
