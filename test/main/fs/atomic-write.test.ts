import { describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../../../main/fs/atomic-write';

describe('writeFileAtomic', () => {
  it('creates missing folders and replaces the file whole', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'xlab-atomic-'));
    const file = join(dir, 'a', 'b', 'run.json');
    await writeFileAtomic(file, 'one');
    await writeFileAtomic(file, 'two');
    expect(await readFile(file, 'utf8')).toBe('two');
    expect(await readdir(join(dir, 'a', 'b'))).toEqual(['run.json']);
  });

  it('leaves the previous file intact when the write fails', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'xlab-atomic-'));
    const file = join(dir, 'run.json');
    await writeFile(file, 'good');
    const failing = {
      [Symbol.iterator]: () => {
        throw new Error('disk full');
      },
    } as unknown as Uint8Array;
    await expect(writeFileAtomic(file, failing)).rejects.toThrow();
    expect(await readFile(file, 'utf8')).toBe('good');
    expect(await readdir(dir)).toEqual(['run.json']);
  });
});
