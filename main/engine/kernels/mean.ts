import type { MeanAttrs } from '@tensorflow/tfjs';
import { float32Values, unpack, type FastKernel } from './cpu-backend';
import { reduceContiguous } from './sum';

/**
 * Mean over contiguous axes: batch normalisation in training takes the mean and variance of
 * every activation over N, H, W (tf.moments), which made the stock Mean — a division, a
 * transpose and a sum — the largest kernel once the convolutions were fast.
 */
export const mean: FastKernel = {
  kernelName: 'Mean',
  create: (tf, stock) => (args) => {
    const { backend, attrs } = unpack<MeanAttrs>(args);
    const { x } = args.inputs;
    const xv = float32Values(backend, x);
    if (!x || !xv) return stock(args);
    const axes = tf.util.parseAxisParam(attrs.axis, x.shape);
    let count = 1;
    for (const a of axes) count *= x.shape[a]!;
    const result = reduceContiguous(tf, xv, x.shape, attrs.axis, attrs.keepDims, count);
    if (!result) return stock(args);
    return backend.makeTensorInfo(result.outShape, 'float32', result.values);
  },
};
