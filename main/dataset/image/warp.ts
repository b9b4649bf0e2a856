/**
 * Bilinear affine resampling of 8-bit RGB images, the one kernel behind the JS-side resize
 * (`resizeRgb`), the geometric augmentations (`augment.ts`) and the pipeline's float batches.
 *
 * Sampling follows tf.image.resize / Keras `bilinear` (half-pixel centres, no antialiasing):
 * that is only right when enlarging or near 1:1, so shrinking is left to sharp (see decode.ts)
 * and every image reaching this file is at most the output size. Samples that fall outside
 * the source are mirrored at its edge (`d c b a | a b c d`), Keras' default `fill_mode='reflect'`
 * for RandomRotation/RandomZoom, so rotations never show artificial corners.
 */

/** Interleaved 8-bit RGB pixels, row-major: `data.length === width * height * 3`. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/**
 * The inverse map from output pixel (x, y) — integer indices — to a source position in pixel
 * units (pixel centres at integers): `sx = a·x + b·y + c`, `sy = d·x + e·y + f`.
 */
export interface Affine {
  a: number;
  b: number;
  c: number;
  d: number;
  e: number;
  f: number;
}

/** The plain resize of `src` to size×size (half-pixel centres), as an `Affine`. */
export function resizeAffine(src: { width: number; height: number }, size: number): Affine {
  const sx = src.width / size;
  const sy = src.height / size;
  return { a: sx, b: 0, c: 0.5 * sx - 0.5, d: 0, e: sy, f: 0.5 * sy - 0.5 };
}

/** Mirror index `i` into [0, n) with the edge pixel repeated (symmetric padding). */
function mirror(i: number, n: number): number {
  const period = 2 * n;
  let k = i % period;
  if (k < 0) k += period;
  return k < n ? k : period - 1 - k;
}

/**
 * What each rounded 8-bit sample becomes, per channel: e.g. the normalisation to [−1, 1],
 * composed with an augmentation's brightness/contrast. Folding them into the warp's store
 * saves a pass over the image (measured ~25% of the render time at 299 px).
 */
export type ChannelTables = readonly [Float32Array, Float32Array, Float32Array];

const BYTES = Float32Array.from({ length: 256 }, (_, v) => v);
/** Each sample stays its 0–255 value. */
export const byteTables: ChannelTables = [BYTES, BYTES, BYTES];

const IDENTITY: Affine = { a: 1, b: 0, c: 0, d: 0, e: 1, f: 0 };

/** `resizeAffine`, or the identity when `src` already is size×size. */
export function fitAffine(src: { width: number; height: number }, size: number): Affine {
  return src.width === size && src.height === size ? IDENTITY : resizeAffine(src, size);
}

/**
 * Samples `src` through `m` into size×size×3 values at `target[offset…]`: each channel's
 * bilinear sample is rounded to 0–255 (as in an 8-bit image) and stored as `tables[c][value]`.
 * Enlarging without rotation (`b = d = 0`, ≥ 2× vertically) is done separably: each needed
 * source row is interpolated horizontally once and output rows blend two of them (28 → 299 px:
 * ~0.75 ms instead of ~1.2). Otherwise positions and weights are 16.16 / 8-bit fixed point (at
 * most ±2 levels from float bilinear, ±1 for all but a few samples in 10,000 on noise; ~25%
 * faster in V8); when enlarging ≥ 2× along the output rows (`|a| + |d| ≤ ½`), `warpRuns` gives
 * the same values in about half the time (28 → 299 px rotated: ~0.6–0.7 ms instead of ~1.15).
 */
