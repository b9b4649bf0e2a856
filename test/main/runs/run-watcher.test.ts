/** Another process's run, seen through the runs folder: the same events this process's own training emits. */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LabEvents } from '../../../main/contract';
import { createRunStore, type NewRun } from '../../../main/runs/run-store';
import { watchRuns, type RunWatcher } from '../../../main/runs/run-watcher';

const newRun: NewRun = {
  name: 'elsewhere',
  epochs: 3,
  model: { preset: 'micro' },
  training: {},
  dataset: { path: '/data/x', fingerprint: 'f', classNames: ['a', 'b'], split: { seed: 1, key: 'k' } },
};

const watchers: RunWatcher[] = [];
afterEach(() => watchers.splice(0).forEach((w) => w.close()));

async function setup() {
  const runs = createRunStore(await mkdtemp(join(tmpdir(), 'xlab-watch-')));
  const events: { event: keyof LabEvents; payload: Record<string, unknown> }[] = [];
  const watcher = watchRuns({
    runs,
    emit: (event, payload) => events.push({ event, payload: payload as unknown as Record<string, unknown> }),
    isLocal: () => false,
    intervalMs: 60_000, // polled by hand below
  });
  watchers.push(watcher);
  await watcher.poll();
  return { runs, events, watcher };
}

describe('run watcher', () => {
  it('a run started elsewhere appears, its batches and epochs arrive as events, then its end', async () => {
    const { runs, events, watcher } = await setup();
    const run = await runs.create(newRun);
    await watcher.poll();
    expect(events).toEqual([
      { event: 'runUpdated', payload: { runId: run.id, run: expect.objectContaining({ status: 'running' }) } },
    ]);
    events.length = 0;
    await runs.appendMetrics(run.id, [
      { type: 'batch', epoch: 0, batch: 0, batches: 2, time: 't', loss: 1.5, acc: 0.25, imagesPerSec: 12, etaMs: 3000 },
      { type: 'epoch', epoch: 0, time: 't', loss: 1.2, acc: 0.5, val_loss: 1.3, val_acc: 0.5 },
    ]);
    await writeFile(runs.paths(run.id).metrics, '{"type":"batch","epoch":1,', { flag: 'a' }); // being written
    await watcher.poll();
    expect(events).toEqual([
      {
        event: 'trainProgress',
        payload: {
          runId: run.id,
          epoch: 0,
          batch: 0,
          batchesPerEpoch: 2,
          epochs: 3,
          loss: 1.5,
          acc: 0.25,
          imagesPerSec: 12,
          etaMs: 3000,
        },
      },
      {
        event: 'trainEpoch',
        payload: { runId: run.id, metrics: expect.objectContaining({ epoch: 0, val_loss: 1.3 }) },
      },
    ]);
    events.length = 0;
    await writeFile(runs.paths(run.id).metrics, '"batch":1,"time":"t","loss":0.9,"batches":2}\n', { flag: 'a' });
    await new Promise((r) => setTimeout(r, 20)); // a different mtime
    await runs.update(run.id, () => ({ status: 'stopped', epochsDone: 1 }));
    await watcher.poll();
    expect(
      events.map((e) => [e.event, e.payload.batch ?? (e.payload.run as { status?: string } | undefined)?.status]),
    ).toEqual([
      ['trainProgress', 1],
      ['runUpdated', 'stopped'],
    ]);
    events.length = 0;
    await runs.unlock(run.id);
    await runs.remove(run.id);
    await watcher.poll();
    expect(events).toEqual([{ event: 'runUpdated', payload: { runId: run.id, deleted: true } }]);
  });

  it('a run that commits its first epoch before the next poll still streams that epoch (it used to start at the end of the file)', async () => {
    const { runs, events, watcher } = await setup();
    const run = await runs.create(newRun);
    await runs.appendMetrics(run.id, [
      { type: 'epoch', epoch: 0, time: 't', loss: 1.2, acc: 0.5, val_loss: 1.3, val_acc: 0.5 },
    ]);
    await watcher.poll(); // sees the run appear
    await watcher.poll(); // follows its lines
    expect(
      events.filter((e) => e.event === 'trainEpoch').map((e) => (e.payload.metrics as { epoch: number }).epoch),
    ).toEqual([0]);
  });

  it('says nothing about runs this process trains itself, nor about what was there when it started', async () => {
    const runs0 = createRunStore(await mkdtemp(join(tmpdir(), 'xlab-watch-')));
    const before = await runs0.create(newRun);
    await runs0.appendMetrics(before.id, [{ type: 'batch', epoch: 0, batch: 0, time: 't', loss: 1 }]);
    const events: unknown[] = [];
    const watcher = watchRuns({
      runs: runs0,
      emit: (event, payload) => events.push({ event, payload }),
      isLocal: (id) => id === before.id,
      intervalMs: 60_000,
    });
    watchers.push(watcher);
    await watcher.poll();
    await runs0.appendMetrics(before.id, [{ type: 'batch', epoch: 0, batch: 1, time: 't', loss: 1 }]);
    await runs0.update(before.id, () => ({ params: 5 }));
    await watcher.poll();
    expect(events).toEqual([]);
  });
});
