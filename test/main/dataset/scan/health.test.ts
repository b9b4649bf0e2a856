import { describe, expect, it } from 'vitest';
import {
  classWarnings,
  datasetFingerprint,
  duplicateGroups,
  sizeDistribution,
  type UsableImage,
} from '../../../../main/dataset/scan/health';

const image = (rel: string, hash: string, extra: Partial<UsableImage> = {}): UsableImage => ({
  rel,
  className: rel.split('/')[0]!,
  bytes: 10,
  hash,
  width: 1,
  height: 1,
  ...extra,
});

describe('health', () => {
  it('sizeDistribution orders by pixel area, ties by width; the median is a real image (lower middle)', () => {
    expect(sizeDistribution([])).toBeNull();
    const sizes = [
      { width: 100, height: 1 },
      { width: 10, height: 10 },
      { width: 3, height: 3 },
      { width: 1, height: 100 },
    ];
    expect(sizeDistribution(sizes)).toEqual({
      min: { width: 3, height: 3 },
      median: { width: 1, height: 100 },
      max: { width: 100, height: 1 },
    });
    expect(sizeDistribution(sizes.slice(0, 3))!.median).toEqual({ width: 10, height: 10 });
  });

  it('imbalance is a largest/smallest ratio above 3, naming both classes; empty classes are left out of it', () => {
    const classes = (counts: number[]) => counts.map((images, i) => ({ name: `c${i}`, images }));
    expect(classWarnings(classes([30, 10]), 'folders', new Map())).toEqual([]);
    expect(classWarnings(classes([31, 10, 0]), 'folders', new Map())).toEqual([
      'Class "c2" has no usable images.',
      'Classes are imbalanced: "c0" has 31 images, "c1" only 10 (3.1×); consider class weights or more images of the small classes.',
    ]);
  });

  it('a class folder that a split holds empty is named', () => {
    const warnings = classWarnings(
      [{ name: 'cat', images: 4, train: 4, val: 0 }],
      'splits',
      new Map([
        ['train', new Set(['cat'])],
        ['val', new Set(['cat'])],
      ]),
    );
    expect(warnings).toEqual(['Class "cat" has no usable images in "val".']);
  });

  it('duplicateGroups groups equal hashes with sorted paths and classes', () => {
    const groups = duplicateGroups([
      image('b/2.png', 'h1'),
      image('a/1.png', 'h1'),
      image('a/3.png', 'h2'),
      image('c/4.png', 'h1'),
    ]);
    expect(groups).toEqual([{ paths: ['a/1.png', 'b/2.png', 'c/4.png'], classes: ['a', 'b', 'c'], bytes: 10 }]);
  });

  it('the fingerprint depends on paths, sizes and contents, not on the order found', () => {
    const one = [image('a/1.png', 'h1'), image('b/2.png', 'h2')];
    const fp = datasetFingerprint(one);
    expect(fp).toMatch(/^[0-9a-f]{64}$/);
    expect(datasetFingerprint([...one].reverse())).toBe(fp);
    expect(datasetFingerprint([image('a/1.png', 'h1'), image('b/2.png', 'h3')])).not.toBe(fp);
    expect(datasetFingerprint([image('a/1.png', 'h1'), image('b/2.png', 'h2', { bytes: 11 })])).not.toBe(fp);
    expect(datasetFingerprint([image('a/1.png', 'h1'), image('b/x.png', 'h2')])).not.toBe(fp);
  });
});
