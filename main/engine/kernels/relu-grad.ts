import type { GradConfig, Tensor, TensorInfo } from '@tensorflow/tfjs';
import { float32Values, output, unpack, type KernelArgs, type Tf } from './cpu-backend';
import { BLOCK_FLOATS, roundUp4, simd } from './simd';

/**
 * ReLU's gradient as one op (issue 17): tfjs' is dy · cast(step(x)), three ops and two
 * full-size intermediates per ReLU; here one pass, dy · (1 where x > 0, NaN where x is NaN,
 * else 0), each product one float32 rounding as the stock Multiply: bit for bit the same.
 */
export const RELU_GRAD_KERNEL = 'XlabReluGrad';

/** dy, x (same size, float32) → dx. */
export function reluGradKernel(args: KernelArgs): TensorInfo {
  const { backend } = unpack<object>(args);
  const { dy, x } = args.inputs;
  const dyv = float32Values(backend, dy);
  const xv = float32Values(backend, x);
  if (!dyv || !xv || dyv.length !== xv.length)
    throw new Error(`${RELU_GRAD_KERNEL}: dy and x must be float32 of one size`);
  const out = output(backend, xv.length);
  const s = xv.length >= 64 ? simd() : undefined;
  if (s) {
    // [dy block | x block | out block], a block at a time.
    const block = Math.min(BLOCK_FLOATS, roundUp4(xv.length));
    const heap = s.heap(3 * block);
    for (let start = 0; start < xv.length; start += block) {
      const end = Math.min(xv.length, start + block);
      heap.set(dyv.subarray(start, end), 0);
      heap.set(xv.subarray(start, end), block);
      s.fn.reluGrad(0, block * 4, 2 * block * 4, roundUp4(end - start) * 4);
      out.set(heap.subarray(2 * block, 2 * block + end - start), start);
    }
  } else {
    for (let i = 0; i < xv.length; i++) {
      const v = xv[i]!;
      out[i] = dyv[i]! * (v > 0 ? 1 : v !== v ? NaN : 0);
    }
  }
  return backend.makeTensorInfo(x!.shape, 'float32', out);
}

/** tfjs-core's own Relu gradient (gradients cannot be looked up through the public API). */
function stockReluGradient(tf: Tf): GradConfig {
  return {
    kernelName: 'Relu',
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => {
      const [x] = saved;
      return { x: () => tf.mul(dy as Tensor, tf.cast(tf.step(x!), 'float32')) };
    },
  };
}

/** Registers the one-op Relu gradient in `tf` for float32 on the cpu backend; returns a function putting the stock one back. */
export function patchReluGradient(tf: Tf): () => void {
  const stock = stockReluGradient(tf);
  tf.registerGradient({
    kernelName: 'Relu',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved;
      if (tf.getBackend() !== 'cpu' || x!.dtype !== 'float32' || (dy as Tensor).dtype !== 'float32')
        return stock.gradFunc(dy, saved, attrs);
      return { x: () => tf.engine().runKernel(RELU_GRAD_KERNEL, { dy: dy as Tensor, x: x! }) as Tensor };
    },
  });
  return () => tf.registerGradient(stock);
}
