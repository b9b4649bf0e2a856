/**
 * Train / validation / test split: seeded, stratified per class, stored once per dataset.
 *
 * Seeded: each class's images are sorted by relative path, then shuffled by Fisher–Yates with
 * mulberry32 seeded from (fingerprint, seed, class name) — see `random.ts`. The order does not
 * depend on the fractions, on the order the scanner listed the files, or on the other classes;
 * the fractions only move the cut points. The first `val` images of the shuffled class go to
 * validation, the next `test` to test, the rest to training.
 *
 * Per class with n images (fractions v, t):
 * - val  = round(n·v), at least 1 when n ≥ 2;
 * - test = round(n·t), at least 1 when t > 0 and n ≥ 3;
 * - train keeps at least 1: when val + test would leave none, test shrinks first, then val.
 * - n = 1: the image goes to training only (a class the model never sees would be worse than
 *   one it is never validated on); a warning says so. n = 0: a warning, nothing else.
 *
 * Given splits (`root/{train,val,test}/<class>/…`): every image's `split` is used as given.
 * When the layout has no validation images at all, validation is drawn from the given training
 * images with the rule above (source `given+val`); a given test set is never touched.
 *
 * Stored: `DATA_DIR/splits/<fingerprint>-<seed>-<fractions>.json`, written atomically, never
 * replaced by a different split; `prepareSplit` reuses it, so every run on the same dataset and
 * seed trains on the identical split, and the file lists every relative path a run used.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { z } from 'zod';
import { LabError } from '../../errors';
import { writeFileAtomic } from '../../fs/atomic-write';
import { checkLabels, splitNames, type LabelledImage, type SplitName } from '../labelled-image';
import { randomFrom, shuffleInPlace } from '../random';

export const DEFAULT_VAL_FRACTION = 0.2;
export const DEFAULT_TEST_FRACTION = 0;
/** At least this share of every class stays for training. */
const MIN_TRAIN_FRACTION = 0.1;
const SPLIT_FORMAT = 1;

export interface SplitRequest {
  /** Dataset root: the split stores paths relative to it. */
  root: string;
  images: readonly LabelledImage[];
  classNames: readonly string[];
  /** The scanner's fingerprint of the dataset's contents. */
  fingerprint: string;
  seed: number;
  /** Validation share per class, 0.01–0.9 (default 0.2). */
  val?: number;
  /** Test share per class, 0–0.9 (default 0); val + test ≤ 0.9. */
  test?: number;
}

/** One image in a stored split: path relative to the dataset root, `/`-separated. */
export interface SplitEntry {
  path: string;
  label: number;
}

export type SplitSource = 'seeded' | 'given' | 'given+val';

export interface ClassSplitCount {
  className: string;
  train: number;
  val: number;
  test: number;
}

export interface DatasetSplit {
  format: typeof SPLIT_FORMAT;
  fingerprint: string;
  seed: number;
  fractions: { val: number; test: number };
  source: SplitSource;
  classNames: string[];
  counts: ClassSplitCount[];
  /** Sentences for the user, e.g. a class with one image that cannot be validated. */
  warnings: string[];
  train: SplitEntry[];
  val: SplitEntry[];
  test: SplitEntry[];
}

const entrySchema = z.object({ path: z.string().min(1), label: z.number().int().min(0) });
const splitSchema = z.object({
  format: z.literal(SPLIT_FORMAT),
  fingerprint: z.string(),
  seed: z.number().int(),
  fractions: z.object({ val: z.number(), test: z.number() }),
  source: z.enum(['seeded', 'given', 'given+val']),
  classNames: z.array(z.string()),
  counts: z.array(z.object({ className: z.string(), train: z.number(), val: z.number(), test: z.number() })),
  warnings: z.array(z.string()),
  train: z.array(entrySchema),
  val: z.array(entrySchema),
  test: z.array(entrySchema),
});

