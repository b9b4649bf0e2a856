import type { Conv2DAttrs } from '@tensorflow/tfjs';
import { float32Values, output, unpack, type FastKernel } from './cpu-backend';
import { nhwcConvInfo, tapCount, type ConvInfo } from './im2col';
import { kernelPool } from './pool';
import { convForwardUnits, geometryParams, outputRows, Task } from './tasks';

/**
 * y = conv(x, w) for NHWC x and HWIO w: im2col blocks times the filter matrix (x itself for a
 * 1×1 convolution), blocks of output rows split across the kernel pool's threads.
 */
export function conv2dForward(x: Float32Array, w: Float32Array, info: ConvInfo, y: Float32Array): Float32Array {
  const work = outputRows(info) * info.outChannels * tapCount(info);
  kernelPool().run(
    Task.convForward,
    [
      { array: x, input: true },
      { array: w, input: true },
      { array: y, output: true },
    ],
    geometryParams(info),
    convForwardUnits(info),
    work,
  );
  return y;
}

/** Floats of the convolution's output. */
export function outputSize(info: ConvInfo): number {
  return info.batchSize * info.outHeight * info.outWidth * info.outChannels;
}

export const conv2D: FastKernel = {
  kernelName: 'Conv2D',
  create: (tf, stock) => (args) => {
    const { backend, attrs } = unpack<Conv2DAttrs>(args);
    const { x, filter } = args.inputs;
    const xv = float32Values(backend, x);
    const wv = float32Values(backend, filter);
    const info = x && filter && xv && wv ? nhwcConvInfo(tf, x.shape, filter.shape, attrs) : undefined;
    if (!info || !xv || !wv) return stock(args);
    return backend.makeTensorInfo(
      info.outShape,
      'float32',
      conv2dForward(xv, wv, info, output(backend, outputSize(info))),
    );
  },
};
