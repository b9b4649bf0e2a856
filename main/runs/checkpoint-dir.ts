import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { syncDir, writeFileSynced } from '../fs/atomic-write';
import { diskFullError, isDiskFull } from '../fs/disk-full';
import { faultPoint } from '../fs/fault-point';

/**
 * Replaces the folder `target` (a checkpoint: model.json + weights) with `files` so that a
 * reader, or the next start after a crash, finds either the complete old set or the complete
 * new one: write everything into a hidden sibling and sync it, move the old folder aside, move
 * the new one in, then delete the old. `recoverDir` repairs a replacement a crash cut short.
 */
export async function writeDirAtomic(
  target: string,
  files: Readonly<Record<string, string | Uint8Array>>,
): Promise<void> {
  const parent = dirname(target);
  const name = basename(target);
  const tag = randomBytes(4).toString('hex');
  const fresh = join(parent, `.${name}.new-${tag}`);
  const old = join(parent, `.${name}.old-${tag}`);
  try {
    await mkdir(parent, { recursive: true });
    await mkdir(fresh);
    for (const [file, data] of Object.entries(files)) {
      faultPoint(`write ${name}/${file}`);
      await writeFileSynced(join(fresh, file), data);
    }
    await syncDir(fresh);
  } catch (error) {
    await rm(fresh, { recursive: true, force: true });
    if (!isDiskFull(error)) throw error;
    const kept = (await exists(target))
      ? 'The checkpoint saved there before is intact; free some space, then resume the run.'
      : 'No checkpoint was saved there before; free some space, then resume the run.';
    throw await diskFullError(parent, `the checkpoint "${name}"`, error, kept);
  }
  let hadOld = false;
  try {
    faultPoint(`move aside ${name}`);
    await rename(target, old);
    hadOld = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  faultPoint(`move in ${name}`);
  await rename(fresh, target);
  await syncDir(parent);
  faultPoint(`drop old ${name}`);
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
