import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { syncDir, writeFileSynced } from '../fs/atomic-write';
import { LabError } from '../errors';

/**
 * Replaces the folder `target` (a checkpoint: model.json + weights) with `files` so that a
 * reader, or the next start after a crash, finds either the complete old set or the complete
 * new one: write everything into a hidden sibling and sync it, move the old folder aside, move
 * the new one in, then delete the old. `recoverDir` repairs a replacement a crash cut short.
 */
export async function writeDirAtomic(target: string, files: Readonly<Record<string, string | Uint8Array>>): Promise<void> {
  const parent = dirname(target);
  const name = basename(target);
  const tag = randomBytes(4).toString('hex');
  const fresh = join(parent, `.${name}.new-${tag}`);
  const old = join(parent, `.${name}.old-${tag}`);
  await mkdir(parent, { recursive: true });
  try {
    await mkdir(fresh);
    for (const [file, data] of Object.entries(files)) await writeFileSynced(join(fresh, file), data);
    await syncDir(fresh);
  } catch (error) {
    await rm(fresh, { recursive: true, force: true });
    if ((error as NodeJS.ErrnoException).code === 'ENOSPC') {
      throw new LabError('DISK_FULL', `The disk is full: could not save ${target}. Free some space; the previous checkpoint is intact.`, { cause: error });
    }
    throw error;
  }
  let hadOld = false;
  try {
    await rename(target, old);
    hadOld = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await rename(fresh, target);
  await syncDir(parent);
  if (hadOld) await rm(old, { recursive: true, force: true });
}

/**
 * After a crash: if `target` is missing but an old copy was moved aside, put it back; drop
 * half-written new folders and old copies that are no longer needed. Returns what it did.
 */
export async function recoverDir(target: string): Promise<'intact' | 'restored' | 'missing'> {
  const parent = dirname(target);
  const name = basename(target);
  let entries: string[];
  try {
    entries = await readdir(parent);
  } catch {
    return 'missing';
  }
  const olds = entries.filter((e) => e.startsWith(`.${name}.old-`));
  const news = entries.filter((e) => e.startsWith(`.${name}.new-`));
  let state: 'intact' | 'restored' | 'missing' = (await exists(target)) ? 'intact' : 'missing';
  if (state === 'missing' && olds.length > 0) {
    await rename(join(parent, olds[0]!), target);
    state = 'restored';
  }
  for (const leftover of [...news, ...olds.slice(state === 'restored' ? 1 : 0)]) {
    await rm(join(parent, leftover), { recursive: true, force: true });
  }
  return state;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
