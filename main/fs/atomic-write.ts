import { link, open, rename, rm, mkdir } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { rethrowDiskFull } from './disk-full';
import { faultPoint } from './fault-point';

/**
 * The temp files `writeFileAtomic` leaves behind when a crash cuts it short:
 * `.NAME.<pid>-<hex>.tmp` (older versions wrote `.NAME.<hex>.tmp`).
 */
export const atomicTempPattern = /^\..+\.(?:(\d+)-)?[0-9a-f]{12}\.tmp$/;

/** A temp file's name beside `file`, naming this process so a leftover can be told from a write in progress. */
export function tempFileFor(file: string): string {
  return join(dirname(file), `.${basename(file)}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
}

/** The process that wrote a temp file of `atomicTempPattern` (undefined for the older names). */
export function tempWriterPid(name: string): number | undefined {
  const pid = atomicTempPattern.exec(name)?.[1];
  return pid === undefined ? undefined : Number(pid);
}

/**
 * Replaces `file` with `data` so that a reader sees the old content or the new, never half:
 * write a temp file beside it, fsync it, rename it over the target, fsync the folder. A full
 * disk is a `DISK_FULL` error and leaves `file` as it was.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const dir = dirname(file);
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    await rethrowDiskFull(error, dir, basename(file));
  }
  const temp = tempFileFor(file);
  try {
    faultPoint(`write ${basename(file)}`);
    await writeFileSynced(temp, data);
    faultPoint(`rename ${basename(file)}`);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    await rethrowDiskFull(error, dir, basename(file), `${file} is unchanged. Free some space and try again.`);
  }
  await syncDir(dir);
}

/**
 * Creates `file` with `data`, complete or not at all, and never replaces an existing file
 * (`EEXIST`): the data goes to a synced temp file that is then hard-linked to the name. A full
 * disk is `DISK_FULL` and leaves nothing behind.
 */
export async function writeNewFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const dir = dirname(file);
  const temp = tempFileFor(file);
  try {
    await writeFileSynced(temp, data);
    await link(temp, file);
  } catch (error) {
    await rethrowDiskFull(error, dir, basename(file), `${file} was not written. Free some space and try again.`);
  } finally {
    await rm(temp, { force: true });
  }
  await syncDir(dir);
}

/** Writes a new file and flushes it to disk before returning. */
export async function writeFileSynced(file: string, data: string | Uint8Array): Promise<void> {
  const handle = await open(file, 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function syncDir(dir: string): Promise<void> {
  // Directory fsync makes the rename durable on Linux/macOS; Windows cannot open folders for it.
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
