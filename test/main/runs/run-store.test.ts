import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRunStore, type NewRun } from '../../../main/runs/run-store';
import { writeDirAtomic } from '../../../main/runs/checkpoint-dir';
import { commitEpoch, type CommittedEpochs, type EpochLine } from '../../../main/runs/epoch-commit';
import type { MetricsLine } from '../../../main/runs/metrics-log';
import { readdir } from 'node:fs/promises';

const newRun = (name = 'Custom V3'): NewRun => ({
  name,
  epochs: 5,
  model: { preset: 'micro', classes: 3 },
  training: { optimizer: 'adam', learningRate: 0.001 },
  dataset: {
    path: '/data/flowers',
    fingerprint: 'abc',
    classNames: ['a', 'b', 'c'],
    split: { seed: 42, key: 'abc-42-0.2' },
  },
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
    await runs.update(run.id, () => ({
      epochsDone: 2,
      last: { epoch: 1, loss: 0.5, acc: 0.8, val_loss: 0.6, val_acc: 0.7 },
    }));
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
    const live = await runs.create(newRun('live'));
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

  it('at start, removes temp files of writers that are gone and run folders a dead process was still creating', async () => {
    const { runs } = await store(); // no process is alive in this fake
    const done = await runs.create(newRun('done'));
    await runs.update(done.id, () => ({ status: 'completed' }));
    await writeFile(join(runs.paths(done.id).dir, '.eval.json.999999-abcdefabcdef.tmp'), '{"half');
    const halfMade = '20260101-000000-half-0000';
    await mkdir(join(runs.runsDir, halfMade));
    await writeFile(
      join(runs.runsDir, halfMade, 'owner.json'),
      JSON.stringify({ pid: 999_999, host: (await import('node:os')).hostname(), startedAt: 't' }),
    );
    await runs.recoverInterrupted();
    expect(await readdir(runs.paths(done.id).dir)).not.toContain('.eval.json.999999-abcdefabcdef.tmp');
    expect((await runs.list()).map((r) => r.id)).toEqual([done.id]);
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

  it('appending after a torn last line cuts the fragment off instead of gluing the new line onto it', async () => {
    const { runs } = await store();
    const run = await runs.create(newRun());
    await runs.appendMetrics(run.id, [{ type: 'epoch', epoch: 0, time: 't', loss: 2.1, acc: 0.3 }]);
    await writeFile(runs.paths(run.id).metrics, '{"type":"batch","epoch":1,"bat', { flag: 'a' });
    await runs.appendMetrics(run.id, [{ type: 'epoch', epoch: 1, time: 't', loss: 1.9, acc: 0.4 }]);
    const read = await runs.readMetrics(run.id);
    expect(read.damaged).toEqual([]);
    expect(read.lines.map((l) => [l.type, l.epoch])).toEqual([
      ['epoch', 0],
      ['epoch', 1],
    ]);
  });

  it('one trainer per run: a second lock is RUN_BUSY naming the holder; a lock left by a dead process is taken over', async () => {
    const alive = new Set<number>([process.pid]);
    const { runs } = await store((pid) => alive.has(pid));
    const run = await runs.create(newRun()); // created locked by this process
    await expect(runs.lock(run.id)).rejects.toMatchObject({
      code: 'RUN_BUSY',
      message: `Run ${run.id} is already training in this app.`,
    });
    const { hostname } = await import('node:os');
    await runs.unlock(run.id);
    await writeFile(
      runs.paths(run.id).owner,
      JSON.stringify({ pid: 4242, host: hostname(), startedAt: '2026-12-03T10:00:00.000Z' }),
    );
    alive.add(4242);
    await expect(runs.lock(run.id)).rejects.toMatchObject({
      code: 'RUN_BUSY',
      message: expect.stringContaining(
        `is being trained by process 4242 on host ${hostname()} (since 2026-12-03T10:00:00.000Z)`,
      ),
    });
    await expect(runs.remove(run.id)).rejects.toMatchObject({ code: 'RUN_BUSY' });
    alive.delete(4242); // that process died
    await runs.lock(run.id);
    expect(JSON.parse(await readFile(runs.paths(run.id).owner, 'utf8'))).toMatchObject({ pid: process.pid });
    expect((await readdir(runs.paths(run.id).dir)).filter((f) => f.includes('owner'))).toEqual(['owner.json']);
  });

  describe('reconcile: run.json and metrics.jsonl follow the last committed checkpoint', () => {
    const line = (epoch: number, loss: number): EpochLine => ({
      type: 'epoch',
      epoch,
      time: `t${epoch}`,
      loss,
      acc: 0.5,
      val_loss: loss + 0.1,
      val_acc: 0.5,
    });
    const state = (runId: string, history: EpochLine[], best?: number): CommittedEpochs => ({
      formatVersion: 1,
      runId,
      epochsDone: history.length,
      history,
      ...(best === undefined ? {} : { best: { epoch: best, val_loss: history[best]!.val_loss!, val_acc: 0.5 } }),
      epochsSinceBest: 0,
      trainer: {},
    });

    it('a checkpoint one epoch ahead of run.json and metrics.jsonl (killed after the commit): both catch up from it', async () => {
      const { runs } = await store();
      const run = await runs.create(newRun());
      const p = runs.paths(run.id);
      const history = [line(0, 1.0), line(1, 0.8)];
      await runs.appendMetrics(run.id, [
        { type: 'batch', epoch: 0, batch: 0, time: 't', loss: 1.1 },
        history[0]!,
        { type: 'batch', epoch: 1, batch: 0, time: 't', loss: 0.9 },
      ]);
      await runs.update(run.id, () => ({ epochsDone: 1 }));
      await commitEpoch(p.checkpoints.last, { 'weights.bin': new Uint8Array([2]) }, state(run.id, history, 1));
      await writeFile(join(p.dir, '.run.json.0123456789ab.tmp'), '{"half');
      const { record, reconciled } = await runs.reconcile(run.id);
      expect(record).toMatchObject({ epochsDone: 2, last: { epoch: 1, loss: 0.8 }, best: { epoch: 1, loss: 0.8 } });
      expect((await runs.readMetrics(run.id)).lines.map((l) => `${l.type}${l.epoch}`)).toEqual([
        'batch0',
        'epoch0',
        'batch1',
        'epoch1',
      ]);
      // The best checkpoint the kill did not get to write is rebuilt from last.
      expect(await readFile(join(p.checkpoints.best, 'weights.bin'))).toEqual(Buffer.from([2]));
      expect(await readdir(p.dir)).not.toContain('.run.json.0123456789ab.tmp');
      expect(reconciled.repairs.length).toBeGreaterThan(0);
    });

    it('run.json and metrics.jsonl ahead of the checkpoint, with a duplicate and a torn line: cut back to it', async () => {
      const { runs } = await store();
      const run = await runs.create(newRun());
      const p = runs.paths(run.id);
      const history = [line(0, 1.0)];
      await commitEpoch(p.checkpoints.last, { 'weights.bin': new Uint8Array([1]) }, state(run.id, history, 0));
      await commitEpoch(p.checkpoints.best, { 'weights.bin': new Uint8Array([1]) }, state(run.id, history, 0));
      await runs.appendMetrics(run.id, [
        history[0]!,
        line(1, 0.9),
        line(1, 0.7),
        { type: 'batch', epoch: 2, batch: 0, time: 't', loss: 0.6 },
      ]);
      await writeFile(p.metrics, '{"type":"epo', { flag: 'a' });
      await runs.update(run.id, () => ({
        epochsDone: 2,
        last: { epoch: 1, loss: 0.7, acc: 0.5, val_loss: 0.8, val_acc: 0.5 },
      }));
      const { record } = await runs.reconcile(run.id);
      expect(record).toMatchObject({ epochsDone: 1, last: { epoch: 0, loss: 1.0 }, best: { epoch: 0 } });
      expect(await readFile(p.metrics, 'utf8')).toBe(`${JSON.stringify(history[0])}\n`);
    });

    it('no checkpoint at all: nothing is committed, a resume starts from the initial weights', async () => {
      const { runs } = await store();
      const run = await runs.create(newRun());
      await runs.appendMetrics(run.id, [{ type: 'batch', epoch: 0, batch: 0, time: 't', loss: 1.1 }]);
      await runs.update(run.id, () => ({ epochsDone: 1 }));
      const { record, reconciled } = await runs.reconcile(run.id);
      expect(reconciled.epochsDone).toBe(0);
      expect(record.epochsDone).toBe(0);
      expect(record.last).toBeUndefined();
      expect((await runs.readMetrics(run.id)).lines).toEqual([]);
    });

    it('a Keras run is reconciled to the epoch its train.py committed, like any other run', async () => {
      const { runs } = await store();
      const run = await runs.create({ ...newRun(), engine: { name: 'keras', device: 'cpu', version: '2.21.0' } });
      const p = runs.paths(run.id);
      const history = [line(0, 1.0)];
      await commitEpoch(p.checkpoints.last, { 'weights.bin': new Uint8Array([1]) }, state(run.id, history));
      const kept: MetricsLine[] = [{ type: 'batch', epoch: 0, batch: 0, time: 't', loss: 1.1 }, history[0]!];
      await runs.appendMetrics(run.id, [...kept, { type: 'batch', epoch: 1, batch: 0, time: 't', loss: 0.9 }]);
      // train.py killed while appending a line, after a second epoch it never committed
      await writeFile(p.metrics, `${await readFile(p.metrics, 'utf8')}{"type": "batch", "ep`);
      await runs.update(run.id, () => ({ epochsDone: 2 }));
      const { record } = await runs.reconcile(run.id, () => ({ status: 'interrupted' }));
      expect(record).toMatchObject({ status: 'interrupted', epochsDone: 1, last: { epoch: 0 } });
      expect((await runs.readMetrics(run.id)).lines).toEqual(kept);
    });

    it('everything in agreement: nothing is rewritten', async () => {
      const { runs } = await store();
      const run = await runs.create(newRun());
      const p = runs.paths(run.id);
      const history = [line(0, 1.0)];
      await commitEpoch(p.checkpoints.last, { 'weights.bin': new Uint8Array([1]) }, state(run.id, history));
      await runs.appendMetrics(run.id, [{ type: 'batch', epoch: 0, batch: 0, time: 't', loss: 1.1 }, history[0]!]);
      const before = await readFile(p.metrics, 'utf8');
      const { reconciled } = await runs.reconcile(run.id);
      expect(reconciled.repairs).toEqual([`run.json said 0 epoch(s) done; the checkpoint has 1`]);
      expect(await readFile(p.metrics, 'utf8')).toBe(before);
    });
  });

  it('refuses ids that could escape the runs folder', async () => {
    const { runs } = await store();
    expect(() => runs.paths('../../etc')).toThrow('is not a run id');
    await expect(runs.get('20260101-000000-nope')).rejects.toThrow('There is no run');
  });
});
