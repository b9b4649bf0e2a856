import { describe, expect, it } from 'vitest';
import { compareCodePoints } from '../../../main/dataset/order';

describe('compareCodePoints', () => {
  it('sorts like UTF-8 bytes: plain code-point order, upper case before lower case', () => {
    const names = ['🐱 cat', '！fullwidth', 'b', 'B', 'a b', 'ab', 'é', '<img>', ''];
    const byBytes = [...names].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect([...names].sort(compareCodePoints)).toEqual(byBytes);
    expect(byBytes).toEqual(['', '<img>', 'B', 'a b', 'ab', 'b', 'é', '！fullwidth', '🐱 cat']);
    // JavaScript's default order puts the emoji (UTF-16 surrogates) before U+FF01:
    expect([...names].sort().indexOf('🐱 cat')).toBeLessThan([...names].sort().indexOf('！fullwidth'));
  });
});
