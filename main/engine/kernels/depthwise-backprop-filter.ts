import type { DepthwiseConv2dNativeBackpropFilterAttrs } from '@tensorflow/tfjs';
import { float32Values, output, Scratch, unpack, type FastKernel } from './cpu-backend';
import { nhwcConvInfo } from './im2col';
import { kernelPool } from './pool';
import { geometryParams, SUM_BLOCK, Task } from './tasks';

const partialScratch = new Scratch();

/**
 * dW[fy, fx, c, q] = Σ x·dy over the batch and output pixels, channels innermost: one partial per
 * image (on the kernel pool's threads), summed in image order.
 */
export const depthwiseConv2dNativeBackpropFilter: FastKernel = {
  kernelName: 'DepthwiseConv2dNativeBackpropFilter',
  create: (tf, stock) => (args) => {
    const { backend, attrs } = unpack<DepthwiseConv2dNativeBackpropFilterAttrs>(args);
    const { x, dy } = args.inputs;
    const xv = float32Values(backend, x);
    const dyv = float32Values(backend, dy);
    const info = x && xv && dyv ? nhwcConvInfo(tf, x.shape, attrs.filterShape, attrs, true) : undefined;
    if (!info || !xv || !dyv) return stock(args);

    const size = info.filterHeight * info.filterWidth * info.outChannels;
    const images = info.batchSize;
    const partials = partialScratch.get(images * size).subarray(0, images * size);
    const pool = kernelPool();
    pool.run(
      Task.depthwiseFilter,
      [
        { array: xv, input: true },
        { array: dyv, input: true },
        { array: partials, output: true },
      ],
      geometryParams(info),
      images,
      dyv.length * info.filterHeight * info.filterWidth,
    );
    const dw = output(backend, size);
    pool.run(
      Task.sumPartials,
      [
        { array: partials, input: true },
        { array: dw, output: true },
      ],
      [images],
      Math.ceil(size / SUM_BLOCK),
      images * size,
    );
    return backend.makeTensorInfo(info.filterShape, 'float32', dw);
  },
};
