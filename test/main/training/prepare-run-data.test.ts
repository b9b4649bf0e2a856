import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DatasetIndex } from '../../../main/dataset/pipeline/dataset-index';
import { LabError } from '../../../main/errors';
import { modelForClasses, prepareRunData } from '../../../main/training/prepare-run-data';

/** An index of `perClass` (made-up) images in each of `classes`; nothing is read from disk. */
function indexOf(classes: string[], perClass: number): DatasetIndex {
  const root = '/data/pets';
  return {
    root,
    classNames: classes,
    images: classes.flatMap((className, label) =>
      Array.from({ length: perClass }, (_, i) => ({ path: join(root, className, `${i}.png`), label, className })),
    ),
    fingerprint: `fp-${classes.length}-${perClass}`,
    excludedClasses: [],
  };
}

const settings = { seed: 1, valFraction: 0.2, testFraction: 0 };

describe('prepareRunData', () => {
  it('stores the split and returns its images, with what forClasses built', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'xlab-run-data-'));
    const data = await prepareRunData({
      dataDir,
      index: indexOf(['cat', 'dog'], 10),
      dataset: 'pets',
      settings,
      forClasses: (count) => `model for ${count}`,
    });
    expect(data.built).toBe('model for 2');
    expect(existsSync(data.file)).toBe(true);
    expect(data.images.train.length + data.images.val.length).toBe(20);
    expect(data.images.val.length).toBeGreaterThan(0);
    expect(data.images.train[0]!.path).toMatch(/^\/data\/pets\//);
  });

  it('refuses a dataset with fewer than two classes', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'xlab-run-data-'));
    await expect(
      prepareRunData({ dataDir, index: indexOf(['cat'], 10), dataset: 'pets', settings }),
    ).rejects.toMatchObject({
      code: 'DATASET_TOO_SMALL',
      message: 'pets has 1 usable class: training needs at least 2 classes.',
    });
  });

  it('refuses a dataset too small to split into training and validation images', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'xlab-run-data-'));
    await expect(
      prepareRunData({ dataDir, index: indexOf(['cat', 'dog'], 1), dataset: 'pets', settings }),
    ).rejects.toMatchObject({
      code: 'DATASET_TOO_SMALL',
      message: 'pets is too small to split into training and validation images: add images to each class.',
    });
  });

  it('checks forClasses before it draws (and stores) a split', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'xlab-run-data-'));
    const refuse = (): never => {
      throw new LabError('CLASS_COUNT_MISMATCH', 'no');
    };
    await expect(
      prepareRunData({ dataDir, index: indexOf(['cat', 'dog'], 10), dataset: 'pets', settings, forClasses: refuse }),
    ).rejects.toMatchObject({ code: 'CLASS_COUNT_MISMATCH' });
    expect(existsSync(join(dataDir, 'splits'))).toBe(false);
  });
});

describe('modelForClasses', () => {
  it("follows the dataset's class count unless the request sets one, which must match", () => {
    expect(modelForClasses({ preset: 'micro' }, 3, 'pets').classes).toBe(3);
    expect(() => modelForClasses({ preset: 'micro', classes: 4 }, 3, 'pets')).toThrow(
      'The model has 4 classes but pets has 3: leave classes empty to follow the dataset.',
    );
  });
});
