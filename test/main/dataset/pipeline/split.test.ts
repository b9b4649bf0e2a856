import { describe, expect, it } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LabError } from '../../../../main/errors';
import type { LabelledImage, SplitName } from '../../../../main/dataset/labelled-image';
import {
  computeSplit,
  loadSplit,
  prepareSplit,
  saveSplit,
  splitFile,
  splitImages,
  type DatasetSplit,
  type SplitRequest,
} from '../../../../main/dataset/pipeline/split';
import { tempDir } from '../fixtures';

const root = '/data/pets';

/** `counts[c]` images in class c, named c/NNN.png. */
function dataset(
  counts: Record<string, number>,
  split?: (className: string, i: number) => SplitName,
): {
  images: LabelledImage[];
  classNames: string[];
} {
  const classNames = Object.keys(counts).sort();
  const images = classNames.flatMap((className, label) =>
    Array.from({ length: counts[className]! }, (_, i) => ({
      path: split
        ? join(root, split(className, i), className, `${String(i).padStart(3, '0')}.png`)
        : join(root, className, `${String(i).padStart(3, '0')}.png`),
      label,
      className,
      ...(split ? { split: split(className, i) } : {}),
    })),
  );
  return { images, classNames };
}

const request = (counts: Record<string, number>, extra: Partial<SplitRequest> = {}): SplitRequest => ({
  root,
  ...dataset(counts),
  fingerprint: 'abc123',
  seed: 42,
  ...extra,
});

const paths = (split: DatasetSplit, name: SplitName): string[] => split[name].map((e) => e.path).sort();

describe('computeSplit', () => {
  it('is deterministic for (fingerprint, seed, fractions) and ignores the input order', () => {
    const a = computeSplit(request({ cat: 40, dog: 30 }));
    const shuffled = request({ cat: 40, dog: 30 });
    shuffled.images = [...shuffled.images].reverse();
    const b = computeSplit(shuffled);
    expect(b).toEqual(a);
    expect(computeSplit(request({ cat: 40, dog: 30 }, { seed: 43 })).val).not.toEqual(a.val);
    expect(computeSplit(request({ cat: 40, dog: 30 }, { fingerprint: 'other' })).val).not.toEqual(a.val);
  });

  it('splits every class 80/20 by default and keeps every image exactly once', () => {
    const split = computeSplit(request({ cat: 40, dog: 25, owl: 10 }));
    expect(split.counts).toEqual([
      { className: 'cat', train: 32, val: 8, test: 0 },
      { className: 'dog', train: 20, val: 5, test: 0 },
      { className: 'owl', train: 8, val: 2, test: 0 },
    ]);
    const all = [...split.train, ...split.val, ...split.test].map((e) => e.path);
    expect(new Set(all).size).toBe(75);
    expect(split.train.every((e) => split.classNames[e.label] === e.path.split('/')[0])).toBe(true);
    expect(split.source).toBe('seeded');
    expect(split.fractions).toEqual({ val: 0.2, test: 0 });
  });

  it('takes configurable val and test fractions', () => {
    const split = computeSplit(request({ cat: 20, dog: 10 }, { val: 0.25, test: 0.1 }));
    expect(split.counts).toEqual([
      { className: 'cat', train: 13, val: 5, test: 2 },
      { className: 'dog', train: 6, val: 3, test: 1 },
    ]);
  });

  it('moves only the cut points when the fractions change', () => {
    const small = computeSplit(request({ cat: 50 }, { val: 0.1 }));
    const large = computeSplit(request({ cat: 50 }, { val: 0.3 }));
    expect(paths(large, 'val')).toEqual(expect.arrayContaining(paths(small, 'val')));
  });

  it('gives every class with 2+ images a train and a val image; a single image trains only', () => {
    const split = computeSplit(request({ pair: 2, trio: 3, solo: 1, none: 0 }, { val: 0.01, test: 0.05 }));
    const count = (name: string) => split.counts.find((c) => c.className === name)!;
    expect(count('pair')).toEqual({ className: 'pair', train: 1, val: 1, test: 0 });
    expect(count('trio')).toEqual({ className: 'trio', train: 1, val: 1, test: 1 });
    expect(count('solo')).toEqual({ className: 'solo', train: 1, val: 0, test: 0 });
    expect(count('none')).toEqual({ className: 'none', train: 0, val: 0, test: 0 });
    expect(split.warnings).toEqual(
      expect.arrayContaining([
        'Class "solo" has only 1 image: it is used for training and cannot be validated.',
        'Class "none" has no usable images.',
        'Class "pair" has only 2 images: none is left for the test set.',
      ]),
    );
  });

  it('uses given splits as given', () => {
    const given = dataset({ cat: 6, dog: 6 }, (_, i) => (i < 4 ? 'train' : i === 4 ? 'val' : 'test'));
    const split = computeSplit({ root, ...given, fingerprint: 'f', seed: 1 });
    expect(split.source).toBe('given');
    expect(split.counts).toEqual([
      { className: 'cat', train: 4, val: 1, test: 1 },
      { className: 'dog', train: 4, val: 1, test: 1 },
    ]);
    expect(paths(split, 'val')).toEqual(['val/cat/004.png', 'val/dog/004.png']);
    // Seed and fractions do not matter.
    expect(computeSplit({ root, ...given, fingerprint: 'f', seed: 2, val: 0.5 }).val).toEqual(split.val);
  });

  it('draws validation from the given train images when the layout has no val folder', () => {
    const given = dataset({ cat: 12 }, (_, i) => (i < 10 ? 'train' : 'test'));
    const split = computeSplit({ root, ...given, fingerprint: 'f', seed: 1 });
    expect(split.source).toBe('given+val');
    expect(split.counts).toEqual([{ className: 'cat', train: 8, val: 2, test: 2 }]);
    expect(paths(split, 'test')).toEqual(['test/cat/010.png', 'test/cat/011.png']);
    expect(split.val.every((e) => e.path.startsWith('train/'))).toBe(true);
    expect(split.warnings[0]).toMatch(/no val folder/);
  });

  it('rejects bad input with errors that say what is wrong', () => {
    const error = (r: SplitRequest) => {
      try {
        computeSplit(r);
      } catch (e) {
        expect(e).toBeInstanceOf(LabError);
        return (e as LabError).message;
      }
      throw new Error('no error');
    };
    expect(error(request({ cat: 5 }, { val: 0 }))).toMatch(/validation fraction must be between 0.01 and 0.9; got 0/);
    expect(error(request({ cat: 5 }, { val: 0.5, test: 0.5 }))).toMatch(/at least 10% for training/);
    expect(error(request({ cat: 5 }, { fingerprint: '../x' }))).toMatch(/fingerprint/);
    const withFirst = (r: SplitRequest, change: Partial<LabelledImage>): SplitRequest => ({
      ...r,
      images: r.images.map((image, i) => (i === 0 ? { ...image, ...change } : image)),
    });
    expect(error(withFirst(request({ cat: 2 }), { path: '/elsewhere/a.png' }))).toMatch(
      /not inside the dataset folder/,
    );
    expect(error(withFirst(request({ cat: 2 }), { split: 'train' }))).toMatch(
      /1 of 2 images come from train\/val\/test folders/,
    );
    const wrongLabel = withFirst(request({ cat: 2, dog: 2 }), { label: 1 });
    expect(error(wrongLabel)).toMatch(/is in class "cat" but its label 1 is class "dog"/);
  });
});

