import type { LabelledImage } from '../labelled-image';
import { scanDatasetImages, type ScannedDataset } from '../scan/scan';
import type { FileFacts } from '../dataset-changes';
import type { DatasetProblem, ScanReport } from '../scan/report';

/** A class folder training leaves out, and why, in words. */
export interface ExcludedClass {
  name: string;
  reason: string;
}

/** What training needs of a dataset: its usable images with labels, and a fingerprint of their contents. */
export interface DatasetIndex {
  root: string;
  /** The classes with at least one usable image, sorted by name: `label` is the index in this list. */
  classNames: string[];
  images: LabelledImage[];
  fingerprint: string;
  /** Class folders without a usable image: never a model output (an untrainable class only inflates top-5). */
  excludedClasses: ExcludedClass[];
  /** Path, size and content hash of every usable image: what the fingerprint covers. */
  files?: readonly FileFacts[];
}

/** The problems found inside a class's folder(s): `<class>/…` or, in the splits layout, `<split>/<class>/…`. */
function problemsOf(className: string, report: Pick<ScanReport, 'layout' | 'problems'>): DatasetProblem[] {
  const depth = report.layout === 'splits' ? 1 : 0;
  return report.problems.filter(
    (problem) => problem.path.split('/')[depth] === className && problem.path.split('/').length > depth + 1,
  );
}

/** Why a class has no usable image, from the scan's problems in its folder. */
export function exclusionReason(className: string, report: Pick<ScanReport, 'layout' | 'problems'>): string {
  const problems = problemsOf(className, report);
  if (problems.length === 0) return 'no image files';
  return `no usable images (${problems.length === 1 ? '1 file' : `${problems.length} files`} with problems)`;
}

/** `Left out of training: "empty" (no image files), "bad" (no usable images (3 files with problems)).` */
export function excludedClassesText(excluded: readonly ExcludedClass[]): string {
  return `Left out of training, so not a class of the model: ${excluded.map((c) => `"${c.name}" (${c.reason})`).join(', ')}.`;
}

/**
 * The training view of a scan: exactly the classes with usable images (the health report's
 * "Training uses the N classes with usable images"), relabelled 0…N-1 in name order, and the
 * class folders left out with the reason.
 */
export function toIndex(dataset: ScannedDataset): DatasetIndex {
  const { report } = dataset;
  const counts = new Map<string, number>();
  for (const image of dataset.images) counts.set(image.className, (counts.get(image.className) ?? 0) + 1);
  const classNames = dataset.classNames.filter((name) => (counts.get(name) ?? 0) > 0);
  const excludedClasses = dataset.classNames
    .filter((name) => !counts.has(name))
    .map((name) => ({ name, reason: exclusionReason(name, report) }));
  const labelOf = new Map(classNames.map((name, label) => [name, label]));
  const images =
    excludedClasses.length === 0
      ? dataset.images
      : dataset.images.map((image) => ({ ...image, label: labelOf.get(image.className)! }));
  return {
    root: report.root,
    classNames,
    images,
    fingerprint: report.fingerprint,
    excludedClasses,
    files: dataset.images,
  };
}

/**
 * The index labelled by a run's own class list. Runs trained before empty class folders were
 * left out have them in their list (and in their stored split), so resuming or evaluating them
 * must keep those labels. `undefined` when the dataset has a class the list lacks (then its
 * fingerprint differs too, and the caller says the dataset changed).
 */
export function indexForClasses(index: DatasetIndex, classNames: readonly string[]): DatasetIndex | undefined {
  if (classNames.length === index.classNames.length && classNames.every((name, i) => name === index.classNames[i]))
    return index;
  const labelOf = new Map(classNames.map((name, label) => [name, label]));
  if (!index.classNames.every((name) => labelOf.has(name))) return undefined;
  const images = index.images.map((image) => ({ ...image, label: labelOf.get(image.className)! }));
  return { ...index, classNames: [...classNames], images, excludedClasses: [] };
}

/**
 * A header-level scan (format, size, structure of every file; no full decode) for training.
 * For a clean dataset its images and fingerprint equal the health report's; a file damaged
 * inside its pixel data passes here (the full scan reports it) and is skipped by the pipeline,
 * with a line in the run's log.
 */
export async function indexDataset(root: string): Promise<DatasetIndex> {
  return toIndex(await scanDatasetImages(root, { validate: 'headers' }));
}
