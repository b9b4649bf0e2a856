import type { MaxPoolGradAttrs } from '@tensorflow/tfjs';
import { float32Values, isShape4, unpack, zeroedOutput, type FastKernel } from './cpu-backend';

/**
 * Routes each output pixel's dy to the first maximum of its window (strict >, NaN never wins:
 * the stock kernel's rule), channels innermost instead of one TensorBuffer.get() per tap.
 */
export const maxPoolGrad: FastKernel = {
  kernelName: 'MaxPoolGrad',
  create: (tf, stock) => (args) => {
    const { backend, attrs } = unpack<MaxPoolGradAttrs>(args);
    const { dy, input } = args.inputs;
    const dyv = float32Values(backend, dy);
    const xv = float32Values(backend, input);
    if (!input || !dyv || !xv || !isShape4(input.shape) || attrs.filterSize === undefined) return stock(args);
    const info = tf.backend_util.computePool2DInfo(input.shape, attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
    if (info.dataFormat !== 'channelsLast') return stock(args);

    const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
    const { filterHeight: FH, filterWidth: FW, strideHeight: SH, strideWidth: SW } = info;
    const top = info.padInfo.top;
    const left = info.padInfo.left;
    const dx = zeroedOutput(backend, B * H * W * C);
    const best = new Float64Array(C);
    const where = new Int32Array(C);
    let dyo = 0;
    for (let b = 0; b < B; b++) {
      for (let oy = 0; oy < OH; oy++) {
        const yStart = oy * SH - top;
        const y0 = Math.max(0, yStart);
        const y1 = Math.min(H, yStart + FH);
        for (let ox = 0; ox < OW; ox++, dyo += C) {
          const xStart = ox * SW - left;
          const x0 = Math.max(0, xStart);
          const x1 = Math.min(W, xStart + FW);
          best.fill(Number.NEGATIVE_INFINITY);
          where.fill(-1);
          for (let iy = y0; iy < y1; iy++) {
            for (let ix = x0; ix < x1; ix++) {
              const xo = ((b * H + iy) * W + ix) * C;
              for (let c = 0; c < C; c++) {
                const v = xv[xo + c]!;
                if (v > best[c]!) {
                  best[c] = v;
                  where[c] = xo + c;
                }
              }
            }
          }
          for (let c = 0; c < C; c++) {
            const at = where[c]!;
            if (at >= 0) dx[at] = dx[at]! + dyv[dyo + c]!;
          }
        }
      }
    }
    return backend.makeTensorInfo(input.shape, 'float32', dx);
  },
};
