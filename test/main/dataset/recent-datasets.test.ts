import { describe, expect, it } from 'vitest';
import { mkdtemp, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  forgetDataset,
  loadRecentDatasets,
  maxRecentDatasets,
  recentDatasetsFile,
  rememberDataset,
  saveRecentDatasets,
  type RecentDatasetEntry,
} from '../../../main/dataset/recent-datasets';

const entry = (path: string, openedAt = '2026-01-01T00:00:00.000Z'): RecentDatasetEntry => ({
  path,
  name: path.split('/').pop()!,
  classes: 2,
  images: 10,
  problems: 0,
  openedAt,
});

describe('recent datasets', () => {
  it('keeps the newest first, once per path, bounded', () => {
    let list: RecentDatasetEntry[] = [];
    for (let i = 0; i < maxRecentDatasets + 3; i++) list = rememberDataset(list, entry(`/d/${i}`));
    list = rememberDataset(list, entry('/d/5', 'later'));
    expect(list).toHaveLength(maxRecentDatasets);
    expect(list[0]).toMatchObject({ path: '/d/5', openedAt: 'later' });
    expect(list.filter((e) => e.path === '/d/5')).toHaveLength(1);
    expect(forgetDataset(list, '/d/5').some((e) => e.path === '/d/5')).toBe(false);
  });

  it('round-trips through the data folder and keeps a corrupt file aside', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'xlab-recent-'));
    const file = recentDatasetsFile(dir);
    expect(await loadRecentDatasets(file)).toEqual({ list: [] });
    await saveRecentDatasets(file, [entry('/a')]);
    expect((await loadRecentDatasets(file)).list).toEqual([entry('/a')]);
    await writeFile(file, '[{"path": 3}]');
    const loaded = await loadRecentDatasets(file);
    expect(loaded.list).toEqual([]);
    expect(loaded.warning).toContain('Recent datasets file');
    expect((await readdir(dir)).some((f) => f.startsWith('recent-datasets.json.corrupt-'))).toBe(true);
  });
});
