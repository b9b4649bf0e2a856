import type { MaxPoolAttrs } from '@tensorflow/tfjs';
import { float32Values, isShape4, output, unpack, type FastKernel } from './cpu-backend';
import { kernelPool } from './pool';
import { geometryParams, Task } from './tasks';

/** Max pooling, channels innermost (max-pool-images.ts), whole images split across the kernel pool's threads. */
export const maxPool: FastKernel = {
  kernelName: 'MaxPool',
  create: (tf, stock) => (args) => {
    const { backend, attrs } = unpack<MaxPoolAttrs>(args);
    const { x } = args.inputs;
    const xv = float32Values(backend, x);
    if (!x || !xv || !isShape4(x.shape) || attrs.filterSize === undefined) return stock(args);
    const info = tf.backend_util.computePool2DInfo(
      x.shape,
      attrs.filterSize,
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
    );
    if (info.dataFormat !== 'channelsLast') return stock(args);

    const y = output(backend, info.batchSize * info.outHeight * info.outWidth * info.inChannels);
    kernelPool().run(
      Task.maxPool,
      [
        { array: xv, input: true },
        { array: y, output: true },
      ],
      geometryParams(info),
      info.batchSize,
      y.length * info.filterHeight * info.filterWidth,
    );
    return backend.makeTensorInfo(info.outShape, 'float32', y);
  },
};
