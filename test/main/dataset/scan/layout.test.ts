import { describe, expect, it } from 'vitest';
import { decideLayout, splitOfFolder } from '../../../../main/dataset/scan/layout';

describe('decideLayout', () => {
  it('class folders are the folders layout', () => {
    expect(decideLayout(['cat', 'dog'])).toEqual({ layout: 'folders', splits: new Map(), others: [] });
  });

  it('train with val, validation or test (any case) is the splits layout; other folders are set aside', () => {
    expect(decideLayout(['train', 'val'])).toMatchObject({ layout: 'splits', others: [] });
    expect(decideLayout(['Train', 'TEST', 'notes'])).toEqual({
      layout: 'splits',
      splits: new Map([
        ['Train', 'train'],
        ['TEST', 'test'],
      ]),
      others: ['notes'],
    });
    expect(decideLayout(['train'])).toMatchObject({ layout: 'splits' });
  });

  it('"train" among ordinary class folders is a class (a vehicle, say); so are val and test without train', () => {
    expect(decideLayout(['boat', 'car', 'train']).layout).toBe('folders');
    expect(decideLayout(['val', 'test']).layout).toBe('folders');
  });

  it('maps validation to val and ignores look-alikes', () => {
    expect(splitOfFolder('Validation')).toBe('val');
    expect(splitOfFolder('training')).toBeUndefined();
    expect(splitOfFolder('constructor')).toBeUndefined();
  });
});
