import type { DepthwiseConv2dNativeAttrs } from '@tensorflow/tfjs';
import { float32Values, output, unpack, type FastKernel } from './cpu-backend';
import { nhwcConvInfo } from './im2col';
import { planDepthwise } from './depthwise-rows';
import { simd, stageRows, unstageRows } from './simd';

/**
 * Depthwise convolution (the first half of a separable conv), channels innermost: for each
 * output pixel and filter tap, one contiguous multiply-add over the channels, in doubles.
 */
export const depthwiseConv2dNative: FastKernel = {
  kernelName: 'DepthwiseConv2dNative',
  create: (tf, stock) => (args) => {
    const { backend, attrs } = unpack<DepthwiseConv2dNativeAttrs>(args);
    const { x, filter } = args.inputs;
    const xv = float32Values(backend, x);
    const wv = float32Values(backend, filter);
    const info = x && filter && xv && wv ? nhwcConvInfo(tf, x.shape, filter.shape, attrs, true) : undefined;
    if (!info || !xv || !wv) return stock(args);

    const s = simd();
    if (s && info.outChannels === info.inChannels) {
      const C = info.inChannels;
      const plan = planDepthwise(s, info);
      const { heap, rows, width } = plan;
      const px = width * 4;
      const y = output(backend, info.batchSize * info.outHeight * info.outWidth * C);
      const xPixels = plan.xImage / width;
      const yPixels = plan.yImage / width;
      stageRows(heap, plan.w, wv, info.filterHeight * info.filterWidth, C, width);
      for (let b = 0; b < info.batchSize; b++) {
        stageRows(heap, plan.x, xv.subarray(b * xPixels * C, (b + 1) * xPixels * C), xPixels, C, width);
        heap.fill(0, plan.y, plan.y + plan.yImage);
        for (let r = 0; r < rows.length; r += 4) {
          s.fn.rowMulAdd((plan.y + rows[r + 1]! * width) * 4, px, (plan.x + rows[r]! * width) * 4, info.strideWidth * px, (plan.w + rows[r + 2]! * width) * 4, rows[r + 3]!, px);
        }
        unstageRows(heap, plan.y, y.subarray(b * yPixels * C, (b + 1) * yPixels * C), yPixels, C, width);
      }
      return backend.makeTensorInfo(info.outShape, 'float32', y);
    }

    const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, outChannels: CO } = info;
    const { filterHeight: FH, filterWidth: FW, strideHeight: SH, strideWidth: SW } = info;
    const m = CO / C;
    const top = info.padInfo.top;
    const left = info.padInfo.left;
    const y = output(backend, B * OH * OW * CO);
    const acc = new Float64Array(CO);
    let o = 0;
    for (let b = 0; b < B; b++) {
      for (let oy = 0; oy < OH; oy++) {
        const iy0 = oy * SH - top;
        for (let ox = 0; ox < OW; ox++) {
          const ix0 = ox * SW - left;
          acc.fill(0);
          for (let fy = 0; fy < FH; fy++) {
            const iy = iy0 + fy;
            if (iy < 0 || iy >= H) continue;
            for (let fx = 0; fx < FW; fx++) {
              const ix = ix0 + fx;
              if (ix < 0 || ix >= W) continue;
              const xo = ((b * H + iy) * W + ix) * C;
              const wo = (fy * FW + fx) * CO;
              if (m === 1) {
                for (let c = 0; c < C; c++) acc[c] = acc[c]! + xv[xo + c]! * wv[wo + c]!;
              } else {
                for (let c = 0; c < C; c++) {
                  const xc = xv[xo + c]!;
                  for (let q = 0; q < m; q++) acc[c * m + q] = acc[c * m + q]! + xc * wv[wo + c * m + q]!;
                }
              }
            }
          }
          for (let c = 0; c < CO; c++) y[o++] = acc[c]!;
        }
      }
    }
    return backend.makeTensorInfo(info.outShape, 'float32', y);
  },
};
