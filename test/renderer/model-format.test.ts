import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatCount,
  formatFeatureShape,
  formatFlops,
  formatParamsWithSize,
  formatShape,
} from '../../renderer/src/components/model/format';

describe('formatCount', () => {
  it('writes thousands separators like Keras', () => {
    expect(formatCount(21_066_380)).toBe('21,066,380');
    expect(formatCount(22_910_480)).toBe('22,910,480');
    expect(formatCount(0)).toBe('0');
    expect(formatCount(999)).toBe('999');
  });
});

describe('formatShape', () => {
  it('writes a Keras output shape with None for the batch', () => {
    expect(formatShape([null, 16, 16, 32])).toBe('(None, 16, 16, 32)');
    expect(formatShape([null, 10])).toBe('(None, 10)');
  });

  it('keeps the Python comma of a one-element tuple', () => {
    expect(formatShape([null])).toBe('(None,)');
  });
});

describe('formatFeatureShape', () => {
  it('drops the batch dimension', () => {
    expect(formatFeatureShape([null, 74, 74, 128])).toBe('74 × 74 × 128');
    expect(formatFeatureShape([null, 10])).toBe('10');
    expect(formatFeatureShape([299, 299, 3])).toBe('299 × 299 × 3');
  });
});

describe('formatFlops', () => {
  it('uses decimal prefixes with three significant digits', () => {
    expect(formatFlops(16_714_806_992)).toBe('16.7 GFLOPs');
    expect(formatFlops(1_101_272)).toBe('1.10 MFLOPs');
    expect(formatFlops(874_000)).toBe('874 kFLOPs');
    expect(formatFlops(2_000_000_000_000)).toBe('2.00 TFLOPs');
    expect(formatFlops(512)).toBe('512 FLOPs');
    expect(formatFlops(0)).toBe('0 FLOPs');
  });

  it('moves to the next prefix when rounding reaches 1000', () => {
    expect(formatFlops(999_999)).toBe('1.00 MFLOPs');
    expect(formatFlops(999_499)).toBe('999 kFLOPs');
  });
});

describe('formatBytes', () => {
  it('uses binary units as Keras does', () => {
    expect(formatBytes(84_263_520)).toBe('80.4 MB');
    expect(formatBytes(8_061_678_976)).toBe('7.51 GB');
    expect(formatBytes(657_988)).toBe('643 KB');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1024)).toBe('1.00 KB');
  });
});

describe('formatParamsWithSize', () => {
  it("matches Keras' totals line", () => {
    expect(formatParamsWithSize(22_910_480)).toBe('22,910,480 (87.40 MB)');
    expect(formatParamsWithSize(2994)).toBe('2,994 (11.70 KB)');
    expect(formatParamsWithSize(0)).toBe('0 (0.00 B)');
  });
});