/** Computes the split (pure: no files touched). Throws `SPLIT_INVALID` / `LABEL_INVALID` for bad input. */
export function computeSplit(request: SplitRequest): DatasetSplit {
  const { root, images, classNames, fingerprint, seed } = request;
  const fractions = checkFractions(request.val ?? DEFAULT_VAL_FRACTION, request.test ?? DEFAULT_TEST_FRACTION);
  checkFingerprint(fingerprint);
  if (!Number.isInteger(seed))
    throw new LabError('SPLIT_INVALID', `The split seed must be a whole number; got ${seed}.`);
  checkLabels(images, classNames);

  const withSplit = images.filter((image) => image.split !== undefined).length;
  if (withSplit !== 0 && withSplit !== images.length) {
    throw new LabError(
      'SPLIT_INVALID',
      `${withSplit} of ${images.length} images come from train/val/test folders and the rest do not; a dataset uses one layout or the other.`,
    );
  }

  // Relative, sorted paths per class: the input order never matters.
  const seen = new Set<string>();
  const byClass: { path: string; label: number; given?: SplitName }[][] = classNames.map(() => []);
  for (const image of images) {
    const path = relativePath(root, image.path);
    if (seen.has(path)) throw new LabError('SPLIT_INVALID', `Image ${path} is listed twice; scan the dataset again.`);
    seen.add(path);
    byClass[image.label]!.push({ path, label: image.label, given: image.split });
  }
  for (const list of byClass) list.sort((a, b) => compare(a.path, b.path));

  const warnings: string[] = [];
  const out: Record<SplitName, SplitEntry[]> = { train: [], val: [], test: [] };
  let source: SplitSource = 'seeded';
  if (withSplit === 0) {
    byClass.forEach((list, label) =>
      drawClass(list, classNames[label]!, fractions, { fingerprint, seed }, out, warnings),
    );
  } else {
    const hasVal = images.some((image) => image.split === 'val');
    source = hasVal ? 'given' : 'given+val';
    byClass.forEach((list, label) => {
      const className = classNames[label]!;
      if (list.length === 0) {
        warnings.push(`Class "${className}" has no usable images.`);
        return;
      }
      const givenTrain: SplitEntry[] = [];
      for (const item of list) {
        const entry = { path: item.path, label: item.label };
        if (item.given === 'train' && !hasVal) givenTrain.push(entry);
        else out[item.given!].push(entry);
      }
      if (!hasVal) {
        drawClass(givenTrain, className, { val: fractions.val, test: 0 }, { fingerprint, seed }, out, warnings);
      } else {
        if (!list.some((item) => item.given === 'train')) {
          warnings.push(`Class "${className}" has no images in the train folder: the model cannot learn it.`);
        }
        if (!list.some((item) => item.given === 'val')) {
          warnings.push(`Class "${className}" has no images in the val folder: it cannot be validated.`);
        }
      }
    });
    if (!hasVal)
      warnings.unshift(
        `The dataset has no val folder: ${Math.round(fractions.val * 100)}% of each class's train images are used for validation.`,
      );
  }

  for (const name of splitNames) out[name].sort((a, b) => a.label - b.label || compare(a.path, b.path));
  const counts = classNames.map((className, label) => {
    const count = (name: SplitName): number => out[name].filter((entry) => entry.label === label).length;
    return { className, train: count('train'), val: count('val'), test: count('test') };
  });
  return {
    format: SPLIT_FORMAT,
    fingerprint,
    seed,
    fractions:
      source === 'given' ? { val: 0, test: 0 } : source === 'given+val' ? { val: fractions.val, test: 0 } : fractions,
    source,
    classNames: [...classNames],
    counts,
    warnings,
    ...out,
  };
}

function drawClass(
  items: readonly SplitEntry[],
  className: string,
  fractions: { val: number; test: number },
  key: { fingerprint: string; seed: number },
  out: Record<SplitName, SplitEntry[]>,
  warnings: string[],
): void {
  const n = items.length;
  if (n === 0) {
    warnings.push(`Class "${className}" has no usable images.`);
    return;
  }
  if (n === 1) {
    warnings.push(`Class "${className}" has only 1 image: it is used for training and cannot be validated.`);
    out.train.push({ path: items[0]!.path, label: items[0]!.label });
    return;
  }
  let val = Math.max(1, Math.round(n * fractions.val));
  let test = fractions.test > 0 ? Math.max(n >= 3 ? 1 : 0, Math.round(n * fractions.test)) : 0;
  while (val + test > n - 1) {
    if (test > 0) test--;
    else val--;
  }
  if (fractions.test > 0 && test === 0)
    warnings.push(`Class "${className}" has only ${n} images: none is left for the test set.`);
  const order = shuffleInPlace(
    items.map((item) => ({ path: item.path, label: item.label })),
    randomFrom('split', key.fingerprint, key.seed, className),
  );
  order.forEach((entry, i) => (i < val ? out.val : i < val + test ? out.test : out.train).push(entry));
}

function checkFractions(val: number, test: number): { val: number; test: number } {
  if (!Number.isFinite(val) || val < 0.01 || val > 0.9) {
    throw new LabError('SPLIT_INVALID', `The validation fraction must be between 0.01 and 0.9; got ${val}.`);
  }
  if (!Number.isFinite(test) || test < 0 || test > 0.9) {
    throw new LabError('SPLIT_INVALID', `The test fraction must be between 0 and 0.9; got ${test}.`);
  }
  if (val + test > 1 - MIN_TRAIN_FRACTION + 1e-9) {
    throw new LabError(
      'SPLIT_INVALID',
      `Validation (${val}) and test (${test}) together must leave at least ${MIN_TRAIN_FRACTION * 100}% for training.`,
    );
  }
  return { val, test };
}

function checkFingerprint(fingerprint: string): void {
  // It becomes part of a file name.
  if (!/^[A-Za-z0-9_.-]{1,128}$/.test(fingerprint) || fingerprint.startsWith('.')) {
    throw new LabError(
      'SPLIT_INVALID',
      `The dataset fingerprint "${fingerprint}" is not a plain name (letters, digits, - _ .).`,
    );
  }
}

