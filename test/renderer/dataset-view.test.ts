import { describe, expect, it } from 'vitest';
import type { FolderListing, ScanReport } from '../../main/contract';
import {
  breadcrumbs,
  chartHeight,
  clampAugment,
  classFolderHint,
  defaultAugmentation,
  folderName,
  formatAugmentValue,
  formatCount,
  formatDimensions,
  formatFileSize,
  formatFormats,
  formatMegabytes,
  formatOpenedAt,
  formatSizeRange,
  groupProblems,
  isAbsolutePath,
  isNoAugmentation,
  layoutLabel,
  newScanId,
  noAugmentation,
  parsePreviewSize,
  plural,
  scanFraction,
  scanPhaseText,
  scanSummary,
  visiblePaths,
  warningKind,
} from '../../renderer/src/components/datasets/dataset-view';

describe('numbers and sizes', () => {
  it('counts with thousands separators and plurals', () => {
    expect(formatCount(60000)).toBe('60,000');
    expect(plural(1, 'image')).toBe('1 image');
    expect(plural(0, 'image')).toBe('0 images');
    expect(plural(1200, 'class', 'classes')).toBe('1,200 classes');
  });

  it('writes the cache size in megabytes (10⁶ bytes)', () => {
    expect(formatMegabytes(0)).toBe('0 MB');
    expect(formatMegabytes(-1)).toBe('0 MB');
    expect(formatMegabytes(12_000)).toBe('< 0.1 MB');
    expect(formatMegabytes(4_240_000)).toBe('4.2 MB');
    expect(formatMegabytes(99_940_000)).toBe('99.9 MB');
    expect(formatMegabytes(1_536_400_000)).toBe('1,536 MB');
  });

  it('writes a file size for a duplicate group', () => {
    expect(formatFileSize(1)).toBe('1 byte');
    expect(formatFileSize(512)).toBe('512 bytes');
    expect(formatFileSize(3_400)).toBe('3.4 kB');
    expect(formatFileSize(2_100_000)).toBe('2.1 MB');
  });

  it('writes image sizes as W×H, and the distribution in one phrase', () => {
    expect(formatDimensions({ width: 28, height: 14 })).toBe('28×14');
    expect(
      formatSizeRange({
        min: { width: 8, height: 8 },
        median: { width: 9, height: 8 },
        max: { width: 300, height: 200 },
      }),
    ).toBe('8×8 smallest · 9×8 median · 300×200 largest');
    expect(formatSizeRange(null)).toBe('no usable image');
  });

  it('lists formats most first, then by name', () => {
    expect(formatFormats({ PNG: 3, JPEG: 12, GIF: 3 })).toBe('JPEG 12 · GIF 3 · PNG 3');
    expect(formatFormats({})).toBe('none');
    expect(formatFormats({ PNG: 0 })).toBe('none');
  });

  it('names the layout', () => {
    expect(layoutLabel('folders')).toBe('one folder per class');
    expect(layoutLabel('splits')).toBe('train / val / test folders');
  });
});

describe('groupProblems', () => {
  it('groups by reason, the largest group first, paths sorted', () => {
    const groups = groupProblems([
      { path: 'dog/b.jpg', reason: 'truncated JPEG' },
      { path: 'cat/empty.png', reason: 'empty file' },
      { path: 'cat/a.jpg', reason: 'truncated JPEG' },
      { path: 'x.bmp', reason: 'unsupported format (BMP)' },
    ]);
    expect(groups).toEqual([
      { reason: 'truncated JPEG', paths: ['cat/a.jpg', 'dog/b.jpg'] },
      { reason: 'empty file', paths: ['cat/empty.png'] },
      { reason: 'unsupported format (BMP)', paths: ['x.bmp'] },
    ]);
  });

  it('keeps markup in reasons and paths as plain strings', () => {
    const [group] = groupProblems([{ path: '<img src=x onerror=alert(1)>/a.png', reason: 'empty file' }]);
    expect(group?.paths).toEqual(['<img src=x onerror=alert(1)>/a.png']);
  });

  it('returns nothing for no problems', () => {
    expect(groupProblems([])).toEqual([]);
  });
});

