import type { StepAttrs } from '@tensorflow/tfjs';
import { float32Values, output, unpack, type FastKernel } from './cpu-backend';
import { BLOCK_FLOATS, roundUp4, simd, type Simd } from './simd';

/**
 * Relu, Step (the ReLU gradient's mask), Sqrt and Square (Adam, moments) on float32, as f32x4
 * loops on the SIMD module (plain loops without it). The stock kernels call the formula through a
 * shared closure per element, and Relu and Step branch on the sign of random data (a mispredicted
 * branch per element); f32x4 max / compare-select have no branch. Same formulas, each one float32
 * rounding, so the same results, NaN and −0 included.
 */
function unaryKernel(
  kernelName: string,
  loop: (x: Float32Array, out: Float32Array, attrs: Record<string, unknown>) => void,
  onSimd?: (
    s: Simd,
    x: number,
    out: number,
    bytes: number,
    attrs: Record<string, unknown>,
    heap: Float32Array,
    at: number,
  ) => void,
): FastKernel {
  return {
    kernelName,
    create: (_tf, stock) => (args) => {
      const { backend, attrs } = unpack<Record<string, unknown>>(args);
      const { x } = args.inputs;
      const xv = float32Values(backend, x);
      if (!x || !xv) return stock(args);
      const s = onSimd && xv.length >= 64 ? simd() : undefined;
      if (s && onSimd) {
        // [x block | out block | 4 floats of parameters], a block at a time.
        const block = Math.min(BLOCK_FLOATS, roundUp4(xv.length));
        const heap = s.heap(2 * block + 4);
        const out = output(backend, xv.length);
        for (let start = 0; start < xv.length; start += block) {
          const end = Math.min(xv.length, start + block);
          heap.set(xv.subarray(start, end), 0);
          onSimd(s, 0, block * 4, roundUp4(end - start) * 4, attrs, heap, 2 * block);
          out.set(heap.subarray(block, block + end - start), start);
        }
        return backend.makeTensorInfo(x.shape, 'float32', out);
      }
      const out = output(backend, xv.length);
      loop(xv, out, attrs);
      return backend.makeTensorInfo(x.shape, 'float32', out);
    },
  };
}

export const relu = unaryKernel(
  'Relu',
  (x, out) => {
    for (let i = 0; i < x.length; i++) out[i] = Math.max(0, x[i]!);
  },
  (s, x, out, bytes) => s.fn.relu(x, out, bytes),
);

export const step = unaryKernel(
  'Step',
  (x, out, attrs) => {
    const alpha = (attrs as unknown as StepAttrs).alpha;
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      out[i] = v > 0 ? 1 : v !== v ? NaN : alpha;
    }
  },
  (s, x, out, bytes, attrs, heap, at) => {
    heap.fill((attrs as unknown as StepAttrs).alpha, at, at + 4);
    s.fn.step(x, out, bytes, at * 4);
  },
);

export const sqrt = unaryKernel(
  'Sqrt',
  (x, out) => {
    for (let i = 0; i < x.length; i++) out[i] = Math.sqrt(x[i]!);
  },
  (s, x, out, bytes) => s.fn.sqrt(x, out, bytes),
);

export const square = unaryKernel(
  'Square',
  (x, out) => {
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      out[i] = v * v;
    }
  },
  (s, x, out, bytes) => s.fn.square(x, out, bytes),
);
