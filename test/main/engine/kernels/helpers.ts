import * as tf from '@tensorflow/tfjs';
import type { NamedAttrMap, NamedTensorMap, Tensor } from '@tensorflow/tfjs';
import { afterEach, beforeAll, expect } from 'vitest';
import { registerFastKernels, unregisterFastKernels } from '../../../../main/engine/kernels';
import { useSimd } from '../../../../main/engine/kernels/simd';

export { tf };

/** The lecture's post-activation ("seed") blocks, micro-sized: 24 px, α 0.125, one middle block. */
export const MICRO_SEED = {
  blockStyle: 'seed',
  inputSize: 24,
  classes: 10,
  widthMultiplier: 0.125,
  middleRepeats: 1,
} as const;

/** The cpu backend, stock kernels restored and the SIMD path back on after every test. */
export function useCpuBackend(): void {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  afterEach(() => {
    unregisterFastKernels(tf);
    useSimd(true);
  });
}

/** A small seeded generator (mulberry32), so every run draws the same shapes and values. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomTensor(random: () => number, shape: number[], scale = 1): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: size }, () => (random() * 2 - 1) * scale),
    shape,
    'float32',
  );
}

export type Paths = 'simd' | 'js';

/**
 * Runs `kernelName` on the same inputs with tfjs-backend-cpu's own kernel and with ours (on the
 * SIMD path or the plain-JS one); returns both outputs' values and shapes.
 */
export function stockAndFast(
  kernelName: string,
  inputs: NamedTensorMap,
  attrs: object,
  path: Paths = 'simd',
): { stock: Tensor; fast: Tensor } {
  const run = (): Tensor => {
    const out = tf.engine().runKernel(kernelName, inputs, attrs as unknown as NamedAttrMap);
    return Array.isArray(out) ? out[0]! : out;
  };
  unregisterFastKernels(tf);
  const stock = run();
  registerFastKernels(tf);
  useSimd(path === 'simd');
  try {
    return { stock, fast: run() };
  } finally {
    unregisterFastKernels(tf);
    useSimd(true);
  }
}

/** max |ours − stock| / max |stock|: the error relative to the tensor's scale. */
export function relativeError(ours: ArrayLike<number>, stock: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < stock.length; i++) {
    diff = Math.max(diff, Math.abs(ours[i]! - stock[i]!));
    scale = Math.max(scale, Math.abs(stock[i]!));
  }
  return scale === 0 ? diff : diff / scale;
}

/** Same shape and every value within `tolerance` of the stock kernel's, relative to its scale. */
export function expectClose(fast: Tensor, stock: Tensor, tolerance = 1e-4): number {
  expect(fast.shape).toEqual(stock.shape);
  expect(fast.dtype).toBe(stock.dtype);
  const error = relativeError(fast.dataSync(), stock.dataSync());
  expect(error).toBeLessThan(tolerance);
  return error;
}

/** Same shape and bit for bit the same values (NaN where the stock kernel has NaN, −0 where it has −0). */
export function expectIdentical(fast: Tensor, stock: Tensor): void {
  expect(fast.shape).toEqual(stock.shape);
  expect(fast.dtype).toBe(stock.dtype);
  const a = fast.dataSync();
  const b = stock.dataSync();
  const mismatches: string[] = [];
  for (let i = 0; i < b.length && mismatches.length < 5; i++) {
    if (!Object.is(a[i], b[i])) mismatches.push(`[${i}] ${a[i]} ≠ ${b[i]}`);
  }
  expect(mismatches).toEqual([]);
}

/** The output shape of an NHWC convolution, as tfjs computes it. */
export function convOutShape(
  xShape: number[],
  filterShape: number[],
  strides: number,
  pad: 'same' | 'valid',
  depthwise = false,
): number[] {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    1,
    pad,
    undefined,
    depthwise,
  ).outShape;
}
