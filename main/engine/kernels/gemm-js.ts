import type { MatrixView } from './matrix-view';

/**
 * The plain-JS matrix product, used where WebAssembly SIMD is missing: blocked like BLIS, B
 * packed in 4-column panels of KC rows (kept in L2), A in 4-row panels (kept in L1), and a 4×4
 * register block accumulating in doubles. See index.ts for how it compares.
 */

/** Rows of A / B packed per pass; 4 × KC floats of A and of each B panel stay in L1. */
const KC = 256;

const packedA = new Float32Array(4 * KC);
let packedB = new Float32Array(0);
const edge = new Float64Array(16);

/** C[m×n] = A[m×k]·B[k×n] (+ C when `accumulate`). */
export function gemmJs(
  m: number,
  n: number,
  k: number,
  a: MatrixView,
  b: MatrixView,
  c: Float32Array,
  cOffset: number,
  ldc: number,
  accumulate: boolean,
): void {
  if (!accumulate) {
    for (let i = 0; i < m; i++) c.fill(0, cOffset + i * ldc, cOffset + i * ldc + n);
  }
  if (m === 0 || n === 0 || k === 0) return;
  const n4 = (n + 3) & ~3;
  if (packedB.length < n4 * KC) packedB = new Float32Array(n4 * KC);
  const pa = packedA;
  const pb = packedB;
  for (let k0 = 0; k0 < k; k0 += KC) {
    const kc = Math.min(KC, k - k0);
    packB(b, k0, kc, n, n4, pb);
    for (let i0 = 0; i0 < m; i0 += 4) {
      const rows = Math.min(4, m - i0);
      packA(a, i0, rows, k0, kc, pa);
      for (let j0 = 0; j0 < n; j0 += 4) {
        micro4x4(kc, pa, pb, j0 * kc, c, cOffset + i0 * ldc + j0, ldc, rows, Math.min(4, n - j0));
      }
    }
  }
}

/** B rows k0…k0+kc in panels of 4 columns: panel j0 holds kc groups of 4 (zeros past n). */
function packB(b: MatrixView, k0: number, kc: number, n: number, n4: number, out: Float32Array): void {
  const { data, rowStride, colStride } = b;
  for (let j0 = 0; j0 < n4; j0 += 4) {
    let o = j0 * kc;
    const cols = Math.min(4, n - j0);
    let src = b.offset + k0 * rowStride + j0 * colStride;
    if (cols === 4) {
      for (let kk = 0; kk < kc; kk++, src += rowStride) {
        out[o++] = data[src]!;
        out[o++] = data[src + colStride]!;
        out[o++] = data[src + 2 * colStride]!;
        out[o++] = data[src + 3 * colStride]!;
      }
    } else {
      for (let kk = 0; kk < kc; kk++, src += rowStride) {
        for (let jj = 0; jj < 4; jj++) out[o++] = jj < cols ? data[src + jj * colStride]! : 0;
      }
    }
  }
}

/** A rows i0…i0+rows, columns k0…k0+kc as kc groups of 4 (zeros past the last row). */
function packA(a: MatrixView, i0: number, rows: number, k0: number, kc: number, out: Float32Array): void {
  const { data, rowStride, colStride } = a;
  let src = a.offset + i0 * rowStride + k0 * colStride;
  let o = 0;
  if (rows === 4) {
    for (let kk = 0; kk < kc; kk++, src += colStride) {
      out[o++] = data[src]!;
      out[o++] = data[src + rowStride]!;
      out[o++] = data[src + 2 * rowStride]!;
      out[o++] = data[src + 3 * rowStride]!;
    }
  } else {
    for (let kk = 0; kk < kc; kk++, src += colStride) {
      for (let ii = 0; ii < 4; ii++) out[o++] = ii < rows ? data[src + ii * rowStride]! : 0;
    }
  }
}

function micro4x4(
  kc: number,
  pa: Float32Array,
  pb: Float32Array,
  pbOffset: number,
  c: Float32Array,
  o: number,
  ldc: number,
  rows: number,
  cols: number,
): void {
  let c00 = 0,
    c01 = 0,
    c02 = 0,
    c03 = 0;
  let c10 = 0,
    c11 = 0,
    c12 = 0,
    c13 = 0;
  let c20 = 0,
    c21 = 0,
    c22 = 0,
    c23 = 0;
  let c30 = 0,
    c31 = 0,
    c32 = 0,
    c33 = 0;
  let ia = 0;
  let ib = pbOffset;
  for (let kk = 0; kk < kc; kk++) {
    const b0 = pb[ib]!,
      b1 = pb[ib + 1]!,
      b2 = pb[ib + 2]!,
      b3 = pb[ib + 3]!;
    let a = pa[ia]!;
    c00 += a * b0;
    c01 += a * b1;
    c02 += a * b2;
    c03 += a * b3;
    a = pa[ia + 1]!;
    c10 += a * b0;
    c11 += a * b1;
    c12 += a * b2;
    c13 += a * b3;
    a = pa[ia + 2]!;
    c20 += a * b0;
    c21 += a * b1;
    c22 += a * b2;
    c23 += a * b3;
    a = pa[ia + 3]!;
    c30 += a * b0;
    c31 += a * b1;
    c32 += a * b2;
    c33 += a * b3;
    ia += 4;
    ib += 4;
  }
  if (rows === 4 && cols === 4) {
    c[o] = c[o]! + c00;
    c[o + 1] = c[o + 1]! + c01;
    c[o + 2] = c[o + 2]! + c02;
    c[o + 3] = c[o + 3]! + c03;
    o += ldc;
    c[o] = c[o]! + c10;
    c[o + 1] = c[o + 1]! + c11;
    c[o + 2] = c[o + 2]! + c12;
    c[o + 3] = c[o + 3]! + c13;
    o += ldc;
    c[o] = c[o]! + c20;
    c[o + 1] = c[o + 1]! + c21;
    c[o + 2] = c[o + 2]! + c22;
    c[o + 3] = c[o + 3]! + c23;
    o += ldc;
    c[o] = c[o]! + c30;
    c[o + 1] = c[o + 1]! + c31;
    c[o + 2] = c[o + 2]! + c32;
    c[o + 3] = c[o + 3]! + c33;
    return;
  }
  edge[0] = c00;
  edge[1] = c01;
  edge[2] = c02;
  edge[3] = c03;
  edge[4] = c10;
  edge[5] = c11;
  edge[6] = c12;
  edge[7] = c13;
  edge[8] = c20;
  edge[9] = c21;
  edge[10] = c22;
  edge[11] = c23;
  edge[12] = c30;
  edge[13] = c31;
  edge[14] = c32;
  edge[15] = c33;
  for (let r = 0; r < rows; r++) {
    for (let s = 0; s < cols; s++) c[o + r * ldc + s] = c[o + r * ldc + s]! + edge[r * 4 + s]!;
  }
}
