import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { baselinesFile, createBaselineStore, normaliseLabel } from '../../../main/runs/baselines';

async function store(existing: string[]) {
  const dataDir = await mkdtemp(join(tmpdir(), 'xlab-baselines-'));
  const runs = new Set(existing);
  const warnings: string[] = [];
  const baselines = createBaselineStore({
    dataDir,
    runExists: async (id) => runs.has(id),
    warn: (m) => warnings.push(m),
  });
  return { dataDir, runs, baselines, warnings };
}

const a = '20261201-100000-a';
const b = '20261201-110000-b';

describe('baseline store', () => {
  it('pins several runs with labels, newest first, in DATA_DIR/baselines.json', async () => {
    const { dataDir, baselines } = await store([a, b]);
    await baselines.pin(a, 'last week', new Date('2026-12-01T00:00:00Z'));
    const list = await baselines.pin(b, '  best   result ', new Date('2026-12-02T00:00:00Z'));
    expect(list.baselines).toEqual([
      { runId: b, label: 'best result', pinnedAt: '2026-12-02T00:00:00.000Z' },
      { runId: a, label: 'last week', pinnedAt: '2026-12-01T00:00:00.000Z' },
    ]);
    const file = JSON.parse(await readFile(baselinesFile(dataDir), 'utf8'));
    expect(file).toEqual({ formatVersion: 1, baselines: list.baselines });
  });

  it('pinning a pinned run again changes its label instead of adding a second entry', async () => {
    const { baselines } = await store([a]);
    await baselines.pin(a, 'first');
    const list = await baselines.pin(a, 'renamed');
    expect(list.baselines.map((x) => x.label)).toEqual(['renamed']);
  });

  it('refuses an empty label, a missing run, and unpinning a run that is not pinned', async () => {
    const { baselines } = await store([a]);
    await expect(baselines.pin(a, '   ')).rejects.toThrow('A baseline needs a label');
    await expect(baselines.pin(b, 'x')).rejects.toThrow(`There is no run "${b}"`);
    await expect(baselines.unpin(a)).rejects.toThrow(`Run ${a} is not pinned as a baseline`);
    expect(() => normaliseLabel('x'.repeat(101))).toThrow('at most 100 characters');
  });

  it('unpins a baseline and keeps the others', async () => {
    const { baselines } = await store([a, b]);
    await baselines.pin(a, 'one');
    await baselines.pin(b, 'two');
    expect((await baselines.unpin(a)).baselines.map((x) => x.runId)).toEqual([b]);
    expect((await baselines.list()).baselines.map((x) => x.runId)).toEqual([b]);
  });

  it('a baseline whose run was deleted is unpinned with a notice, once', async () => {
    const { baselines, runs, warnings } = await store([a, b]);
    await baselines.pin(a, 'best result');
    await baselines.pin(b, 'last week');
    runs.delete(a);
    const list = await baselines.list();
    expect(list.baselines.map((x) => x.runId)).toEqual([b]);
    expect(list.notices).toEqual([`Baseline "best result" was unpinned: its run ${a} no longer exists.`]);
    expect(warnings).toEqual(list.notices);
    expect((await baselines.list()).notices).toEqual([]);
  });

  it('forget (run deletion) unpins and says so; an unpinned run gives no notice', async () => {
    const { baselines } = await store([a, b]);
    await baselines.pin(a, 'best result');
    expect(await baselines.forget(b)).toBeNull();
    expect(await baselines.forget(a)).toContain('Baseline "best result" was unpinned');
    expect((await baselines.list()).baselines).toEqual([]);
  });

  it('two pins at once both stick', async () => {
    const { baselines } = await store([a, b]);
    await Promise.all([baselines.pin(a, 'one'), baselines.pin(b, 'two')]);
    expect((await baselines.list()).baselines.map((x) => x.runId).sort()).toEqual([a, b]);
  });

  it('a corrupt baselines.json is kept aside, not overwritten silently', async () => {
    const { dataDir, baselines, warnings } = await store([a]);
    await writeFile(baselinesFile(dataDir), '{ not json');
    expect((await baselines.list()).baselines).toEqual([]);
    expect(warnings[0]).toMatch(/Baselines file .* was not valid JSON .* kept as .*corrupt-/);
  });
});
