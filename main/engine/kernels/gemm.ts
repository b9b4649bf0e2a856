import { gemmJs } from './gemm-js';
import { gemmSimd } from './gemm-simd';
import type { MatrixView } from './matrix-view';
import { simd } from './simd';

export { view, type MatrixView } from './matrix-view';

/**
 * C (m×n, row-major, row stride `ldc`, from `cOffset`) = A·B, or C += A·B with `accumulate`.
 * A and B are read through strides, so transposed operands (xᵀ·dy, dy·Wᵀ) need no copy. Runs on
 * WebAssembly SIMD where available, else in plain JS.
 */
export function gemm(
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
  const s = simd();
  if (s) gemmSimd(s, m, n, k, a, b, c, cOffset, ldc, accumulate);
  else gemmJs(m, n, k, a, b, c, cOffset, ldc, accumulate);
}
