/**
 * How the Datasets page words and groups what the scanner reports: sizes, counts, problem
 * groups, warning kinds, scan progress, folder breadcrumbs, augmentation ranges. Pure, no DOM:
 * unit-tested in test/renderer/dataset-view.test.ts.
 */
import {
  augmentRanges as engineRanges,
  defaultAugmentation,
  noAugmentation,
  previewSizeRange,
  type AugmentRangeField,
} from '../../../../main/dataset/image/augment-ranges';
import { formatCount } from '../../../../main/format';
import type {
  AugmentSettings,
  DatasetLayout,
  DatasetProblem,
  FolderListing,
  ImageSize,
  ScanProgress,
  ScanReport,
} from '../../../../main/contract';

/** Thumbnails fetched per class at a time. */
export const thumbnailPageSize = 24;
/** Variants in the augmentation preview grid. */
export const previewCount = 8;
/** The preview's default input size, in pixels. */
export const defaultPreviewSize = 64;
/** Paths shown of a problem or duplicate group before "Show all". */
export const collapsedPaths = 5;

export { defaultAugmentation, noAugmentation, previewSizeRange, type AugmentRangeField };

const bounds = (field: AugmentRangeField) => ({ min: engineRanges[field].min, max: engineRanges[field].max });

/** The numeric augmentation settings, their ranges (as the engine checks them) and how to show them. */
export const augmentRanges: readonly {
  field: AugmentRangeField;
  label: string;
  min: number;
  max: number;
  step: number;
  help: string;
}[] = [
  {
    field: 'rotation',
    label: 'Rotation ± degrees',
    ...bounds('rotation'),
    step: 1,
    help: 'Each image turns by up to this angle either way.',
  },
  {
    field: 'zoom',
    label: 'Zoom',
    ...bounds('zoom'),
    step: 0.05,
    help: 'A random crop keeps at least 1 − zoom of the image, scaled back up.',
  },
  {
    field: 'brightness',
    label: 'Brightness',
    ...bounds('brightness'),
    step: 0.05,
    help: 'Adds up to ± this fraction of full scale.',
  },
  {
    field: 'contrast',
    label: 'Contrast',
    ...bounds('contrast'),
    step: 0.05,
    help: 'Scales each channel about its mean by 1 ± this.',
  },
  {
    field: 'noise',
    label: 'Noise',
    ...bounds('noise'),
    step: 0.01,
    help: 'Gaussian noise; σ as a fraction of full scale (0 = off).',
  },
];

export { formatCount };

/** "1 image", "3 images", "1,200 images". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/**
 * Bytes in megabytes (10⁶ bytes), one decimal below 100 MB: "0 MB", "< 0.1 MB", "4.2 MB",
 * "1,536 MB".
 */
export function formatMegabytes(bytes: number): string {
  if (!(bytes > 0)) return '0 MB';
  const mb = bytes / 1e6;
  if (mb < 0.05) return '< 0.1 MB';
  if (mb < 100) return `${mb.toFixed(1)} MB`;
  return `${formatCount(mb)} MB`;
}

/** A file's size for a duplicate group: "512 bytes", "3.4 kB", "2.1 MB". */
export function formatFileSize(bytes: number): string {
  if (bytes < 1000) return plural(bytes, 'byte');
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** `{ width: 28, height: 28 }` → "28×28". */
export function formatDimensions(size: ImageSize): string {
  return `${size.width}×${size.height}`;
}

export function layoutLabel(layout: DatasetLayout): string {
  return layout === 'splits' ? 'train / val / test folders' : 'one folder per class';
}

/** Formats by count, most first: "PNG 12 · JPEG 3". */
export function formatFormats(formats: Record<string, number>): string {
  const entries = Object.entries(formats).filter(([, n]) => n > 0);
  if (entries.length === 0) return 'none';
  entries.sort(([a, m], [b, n]) => n - m || compareText(a, b));
  return entries.map(([name, n]) => `${name} ${formatCount(n)}`).join(' · ');
}

/** Sizes in one phrase: "8×8 smallest · 9×8 median · 11×8 largest". */
export function formatSizeRange(sizes: ScanReport['sizes']): string {
  if (!sizes) return 'no usable image';
  return `${formatDimensions(sizes.min)} smallest · ${formatDimensions(sizes.median)} median · ${formatDimensions(sizes.max)} largest`;
}

/** Code-point order, as the scanner sorts names (not locale order). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface ProblemGroup {
  reason: string;
  /** Sorted. */
  paths: string[];
}

