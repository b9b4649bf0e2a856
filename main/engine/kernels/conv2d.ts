import type { Conv2DAttrs } from '@tensorflow/tfjs';
import { float32Values, Scratch, unpack, type FastKernel } from './cpu-backend';
import { gemm, view } from './gemm';
import { blockRows, im2col, isPointwise, nhwcConvInfo, tapCount, type ConvInfo } from './im2col';

const colScratch = new Scratch();

/** y = conv(x, w) for NHWC x and HWIO w: im2col blocks times the filter matrix. */
export function conv2dForward(x: Float32Array, w: Float32Array, info: ConvInfo): Float32Array {
  const rowsTotal = info.batchSize * info.outHeight * info.outWidth;
  const co = info.outChannels;
  const y = new Float32Array(rowsTotal * co);
  const filter = view(w, 0, co, 1);
  if (isPointwise(info)) {
    gemm(rowsTotal, co, info.inChannels, view(x, 0, info.inChannels, 1), filter, y, 0, co, false);
    return y;
  }
  const taps = tapCount(info);
  const block = blockRows(info);
  const col = colScratch.get(block * taps);
  for (let p0 = 0; p0 < rowsTotal; p0 += block) {
    const rows = Math.min(block, rowsTotal - p0);
    im2col(x, info, p0, rows, col);
    gemm(rows, co, taps, view(col, 0, taps, 1), filter, y, p0 * co, co, false);
  }
  return y;
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
    return backend.makeTensorInfo(info.outShape, 'float32', conv2dForward(xv, wv, info));
  },
};
