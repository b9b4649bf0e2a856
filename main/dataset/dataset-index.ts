import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { LabError } from '../errors';
import type { LabelledImage, SplitName } from './labelled-image';

/** What training needs of a dataset: its images with labels, and a fingerprint of their contents. */
export interface DatasetIndex {
  root: string;
  classNames: string[];
  images: LabelledImage[];
  fingerprint: string;
}

const imageName = /\.(png|jpe?g|webp|gif|tiff?|avif)$/i;
const ignoredName = (name: string): boolean => name.startsWith('.') || name === '__MACOSX' || name === 'Thumbs.db';
const splitFolders: Record<string, SplitName> = { train: 'train', val: 'val', validation: 'val', test: 'test' };

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (ignoredName(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else if (entry.isFile() && imageName.test(entry.name)) out.push(path);
  }
  return out;
}

async function classFolders(dir: string): Promise<string[]> {
  return (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isDirectory() && !ignoredName(e.name))
    .map((e) => e.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Lists a dataset folder for training: `root/<class>/**` or `root/{train,val|validation,test}/<class>/**`.
 * The fingerprint hashes every image's relative path and bytes, so the same images give the
 * same split wherever the folder lives. Files that turn out not to decode are skipped by the
 * pipeline and logged.
 */
export async function indexDataset(root: string): Promise<DatasetIndex> {
  const info = await stat(root).catch(() => undefined);
  if (!info) throw new LabError('DATASET_NOT_FOUND', `${root} does not exist: pick the dataset folder.`);
  if (!info.isDirectory()) throw new LabError('NOT_A_FOLDER', `${root} is a file: pick the folder that holds one sub-folder per class.`);
  const top = await classFolders(root);
  const splits = top.filter((name) => name.toLowerCase() in splitFolders);
  const layout = splits.length > 0 && splits.length === top.length ? 'splits' : 'folders';
  const found: { path: string; className: string; split?: SplitName }[] = [];
  if (layout === 'splits') {
    for (const folder of splits) {
      for (const className of await classFolders(join(root, folder))) {
        for (const path of await filesUnder(join(root, folder, className))) {
          found.push({ path, className, split: splitFolders[folder.toLowerCase()]! });
        }
      }
    }
  } else {
    for (const className of top) for (const path of await filesUnder(join(root, className))) found.push({ path, className });
  }
  const classNames = [...new Set(found.map((f) => f.className))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (classNames.length === 0) {
    throw new LabError('NO_CLASSES', `${root} has no class folders with images: put each class's images in its own sub-folder.`);
  }
  found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const fingerprint = createHash('sha256');
  const hashes = await mapLimited(found, 16, async (f) => createHash('sha256').update(await readFile(f.path)).digest('hex'));
  found.forEach((f, i) => fingerprint.update(`${relative(root, f.path).split(sep).join('/')}\0${hashes[i]}\n`));
  return {
    root,
    classNames,
    images: found.map((f) => ({ path: f.path, className: f.className, label: classNames.indexOf(f.className), ...(f.split ? { split: f.split } : {}) })),
    fingerprint: fingerprint.digest('hex'),
  };
}

async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i]!);
      }
    }),
  );
  return results;
}
