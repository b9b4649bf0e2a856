import type { MatrixView } from './matrix-view';
import { GEMM_MR as MR, GEMM_NR as NR, type Simd } from './simd';

/**
 * The matrix product on the SIMD module's 4×8 micro-kernel: JS packs A into 4-row panels and B
 * into 8-column panels in the module's memory, the kernel accumulates each 4×8 block of C in
 * eight f32x4 registers (in float32, as BLAS and TensorFlow do), and JS copies C out. See
 * index.ts for the measurements that chose it over plain JS.
 */

const KC = 256; // depth per pass: a 4×KC panel of A stays in L1
const MC = 256; // rows of C per pass

/** C[m×n] = A[m×k]·B[k×n] (+ C when `accumulate`). */
export function gemmSimd(
  simd: Simd,
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
  if (m === 0 || n === 0) return;
  if (k === 0) {
    if (!accumulate) for (let i = 0; i < m; i++) c.fill(0, cOffset + i * ldc, cOffset + i * ldc + n);
    return;
  }
  const n8 = Math.ceil(n / NR) * NR;
  const mc = Math.min(MC, Math.ceil(m / MR) * MR);
  // Float offsets in the module's memory: [B block | A block | C block].
  const pb = 0;
  const pa = pb + KC * n8;
  const pc = pa + mc * KC;
  const heap = simd.heap(pc + mc * n8);
  // One depth block: pack B once for all row blocks.
  const oneBlock = k <= KC;
  if (oneBlock) packB(heap, pb, b, 0, k, n, n8);
  for (let i0 = 0; i0 < m; i0 += mc) {
    const rows = Math.min(mc, m - i0);
    const rowPanels = Math.ceil(rows / MR);
    heap.fill(0, pc, pc + rowPanels * MR * n8);
    for (let k0 = 0; k0 < k; k0 += KC) {
      const kc = Math.min(KC, k - k0);
      if (!oneBlock) packB(heap, pb, b, k0, kc, n, n8);
      packA(heap, pa, a, i0, rows, k0, kc);
      simd.fn.gemm(pa * 4, pb * 4, pc * 4, kc, rowPanels, n8 / NR, n8 * 4);
    }
    if (!accumulate && n === n8 && ldc === n) {
      c.set(heap.subarray(pc, pc + rows * n), cOffset + i0 * ldc);
      continue;
    }
    for (let r = 0; r < rows; r++) {
      const src = pc + r * n8;
      const dst = cOffset + (i0 + r) * ldc;
      if (accumulate) for (let j = 0; j < n; j++) c[dst + j] = c[dst + j]! + heap[src + j]!;
      else c.set(heap.subarray(src, src + n), dst);
    }
  }
}

/** A rows i0…i0+rows, columns k0…k0+kc, as 4-row panels of kc groups of 4 (zeros past the last row). */
function packA(heap: Float32Array, at: number, a: MatrixView, i0: number, rows: number, k0: number, kc: number): void {
  const { data, rowStride: rs, colStride: cs } = a;
  let o = at;
  for (let r0 = 0; r0 < rows; r0 += MR) {
    const rr = Math.min(MR, rows - r0);
    let src = a.offset + (i0 + r0) * rs + k0 * cs;
    if (rr === MR) {
      for (let kk = 0; kk < kc; kk++, src += cs) {
        heap[o] = data[src]!;
        heap[o + 1] = data[src + rs]!;
        heap[o + 2] = data[src + 2 * rs]!;
        heap[o + 3] = data[src + 3 * rs]!;
        o += 4;
      }
    } else {
      for (let kk = 0; kk < kc; kk++, src += cs) {
        for (let q = 0; q < MR; q++) heap[o++] = q < rr ? data[src + q * rs]! : 0;
      }
    }
  }
}

/** B rows k0…k0+kc as 8-column panels of kc groups of 8 (zeros past the last column). */
function packB(heap: Float32Array, at: number, b: MatrixView, k0: number, kc: number, n: number, n8: number): void {
  const { data, rowStride: rs, colStride: cs } = b;
  for (let j0 = 0; j0 < n8; j0 += NR) {
    const cols = Math.min(NR, n - j0);
    let o = at + j0 * kc;
    let src = b.offset + k0 * rs + j0 * cs;
    if (cols === NR && cs === 1) {
      for (let kk = 0; kk < kc; kk++, src += rs) {
        heap[o] = data[src]!;
        heap[o + 1] = data[src + 1]!;
        heap[o + 2] = data[src + 2]!;
        heap[o + 3] = data[src + 3]!;
        heap[o + 4] = data[src + 4]!;
        heap[o + 5] = data[src + 5]!;
        heap[o + 6] = data[src + 6]!;
        heap[o + 7] = data[src + 7]!;
        o += 8;
      }
    } else {
      for (let kk = 0; kk < kc; kk++, src += rs) {
        for (let q = 0; q < NR; q++) heap[o++] = q < cols ? data[src + q * cs]! : 0;
      }
    }
  }
}
