import type { MaxPoolGradAttrs } from '@tensorflow/tfjs';
import { float32Values, isShape4, output, unpack, type FastKernel } from './cpu-backend';
import { kernelPool } from './pool';
import { geometryParams, Task } from './tasks';

/**
 * Routes each output pixel's dy to the first maximum of its window (strict >, NaN never wins:
 * the stock kernel's rule), channels innermost instead of one TensorBuffer.get() per tap; whole
 * images split across the kernel pool's threads.
 */
export const maxPoolGrad: FastKernel = {
  kernelName: 'MaxPoolGrad',
  create: (tf, stock) => (args) => {
    const { backend, attrs } = unpack<MaxPoolGradAttrs>(args);
    const { dy, input } = args.inputs;
    const dyv = float32Values(backend, dy);
    const xv = float32Values(backend, input);
    if (!input || !dyv || !xv || !isShape4(input.shape) || attrs.filterSize === undefined) return stock(args);
    const info = tf.backend_util.computePool2DInfo(
      input.shape,
      attrs.filterSize,
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
    );
    if (info.dataFormat !== 'channelsLast') return stock(args);

    const dx = output(backend, xv.length);
    kernelPool().run(
      Task.maxPoolGrad,
      [
        { array: dyv, input: true },
        { array: xv, input: true },
        { array: dx, output: true },
      ],
      geometryParams(info),
      info.batchSize,
      dyv.length * info.filterHeight * info.filterWidth,
    );
    return backend.makeTensorInfo(input.shape, 'float32', dx);
  },
};
