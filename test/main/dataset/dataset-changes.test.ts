import { describe, expect, it } from 'vitest';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeChanges, diffDatasets, loadManifest, saveManifest } from '../../../main/dataset/dataset-changes';

const f = (rel: string, hash = 'h', bytes = 10) => ({ rel, bytes, hash });

describe('dataset changes', () => {
  it('names the counts and up to five example paths per kind', () => {
    const before = [f('cat/a.png'), f('cat/b.png', 'old'), ...Array.from({ length: 7 }, (_, i) => f(`dog/${i}.png`))];
    const after = [f('cat/a.png'), f('cat/b.png', 'new'), f('cat/c.png'), f('dog/0.png')];
    const changes = diffDatasets(before, after);
    expect(changes).toEqual({
      added: ['cat/c.png'],
      removed: ['dog/1.png', 'dog/2.png', 'dog/3.png', 'dog/4.png', 'dog/5.png', 'dog/6.png'],
      edited: ['cat/b.png'],
    });
    expect(describeChanges(changes)).toBe(
      '1 added (cat/c.png); 6 removed (dog/1.png, dog/2.png, dog/3.png, dog/4.png, dog/5.png, and 1 more); 1 edited (cat/b.png)',
    );
  });

  it('from paths only (a run from before the kept list) names added and removed, and says edits cannot be named', () => {
    const changes = diffDatasets(['cat/a.png', 'cat/gone.png'], [f('cat/a.png'), f('cat/new.png')]);
    expect(describeChanges(changes)).toBe(
      '1 added (cat/new.png); 1 removed (cat/gone.png); edited files cannot be named (this run predates the kept file list)',
    );
  });

  it('keeps the list of a fingerprint once and reads it back', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'xlab-changes-'));
    await saveManifest(dataDir, 'abc', [f('b.png'), f('a.png')]);
    await saveManifest(dataDir, 'abc', [f('other.png')]);
    expect(await loadManifest(dataDir, 'abc')).toEqual([f('a.png'), f('b.png')]);
    expect(await loadManifest(dataDir, 'missing')).toBeUndefined();
  });
});
