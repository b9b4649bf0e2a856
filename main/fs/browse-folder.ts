import { readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, parse, resolve } from 'node:path';
import { LabError } from '../errors';

export interface FolderEntry {
  name: string;
  path: string;
}

export interface FolderListing {
  path: string;
  /** Undefined at a file-system root. */
  parent?: string;
  folders: FolderEntry[];
  /** How many image-looking files sit directly in this folder (a hint for picking a class folder's parent). */
  imageFiles: number;
}

const imageName = /\.(png|jpe?g|webp|gif|tiff?|avif|bmp)$/i;

/**
 * Lists the sub-folders of `path` (default: the home folder) for browser mode's folder picker,
 * where the browser cannot see the server's disk. Hidden folders are left out. Read-only.
 */
export async function browseFolder(path: string | undefined, home: string = homedir()): Promise<FolderListing> {
  const target = resolve(path && path.trim() ? path : home);
  if (path && !isAbsolute(path)) {
    throw new LabError(
      'BAD_PATH',
      `"${path}" is not an absolute folder path: start it with / (or a drive letter on Windows).`,
    );
  }
  let info;
  try {
    info = await stat(target);
  } catch {
    throw new LabError('NOT_FOUND', `${target} does not exist: check the path, or pick a folder from the list.`);
  }
  if (!info.isDirectory())
    throw new LabError(
      'NOT_A_FOLDER',
      `${target} is a file, not a folder: pick the folder that holds the class folders.`,
    );
  let entries;
  try {
    entries = await readdir(target, { withFileTypes: true });
  } catch (error) {
    throw new LabError(
      'UNREADABLE',
      `Cannot read ${target}: ${(error as NodeJS.ErrnoException).code === 'EACCES' ? 'permission denied' : (error as Error).message}.`,
    );
  }
  const folders: FolderEntry[] = [];
  let imageFiles = 0;
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    if (entry.isDirectory() || (entry.isSymbolicLink() && (await isFolder(join(target, entry.name))))) {
      folders.push({ name: entry.name, path: join(target, entry.name) });
    } else if (entry.isFile() && imageName.test(entry.name)) {
      imageFiles++;
    }
  }
  folders.sort((a, b) => a.name.localeCompare(b.name));
  const isRoot = parse(target).root === target;
  return { path: target, ...(isRoot ? {} : { parent: dirname(target) }), folders, imageFiles };
}

async function isFolder(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
