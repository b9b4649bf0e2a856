/** A disk that fills up while a checkpoint is written: a clear error, the previous checkpoint intact. */
import { describe, expect, it, vi } from 'vitest';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let fillDisk = false;
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...real,
    open: async (...args: Parameters<typeof real.open>) => {
      const handle = await real.open(...args);
      if (!fillDisk || !String(args[0]).endsWith('weights.bin')) return handle;
      return Object.assign(Object.create(Object.getPrototypeOf(handle) as object), handle, {
        writeFile: async () => {
          throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        },
        sync: () => handle.sync(),
        close: () => handle.close(),
      });
    },
  };
});

const { writeDirAtomic } = await import('../../../main/runs/checkpoint-dir');

describe('checkpoint on a full disk', () => {
  it('fails with DISK_FULL naming the folder, keeps the previous checkpoint and leaves no partial folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'xlab-full-'));
    const target = join(dir, 'last');
    await writeDirAtomic(target, { 'model.json': '{"epoch":1}', 'weights.bin': new Uint8Array([1, 2, 3]) });
    fillDisk = true;
    await expect(writeDirAtomic(target, { 'model.json': '{"epoch":2}', 'weights.bin': new Uint8Array([4, 5, 6]) })).rejects.toMatchObject({
      code: 'DISK_FULL',
      message: `The disk is full: could not save ${target}. Free some space; the previous checkpoint is intact.`,
    });
    fillDisk = false;
    expect(await readFile(join(target, 'model.json'), 'utf8')).toBe('{"epoch":1}');
    expect(await readdir(dir)).toEqual(['last']);
  });
});
