import { mkdir, open } from 'node:fs/promises';
import { extname, basename, join } from 'node:path';
import { LabError } from '../errors';

/** Where exports (reports, models) go unless the user picks a folder. */
export const exportsDir = (dataDir: string): string => join(dataDir, 'exports');

/** A file-name-safe version of a title: keeps letters of any script, drops separators and controls. */
export function safeFileName(text: string, fallback: string): string {
  const cleaned = text
    .normalize('NFC')
    .replace(/[\u0000-\u001f\u007f<>:"/\\|?*]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^\.+/, '')
    .slice(0, 80)
    .trim();
  return cleaned || fallback;
}

/**
 * Creates `dir/name` for writing without ever replacing a file: if it exists, `name (2).ext`,
 * `name (3).ext`, … The file is created empty (exclusively) so two exports never race for one
 * name; write to the returned path.
 */
export async function claimNewFile(dir: string, name: string): Promise<string> {
  await ensureFolder(dir);
  const ext = extname(name);
  const stem = basename(name, ext);
  for (let n = 1; n < 10_000; n++) {
    const candidate = join(dir, n === 1 ? name : `${stem} (${n})${ext}`);
    try {
      const handle = await open(candidate, 'wx');
      await handle.close();
      return candidate;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw new LabError(
        'EXPORT_UNWRITABLE',
        `Cannot write ${candidate}: ${(error as Error).message}. Choose another folder.`,
        { cause: error },
      );
    }
  }
  throw new LabError(
    'EXPORT_UNWRITABLE',
    `${dir} already has too many files named like ${name}: choose another folder.`,
  );
}

/** Creates a new folder `dir/name` (or `name (2)`, …), never reusing an existing one. */
export async function claimNewFolder(dir: string, name: string): Promise<string> {
  await ensureFolder(dir);
  for (let n = 1; n < 10_000; n++) {
    const candidate = join(dir, n === 1 ? name : `${name} (${n})`);
    try {
      await mkdir(candidate);
      return candidate;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw new LabError(
        'EXPORT_UNWRITABLE',
        `Cannot create ${candidate}: ${(error as Error).message}. Choose another folder.`,
        { cause: error },
      );
    }
  }
  throw new LabError(
    'EXPORT_UNWRITABLE',
    `${dir} already has too many folders named like ${name}: choose another folder.`,
  );
}

async function ensureFolder(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw new LabError(
      'EXPORT_UNWRITABLE',
      `Cannot create the folder ${dir}: ${(error as Error).message}. Choose another folder.`,
      { cause: error },
    );
  }
}
