import type { DepthwiseConv2dNativeBackpropInputAttrs } from '@tensorflow/tfjs';
import { float32Values, output, unpack, type FastKernel } from './cpu-backend';
import { nhwcConvInfo } from './im2col';
import { kernelPool } from './pool';
import { geometryParams, Task } from './tasks';

/** dx: each output pixel's dy, times each filter tap, added back to the input pixel it read; whole images per thread. */
export const depthwiseConv2dNativeBackpropInput: FastKernel = {
  kernelName: 'DepthwiseConv2dNativeBackpropInput',
  create: (tf, stock) => (args) => {
    const { backend, attrs } = unpack<DepthwiseConv2dNativeBackpropInputAttrs>(args);
    const { dy, filter } = args.inputs;
    const dyv = float32Values(backend, dy);
    const wv = float32Values(backend, filter);
    const info = filter && dyv && wv ? nhwcConvInfo(tf, attrs.inputShape ?? [], filter.shape, attrs, true) : undefined;
    if (!info || !dyv || !wv) return stock(args);

    const dx = output(backend, info.batchSize * info.inHeight * info.inWidth * info.inChannels);
    const work = dyv.length * info.filterHeight * info.filterWidth;
    kernelPool().run(
      Task.depthwiseInput,
      [
        { array: dyv, input: true },
        { array: wv, input: true },
        { array: dx, output: true },
      ],
      geometryParams(info),
      info.batchSize,
      work,
    );
    return backend.makeTensorInfo(info.inShape, 'float32', dx);
  },
};