/** Problems grouped by their reason, the largest group first (then by reason), paths sorted. */
export function groupProblems(problems: readonly DatasetProblem[]): ProblemGroup[] {
  const byReason = new Map<string, string[]>();
  for (const { path, reason } of problems) {
    const paths = byReason.get(reason);
    if (paths) paths.push(path);
    else byReason.set(reason, [path]);
  }
  return [...byReason]
    .map(([reason, paths]) => ({ reason, paths: paths.sort(compareText) }))
    .sort((a, b) => b.paths.length - a.paths.length || compareText(a.reason, b.reason));
}

/** The paths of a group to show: all of them, or the first few while collapsed. */
export function visiblePaths<T>(
  paths: readonly T[],
  expanded: boolean,
  limit = collapsedPaths,
): { shown: readonly T[]; hidden: number } {
  // Hiding a single path saves nothing: collapse only when at least two would be hidden.
  if (expanded || paths.length <= limit + 1) return { shown: paths, hidden: 0 };
  return { shown: paths.slice(0, limit), hidden: paths.length - limit };
}

export type WarningKind = 'empty class' | 'small class' | 'imbalance' | 'duplicates' | 'split mismatch' | 'note';

/**
 * What a scanner warning (main/dataset/health.ts) is about, from its wording. Anchored on the
 * sentence shapes, so a class name inside a warning ("imbalanced", "copies") cannot mislead it.
 */
export function warningKind(warning: string): WarningKind {
  if (
    /^Split ".*" has no folder for class "/.test(warning) ||
    /^Class ".*" has no usable images in "[^"]*"\.$/.test(warning)
  )
    return 'split mismatch';
  if (/^Class ".*" has no usable images\.$/.test(warning)) return 'empty class';
  if (/^Class ".*" has only 1 usable image:/.test(warning)) return 'small class';
  if (/^Classes are imbalanced:/.test(warning)) return 'imbalance';
  if (/^[\d,]+ (file is an exact copy|files are exact copies|images? ha(s|ve) exact copies)/.test(warning))
    return 'duplicates';
  return 'note';
}

/** Reading progress as a fraction; `null` while listing, when the total still grows. */
export function scanFraction(progress: ScanProgress | null): number | null {
  if (!progress || progress.phase !== 'reading' || progress.total <= 0) return null;
  return Math.min(1, Math.max(0, progress.done / progress.total));
}

/** "Listing folders: 3 of 5 found so far" / "Reading files: 120 of 3,000". */
export function scanPhaseText(progress: ScanProgress | null): string {
  if (!progress) return 'Starting the scan…';
  if (progress.phase === 'listing')
    return `Listing folders: ${formatCount(progress.done)} of ${formatCount(progress.total)} found so far`;
  return `Reading files: ${formatCount(progress.done)} of ${formatCount(progress.total)}`;
}

/** The summary line of a finished scan, for the page's live region. */
export function scanSummary(report: ScanReport): string {
  return `${plural(report.classes.length, 'class', 'classes')}, ${plural(report.images, 'usable image')}, ${plural(report.problems.length, 'problem')}.`;
}

const isWindowsPath = (path: string): boolean => /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\\\');

/** An absolute path on POSIX (`/…`) or Windows (`C:\…`, `\\server\share`). */
export function isAbsolutePath(path: string): boolean {
  return path.startsWith('/') || isWindowsPath(path);
}

/** The last part of a path: "/data/cats" → "cats", "C:\\data\\" → "data", "/" → "/". */
export function folderName(path: string): string {
  const trimmed = path.replace(/[\\/]+$/, '');
  if (trimmed === '') return path.slice(0, 1) || path;
  const parts = trimmed.split(isWindowsPath(path) ? /[\\/]/ : '/');
  return parts[parts.length - 1] || trimmed;
}

