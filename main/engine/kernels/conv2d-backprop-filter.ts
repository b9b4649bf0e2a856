import type { Conv2DBackpropFilterAttrs } from '@tensorflow/tfjs';
import { float32Values, output, Scratch, unpack, type FastKernel } from './cpu-backend';
import { nhwcConvInfo, tapCount } from './im2col';
import { kernelPool } from './pool';
import { convFilterUnits, geometryParams, outputRows, SUM_BLOCK, Task } from './tasks';

const partialScratch = new Scratch();

/**
 * dW = im2col(x)ᵀ · dy: a (fh·fw·ci)×co product summed over every output pixel of the batch.
 * The stock kernel runs this as seven nested loops through TensorBuffer.get() (80 % of a step).
 * The rows are cut into fixed chunks whose partial products the kernel pool's threads compute,
 * then summed in chunk order, so the result does not depend on the thread count.
 */
export const conv2DBackpropFilter: FastKernel = {
  kernelName: 'Conv2DBackpropFilter',
  create: (tf, stock) => (args) => {
    const { backend, attrs } = unpack<Conv2DBackpropFilterAttrs>(args);
    const { x, dy } = args.inputs;
    const xv = float32Values(backend, x);
    const dyv = float32Values(backend, dy);
    const info = x && xv && dyv ? nhwcConvInfo(tf, x.shape, attrs.filterShape, { ...attrs, dilations: 1 }) : undefined;
    if (!info || !xv || !dyv) return stock(args);

    const size = tapCount(info) * info.outChannels;
    const units = convFilterUnits(info);
    const partials = partialScratch.get(units * size).subarray(0, units * size);
    const pool = kernelPool();
    pool.run(
      Task.convFilter,
      [
        { array: xv, input: true },
        { array: dyv, input: true },
        { array: partials, output: true },
      ],
      geometryParams(info),
      units,
      outputRows(info) * size,
    );
    const dw = output(backend, size);
    pool.run(
      Task.sumPartials,
      [
        { array: partials, input: true },
        { array: dw, output: true },
      ],
      [units],
      Math.ceil(size / SUM_BLOCK),
      units * size,
    );
    return backend.makeTensorInfo(info.filterShape, 'float32', dw);
  },
};
