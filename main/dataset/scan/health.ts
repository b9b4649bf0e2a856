/**
 * Dataset-level findings from the usable images: class warnings, the size distribution,
 * exact duplicates and the fingerprint. Pure functions of the scanned list.
 */
import { createHash } from 'node:crypto';
import type { SplitName } from '../labelled-image';
import { compareCodePoints } from '../order';
import type { DatasetLayout, DuplicateGroup, ImageSize, ScannedClass, SizeDistribution } from './report';

/** A usable image as the report needs it. */
export interface UsableImage {
  /** Relative to the root, `/`-separated. */
  rel: string;
  className: string;
  split?: SplitName;
  bytes: number;
  /** SHA-256 hex of the content. */
  hash: string;
  width: number;
  height: number;
}

/** Largest / smallest class above this is called imbalanced. */
export const IMBALANCE_RATIO = 3;
/** Example paths quoted in a warning. */
const EXAMPLES = 3;

const plural = (n: number, one: string, many = `${one}s`): string =>
  `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
const quote = (name: string): string => JSON.stringify(name);

/**
 * Empty classes, classes too small to split, imbalance, and (splits layout) a class folder a
 * split lacks or holds empty. `splits` lists the split folders present, in the order to name them.
 */
export function classWarnings(
  classes: readonly ScannedClass[],
  layout: DatasetLayout,
  splitFolders: ReadonlyMap<SplitName, ReadonlySet<string>>,
): string[] {
  const warnings: string[] = [];
  for (const { name, images } of classes) {
    if (images === 0) warnings.push(`Class ${quote(name)} has no usable images.`);
    else if (images < 2)
      warnings.push(`Class ${quote(name)} has only 1 usable image: it cannot be split into training and validation.`);
  }
  const counted = classes.filter((c) => c.images > 0);
  if (counted.length >= 2) {
    const largest = counted.reduce((a, b) => (b.images > a.images ? b : a));
    const smallest = counted.reduce((a, b) => (b.images < a.images ? b : a));
    const ratio = largest.images / smallest.images;
    if (ratio > IMBALANCE_RATIO) {
      warnings.push(
        `Classes are imbalanced: ${quote(largest.name)} has ${plural(largest.images, 'image')}, ${quote(smallest.name)} only ${smallest.images.toLocaleString('en-US')} (${ratio.toFixed(1)}×); consider class weights or more images of the small classes.`,
      );
    }
  }
  if (layout === 'splits') {
    const present = [...splitFolders.keys()];
    for (const { name } of classes) {
      const holders = present.filter((split) => splitFolders.get(split)!.has(name));
      for (const split of present) {
        if (!holders.includes(split))
          warnings.push(
            `Split ${quote(split)} has no folder for class ${quote(name)} (${holders.join(', ')} ${holders.length === 1 ? 'has' : 'have'} one).`,
          );
      }
    }
    for (const c of classes) {
      for (const split of present) {
        if (splitFolders.get(split)!.has(c.name) && c.images > 0 && (c[split] ?? 0) === 0) {
          warnings.push(`Class ${quote(c.name)} has no usable images in ${quote(split)}.`);
        }
      }
    }
  }
  return warnings;
}

/** min / median / max by pixel area, ties by width (see `SizeDistribution`); `null` when empty. */
export function sizeDistribution(images: readonly { width: number; height: number }[]): SizeDistribution | null {
  if (images.length === 0) return null;
  const sorted = images.map(({ width, height }): ImageSize => ({ width, height }));
  sorted.sort((a, b) => a.width * a.height - b.width * b.height || a.width - b.width);
  return { min: sorted[0]!, median: sorted[(sorted.length - 1) >> 1]!, max: sorted[sorted.length - 1]! };
}

/** Groups of usable images with the same content hash (and size), sorted by first path. */
export function duplicateGroups(images: readonly UsableImage[]): DuplicateGroup[] {
  const byHash = new Map<string, UsableImage[]>();
  for (const image of images) {
    const key = `${image.hash}:${image.bytes}`;
    const group = byHash.get(key);
    if (group) group.push(image);
    else byHash.set(key, [image]);
  }
  const groups: DuplicateGroup[] = [];
  for (const members of byHash.values()) {
    if (members.length < 2) continue;
    members.sort((a, b) => compareCodePoints(a.rel, b.rel));
    const classes = [...new Set(members.map((m) => m.className))].sort(compareCodePoints);
    groups.push({ paths: members.map((m) => m.rel), classes, bytes: members[0]!.bytes });
  }
  return groups.sort((a, b) => compareCodePoints(a.paths[0]!, b.paths[0]!));
}

const classOf = (images: readonly UsableImage[]): Map<string, string> =>
  new Map(images.map((image) => [image.rel, image.className]));
/** Class and split: copies in one class but different splits are leaks, not waste. */
const placeOf = (images: readonly UsableImage[]): Map<string, string> =>
  new Map(images.map((image) => [image.rel, `${image.className}\0${image.split ?? ''}`]));

/**
 * Duplicates in words: within one class (wasted, and they weigh twice), across classes (one
 * image with two labels), and across splits (validation sees training images: optimistic scores).
 * A group can be all three: three copies, two in "cat" and one in "dog", count in each.
 */
export function duplicateWarnings(groups: readonly DuplicateGroup[], images: readonly UsableImage[]): string[] {
  const warnings: string[] = [];
  const classes = classOf(images);
  const places = placeOf(images);
  // Within a class (and split): copies beyond the first, and a same-class pair as the example.
  let extra = 0;
  const withinExamples: string[] = [];
  let withinGroups = 0;
  for (const group of groups) {
    const byClass = new Map<string, string[]>();
    for (const path of group.paths) {
      const place = places.get(path) ?? '';
      byClass.set(place, [...(byClass.get(place) ?? []), path]);
    }
    const repeated = [...byClass.values()].filter((paths) => paths.length > 1);
    if (repeated.length === 0) continue;
    withinGroups++;
    extra += repeated.reduce((n, paths) => n + paths.length - 1, 0);
    if (withinExamples.length < EXAMPLES) withinExamples.push(repeated[0]!.slice(0, 2).join(' = '));
  }
  if (withinGroups > 0) {
    warnings.push(
      `${plural(extra, 'file is an exact copy', 'files are exact copies')} of another image in the same class (${plural(withinGroups, 'group')}), e.g. ${withinExamples.join('; ')}.`,
    );
  }
  const across = groups.filter((g) => g.classes.length > 1);
  if (across.length > 0) {
    // Example: the first copy in each of two classes.
    const pairs = across.slice(0, EXAMPLES).map((group) => {
      const firsts = new Map<string, string>();
      for (const path of group.paths)
        if (!firsts.has(classes.get(path) ?? '')) firsts.set(classes.get(path) ?? '', path);
      return [...firsts.values()].slice(0, 2).join(' = ');
    });
    warnings.push(
      `${plural(across.length, 'image has', 'images have')} exact copies in more than one class (the same picture with different labels), e.g. ${pairs.join('; ')}.`,
    );
  }
  if (images.some((image) => image.split !== undefined)) {
    const splitOf = new Map(images.map((image) => [image.rel, image.split]));
    const leaking = groups.filter((g) => new Set(g.paths.map((p) => splitOf.get(p))).size > 1);
    if (leaking.length > 0) {
      warnings.push(
        `${plural(leaking.length, 'image has', 'images have')} exact copies in more than one split, so validation or test scores will look better than they are, e.g. ${examples(leaking)}.`,
      );
    }
  }
  return warnings;
}

const examples = (groups: readonly DuplicateGroup[]): string =>
  groups
    .slice(0, EXAMPLES)
    .map((group) => group.paths.slice(0, 2).join(' = '))
    .join('; ');

/** SHA-256 (hex) of the sorted (path, size, content hash) lines of the usable images. */
export function datasetFingerprint(images: readonly Pick<UsableImage, 'rel' | 'bytes' | 'hash'>[]): string {
  const sorted = [...images].sort((a, b) => compareCodePoints(a.rel, b.rel));
  const hash = createHash('sha256');
  for (const image of sorted) hash.update(`${image.rel}\0${image.bytes}\0${image.hash}\n`);
  return hash.digest('hex');
}