export interface Crumb {
  name: string;
  path: string;
}

/**
 * The folders from the root down to `path`, each with its own absolute path:
 * "/tmp/a" → "/", "tmp", "a"; "C:\\Users\\x" → "C:\\", "Users", "x".
 */
export function breadcrumbs(path: string): Crumb[] {
  if (isWindowsPath(path)) {
    const unc = /^\\\\[^\\/]+[\\/][^\\/]+[\\/]?/.exec(path);
    const rootText = unc ? unc[0] : path.slice(0, 3);
    const root = rootText.replace(/\//g, '\\').replace(/\\?$/, '\\');
    const crumbs: Crumb[] = [{ name: root, path: root }];
    let current = root;
    for (const part of path.slice(rootText.length).split(/[\\/]/).filter(Boolean)) {
      current = current.endsWith('\\') ? `${current}${part}` : `${current}\\${part}`;
      crumbs.push({ name: part, path: current });
    }
    return crumbs;
  }
  const crumbs: Crumb[] = [{ name: '/', path: '/' }];
  let current = '';
  for (const part of path.split('/').filter(Boolean)) {
    current = `${current}/${part}`;
    crumbs.push({ name: part, path: current });
  }
  return crumbs;
}

/**
 * A folder that holds images directly is probably one class, not the dataset: suggest its
 * parent (the folder that would hold all the class folders).
 */
export function classFolderHint(listing: FolderListing): { parent: string; parentName: string; images: number } | null {
  if (listing.imageFiles === 0 || !listing.parent) return null;
  return { parent: listing.parent, parentName: folderName(listing.parent), images: listing.imageFiles };
}

/** "just now", "5 min ago", "3 h ago", "yesterday", "4 days ago", or the date. */
export function formatOpenedAt(iso: string, now: Date = new Date()): string {
  const then = new Date(iso);
  const ms = now.getTime() - then.getTime();
  if (Number.isNaN(ms)) return 'at an unknown time';
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.floor(hours / 24);
  if (days === 1) return 'yesterday';
  if (days < 7) return `${days} days ago`;
  return `on ${then.toISOString().slice(0, 10)}`;
}

/** A preview size as typed: a whole number of pixels in range, or why not. */
export function parsePreviewSize(text: string): { ok: true; size: number } | { ok: false; message: string } {
  const { min, max } = previewSizeRange;
  const size = Number(text.trim());
  if (text.trim() === '' || !Number.isInteger(size) || size < min || size > max) {
    return { ok: false, message: `Enter a whole number of pixels from ${min} to ${max}.` };
  }
  return { ok: true, size };
}

/** A numeric augmentation value brought into its range (a typed number can be anything). */
export function clampAugment(field: AugmentRangeField, value: number): number {
  const range = augmentRanges.find((r) => r.field === field);
  if (!range || !Number.isFinite(value)) return range?.min ?? 0;
  return Math.min(range.max, Math.max(range.min, value));
}

/** The settings change nothing (training would see the plain resized images). */
export function isNoAugmentation(settings: AugmentSettings): boolean {
  return !settings.flip && augmentRanges.every(({ field }) => settings[field] === 0);
}

/** A value as the control shows it: rotation whole degrees, fractions with two decimals. */
export function formatAugmentValue(field: AugmentRangeField, value: number): string {
  return field === 'rotation' ? `±${Math.round(value)}°` : value.toFixed(2);
}

let scanCounter = 0;

/** A scan id unique in this page's session (the engine accepts 1–100 characters). */
export function newScanId(now: number = Date.now()): string {
  scanCounter += 1;
  return `scan-${now.toString(36)}-${scanCounter}`;
}

/** Pixels for the horizontal bar chart: one bar row per class, within sensible bounds. */
export function chartHeight(classes: number): number {
  return Math.min(640, Math.max(120, 28 * classes + 56));
}
