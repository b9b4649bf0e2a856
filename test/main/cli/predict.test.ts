import { describe, expect, it } from 'vitest';
import { asGiven } from '../../../main/cli/predict';

describe('asGiven', () => {
  it('prints files as the user wrote them: relative paths stay relative, folders prefix their images', () => {
    expect(asGiven('/home/ann/photos/cat.jpg', ['photos/cat.jpg'], '/home/ann')).toBe('photos/cat.jpg');
    expect(asGiven('/home/ann/photos/2024/cat.jpg', ['notes.txt', 'photos'], '/home/ann')).toBe('photos/2024/cat.jpg');
    expect(asGiven('/data/x.png', ['/data/x.png'], '/home/ann')).toBe('/data/x.png');
    expect(asGiven('/data/x.png', ['photos'], '/home/ann')).toBe('/data/x.png');
    // A sibling whose name starts like the folder is not inside it.
    expect(asGiven('/home/ann/photos2/a.png', ['photos'], '/home/ann')).toBe('/home/ann/photos2/a.png');
  });
});
