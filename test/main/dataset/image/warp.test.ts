import { describe, expect, it } from 'vitest';
import { augmentAffine, drawAugmentation, type AugmentSettings } from '../../../../main/dataset/image/augment';
import { mulberry32 } from '../../../../main/dataset/random';
import {
  fitAffine,
  warpInto,
  type Affine,
  type ChannelTables,
  type RgbImage,
} from '../../../../main/dataset/image/warp';

/** `d c b a | a b c d`: index `i` reflected into [0, n) one period at a time. */
function reflect(i: number, n: number): number {
  while (i < 0 || i >= n) i = i < 0 ? -1 - i : 2 * n - 1 - i;
  return i;
}

const at = (src: RgbImage, x: number, y: number, c: number): number =>
  src.data[(reflect(y, src.height) * src.width + reflect(x, src.width)) * 3 + c]!;

/**
 * warp.ts's fixed-point bilinear, one output value at a time, straight from its definition:
 * positions in 16.16 (`round(coefficient · 65536)` per row and step), weights the top 8 bits of
 * the fraction, the weighted sum of the four samples rounded half up, then the channel's table.
 */
function fixedReference(src: RgbImage, size: number, m: Affine, tables: ChannelTables): Float32Array {
  const out = new Float32Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const fx = Math.round((m.b * y + m.c) * 65536) + x * Math.round(m.a * 65536);
      const fy = Math.round((m.e * y + m.f) * 65536) + x * Math.round(m.d * 65536);
      const x0 = Math.floor(fx / 65536);
      const y0 = Math.floor(fy / 65536);
      const wx = Math.floor(fx / 256) - 256 * x0;
      const wy = Math.floor(fy / 256) - 256 * y0;
      for (let c = 0; c < 3; c++) {
        const top = at(src, x0, y0, c) * (256 - wx) + at(src, x0 + 1, y0, c) * wx;
        const bottom = at(src, x0, y0 + 1, c) * (256 - wx) + at(src, x0 + 1, y0 + 1, c) * wx;
        out[(y * size + x) * 3 + c] = tables[c]![Math.floor((top * (256 - wy) + bottom * wy + 32768) / 65536)]!;
      }
    }
  }
  return out;
}

/** Exact bilinear in floating point, rounded to the nearest level. */
function floatReference(src: RgbImage, size: number, m: Affine): Uint8Array {
  const out = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const sx = m.a * x + m.b * y + m.c;
      const sy = m.d * x + m.e * y + m.f;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const tx = sx - x0;
      const ty = sy - y0;
      for (let c = 0; c < 3; c++) {
        const top = at(src, x0, y0, c) * (1 - tx) + at(src, x0 + 1, y0, c) * tx;
        const bottom = at(src, x0, y0 + 1, c) * (1 - tx) + at(src, x0 + 1, y0 + 1, c) * tx;
        out[(y * size + x) * 3 + c] = Math.round(top * (1 - ty) + bottom * ty);
      }
    }
  }
  return out;
}

/** Random pixels; `grey`: R = G = B, except `colourEvery`-th pixels (mixed grey and colour cells). */
function noise(width: number, height: number, seed: number, grey = false, colourEvery = 0): RgbImage {
  const random = mulberry32(seed);
  const data = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    const v = Math.floor(random() * 256);
    const colour = !grey || (colourEvery > 0 && p % colourEvery === 0);
    data[p * 3] = v;
    data[p * 3 + 1] = colour ? Math.floor(random() * 256) : v;
    data[p * 3 + 2] = colour ? Math.floor(random() * 256) : v;
  }
  return { width, height, data };
}

/** A different table per channel, so a channel mixed up (or a grey shortcut using one table) shows. */
const tables: ChannelTables = [
  Float32Array.from({ length: 256 }, (_, v) => v / 127.5 - 1),
  Float32Array.from({ length: 256 }, (_, v) => 255 - v),
  Float32Array.from({ length: 256 }, (_, v) => v * 0.37 + 3),
];
const bytes: ChannelTables = [0, 1, 2].map(() =>
  Float32Array.from({ length: 256 }, (_, v) => v),
) as unknown as ChannelTables;

const strong: AugmentSettings = { flip: true, rotation: 180, zoom: 0.5, brightness: 0, contrast: 0, noise: 0 };

function warped(src: RgbImage, size: number, m: Affine, t: ChannelTables): Float32Array {
  const out = new Float32Array(7 + size * size * 3).fill(Number.NaN);
  warpInto(src, size, m, t, out, 7);
  expect(out.subarray(0, 7).every(Number.isNaN)).toBe(true); // nothing before the offset
  return out.subarray(7);
}