describe('stored splits', () => {
  it('saves to DATA_DIR/splits/<fingerprint>-<seed>-<fractions>.json and loads it back', async () => {
    const dataDir = await tempDir('split');
    const split = computeSplit(request({ cat: 10, dog: 10 }, { val: 0.2, test: 0.1 }));
    const file = await saveSplit(dataDir, split);
    expect(file).toBe(join(dataDir, 'splits', 'abc123-42-val0.2-test0.1.json'));
    expect(await loadSplit(file)).toEqual(split);
    expect(await saveSplit(dataDir, split)).toBe(file); // identical: fine
    expect(await loadSplit(join(dataDir, 'splits', 'missing.json'))).toBeUndefined();
    expect(splitFile(dataDir, { fingerprint: 'f', seed: 1, source: 'given', fractions: { val: 0, test: 0 } })).toBe(
      join(dataDir, 'splits', 'f-1-given.json'),
    );
  });

  it('never overwrites a different stored split', async () => {
    const dataDir = await tempDir('split');
    const split = computeSplit(request({ cat: 10 }));
    const file = await saveSplit(dataDir, split);
    const before = await readFile(file, 'utf8');
    const other = { ...split, val: split.train.slice(0, 2), train: [...split.val, ...split.train.slice(2)] };
    await expect(saveSplit(dataDir, other)).rejects.toMatchObject({ code: 'SPLIT_CONFLICT' });
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it('prepareSplit reuses the stored split, and refuses one that lists other images', async () => {
    const dataDir = await tempDir('split');
    const first = await prepareSplit(dataDir, request({ cat: 10, dog: 5 }));
    // Edit the stored file by hand (moves one image): the stored one wins over a fresh draw.
    const stored = JSON.parse(await readFile(first.file, 'utf8')) as DatasetSplit;
    stored.train.push(stored.val.pop()!);
    await writeFile(first.file, JSON.stringify(stored));
    const again = await prepareSplit(dataDir, request({ cat: 10, dog: 5 }));
    expect(again.file).toBe(first.file);
    expect(again.split.val.length).toBe(first.split.val.length - 1);
    // Same fingerprint but other images: an error, not a silent redraw.
    await expect(prepareSplit(dataDir, request({ cat: 11, dog: 5 }))).rejects.toMatchObject({ code: 'SPLIT_MISMATCH' });
    await writeFile(first.file, '{ not json');
    await expect(prepareSplit(dataDir, request({ cat: 10, dog: 5 }))).rejects.toMatchObject({
      code: 'SPLIT_CORRUPT',
      message: expect.stringContaining(first.file),
    });
  });

  it('splitImages turns the stored relative paths back into labelled absolute paths', () => {
    const split = computeSplit(request({ cat: 5, dog: 5 }));
    const images = splitImages(split, '/mnt/copy');
    expect(images.train.length + images.val.length).toBe(10);
    const first = images.val[0]!;
    expect(first.path.startsWith('/mnt/copy/')).toBe(true);
    expect(first.className).toBe(split.classNames[first.label]);
    expect(first.split).toBe('val');
  });
});
