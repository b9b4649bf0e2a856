import { describe, expect, it } from 'vitest';
import { formatCount, formatDuration, noValue } from '../../main/format';

describe('formatCount', () => {
  it('writes whole numbers as Keras prints parameter counts, and a dash for none', () => {
    expect(formatCount(21_066_380)).toBe('21,066,380');
    expect(formatCount(0)).toBe('0');
    expect(formatCount(12.6)).toBe('13');
    expect(formatCount(null)).toBe(noValue);
    expect(formatCount(Number.NaN)).toBe(noValue);
  });
});

describe('formatDuration', () => {
  it('reads at a glance from under a second to hours', () => {
    expect(formatDuration(400)).toBe('< 1 s');
    expect(formatDuration(4_240)).toBe('4.2 s');
    expect(formatDuration(9_960)).toBe('10 s');
    expect(formatDuration(42_000)).toBe('42 s');
    expect(formatDuration(59_600)).toBe('1 min 00 s');
    expect(formatDuration(185_000)).toBe('3 min 05 s');
    expect(formatDuration(7_620_000)).toBe('2 h 07 min');
  });

  it('gives a dash for no or impossible durations', () => {
    expect(formatDuration(undefined)).toBe(noValue);
    expect(formatDuration(-5)).toBe(noValue);
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe(noValue);
  });
});
