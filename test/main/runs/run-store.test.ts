import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRunStore, type NewRun } from '../../../main/runs/run-store';
import { writeDirAtomic } from '../../../main/runs/checkpoint-dir';

const newRun = (name = 'Custom V3'): NewRun => ({
  name,
  epochs: 5,
  model: { preset: 'micro', classes: 3 },
  training: { optimizer: 'adam', learningRate: 0.001 },
  dataset: { path: '/data/flowers', fingerprint: 'abc', classNames: ['a', 'b', 'c'], split: { seed: 42, key: 'abc-42-0.2' } },
});

async function store(isAlive: (pid: number) => boolean = () => false) {
  const dataDir = await mkdtemp(join(tmpdir(), 'xlab-runs-'));
  return { dataDir, runs: createRunStore(dataDir, isAlive) };
}

describe('run store', () => {
  it('creates a run with a readable, sortable id and reads it back', async () => {
    const { runs } = await store();
    const run = await runs.create(newRun('Custom V3 — α 0.5'), new Date('2026-11-25T21:08:39Z'));
    expect(run.id).toMatch(/^20261125-210839-custom-v3-05-[0-9a-f]{4}$/);
    expect(run).toMatchObject({ status: 'running', epochsDone: 0, name: 'Custom V3 — α 0.5' });
    expect(await runs.get(run.id)).toEqual(run);
  });

  it('never reuses a folder: two runs created in the same second get different ids', async () => {
    const { runs } = await store();
    const now = new Date();
    const [a, b] = await Promise.all([runs.create(newRun('x'), now), runs.create(newRun('x'), now)]);
    expect(a.id).not.toBe(b.id);
  });

  it('updates atomically and renames', async () => {
    const { runs } = await store();
    const run = await runs.create(newRun());
    await runs.update(run.id, () => ({ epochsDone: 2, last: { epoch: 1, loss: 0.5, acc: 0.8, val_loss: 0.6, val_acc: 0.7 } }));
    const renamed = await runs.rename(run.id, '  best so far ');
    expect(renamed).toMatchObject({ name: 'best so far', epochsDone: 2 });
    await expect(runs.rename(run.id, '  ')).rejects.toThrow('cannot be empty');
  });

  it('lists newest first and reports a corrupt run.json without losing the others', async () => {
    const { runs } = await store();
    const older = await runs.create(newRun('older'), new Date('2026-01-01T00:00:00Z'));
    const newer = await runs.create(newRun('newer'), new Date('2026-02-01T00:00:00Z'));
    await writeFile(runs.paths(older.id).record, '{"formatVersion": 1, "id": ');
    const listed = await runs.list();
    expect(listed.map((r) => r.id)).toEqual([newer.id, older.id]);
    expect(listed[0]).toHaveProperty('record');
    expect(listed[1]).toMatchObject({ id: older.id, error: expect.stringContaining('is not valid JSON') });
  });

  it('keeps metrics append-only and reports a torn last line', async () => {
    const { runs } = await store();
    const run = await runs.create(newRun());
    await runs.appendMetrics(run.id, [
      { type: 'batch', epoch: 0, batch: 0, time: 't', loss: 2.3 },
      { type: 'epoch', epoch: 0, time: 't', loss: 2.1, acc: 0.3, val_loss: 2.2, val_acc: 0.25 },
    ]);
    await writeFile(runs.paths(run.id).metrics, '{"type":"epoch","epo', { flag: 'a' });
    const read = await runs.readMetrics(run.id);
    expect(read.lines).toHaveLength(2);
    expect(read.damaged).toEqual([{ line: 3, reason: 'torn last line (the run stopped while writing it)' }]);
  });

  it('marks runs whose training process is gone as interrupted, and leaves live ones alone', async () => {
    const alive = new Set<number>();
    const { runs } = await store((pid) => alive.has(pid));
    const dead = await runs.create(newRun('dead'));
    await runs.claim(dead.id);
    const live = await runs.create(newRun('live'));
    await runs.claim(live.id);
    const done = await runs.create(newRun('done'));
    await runs.update(done.id, () => ({ status: 'completed' }));
    alive.add(-1); // no one: our own pid is not "alive" in this fake, except for `live` below
    const liveOwner = JSON.parse(await readFile(runs.paths(live.id).owner, 'utf8')) as { pid: number };
    await writeFile(runs.paths(dead.id).owner, JSON.stringify({ ...liveOwner, pid: 999_999 }));
    alive.add(liveOwner.pid);
    expect(await runs.recoverInterrupted()).toEqual([dead.id]);
    expect((await runs.get(dead.id)).status).toBe('interrupted');
    expect((await runs.get(dead.id)).error?.message).toContain('Resume it');
    expect((await runs.get(live.id)).status).toBe('running');
    expect((await runs.get(done.id)).status).toBe('completed');
  });

  it('repairs a checkpoint replacement cut short when recovering an interrupted run', async () => {
    const { runs } = await store();
    const run = await runs.create(newRun());
    const { last } = runs.paths(run.id).checkpoints;
    await writeDirAtomic(last, { 'model.json': '{"v":1}' });
    // A crash after the old folder was moved aside, before the new one was moved in:
    const { rename } = await import('node:fs/promises');
    await rename(last, join(last, '..', '.last.old-dead'));
    await mkdir(join(last, '..', '.last.new-dead'));
    await writeFile(join(last, '..', '.last.new-dead', 'model.json'), '{"v":');
    await runs.recoverInterrupted();
    expect(await readFile(join(last, 'model.json'), 'utf8')).toBe('{"v":1}');
  });

  it('refuses ids that could escape the runs folder', async () => {
    const { runs } = await store();
    expect(() => runs.paths('../../etc')).toThrow('is not a run id');
    await expect(runs.get('20260101-000000-nope')).rejects.toThrow('There is no run');
  });
});
