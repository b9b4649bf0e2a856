import type { Conv2DBackpropInputAttrs } from '@tensorflow/tfjs';
import { float32Values, Scratch, unpack, type FastKernel } from './cpu-backend';
import { gemm, view } from './gemm';
import { blockRows, col2imAdd, isPointwise, nhwcConvInfo, tapCount } from './im2col';

const colScratch = new Scratch();

/** dx = col2im(dy · Wᵀ): the gradient of each im2col row, added back where it was read. */
export const conv2DBackpropInput: FastKernel = {
  kernelName: 'Conv2DBackpropInput',
  create: (tf, stock) => (args) => {
    const { backend, attrs } = unpack<Conv2DBackpropInputAttrs>(args);
    const { dy, filter } = args.inputs;
    const dyv = float32Values(backend, dy);
    const wv = float32Values(backend, filter);
    const info = filter && dyv && wv ? nhwcConvInfo(tf, attrs.inputShape ?? [], filter.shape, { ...attrs, dilations: 1 }) : undefined;
    if (!info || !dyv || !wv) return stock(args);

    const rowsTotal = info.batchSize * info.outHeight * info.outWidth;
    const co = info.outChannels;
    const taps = tapCount(info);
    const dx = new Float32Array(info.batchSize * info.inHeight * info.inWidth * info.inChannels);
    const filterT = view(wv, 0, 1, co);
    if (isPointwise(info)) {
      gemm(rowsTotal, taps, co, view(dyv, 0, co, 1), filterT, dx, 0, taps, false);
    } else {
      const block = blockRows(info);
      const col = colScratch.get(block * taps);
      for (let p0 = 0; p0 < rowsTotal; p0 += block) {
        const rows = Math.min(block, rowsTotal - p0);
        gemm(rows, taps, co, view(dyv, p0 * co, co, 1), filterT, col, 0, taps, false);
        col2imAdd(col, info, p0, rows, dx);
      }
    }
    return backend.makeTensorInfo(info.inShape, 'float32', dx);
  },
};