describe('visiblePaths', () => {
  const paths = Array.from({ length: 12 }, (_, i) => `p${i}`);

  it('collapses a long group to the first five', () => {
    expect(visiblePaths(paths, false)).toEqual({ shown: paths.slice(0, 5), hidden: 7 });
    expect(visiblePaths(paths, true)).toEqual({ shown: paths, hidden: 0 });
  });

  it('never hides a single path behind "show all"', () => {
    expect(visiblePaths(paths.slice(0, 6), false).hidden).toBe(0);
    expect(visiblePaths(paths.slice(0, 7), false).hidden).toBe(2);
  });
});

describe('warningKind', () => {
  // The scanner's wording (main/dataset/health.ts).
  it.each([
    ['Class "cats" has no usable images.', 'empty class'],
    ['Class "dogs" has only 1 usable image: it cannot be split into training and validation.', 'small class'],
    [
      'Classes are imbalanced: "a" has 40 images, "b" only 4 (10.0×); consider class weights or more images of the small classes.',
      'imbalance',
    ],
    [
      '2,988 files are exact copies of another image in the same class (4 groups), e.g. a/1.png = a/101.png.',
      'duplicates',
    ],
    ['Split "val" has no folder for class "bird" (train has one).', 'split mismatch'],
    ['Class "bird" has no usable images in "val".', 'split mismatch'],
    [
      '1 image has exact copies in more than one class (the same picture with different labels), e.g. a/1.png = b/1.png.',
      'duplicates',
    ],
    [
      '3 images have exact copies in more than one split, so validation or test scores will look better than they are, e.g. x.',
      'duplicates',
    ],
    ['Class "copies" has no usable images.', 'empty class'],
    ['Class "imbalanced" has only 1 usable image: it cannot be split into training and validation.', 'small class'],
    ['Something new.', 'note'],
  ])('%s → %s', (warning, kind) => {
    expect(warningKind(warning)).toBe(kind);
  });
});

describe('scan progress', () => {
  it('is indeterminate while listing, a fraction while reading', () => {
    expect(scanFraction(null)).toBeNull();
    expect(scanFraction({ phase: 'listing', done: 3, total: 5, images: 0, problems: 0 })).toBeNull();
    expect(scanFraction({ phase: 'reading', done: 30, total: 120, images: 29, problems: 1 })).toBe(0.25);
    expect(scanFraction({ phase: 'reading', done: 0, total: 0, images: 0, problems: 0 })).toBeNull();
  });

  it('says the phase with counts', () => {
    expect(scanPhaseText(null)).toBe('Starting the scan…');
    expect(scanPhaseText({ phase: 'listing', done: 3, total: 5, images: 0, problems: 0 })).toBe(
      'Listing folders: 3 of 5 found so far',
    );
    expect(scanPhaseText({ phase: 'reading', done: 1200, total: 3000, images: 1190, problems: 10 })).toBe(
      'Reading files: 1,200 of 3,000',
    );
  });

  it('sums up a finished scan', () => {
    const report = { classes: [{ name: 'a', images: 1 }], images: 1, problems: [] } as unknown as ScanReport;
    expect(scanSummary(report)).toBe('1 class, 1 usable image, 0 problems.');
  });

  it('makes scan ids the engine accepts, different each time', () => {
    const a = newScanId(1_700_000_000_000);
    const b = newScanId(1_700_000_000_000);
    expect(a).not.toBe(b);
    expect(a.length).toBeLessThanOrEqual(100);
  });
});