function relativePath(root: string, path: string): string {
  const rel = relative(root, path);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    throw new LabError('SPLIT_INVALID', `Image ${path} is not inside the dataset folder ${root}.`);
  }
  return sep === '/' ? rel : rel.split(sep).join('/');
}

/** Code-unit order: the same on every platform and locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The stored file's name part after the fingerprint and seed, e.g. `val0.2-test0`, `given`, `given-val0.2`. */
function fractionsTag(split: Pick<DatasetSplit, 'source' | 'fractions'>): string {
  if (split.source === 'given') return 'given';
  if (split.source === 'given+val') return `given-val${split.fractions.val}`;
  return `val${split.fractions.val}-test${split.fractions.test}`;
}

/** `DATA_DIR/splits/<fingerprint>-<seed>-<fractions>.json`. */
export function splitFile(
  dataDir: string,
  split: Pick<DatasetSplit, 'fingerprint' | 'seed' | 'source' | 'fractions'>,
): string {
  checkFingerprint(split.fingerprint);
  return join(dataDir, 'splits', `${split.fingerprint}-${split.seed}-${fractionsTag(split)}.json`);
}

function serialise(split: DatasetSplit): string {
  return `${JSON.stringify(split, null, 1)}\n`;
}

/**
 * Writes the split atomically and returns its file. An identical file already there is kept;
 * a different one is never replaced (`SPLIT_CONFLICT`).
 */
export async function saveSplit(dataDir: string, split: DatasetSplit): Promise<string> {
  const file = splitFile(dataDir, split);
  const text = serialise(split);
  const existing = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw new LabError('FILE_UNREADABLE', `Cannot read ${file}: ${error.message}. Check its permissions.`);
  });
  if (existing === text) return file;
  if (existing !== undefined) {
    throw new LabError(
      'SPLIT_CONFLICT',
      `A different split is already stored in ${file}; it was kept. Delete it to draw the split again (runs that used it will no longer be reproducible).`,
    );
  }
  await writeFileAtomic(file, text);
  return file;
}

/** Reads a stored split; `undefined` when there is none. A damaged file is a `SPLIT_CORRUPT` error naming it. */
export async function loadSplit(file: string): Promise<DatasetSplit | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new LabError('FILE_UNREADABLE', `Cannot read ${file}: ${(error as Error).message}. Check its permissions.`);
  }
  let problem: string;
  try {
    const parsed = splitSchema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data as DatasetSplit;
    const issue = parsed.error.issues[0];
    problem = `field "${issue?.path.join('.') ?? '?'}": ${issue?.message ?? 'invalid'}`;
  } catch (error) {
    problem = `not valid JSON (${(error as Error).message})`;
  }
  throw new LabError(
    'SPLIT_CORRUPT',
    `The stored split ${file} is damaged (${problem}). Delete it to draw the split again.`,
  );
}

/**
 * The split every run on this dataset + seed + fractions uses: the stored one when there is
 * one, else computed and stored. A stored split that does not list exactly the given images
 * (same paths, same labels) is a `SPLIT_MISMATCH` error: it is never silently redrawn.
 */
export async function prepareSplit(
  dataDir: string,
  request: SplitRequest,
): Promise<{ split: DatasetSplit; file: string }> {
  const fresh = computeSplit(request);
  const file = splitFile(dataDir, fresh);
  const stored = await loadSplit(file);
  if (!stored) return { split: fresh, file: await saveSplit(dataDir, fresh) };
  const key = (e: SplitEntry): string => `${e.label}\u0000${e.path}`;
  const want = new Set([...fresh.train, ...fresh.val, ...fresh.test].map(key));
  const have = [...stored.train, ...stored.val, ...stored.test].map(key);
  const same =
    have.length === want.size &&
    have.every((k) => want.has(k)) &&
    stored.classNames.length === fresh.classNames.length &&
    stored.classNames.every((name, i) => name === fresh.classNames[i]);
  if (!same) {
    throw new LabError(
      'SPLIT_MISMATCH',
      `The split stored in ${file} lists other images or classes than the dataset has now. Delete it to draw the split again.`,
    );
  }
  return { split: stored, file };
}

/** The split's images with absolute paths under `root`, ready for `createPipeline`. */
export function splitImages(split: DatasetSplit, root: string): Record<SplitName, LabelledImage[]> {
  const toImage = (entry: SplitEntry, name: SplitName): LabelledImage => ({
    path: join(root, ...entry.path.split('/')),
    label: entry.label,
    className: split.classNames[entry.label] ?? String(entry.label),
    split: name,
  });
  return {
    train: split.train.map((e) => toImage(e, 'train')),
    val: split.val.map((e) => toImage(e, 'val')),
    test: split.test.map((e) => toImage(e, 'test')),
  };
}
