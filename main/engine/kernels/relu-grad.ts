import type { GradConfig, Tensor, TensorInfo } from '@tensorflow/tfjs';
import { float32Values, output, unpack, type KernelArgs, type Tf } from './cpu-backend';
import { BLOCK_FLOATS, roundUp4, simd } from './simd';

/**
 * ReLU's gradient as one op (issue 17): tfjs' is dy · cast(step(x)), three ops and two
 * full-size intermediates per ReLU; here one pass, dy · (1 where y > 0, NaN where y is NaN,
 * else 0), each product one float32 rounding as the stock Multiply: bit for bit the same.
 *
 * It reads ReLU's output y, not its input x: y > 0 exactly where x > 0 and y is NaN exactly
 * where x is, so the gradient is the same, but the tape then keeps y — which the next layer
 * keeps anyway — and x, a batch norm's output in every Xception unit, can be freed as soon as
 * the ReLU has run (activation-release.ts): about 0.5 GB at 299 px, batch 8.
 */
export const RELU_GRAD_KERNEL = 'XlabReluGrad';

/** dy, y = relu(x) (same size, float32) → dx. */
export function reluGradKernel(args: KernelArgs): TensorInfo {
  const { backend } = unpack<object>(args);
  const { dy, y } = args.inputs;
  const dyv = float32Values(backend, dy);
  const yv = float32Values(backend, y);
  if (!dyv || !yv || dyv.length !== yv.length)
    throw new Error(`${RELU_GRAD_KERNEL}: dy and y must be float32 of one size`);
  const out = output(backend, yv.length);
  const s = yv.length >= 64 ? simd() : undefined;
  if (s) {
    // [dy block | y block | out block], a block at a time.
    const block = Math.min(BLOCK_FLOATS, roundUp4(yv.length));
    const heap = s.heap(3 * block);
    for (let start = 0; start < yv.length; start += block) {
      const end = Math.min(yv.length, start + block);
      heap.set(dyv.subarray(start, end), 0);
      heap.set(yv.subarray(start, end), block);
      s.fn.reluGrad(0, block * 4, 2 * block * 4, roundUp4(end - start) * 4);
      out.set(heap.subarray(2 * block, 2 * block + end - start), start);
    }
  } else {
    for (let i = 0; i < yv.length; i++) {
      const v = yv[i]!;
      out[i] = dyv[i]! * (v > 0 ? 1 : v !== v ? NaN : 0);
    }
  }
  return backend.makeTensorInfo(y!.shape, 'float32', out);
}

/** tfjs-core's own Relu gradient (gradients cannot be looked up through the public API); put back on unpatch. */
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

/**
 * Registers the one-op Relu gradient in `tf` for float32 on the cpu backend (elsewhere the stock
 * formula, on y); returns a function putting the stock one back.
 */
export function patchReluGradient(tf: Tf): () => void {
  tf.registerGradient({
    kernelName: 'Relu',
    outputsToSave: [true],
    gradFunc: (dy, saved) => {
      const [y] = saved;
      if (tf.getBackend() !== 'cpu' || y!.dtype !== 'float32' || (dy as Tensor).dtype !== 'float32')
        return { x: () => tf.mul(dy as Tensor, tf.cast(tf.step(y!), 'float32')) };
      return { x: () => tf.engine().runKernel(RELU_GRAD_KERNEL, { dy: dy as Tensor, y: y! }) as Tensor };
    },
  });
  return () => tf.registerGradient(stockReluGradient(tf));
}