describe('paths and the folder browser', () => {
  it('knows absolute paths on POSIX and Windows', () => {
    expect(isAbsolutePath('/data/cats')).toBe(true);
    expect(isAbsolutePath('C:\\data')).toBe(true);
    expect(isAbsolutePath('c:/data')).toBe(true);
    expect(isAbsolutePath('\\\\server\\share')).toBe(true);
    expect(isAbsolutePath('data/cats')).toBe(false);
    expect(isAbsolutePath('~/data')).toBe(false);
  });

  it('names a folder by its last part', () => {
    expect(folderName('/data/cats')).toBe('cats');
    expect(folderName('/data/cats/')).toBe('cats');
    expect(folderName('/')).toBe('/');
    expect(folderName('C:\\data\\dogs')).toBe('dogs');
    expect(folderName('/tmp/<img src=x onerror=alert(1)>')).toBe('<img src=x onerror=alert(1)>');
  });

  it('splits a POSIX path into breadcrumbs, each with its own path', () => {
    expect(breadcrumbs('/')).toEqual([{ name: '/', path: '/' }]);
    expect(breadcrumbs('/tmp/a b/c')).toEqual([
      { name: '/', path: '/' },
      { name: 'tmp', path: '/tmp' },
      { name: 'a b', path: '/tmp/a b' },
      { name: 'c', path: '/tmp/a b/c' },
    ]);
  });

  it('splits a Windows path into breadcrumbs', () => {
    expect(breadcrumbs('C:\\Users\\ann')).toEqual([
      { name: 'C:\\', path: 'C:\\' },
      { name: 'Users', path: 'C:\\Users' },
      { name: 'ann', path: 'C:\\Users\\ann' },
    ]);
    expect(breadcrumbs('C:\\')).toEqual([{ name: 'C:\\', path: 'C:\\' }]);
    expect(breadcrumbs('\\\\nas\\photos\\cats')).toEqual([
      { name: '\\\\nas\\photos\\', path: '\\\\nas\\photos\\' },
      { name: 'cats', path: '\\\\nas\\photos\\cats' },
    ]);
  });

  it('suggests the parent of a folder that holds images directly', () => {
    const listing: FolderListing = { path: '/data/pets/cat', parent: '/data/pets', folders: [], imageFiles: 40 };
    expect(classFolderHint(listing)).toEqual({ parent: '/data/pets', parentName: 'pets', images: 40 });
    expect(classFolderHint({ ...listing, imageFiles: 0 })).toBeNull();
    expect(classFolderHint({ path: '/', folders: [], imageFiles: 3 })).toBeNull();
  });
});

describe('formatOpenedAt', () => {
  const now = new Date('2026-03-10T12:00:00Z');

  it('says how long ago, then the date', () => {
    expect(formatOpenedAt('2026-03-10T11:59:40Z', now)).toBe('just now');
    expect(formatOpenedAt('2026-03-10T11:55:00Z', now)).toBe('5 min ago');
    expect(formatOpenedAt('2026-03-10T09:00:00Z', now)).toBe('3 h ago');
    expect(formatOpenedAt('2026-03-09T10:00:00Z', now)).toBe('yesterday');
    expect(formatOpenedAt('2026-03-06T12:00:00Z', now)).toBe('4 days ago');
    expect(formatOpenedAt('2026-01-02T12:00:00Z', now)).toBe('on 2026-01-02');
    expect(formatOpenedAt('not a date', now)).toBe('at an unknown time');
  });
});

describe('augmentation controls', () => {
  it('accepts preview sizes the engine accepts', () => {
    expect(parsePreviewSize('64')).toEqual({ ok: true, size: 64 });
    expect(parsePreviewSize(' 299 ')).toEqual({ ok: true, size: 299 });
    for (const bad of ['', '7', '1025', '64.5', 'abc']) expect(parsePreviewSize(bad).ok).toBe(false);
  });

  it('clamps values into the engine’s ranges', () => {
    expect(clampAugment('rotation', 400)).toBe(180);
    expect(clampAugment('zoom', 0.9)).toBe(0.5);
    expect(clampAugment('noise', -1)).toBe(0);
    expect(clampAugment('brightness', Number.NaN)).toBe(0);
  });

  it('knows when nothing would change', () => {
    expect(isNoAugmentation(noAugmentation)).toBe(true);
    expect(isNoAugmentation(defaultAugmentation)).toBe(false);
    expect(isNoAugmentation({ ...noAugmentation, flip: true })).toBe(false);
  });

  it('shows rotation in degrees and fractions with two decimals', () => {
    expect(formatAugmentValue('rotation', 10)).toBe('±10°');
    expect(formatAugmentValue('zoom', 0.1)).toBe('0.10');
  });

  it('sizes the chart by the number of classes, within bounds', () => {
    expect(chartHeight(1)).toBe(120);
    expect(chartHeight(10)).toBe(336);
    expect(chartHeight(1000)).toBe(640);
  });
});
