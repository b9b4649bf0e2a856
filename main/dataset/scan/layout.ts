/**
 * Which folders are classes.
 *
 * - `folders` (Keras `image_dataset_from_directory`): every folder of the root is a class;
 *   images anywhere below it, in nested folders too, belong to it.
 * - `splits`: the root holds `train` and at least one of `val`, `validation`, `test`
 *   (or `train` alone); each holds one folder per class, used as given. Folder names match
 *   without regard to case; `val` and `validation` are the same split. Other root folders are
 *   not used (reported). A root with `train` next to ordinary class folders is the `folders`
 *   layout: `train` is then a class (a vehicle, say).
 */
import type { SplitName } from '../labelled-image';
import type { DatasetLayout } from './report';

const SPLIT_FOLDERS: Record<string, SplitName> = { train: 'train', val: 'val', validation: 'val', test: 'test' };

/** The split a root folder named `name` holds, if it is one. */
export const splitOfFolder = (name: string): SplitName | undefined =>
  Object.hasOwn(SPLIT_FOLDERS, name.toLowerCase()) ? SPLIT_FOLDERS[name.toLowerCase()] : undefined;

export interface LayoutDecision {
  layout: DatasetLayout;
  /** `splits` layout: each split folder's name → its split. */
  splits: Map<string, SplitName>;
  /** `splits` layout: root folders that are not splits (not used). */
  others: string[];
}

/** Decides the layout from the names of the root's (non-ignored) folders. */
export function decideLayout(folders: readonly string[]): LayoutDecision {
  const splits = new Map<string, SplitName>();
  for (const name of folders) {
    const split = splitOfFolder(name);
    if (split) splits.set(name, split);
  }
  const kinds = new Set(splits.values());
  const isSplits = kinds.has('train') && (kinds.size > 1 || folders.length === splits.size);
  if (!isSplits) return { layout: 'folders', splits: new Map(), others: [] };
  return { layout: 'splits', splits, others: folders.filter((name) => !splits.has(name)) };
}
