import { describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeHolder, releaseLock, setLockHelper, takeLock } from '../../../main/fs/pid-lock';

const lockFile = async (): Promise<string> => join(await mkdtemp(join(tmpdir(), 'xlab-lock-')), 'owner.json');

describe('pid lock', () => {
  it('is taken once; the second taker is told who holds it; release frees it', async () => {
    const file = await lockFile();
    expect(await takeLock(file)).toEqual({ taken: true });
    expect(await takeLock(file)).toMatchObject({ taken: false, holder: { pid: process.pid, host: hostname() } });
    await releaseLock(file);
    expect(await takeLock(file)).toEqual({ taken: true });
  });

  it('a stale lock is taken over by exactly one of two takers at once', async () => {
    const file = await lockFile();
    await writeFile(file, JSON.stringify({ pid: 4242, host: hostname(), startedAt: 't' }));
    const alive = (pid: number): boolean => pid !== 4242; // 4242 died
    const results = await Promise.all([takeLock(file, alive), takeLock(file, alive)]);
    expect(results.filter((r) => r.taken)).toHaveLength(1);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ pid: process.pid });
    expect(await readdir(join(file, '..'))).toEqual(['owner.json']);
  });

  it.runIf(process.platform === 'linux')(
    'a lock whose pid now belongs to another process (started at another time) is stale',
    async () => {
      const file = await lockFile();
      // pid 1 is alive, but it did not start in 1970.
      await writeFile(file, JSON.stringify({ pid: 1, host: hostname(), startedAt: 't', processStartMs: 1000 }));
      expect(await takeLock(file)).toEqual({ taken: true });
    },
  );

  it('a dead holder whose helper process still lives (an orphaned train.py) keeps the lock', async () => {
    const file = await lockFile();
    await writeFile(file, JSON.stringify({ pid: 4242, host: hostname(), startedAt: 't', helper: { pid: 4343 } }));
    const held = await takeLock(file, (pid) => pid === 4343);
    expect(held).toMatchObject({ taken: false, holder: { pid: 4242, helper: { pid: 4343 } } });
    expect(describeHolder((held as { holder: Parameters<typeof describeHolder>[0] }).holder)).toContain(
      'process 4242 and its helper process 4343',
    );
    // both gone: stale
    expect(await takeLock(file, () => false)).toEqual({ taken: true });
  });

  it('the holder names and removes its helper; the lock stays its own', async () => {
    const file = await lockFile();
    await takeLock(file);
    await setLockHelper(file, { pid: 4343, processStartMs: 5 });
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ pid: process.pid, helper: { pid: 4343 } });
    await setLockHelper(file, undefined);
    expect(JSON.parse(await readFile(file, 'utf8'))).not.toHaveProperty('helper');
    await releaseLock(file);
    expect(await readdir(join(file, '..'))).toEqual([]);
  });

  it('a lock from another host is assumed alive: it cannot be checked from here', async () => {
    const file = await lockFile();
    await writeFile(file, JSON.stringify({ pid: 4242, host: 'elsewhere', startedAt: 't' }));
    expect(await takeLock(file, () => false)).toMatchObject({ taken: false, holder: { host: 'elsewhere' } });
  });

  it('a folder that does not exist is an error, not a lock held by nobody', async () => {
    const file = join(await lockFile(), '..', 'gone', 'owner.json');
    await expect(takeLock(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