function firstDifference(actual: Float32Array, expected: Float32Array): string | undefined {
  const i = actual.findIndex((v, k) => !Object.is(v, expected[k]));
  return i < 0
    ? undefined
    : `value ${i} (pixel ${Math.floor(i / 3)}, channel ${i % 3}): ${actual[i]} instead of ${expected[i]}`;
}

describe('warpInto', () => {
  it('enlarging with rotation, zoom and flip gives exactly the per-pixel fixed-point values', () => {
    // |a| + |d| ≤ ½: the run-by-run kernel. Colour, grey and mixed sources; odd shapes.
    const sources = [
      noise(28, 28, 1),
      noise(28, 28, 2, true),
      noise(20, 13, 3, true, 7),
      noise(3, 5, 4),
      noise(1, 1, 5),
    ];
    let cases = 0;
    for (const [k, src] of sources.entries()) {
      for (const size of [97, 131]) {
        for (let seed = 0; seed < 6; seed++) {
          const m = augmentAffine(src, size, drawAugmentation(strong, mulberry32(100 * k + seed)));
          expect(Math.abs(m.a) + Math.abs(m.d)).toBeLessThanOrEqual(0.5);
          expect(firstDifference(warped(src, size, m, tables), fixedReference(src, size, m, tables))).toBeUndefined();
          cases++;
        }
      }
    }
    // Hand-picked: an exact quarter turn (no x step along a row), a horizontal-only stretch
    // (b = d = 0 but not separable), positions several periods outside the source, a flip.
    const src = noise(10, 40, 6, true, 3);
    const quarter = augmentAffine(src, 120, {
      flipped: true,
      angle: 90,
      scale: 1,
      offsetX: 0,
      offsetY: 0,
      brightness: 0,
      contrastFactor: 1,
    });
    const stretch = fitAffine(src, 40);
    const far: Affine = { a: 0.21, b: -0.07, c: -95.3, d: -0.13, e: 0.33, f: 170.9 };
    const flipped: Affine = { a: -0.3, b: 0.01, c: 12.2, d: 0, e: 0.9, f: -0.4 };
    for (const [m, size] of [
      [quarter, 120],
      [stretch, 40],
      [far, 50],
      [flipped, 45],
    ] as const) {
      expect(Math.abs(m.a) + Math.abs(m.d)).toBeLessThanOrEqual(0.5);
      expect(firstDifference(warped(src, size, m, tables), fixedReference(src, size, m, tables))).toBeUndefined();
      cases++;
    }
    expect(cases).toBe(64);
  });

  it('at 1:1 and when shrinking rotated images gives exactly the per-pixel fixed-point values', () => {
    for (const [k, src] of [noise(32, 32, 7), noise(40, 24, 8, true, 5)].entries()) {
      for (let seed = 0; seed < 6; seed++) {
        const m = augmentAffine(src, 24, drawAugmentation(strong, mulberry32(50 + 10 * k + seed)));
        expect(Math.abs(m.a) + Math.abs(m.d)).toBeGreaterThan(0.5);
        expect(firstDifference(warped(src, 24, m, tables), fixedReference(src, 24, m, tables))).toBeUndefined();
      }
    }
  });

  it('stays within a level of exact float bilinear (two with the 8-bit fixed-point weights)', () => {
    const src = noise(28, 28, 9, true, 4); // noise: the steepest gradients, the largest errors
    const rotated = (size: number, seed: number): Affine =>
      augmentAffine(src, size, drawAugmentation(strong, mulberry32(seed)));
    const cases: [string, Affine, number, number][] = [
      ['identity', fitAffine(src, 28), 28, 0],
      ['separable resize', fitAffine(src, 299), 299, 1],
      ['run by run', rotated(299, 1), 299, 2],
      ['per pixel', rotated(28, 2), 28, 2],
    ];
    for (const [path, m, size, tolerance] of cases) {
      const actual = warped(src, size, m, bytes);
      const expected = floatReference(src, size, m);
      let worst = 0;
      for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
      expect(worst, path).toBeLessThanOrEqual(tolerance);
    }
  });

  it('refuses a target or source that is too small', () => {
    const src = noise(4, 4, 10);
    expect(() => warpInto(src, 8, fitAffine(src, 8), bytes, new Float32Array(8 * 8 * 3 - 1))).toThrow(RangeError);
    expect(() => warpInto({ ...src, width: 5 }, 8, fitAffine(src, 8), bytes, new Float32Array(8 * 8 * 3))).toThrow(
      /source holds 48 bytes, needs 60/,
    );
  });
});
