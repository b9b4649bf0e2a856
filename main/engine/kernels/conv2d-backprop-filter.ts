import type { Conv2DBackpropFilterAttrs } from '@tensorflow/tfjs';
import { float32Values, Scratch, unpack, type FastKernel } from './cpu-backend';
import { gemm, view } from './gemm';
import { blockRows, im2col, isPointwise, nhwcConvInfo, tapCount } from './im2col';

const colScratch = new Scratch();

/**
 * dW = im2col(x)ᵀ · dy: a (fh·fw·ci)×co product summed over every output pixel of the batch.
 * The stock kernel runs this as seven nested loops through TensorBuffer.get() (80 % of a step).
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

    const rowsTotal = info.batchSize * info.outHeight * info.outWidth;
    const co = info.outChannels;
    const taps = tapCount(info);
    const dw = new Float32Array(taps * co);
    if (isPointwise(info)) {
      gemm(taps, co, rowsTotal, view(xv, 0, 1, taps), view(dyv, 0, co, 1), dw, 0, co, false);
    } else {
      // Bigger blocks than the forward pass: each block's partial sum is rounded once into dw.
      const block = blockRows(info) * 4;
      const col = colScratch.get(block * taps);
      for (let p0 = 0; p0 < rowsTotal; p0 += block) {
        const rows = Math.min(block, rowsTotal - p0);
        im2col(xv, info, p0, rows, col);
        gemm(taps, co, rows, view(col, 0, 1, taps), view(dyv, p0 * co, co, 1), dw, 0, co, p0 > 0);
      }
    }
    return backend.makeTensorInfo(info.filterShape, 'float32', dw);
  },
};
