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
  it('fails with DISK_FULL naming the folder and its free space, keeps the previous checkpoint and leaves no partial folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'xlab-full-'));
    const target = join(dir, 'last');
    await writeDirAtomic(target, { 'model.json': '{"epoch":1}', 'weights.bin': new Uint8Array([1, 2, 3]) });
    fillDisk = true;
    const error = await writeDirAtomic(target, {
      'model.json': '{"epoch":2}',
      'weights.bin': new Uint8Array([4, 5, 6]),
    }).catch((e: unknown) => e);
    fillDisk = false;
    expect(error).toMatchObject({ code: 'DISK_FULL' });
    expect((error as Error).message).toMatch(
      new RegExp(
        `^The disk holding ${dir} is full \\([\\d.]+ [KMGT]?B(ytes)? free\\): could not save the checkpoint "last"\\. The checkpoint saved there before is intact; free some space, then resume the run\\.$`,
      ),
    );
    expect(await readFile(join(target, 'model.json'), 'utf8')).toBe('{"epoch":1}');
    expect(await readdir(dir)).toEqual(['last']);
  });

  it('does not claim an earlier checkpoint when there was none', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'xlab-full-'));
    fillDisk = true;
    const error = await writeDirAtomic(join(dir, 'last'), {
      'model.json': '{}',
      'weights.bin': new Uint8Array([1]),
    }).catch((e: unknown) => e);
    fillDisk = false;
    expect(error).toMatchObject({ code: 'DISK_FULL' });
    expect((error as Error).message).toContain('No checkpoint was saved there before');
    expect((error as Error).message).not.toContain('intact');
    expect(await readdir(dir)).toEqual([]);
  });
});
