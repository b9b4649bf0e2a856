/**
 * A lock file naming the process that holds it: `{pid, host, startedAt}`. Taken by hard-linking
 * a complete temp file to the lock's name, so it appears whole or not at all and only one
 * process can create it. A lock whose process is gone (same host, pid not alive) is stale and
 * is taken over; a lock from another host is assumed alive, since its process cannot be checked.
 * The holder can name a helper process working for it (the Keras engine's Python): the lock
 * stays alive while either lives, so a helper orphaned by its holder's death keeps others out
 * until it has stopped too.
 */
import { readFileSync } from 'node:fs';
import { link, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import { tempFileFor, writeFileAtomic } from './atomic-write';
import { rethrowDiskFull } from './disk-full';

export interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
  /** When the holder process itself started (ms since 1970), to tell a reused pid from the holder. */
  processStartMs?: number;
  /** A child process working for the holder (same host), alive or not like the holder. */
  helper?: { pid: number; processStartMs?: number };
}

export type LockAttempt = { taken: true } | { taken: false; holder: LockHolder };

export type IsAlive = (pid: number) => boolean;

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** This process, as a lock holder. */
export function thisProcess(): LockHolder {
  return {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
    processStartMs: Math.round(Date.now() - process.uptime() * 1000),
  };
}

/**
 * When process `pid` started, on Linux (from /proc; undefined elsewhere or if unknown). After a
 * reboot or in a container, a dead holder's pid is soon another process's: its start time
 * tells them apart.
 */
function linuxProcessStartMs(pid: number): number | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]); // field 22, starttime
    const boot = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
    if (!Number.isFinite(ticks) || !Number.isFinite(boot)) return undefined;
    return boot * 1000 + (ticks * 1000) / 100; // USER_HZ is 100 on every Linux ABI Node runs on
  } catch {
    return undefined;
  }
}

/** Start times further apart than this are different processes (btime has 1 s resolution). */
const sameStartToleranceMs = 5000;

export function isThisProcess(holder: LockHolder): boolean {
  return holder.pid === process.pid && holder.host === hostname();
}

/** False only when the holder's process is certainly gone (or its pid now belongs to another process). */
export function holderAlive(holder: LockHolder, isAlive: IsAlive = processAlive): boolean {
  if (holder.host !== hostname()) return true;
  return sameProcessAlive(holder, isAlive) || (holder.helper !== undefined && sameProcessAlive(holder.helper, isAlive));
}

function sameProcessAlive(process: { pid: number; processStartMs?: number }, isAlive: IsAlive): boolean {
  if (!isAlive(process.pid)) return false;
  const started = process.processStartMs === undefined ? undefined : linuxProcessStartMs(process.pid);
  return started === undefined || Math.abs(started - process.processStartMs!) < sameStartToleranceMs;
}

/** "process 1234 on host lab-7 (since 2026-12-03T19:00:00Z)", and its helper process if any. */
export function describeHolder(holder: LockHolder): string {
  const helper = holder.helper ? ` and its helper process ${holder.helper.pid}` : '';
  return `process ${holder.pid}${helper} on host ${holder.host} (since ${holder.startedAt})`;
}

export async function readLock(file: string): Promise<LockHolder | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const value = JSON.parse(text) as Partial<LockHolder> & { time?: string };
    if (typeof value.pid === 'number' && typeof value.host === 'string') {
      return {
        pid: value.pid,
        host: value.host,
        startedAt: value.startedAt ?? value.time ?? '?',
        ...(typeof value.processStartMs === 'number' ? { processStartMs: value.processStartMs } : {}),
        ...(typeof value.helper?.pid === 'number'
          ? {
              helper: {
                pid: value.helper.pid,
                ...(typeof value.helper.processStartMs === 'number'
                  ? { processStartMs: value.helper.processStartMs }
                  : {}),
              },
            }
          : {}),
      };
    }
  } catch {
    // not a lock we can read: treated as stale
  }
  return undefined;
}

/**
 * Takes the lock `file` for this process, or says who holds it. Errors other than "held"
 * (e.g. a read-only folder) are thrown; a full disk is `DISK_FULL`.
 */
export async function takeLock(file: string, isAlive: IsAlive = processAlive): Promise<LockAttempt> {
  const mine = thisProcess();
  const text = JSON.stringify(mine);
  for (let attempt = 0; attempt < 5; attempt++) {
    const temp = tempFileFor(file);
    try {
      // A missing folder or a full disk is an error of its own, not "held".
      await writeFile(temp, text, { flag: 'wx' }).catch((error: unknown) =>
        rethrowDiskFull(error, dirname(file), basename(file)),
      );
      await link(temp, file);
      return { taken: true };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // EEXIST: held (see below); ENOENT: our temp file was swept away meanwhile, try again.
      if (code !== 'EEXIST' && code !== 'ENOENT') throw error;
      if (code === 'ENOENT' && (error as NodeJS.ErrnoException).syscall !== 'link') throw error;
    } finally {
      await rm(temp, { force: true });
    }
    const holder = await readLock(file);
    if (holder && holderAlive(holder, isAlive)) return { taken: false, holder };
    // Stale (or unreadable): move it aside under a unique name, so of two processes taking it
    // over only one succeeds; if what was moved is not the lock judged stale, put it back.
    const aside = `${file}.stale-${randomBytes(4).toString('hex')}`;
    try {
      await rename(file, aside);
    } catch {
      continue; // gone already: someone else took it over or released it
    }
    const moved = await readLock(aside);
    const same =
      holder !== undefined &&
      moved !== undefined &&
      moved.pid === holder.pid &&
      moved.host === holder.host &&
      moved.startedAt === holder.startedAt;
    if (moved && !same && holderAlive(moved, isAlive)) {
      await link(aside, file).catch(() => undefined);
      await rm(aside, { force: true });
      return { taken: false, holder: moved };
    }
    await rm(aside, { force: true });
  }
  const holder = await readLock(file);
  return holder ? { taken: false, holder } : { taken: false, holder: { pid: 0, host: '?', startedAt: '?' } };
}

/**
 * Names `helper` (a child process working for this one, e.g. train.py) in the lock this process
 * holds, or removes it (undefined). Does nothing when the lock is not this process's.
 */
export async function setLockHelper(file: string, helper: LockHolder['helper']): Promise<void> {
  const holder = await readLock(file);
  if (!holder || !isThisProcess(holder)) return;
  const { helper: _old, ...rest } = holder;
  await writeFileAtomic(file, JSON.stringify(helper ? { ...rest, helper } : rest));
}

/** Removes the lock if this process holds it. */
export async function releaseLock(file: string): Promise<void> {
  const holder = await readLock(file);
  if (holder && isThisProcess(holder)) await rm(file, { force: true });
}