export function warpInto(
  src: RgbImage,
  size: number,
  m: Affine,
  tables: ChannelTables,
  target: Float32Array,
  offset = 0,
): void {
  const { width: w, height: h, data: s } = src;
  const n = size * size * 3;
  if (target.length < offset + n)
    throw new RangeError(`warpInto: target holds ${target.length - offset} values, needs ${n}`);
  if (s.length < w * h * 3) throw new RangeError(`warpInto: source holds ${s.length} bytes, needs ${w * h * 3}`);
  const [tr, tg, tb] = tables;
  if (w === size && h === size && m.a === 1 && m.b === 0 && m.c === 0 && m.d === 0 && m.e === 1 && m.f === 0) {
    for (let i = 0; i < n; i += 3) {
      target[offset + i] = tr[s[i]!]!;
      target[offset + i + 1] = tg[s[i + 1]!]!;
      target[offset + i + 2] = tb[s[i + 2]!]!;
    }
    return;
  }
  if (m.b === 0 && m.d === 0 && Math.abs(m.e) <= 0.5) warpSeparable(src, size, m, tables, target, offset);
  else if (Math.abs(m.a) + Math.abs(m.d) <= 0.5) warpRuns(src, size, m, tables, target, offset);
  else warpGeneral(src, size, m, tables, target, offset);
}

function warpSeparable(
  src: RgbImage,
  size: number,
  m: Affine,
  tables: ChannelTables,
  target: Float32Array,
  offset: number,
): void {
  const { width: w, height: h, data: s } = src;
  const [tr, tg, tb] = tables;
  const row = w * 3;
  const span = size * 3;
  // Per output column: the two source pixel offsets and the weight of the second.
  const left = new Int32Array(size);
  const right = new Int32Array(size);
  const weight = new Float32Array(size);
  for (let x = 0; x < size; x++) {
    const fx = m.a * x + m.c;
    const x0 = Math.floor(fx);
    weight[x] = fx - x0;
    left[x] = mirror(x0, w) * 3;
    right[x] = mirror(x0 + 1, w) * 3;
  }
  const fill = (buffer: Float32Array, sy: number): void => {
    const base = sy * row;
    for (let x = 0, j = 0; x < size; x++, j += 3) {
      const a = base + left[x]!;
      const b = base + right[x]!;
      const t = weight[x]!;
      const a0 = s[a]!;
      const a1 = s[a + 1]!;
      const a2 = s[a + 2]!;
      buffer[j] = a0 + (s[b]! - a0) * t;
      buffer[j + 1] = a1 + (s[b + 1]! - a1) * t;
      buffer[j + 2] = a2 + (s[b + 2]! - a2) * t;
    }
  };
  let upper = new Float32Array(span);
  let lower = new Float32Array(span);
  let upperRow = -1;
  let lowerRow = -1;
  let o = offset;
  for (let y = 0; y < size; y++) {
    const fy = m.e * y + m.f;
    const y0 = Math.floor(fy);
    const wy = fy - y0;
    const ya = mirror(y0, h);
    const yb = mirror(y0 + 1, h);
    if (ya !== upperRow) {
      if (ya === lowerRow) {
        [upper, lower] = [lower, upper];
        upperRow = lowerRow;
        lowerRow = -1;
      } else {
        fill(upper, ya);
        upperRow = ya;
      }
    }
    if (yb !== lowerRow) {
      fill(lower, yb);
      lowerRow = yb;
    }
    // `+ 0.5` then `| 0`: round half up; the samples are never negative nor above 255.
    for (let j = 0; j < span; j += 3, o += 3) {
      const t0 = upper[j]!;
      const t1 = upper[j + 1]!;
      const t2 = upper[j + 2]!;
      target[o] = tr[(t0 + (lower[j]! - t0) * wy + 0.5) | 0]!;
      target[o + 1] = tg[(t1 + (lower[j + 1]! - t1) * wy + 0.5) | 0]!;
      target[o + 2] = tb[(t2 + (lower[j + 2]! - t2) * wy + 0.5) | 0]!;
    }
  }
}

