import type { SumAttrs } from '@tensorflow/tfjs';
import { float32Values, unpack, type FastKernel, type Tf } from './cpu-backend';
import { BLOCK_FLOATS, roundUp4, simd, stageRows } from './simd';

export interface Reduction {
  outShape: number[];
  values: Float32Array;
}

/**
 * Sums float32 `x` over `axis` when the axes are contiguous, reading x as [outer, reduced, inner]
 * in place; undefined for other axis sets. With `divisor`, each element is first divided by it
 * and rounded to float32, as the stock Mean does (x / n, then Sum). Each output is a double sum
 * in the stock kernels' order (on f64x2 lanes of the SIMD module when there are several
 * outputs per row), so results are bit-identical.
 */
export function reduceContiguous(
  tf: Tf,
  x: Float32Array,
  shape: readonly number[],
  axis: number | number[],
  keepDims: boolean,
  divisor?: number,
): Reduction | undefined {
  const axes = tf.util.parseAxisParam(axis, [...shape]).sort((p, q) => p - q);
  const first = axes[0];
  const last = axes[axes.length - 1];
  if (first === undefined || last === undefined || last - first !== axes.length - 1) return undefined;

  let outer = 1;
  let reduced = 1;
  let inner = 1;
  for (let d = 0; d < shape.length; d++) {
    if (d < first) outer *= shape[d]!;
    else if (d <= last) reduced *= shape[d]!;
    else inner *= shape[d]!;
  }
  const n = divisor === undefined ? 0 : Math.fround(divisor);
  const values = new Float32Array(outer * inner);
  const s = inner >= 4 && reduced * inner >= 256 ? simd() : undefined;
  if (s) {
    // [x rows, padded to `width`, a block at a time | acc: width doubles | divisor: 4 floats]
    const width = roundUp4(inner);
    const blockRows = Math.max(1, Math.floor(BLOCK_FLOATS / width));
    const accAt = blockRows * width;
    const divisorAt = accAt + 2 * width;
    const heap = s.heap(divisorAt + 4);
    heap.fill(divisor === undefined ? 1 : n, divisorAt, divisorAt + 4);
    for (let i = 0; i < outer; i++) {
      heap.fill(0, accAt, divisorAt);
      for (let r0 = 0; r0 < reduced; r0 += blockRows) {
        const rows = Math.min(blockRows, reduced - r0);
        const from = (i * reduced + r0) * inner;
        stageRows(heap, 0, x.subarray(from, from + rows * inner), rows, inner, width);
        s.fn.columnSums(0, rows, width * 4, accAt * 4, divisorAt * 4);
      }
      values.set(new Float64Array(heap.buffer, accAt * 4, inner), i * inner);
    }
  } else if (inner === 1) {
    for (let i = 0; i < outer; i++) {
      let s = 0;
      const base = i * reduced;
      if (divisor === undefined) for (let r = 0; r < reduced; r++) s += x[base + r]!;
      else for (let r = 0; r < reduced; r++) s += Math.fround(x[base + r]! / n);
      values[i] = s;
    }
  } else {
    const acc = new Float64Array(inner);
    for (let i = 0; i < outer; i++) {
      acc.fill(0);
      let src = i * reduced * inner;
      for (let r = 0; r < reduced; r++) {
        if (divisor === undefined) for (let j = 0; j < inner; j++) acc[j] = acc[j]! + x[src++]!;
        else for (let j = 0; j < inner; j++) acc[j] = acc[j]! + Math.fround(x[src++]! / n);
      }
      values.set(acc, i * inner);
    }
  }
  const outShape = keepDims
    ? shape.map((d, i) => (i >= first && i <= last ? 1 : d))
    : shape.filter((_, i) => i < first || i > last);
  return { outShape, values };
}

/**
 * Sum over contiguous axes — batch-norm gradients sum NHWC over N, H, W. The stock kernel first
 * transposes the reduced axes innermost with a generic per-element index transpose.
 */
export const sum: FastKernel = {
  kernelName: 'Sum',
  create: (tf, stock) => (args) => {
    const { backend, attrs } = unpack<SumAttrs>(args);
    const { x } = args.inputs;
    const xv = float32Values(backend, x);
    const result = x && xv ? reduceContiguous(tf, xv, x.shape, attrs.axis, attrs.keepDims) : undefined;
    if (!result) return stock(args);
    return backend.makeTensorInfo(result.outShape, 'float32', result.values);
  },
};
