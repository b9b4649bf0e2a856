/**
 * Listing a dataset folder: which entries count, and where symbolic links may lead.
 *
 * Ignored (listed in `ignoredEntries`, never reported as problems, never descended into): names starting with a
 * dot (`.DS_Store`, AppleDouble `._*`, `.git`, `.Trashes`, …), `__MACOSX`, `Thumbs.db`,
 * `ehthumbs.db`, `desktop.ini`, macOS `Icon\r`, Synology `@eaDir`, `$RECYCLE.BIN`,
 * `System Volume Information`. A folder counts as one ignored entry, whatever it holds.
 *
 * Symbolic links are followed only while their real path stays inside the dataset root's real
 * path ("symbolic link leaves the dataset folder" otherwise). A link to a folder that holds it
 * (its own folder or an ancestor) is a "symbolic link loop" and is not followed. Every real
 * folder is listed at most once: folders reached without links are listed first, then linked
 * ones in the order found, so a link to a folder that is also in the tree is reported
 * ("symbolic link to a folder already scanned (…)") rather than counting its images twice —
 * and a chain of links can never multiply the work. Sockets, FIFOs and devices are "not a
 * regular file"; nothing is ever opened for writing.
 *
 * Files are read (later) through their real paths, which are known to be inside the root.
 */
import fs from 'node:fs';
import { join, sep } from 'node:path';
import { promisify } from 'node:util';
import { throwIfCancelled } from './cancel';
import { unreadableReason } from '../image/reasons';
import { compareCodePoints } from '../order';
import type { DatasetProblem } from './report';

const readdir = promisify(fs.readdir);
const realpath = promisify(fs.realpath.native);
const stat = promisify(fs.stat);
const lstat = promisify(fs.lstat);

/** A folder or file of the dataset: `rel` is `/`-separated from the root ('' for the root). */
export interface Entry {
  rel: string;
  /** Real (or at least link-free below the root) absolute path, inside the root. */
  real: string;
  /** Reached through a symbolic link (the entry itself is one). */
  link: boolean;
}

export interface Listing {
  dirs: Entry[];
  files: Entry[];
}

const IGNORED = new Set([
  '__macosx',
  'thumbs.db',
  'ehthumbs.db',
  'desktop.ini',
  'icon\r',
  '@eadir',
  '$recycle.bin',
  'system volume information',
]);

/** Hidden and system files and folders that are skipped and counted. */
export function isIgnoredName(name: string): boolean {
  return name.startsWith('.') || IGNORED.has(name.toLowerCase());
}

export class DatasetWalker {
  readonly problems: DatasetProblem[] = [];
  /** Hidden and system files and folders skipped, with the reason (a folder is one entry). */
  readonly ignoredEntries: DatasetProblem[] = [];
  /** Folders listed, and found (listed or waiting), for progress. */
  listed = 0;
  found = 1;
  /** Real path of every folder listed → its relative path. */
  private readonly visited = new Map<string, string>();
  private readonly rootPrefix: string;

  constructor(
    private readonly rootReal: string,
    private readonly signal?: AbortSignal,
    private readonly onFolder?: () => void,
  ) {
    this.rootPrefix = rootReal.endsWith(sep) ? rootReal : rootReal + sep;
  }

  private inside(real: string): boolean {
    return real === this.rootReal || real.startsWith(this.rootPrefix);
  }

  private problem(path: string, reason: string): void {
    this.problems.push({ path, reason });
  }

  /**
   * One folder's sub-folders and files, after the ignore rules and the link policy, sorted by
   * name. `undefined` (with a problem recorded) when it cannot be listed or was listed before.
   */
  async list(dir: Entry): Promise<Listing | undefined> {
    throwIfCancelled(this.signal);
    const first = this.visited.get(dir.real);
    if (first !== undefined) {
      this.problem(dir.rel, `${dir.link ? 'symbolic link to a folder' : 'folder'} already scanned (${first || '.'})`);
      return undefined;
    }
    this.visited.set(dir.real, dir.rel);
    let entries: fs.Dirent[];
    try {
      entries = await readdir(dir.real, { withFileTypes: true });
    } catch (error) {
      if (dir.rel === '') throw error;
      this.problem(dir.rel, unreadableReason(error));
      return undefined;
    } finally {
      this.listed++;
      this.onFolder?.();
    }
    entries.sort((a, b) => compareCodePoints(a.name, b.name));
    const listing: Listing = { dirs: [], files: [] };
    for (const entry of entries) {
      const { name } = entry;
      const rel = dir.rel === '' ? name : `${dir.rel}/${name}`;
      if (isIgnoredName(name)) {
        this.ignoredEntries.push({ path: entry.isDirectory() ? `${rel}/` : rel, reason: 'hidden or system file' });
        continue;
      }
      const path = join(dir.real, name);
      if (name.includes('\uFFFD') && !(await exists(path))) {
        // Bytes that are not UTF-8: the name does not survive the round trip through a string.
        this.problem(rel, 'unreadable: its name is not valid UTF-8 (rename it)');
        continue;
      }
      if (entry.isDirectory()) {
        listing.dirs.push({ rel, real: path, link: false });
        this.found++;
      } else if (entry.isFile()) {
        listing.files.push({ rel, real: path, link: false });
      } else if (entry.isSymbolicLink()) {
        await this.follow(rel, path, dir.real, listing);
      } else {
        this.problem(rel, 'not a regular file');
      }
    }
    return listing;
  }

  /** Adds what the link at `path` leads to, if the policy allows; else records why not. */
  private async follow(rel: string, path: string, parentReal: string, listing: Listing): Promise<void> {
    let target: string;
    let stats: fs.Stats;
    try {
      target = await realpath(path);
      stats = await stat(target);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      this.problem(rel, code === 'ENOENT' || code === 'ENOTDIR' ? 'broken symbolic link' : unreadableReason(error));
      return;
    }
    if (!this.inside(target)) {
      this.problem(rel, 'symbolic link leaves the dataset folder');
    } else if (stats.isDirectory()) {
      if (parentReal === target || parentReal.startsWith(target.endsWith(sep) ? target : target + sep)) {
        this.problem(rel, 'symbolic link loop');
      } else {
        listing.dirs.push({ rel, real: target, link: true });
        this.found++;
      }
    } else if (stats.isFile()) {
      listing.files.push({ rel, real: target, link: true });
    } else {
      this.problem(rel, 'not a regular file');
    }
  }

  /**
   * Every file below the `tops` folders, each with its top's `owner` (a class), folders without
   * links first (see the module comment). Files come out in no particular order.
   */
  async walk<T>(tops: readonly { dir: Entry; owner: T }[]): Promise<{ file: Entry; owner: T }[]> {
    const out: { file: Entry; owner: T }[] = [];
    const stack: { dir: Entry; owner: T }[] = [];
    const linked: { dir: Entry; owner: T }[] = [];
    const add = (items: { dir: Entry; owner: T }[]): void => {
      linked.push(...items.filter((item) => item.dir.link));
      stack.push(...items.filter((item) => !item.dir.link).reverse());
    };
    add([...tops]);
    for (;;) {
      const item = stack.pop() ?? linked.shift();
      if (!item) break;
      const listing = await this.list(item.dir);
      if (!listing) continue;
      for (const file of listing.files) out.push({ file, owner: item.owner });
      add(listing.dirs.map((dir) => ({ dir, owner: item.owner })));
    }
    return out;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}