function warpGeneral(
  src: RgbImage,
  size: number,
  m: Affine,
  tables: ChannelTables,
  target: Float32Array,
  offset: number,
): void {
  const { width: w, height: h, data: s } = src;
  const [tr, tg, tb] = tables;
  const row = w * 3;
  const stepX = Math.round(m.a * 65536);
  const stepY = Math.round(m.d * 65536);
  let o = offset;
  for (let y = 0; y < size; y++) {
    let fx = Math.round((m.b * y + m.c) * 65536) | 0;
    let fy = Math.round((m.e * y + m.f) * 65536) | 0;
    for (let x = 0; x < size; x++, fx = (fx + stepX) | 0, fy = (fy + stepY) | 0, o += 3) {
      const x0 = fx >> 16; // floor, also for negative positions
      const y0 = fy >> 16;
      const wx = (fx >> 8) & 255;
      const wy = (fy >> 8) & 255;
      const vx = 256 - wx;
      const vy = 256 - wy;
      let i00: number, i01: number, i10: number, i11: number;
      if (x0 >= 0 && y0 >= 0 && x0 < w - 1 && y0 < h - 1) {
        i00 = y0 * row + x0 * 3;
        i01 = i00 + 3;
        i10 = i00 + row;
        i11 = i10 + 3;
      } else {
        const xa = mirror(x0, w) * 3;
        const xb = mirror(x0 + 1, w) * 3;
        const ya = mirror(y0, h) * row;
        const yb = mirror(y0 + 1, h) * row;
        i00 = ya + xa;
        i01 = ya + xb;
        i10 = yb + xa;
        i11 = yb + xb;
      }
      target[o] = tr[((s[i00]! * vx + s[i01]! * wx) * vy + (s[i10]! * vx + s[i11]! * wx) * wy + 32768) >> 16]!;
      target[o + 1] =
        tg[((s[i00 + 1]! * vx + s[i01 + 1]! * wx) * vy + (s[i10 + 1]! * vx + s[i11 + 1]! * wx) * wy + 32768) >> 16]!;
      target[o + 2] =
        tb[((s[i00 + 2]! * vx + s[i01 + 2]! * wx) * vy + (s[i10 + 2]! * vx + s[i11 + 2]! * wx) * wy + 32768) >> 16]!;
    }
  }
}

/**
 * `warpGeneral`'s values, computed run by run: when enlarging, consecutive output pixels of a
 * row fall in the same source cell (the four pixels around a position) for ~size/width steps.
 * Each run's length follows from the positions; its cell's four samples per channel are read
 * once, as the coefficients of the bilinear form
 *   (p00·vx + p01·wx)·vy + (p10·vx + p11·wx)·wy
 *     = 65536·p00 + 256·(p01 − p00)·wx + 256·(p10 − p00)·wy + (p11 − p10 − p01 + p00)·wx·wy
 * (vx = 256 − wx, vy = 256 − wy; the same integers, so the same rounding), and each pixel costs
 * three multiplies per channel instead of six plus twelve loads. A grey cell (the three channels
 * equal: grayscale datasets) is interpolated once for all three channels.
 */
