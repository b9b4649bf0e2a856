import type { MaxPoolAttrs } from '@tensorflow/tfjs';
import { float32Values, isShape4, output, unpack, type FastKernel } from './cpu-backend';

/** Max pooling, channels innermost; the stock rule: strict >, NaN never wins, −∞ for an all-NaN window. */
export const maxPool: FastKernel = {
  kernelName: 'MaxPool',
  create: (tf, stock) => (args) => {
    const { backend, attrs } = unpack<MaxPoolAttrs>(args);
    const { x } = args.inputs;
    const xv = float32Values(backend, x);
    if (!x || !xv || !isShape4(x.shape) || attrs.filterSize === undefined) return stock(args);
    const info = tf.backend_util.computePool2DInfo(x.shape, attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
    if (info.dataFormat !== 'channelsLast') return stock(args);

    const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
    const { filterHeight: FH, filterWidth: FW, strideHeight: SH, strideWidth: SW } = info;
    const top = info.padInfo.top;
    const left = info.padInfo.left;
    const y = output(backend, B * OH * OW * C).fill(Number.NEGATIVE_INFINITY);
    let o = 0;
    for (let b = 0; b < B; b++) {
      for (let oy = 0; oy < OH; oy++) {
        const yStart = oy * SH - top;
        const y0 = Math.max(0, yStart);
        const y1 = Math.min(H, yStart + FH);
        for (let ox = 0; ox < OW; ox++, o += C) {
          const xStart = ox * SW - left;
          const x0 = Math.max(0, xStart);
          const x1 = Math.min(W, xStart + FW);
          for (let iy = y0; iy < y1; iy++) {
            for (let ix = x0; ix < x1; ix++) {
              const xo = ((b * H + iy) * W + ix) * C;
              for (let c = 0; c < C; c++) {
                const v = xv[xo + c]!;
                if (v > y[o + c]!) y[o + c] = v;
              }
            }
          }
        }
      }
    }
    return backend.makeTensorInfo(info.outShape, 'float32', y);
  },
};
