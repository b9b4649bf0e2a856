import type { LabelledImage } from '../labelled-image';
import { scanDatasetImages, type ScannedDataset } from '../scan/scan';

/** What training needs of a dataset: its usable images with labels, and a fingerprint of their contents. */
export interface DatasetIndex {
  root: string;
  classNames: string[];
  images: LabelledImage[];
  fingerprint: string;
}

export function toIndex(dataset: ScannedDataset): DatasetIndex {
  return { root: dataset.report.root, classNames: dataset.classNames, images: dataset.images, fingerprint: dataset.report.fingerprint };
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
