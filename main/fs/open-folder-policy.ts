import { realpath, stat } from 'node:fs/promises';
import { basename, isAbsolute, relative, sep } from 'node:path';
import { LabError } from '../errors';

/**
 * A Windows network or device path (`\\host\share`, `//host/share`, `\\?\…`). Opening one makes
 * the system contact another machine (and offer it the user's credentials for an SMB login).
 */
export function isNetworkPath(path: string): boolean {
  return /^[\\/]{2}/.test(path);
}

/** `path` is `root` or somewhere inside it (both already resolved). */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/**
 * A folder that opening in the file manager would run: on macOS an application (or another
 * bundle) is a folder that the Finder launches instead of showing.
 */
export function isBundle(path: string): boolean {
  return /\.(app|bundle|framework|plugin|prefpane|kext|workflow|action|saver|qlgenerator|mdimporter)$/i.test(
    basename(path),
  );
}

/**
 * Checks that `path` may be shown in the system's file manager and returns the real folder to
 * open: an absolute local path, an existing folder and not an application bundle, inside one of
 * the `allowed` roots (the data folder with its runs and exports, the datasets the lab opened,
 * the folders exports were written to). Symbolic links are followed before the check, so a link
 * inside the data folder cannot point the file manager elsewhere.
 */
export async function checkOpenableFolder(path: string, allowed: readonly string[]): Promise<string> {
  if (isNetworkPath(path)) {
    throw new LabError('NOT_ALLOWED', `${path} is a network path: the lab opens only folders on this computer.`);
  }
  if (!isAbsolute(path)) {
    throw new LabError(
      'BAD_PATH',
      `path: "${path}" is not an absolute folder path: start it with / (or a drive letter on Windows).`,
    );
  }
  const real = await realpath(path).catch(() => undefined);
  const info = real === undefined ? undefined : await stat(real).catch(() => undefined);
  if (real === undefined || !info?.isDirectory())
    throw new LabError('NOT_A_FOLDER', `${path} is not a folder (any more): it cannot be opened.`);
  if (isNetworkPath(real)) {
    throw new LabError('NOT_ALLOWED', `${path} leads to a network path: the lab opens only folders on this computer.`);
  }
  if (isBundle(real))
    throw new LabError('NOT_ALLOWED', `${path} is an application bundle, not a folder of the lab: it is not opened.`);
  const roots = await Promise.all(allowed.map((root) => realpath(root).catch(() => undefined)));
  if (!roots.some((root) => root !== undefined && isInside(root, real))) {
    throw new LabError(
      'NOT_ALLOWED',
      `${path} is not a folder of the lab: it opens the data folder (runs, exports), the datasets you opened, and folders it exported to.`,
    );
  }
  return real;
}
