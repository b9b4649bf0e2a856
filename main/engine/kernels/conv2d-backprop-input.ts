import type { Conv2DBackpropInputAttrs } from '@tensorflow/tfjs';
import { float32Values, output, unpack, type FastKernel } from './cpu-backend';
import { nhwcConvInfo, tapCount } from './im2col';
import { kernelPool } from './pool';
import { convInputUnits, geometryParams, outputRows, Task } from './tasks';

/**
 * dx = col2im(dy · Wᵀ): the gradient of each im2col row, added back where it was read; whole
 * images (or, for a 1×1 convolution, blocks of rows) split across the kernel pool's threads.
 */
export const conv2DBackpropInput: FastKernel = {
  kernelName: 'Conv2DBackpropInput',
  create: (tf, stock) => (args) => {
    const { backend, attrs } = unpack<Conv2DBackpropInputAttrs>(args);
    const { dy, filter } = args.inputs;
    const dyv = float32Values(backend, dy);
    const wv = float32Values(backend, filter);
    const info =
      filter && dyv && wv
        ? nhwcConvInfo(tf, attrs.inputShape ?? [], filter.shape, { ...attrs, dilations: 1 })
        : undefined;
    if (!info || !dyv || !wv) return stock(args);

    const dx = output(backend, info.batchSize * info.inHeight * info.inWidth * info.inChannels);
    const work = outputRows(info) * info.outChannels * tapCount(info);
    kernelPool().run(
      Task.convInput,
      [
        { array: dyv, input: true },
        { array: wv, input: true },
        { array: dx, output: true },
      ],
      geometryParams(info),
      convInputUnits(info),
      work,
    );
    return backend.makeTensorInfo(info.inShape, 'float32', dx);
  },
};