function warpRuns(
  src: RgbImage,
  size: number,
  m: Affine,
  tables: ChannelTables,
  target: Float32Array,
  offset: number,
): void {
  const { width: w, height: h, data: s } = src;
  const [tr, tg, tb] = tables;
  const row = w * 3;
  const stepX = Math.round(m.a * 65536);
  const stepY = Math.round(m.d * 65536);
  let o = offset;
  for (let y = 0; y < size; y++) {
    let fx = Math.round((m.b * y + m.c) * 65536) | 0;
    let fy = Math.round((m.e * y + m.f) * 65536) | 0;
    let x = 0;
    while (x < size) {
      const x0 = fx >> 16;
      const y0 = fy >> 16;
      // Steps k ≥ 0 for which fx + k·stepX (and likewise fy) stays in the cell [x0, x0 + 1).
      let end = size;
      if (stepX > 0) end = Math.min(end, x + Math.floor(((x0 + 1) * 65536 - fx - 1) / stepX) + 1);
      else if (stepX < 0) end = Math.min(end, x + Math.floor((fx - x0 * 65536) / -stepX) + 1);
      if (stepY > 0) end = Math.min(end, x + Math.floor(((y0 + 1) * 65536 - fy - 1) / stepY) + 1);
      else if (stepY < 0) end = Math.min(end, x + Math.floor((fy - y0 * 65536) / -stepY) + 1);
      let i00: number, i01: number, i10: number, i11: number;
      if (x0 >= 0 && y0 >= 0 && x0 < w - 1 && y0 < h - 1) {
        i00 = y0 * row + x0 * 3;
        i01 = i00 + 3;
        i10 = i00 + row;
        i11 = i10 + 3;
      } else {
        const xa = mirror(x0, w) * 3;
        const xb = mirror(x0 + 1, w) * 3;
        const ya = mirror(y0, h) * row;
        const yb = mirror(y0 + 1, h) * row;
        i00 = ya + xa;
        i01 = ya + xb;
        i10 = yb + xa;
        i11 = yb + xb;
      }
      // Per channel: the constant term (with the rounding's + 32768), the wx, wy and wx·wy terms.
      let p00 = s[i00]!;
      let p01 = s[i01]!;
      let p10 = s[i10]!;
      let p11 = s[i11]!;
      const r0 = p00 * 65536 + 32768;
      const r1 = (p01 - p00) * 256;
      const r2 = (p10 - p00) * 256;
      const r3 = p11 - p10 - p01 + p00;
      p00 = s[i00 + 1]!;
      p01 = s[i01 + 1]!;
      p10 = s[i10 + 1]!;
      p11 = s[i11 + 1]!;
      const g0 = p00 * 65536 + 32768;
      const g1 = (p01 - p00) * 256;
      const g2 = (p10 - p00) * 256;
      const g3 = p11 - p10 - p01 + p00;
      p00 = s[i00 + 2]!;
      p01 = s[i01 + 2]!;
      p10 = s[i10 + 2]!;
      p11 = s[i11 + 2]!;
      const b0 = p00 * 65536 + 32768;
      const b1 = (p01 - p00) * 256;
      const b2 = (p10 - p00) * 256;
      const b3 = p11 - p10 - p01 + p00;
      if (r0 === g0 && r0 === b0 && r1 === g1 && r1 === b1 && r2 === g2 && r2 === b2 && r3 === g3 && r3 === b3) {
        for (; x < end; x++, fx = (fx + stepX) | 0, fy = (fy + stepY) | 0, o += 3) {
          const wx = (fx >> 8) & 255;
          const wy = (fy >> 8) & 255;
          const v = (r0 + r1 * wx + r2 * wy + r3 * wx * wy) >> 16;
          target[o] = tr[v]!;
          target[o + 1] = tg[v]!;
          target[o + 2] = tb[v]!;
        }
      } else {
        for (; x < end; x++, fx = (fx + stepX) | 0, fy = (fy + stepY) | 0, o += 3) {
          const wx = (fx >> 8) & 255;
          const wy = (fy >> 8) & 255;
          const wxy = wx * wy;
          target[o] = tr[(r0 + r1 * wx + r2 * wy + r3 * wxy) >> 16]!;
          target[o + 1] = tg[(g0 + g1 * wx + g2 * wy + g3 * wxy) >> 16]!;
          target[o + 2] = tb[(b0 + b1 * wx + b2 * wy + b3 * wxy) >> 16]!;
        }
      }
    }
  }
}

/** `warpInto` as 8-bit RGB (for previews and tests; the pipeline writes floats directly). */
export function warpBilinear(
  src: RgbImage,
  size: number,
  m: Affine,
  out: Uint8Array = new Uint8Array(size * size * 3),
): Uint8Array {
  const values = new Float32Array(size * size * 3);
  warpInto(src, size, m, byteTables, values);
  out.set(values);
  return out;
}

/** `src` resized to size×size×3 bytes (bilinear, half-pixel centres); a copy when it already is. */
export function resizeRgb(src: RgbImage, size: number, out: Uint8Array = new Uint8Array(size * size * 3)): Uint8Array {
  return warpBilinear(src, size, fitAffine(src, size), out);
}
