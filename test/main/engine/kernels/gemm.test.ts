import { describe, expect, it } from 'vitest';
import { gemm, view } from '../../../../main/engine/kernels/gemm';
import { simdAvailable, useSimd } from '../../../../main/engine/kernels/simd';
import { seededRandom } from './helpers';

describe('gemm', () => {
  it('has WebAssembly SIMD in this Node, so the SIMD path is the one tested', () => {
    expect(simdAvailable()).toBe(true);
  });

  it.each(['simd', 'js'] as const)(
    'matches a double-precision product on random shapes, strides and offsets (%s)',
    (path) => {
      const random = seededRandom(path === 'simd' ? 31 : 32);
      const int = (max: number): number => 1 + Math.floor(random() * max);
      useSimd(path === 'simd');
      try {
        for (let t = 0; t < 60; t++) {
          // Every 4th case deeper than one 256-deep pass; every 5th taller than one 256-row block.
          const m = t % 5 === 0 ? 250 + int(80) : int(37);
          const n = t % 3 === 0 ? 8 * int(4) : int(29); // whole 8-column panels: C is copied out in one piece
          const k = t % 4 === 0 ? 250 + int(300) : int(45);
          const aT = random() < 0.5;
          const bT = random() < 0.5;
          const a = Float32Array.from({ length: m * k + 3 }, () => random() - 0.5);
          const b = Float32Array.from({ length: k * n + 2 }, () => random() - 0.5);
          const av = aT ? view(a, 3, 1, m) : view(a, 3, k, 1);
          const bv = bT ? view(b, 2, 1, k) : view(b, 2, n, 1);
          const ldc = t % 2 === 0 ? n : n + 2;
          const accumulate = random() < 0.5;
          const c = Float32Array.from({ length: m * ldc + 1 }, () => random());
          const expected = Float64Array.from(c);
          for (let i = 0; i < m; i++) {
            for (let j = 0; j < n; j++) {
              let sum = accumulate ? c[1 + i * ldc + j]! : 0;
              for (let q = 0; q < k; q++)
                sum +=
                  a[av.offset + i * av.rowStride + q * av.colStride]! *
                  b[bv.offset + q * bv.rowStride + j * bv.colStride]!;
              expected[1 + i * ldc + j] = sum;
            }
          }
          gemm(m, n, k, av, bv, c, 1, ldc, accumulate);
          let worst = 0;
          for (let i = 0; i < c.length; i++) worst = Math.max(worst, Math.abs(c[i]! - expected[i]!));
          // Entries are sums of k products of values below 0.5: float32 rounding stays far below this.
          expect(worst, `m ${m} n ${n} k ${k} aT ${aT} bT ${bT} accumulate ${accumulate}`).toBeLessThan(
            1e-5 * Math.max(1, Math.sqrt(k)),
          );
        }
      } finally {
        useSimd(true);
      }
    },
  );
});
