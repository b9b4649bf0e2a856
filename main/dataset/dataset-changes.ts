/**
 * What changed in a dataset folder since a run used it: files added, removed and edited, named.
 *
 * The fingerprint only says *that* the usable images changed. To say *what*, the images a run
 * trained on are kept once per fingerprint in `DATA_DIR/datasets/<fingerprint>.json` (relative
 * path, size and content hash of each; written when a run starts, never replaced: the same
 * fingerprint means the same list). Runs from before that file existed still name the added
 * and removed files from their stored split, which lists every path.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../fs/atomic-write';
import { compareCodePoints } from './order';
import { loadSplit } from './pipeline/split';

/** A usable image as the fingerprint covers it. */
export interface FileFacts {
  /** Relative to the dataset root, `/`-separated. */
  rel: string;
  bytes: number;
  /** SHA-256 hex of the content. */
  hash: string;
}

export interface DatasetChanges {
  added: string[];
  removed: string[];
  /** Same path, other content; `null` when the old contents are not known (only paths were kept). */
  edited: string[] | null;
}

/** Example paths named per kind of change. */
const EXAMPLES = 5;

const manifestSchema = z.object({
  fingerprint: z.string(),
  files: z.array(z.tuple([z.string(), z.number(), z.string()])),
});

/** `DATA_DIR/datasets/<fingerprint>.json` (the fingerprint is hex, so a plain file name). */
export function manifestFile(dataDir: string, fingerprint: string): string {
  return join(dataDir, 'datasets', `${fingerprint.replace(/[^A-Za-z0-9_-]/g, '_')}.json`);
}

/** Keeps the images behind a fingerprint, once; an existing file for it is left alone. */
export async function saveManifest(dataDir: string, fingerprint: string, files: readonly FileFacts[]): Promise<void> {
  const file = manifestFile(dataDir, fingerprint);
  if (
    await readFile(file).then(
      () => true,
      () => false,
    )
  )
    return;
  const rows = [...files].sort((a, b) => compareCodePoints(a.rel, b.rel)).map((f) => [f.rel, f.bytes, f.hash]);
  await writeFileAtomic(file, `${JSON.stringify({ fingerprint, files: rows })}\n`);
}

/** The images behind a fingerprint, if they were kept (and the file is readable). */
export async function loadManifest(dataDir: string, fingerprint: string): Promise<FileFacts[] | undefined> {
  try {
    const parsed = manifestSchema.safeParse(JSON.parse(await readFile(manifestFile(dataDir, fingerprint), 'utf8')));
    if (!parsed.success || parsed.data.fingerprint !== fingerprint) return undefined;
    return parsed.data.files.map(([rel, bytes, hash]) => ({ rel, bytes, hash }));
  } catch {
    return undefined;
  }
}

/** Added, removed and edited files between two lists; `before` as paths only leaves `edited` unknown. */
export function diffDatasets(
  before: readonly FileFacts[] | readonly string[],
  after: readonly FileFacts[],
): DatasetChanges {
  const now = new Map(after.map((f) => [f.rel, f]));
  const withFacts = before.length > 0 && typeof before[0] !== 'string';
  const old = new Map<string, FileFacts | undefined>(
    withFacts ? (before as FileFacts[]).map((f) => [f.rel, f]) : (before as string[]).map((rel) => [rel, undefined]),
  );
  const sorted = (list: string[]): string[] => list.sort(compareCodePoints);
  const added = sorted([...now.keys()].filter((rel) => !old.has(rel)));
  const removed = sorted([...old.keys()].filter((rel) => !now.has(rel)));
  const edited =
    withFacts || before.length === 0
      ? sorted(
          [...old]
            .filter(
              ([rel, f]) => f && now.has(rel) && (now.get(rel)!.hash !== f.hash || now.get(rel)!.bytes !== f.bytes),
            )
            .map(([rel]) => rel),
        )
      : null;
  return { added, removed, edited };
}

/** `3 added (a.png, b.png, c.png), 1 removed (cat/x.jpg), 2 edited (…, and 4 more)`. */
export function describeChanges(changes: DatasetChanges): string {
  const part = (count: number, verb: string, paths: readonly string[]): string => {
    const shown = paths.slice(0, EXAMPLES).join(', ');
    const more = paths.length > EXAMPLES ? `, and ${(paths.length - EXAMPLES).toLocaleString('en-US')} more` : '';
    return `${count.toLocaleString('en-US')} ${verb} (${shown}${more})`;
  };
  const parts: string[] = [];
  if (changes.added.length > 0) parts.push(part(changes.added.length, 'added', changes.added));
  if (changes.removed.length > 0) parts.push(part(changes.removed.length, 'removed', changes.removed));
  if (changes.edited === null) parts.push('edited files cannot be named (this run predates the kept file list)');
  else if (changes.edited.length > 0) parts.push(part(changes.edited.length, 'edited', changes.edited));
  return parts.length > 0 ? parts.join('; ') : 'files added, removed or edited';
}

/**
 * What changed since a run used the dataset, in words: from the kept file list of its
 * fingerprint, else from the paths of its stored split (`splitKey`), else nothing more precise
 * than "files added, removed or edited".
 */
export async function changesSince(
  dataDir: string,
  run: { fingerprint: string; splitKey: string },
  now: readonly FileFacts[],
): Promise<string> {
  const kept = await loadManifest(dataDir, run.fingerprint);
  if (kept) return describeChanges(diffDatasets(kept, now));
  const split = await loadSplit(run.splitKey).catch(() => undefined);
  if (split)
    return describeChanges(
      diffDatasets(
        [...split.train, ...split.val, ...split.test].map((entry) => entry.path),
        now,
      ),
    );
  return 'files added, removed or edited';
}
