import { LabError } from '../errors';

export type SplitName = 'train' | 'val' | 'test';
export const splitNames = ['train', 'val', 'test'] as const satisfies readonly SplitName[];

/**
 * One usable image of a dataset, as the scanner hands it to the split and the pipeline.
 * `label` is the index of `className` in the dataset's `classNames`.
 */
export interface LabelledImage {
  /** Absolute path. */
  path: string;
  label: number;
  className: string;
  /** Set when the folder layout gives the split (`root/{train,val,test}/<class>/…`). */
  split?: SplitName;
}

/**
 * Checks that every label is an integer index into `classNames` and names the same class as
 * `className`, so a one-hot vector can never point at the wrong class. Throws `LABEL_INVALID`.
 */
export function checkLabels(images: readonly LabelledImage[], classNames: readonly string[]): void {
  if (classNames.length === 0)
    throw new LabError('LABEL_INVALID', 'The dataset has no classes: add one folder per class.');
  for (const image of images) {
    const { label } = image;
    if (!Number.isInteger(label) || label < 0 || label >= classNames.length) {
      throw new LabError(
        'LABEL_INVALID',
        `Image ${image.path} has label ${label}, but the dataset has ${classNames.length} classes (labels 0–${classNames.length - 1}). Scan the dataset again.`,
      );
    }
    if (classNames[label] !== image.className) {
      throw new LabError(
        'LABEL_INVALID',
        `Image ${image.path} is in class "${image.className}" but its label ${label} is class "${classNames[label]}". Scan the dataset again.`,
      );
    }
  }
}
