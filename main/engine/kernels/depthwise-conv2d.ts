import type { DepthwiseConv2dNativeAttrs } from '@tensorflow/tfjs';
import { float32Values, output, unpack, type FastKernel } from './cpu-backend';
import { nhwcConvInfo } from './im2col';
import { kernelPool } from './pool';
import { geometryParams, Task } from './tasks';

/**
 * Depthwise convolution (the first half of a separable conv), channels innermost: for each
 * output pixel and filter tap, one contiguous multiply-add over the channels (depthwise-images.ts),
 * whole images split across the kernel pool's threads.
 */
export const depthwiseConv2dNative: FastKernel = {
  kernelName: 'DepthwiseConv2dNative',
  create: (tf, stock) => (args) => {
    const { backend, attrs } = unpack<DepthwiseConv2dNativeAttrs>(args);
    const { x, filter } = args.inputs;
    const xv = float32Values(backend, x);
    const wv = float32Values(backend, filter);
    const info = x && filter && xv && wv ? nhwcConvInfo(tf, x.shape, filter.shape, attrs, true) : undefined;
    if (!info || !xv || !wv) return stock(args);

    const y = output(backend, info.batchSize * info.outHeight * info.outWidth * info.outChannels);
    const work = y.length * info.filterHeight * info.filterWidth;
    kernelPool().run(
      Task.depthwiseForward,
      [
        { array: xv, input: true },
        { array: wv, input: true },
        { array: y, output: true },
      ],
      geometryParams(info),
      info.batchSize,
      work,
    );
    return backend.makeTensorInfo(info.outShape, 'float32', y);
  },
};
