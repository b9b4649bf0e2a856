import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import { LabError } from '../errors';

/** True for "no space left" and "quota exceeded": the write failed for lack of room, not of rights. */
export function isDiskFull(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/** "12.3 MB": free space for a message. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** Free bytes for this user on the file system holding `path` (its nearest existing ancestor). */
export async function freeSpace(path: string): Promise<number | undefined> {
  for (let at = path; ; at = dirname(at)) {
    try {
      const info = await statfs(at);
      return Number(info.bavail) * Number(info.bsize);
    } catch {
      if (dirname(at) === at) return undefined;
    }
  }
}

const defaultAdvice = 'Free some space and try again.';

/**
 * The one `DISK_FULL` error: which folder could not be written, how much room is left there,
 * and `advice` — what is still safe and what to do, stated by the caller that knows it (a
 * previous file is never claimed to exist unless the caller checked).
 */
export async function diskFullError(
  folder: string,
  what: string,
  cause: unknown,
  advice = defaultAdvice,
): Promise<LabError> {
  const free = await freeSpace(folder);
  const room = free === undefined ? '' : ` (${formatBytes(free)} free)`;
  return new LabError('DISK_FULL', `The disk holding ${folder} is full${room}: could not save ${what}. ${advice}`, {
    cause,
  });
}

/** Rethrows `error` as `DISK_FULL` when the disk is full (an error already turned into one passes as is). */
export async function rethrowDiskFull(
  error: unknown,
  folder: string,
  what: string,
  advice = defaultAdvice,
): Promise<never> {
  if (isDiskFull(error)) throw await diskFullError(folder, what, error, advice);
  throw error;
}
