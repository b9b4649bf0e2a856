import type { DepthwiseConv2dNativeBackpropInputAttrs } from '@tensorflow/tfjs';
import { float32Values, output, unpack, zeroedOutput, type FastKernel } from './cpu-backend';
import { nhwcConvInfo } from './im2col';
import { planDepthwise } from './depthwise-rows';
import { simd, stageRows, unstageRows } from './simd';

/** dx: each output pixel's dy, times each filter tap, added back to the input pixel it read. */
export const depthwiseConv2dNativeBackpropInput: FastKernel = {
  kernelName: 'DepthwiseConv2dNativeBackpropInput',
  create: (tf, stock) => (args) => {
    const { backend, attrs } = unpack<DepthwiseConv2dNativeBackpropInputAttrs>(args);
    const { dy, filter } = args.inputs;
    const dyv = float32Values(backend, dy);
    const wv = float32Values(backend, filter);
    const info = filter && dyv && wv ? nhwcConvInfo(tf, attrs.inputShape ?? [], filter.shape, attrs, true) : undefined;
    if (!info || !dyv || !wv) return stock(args);

    const s = simd();
    if (s && info.outChannels === info.inChannels) {
      const C = info.inChannels;
      const plan = planDepthwise(s, info);
      const { heap, rows, width } = plan;
      const px = width * 4;
      const dx = output(backend, info.batchSize * info.inHeight * info.inWidth * C);
      const xPixels = plan.xImage / width;
      const yPixels = plan.yImage / width;
      stageRows(heap, plan.w, wv, info.filterHeight * info.filterWidth, C, width);
      for (let b = 0; b < info.batchSize; b++) {
        stageRows(heap, plan.y, dyv.subarray(b * yPixels * C, (b + 1) * yPixels * C), yPixels, C, width);
        heap.fill(0, plan.x, plan.x + plan.xImage);
        for (let r = 0; r < rows.length; r += 4) {
          s.fn.rowMulAdd((plan.x + rows[r]! * width) * 4, info.strideWidth * px, (plan.y + rows[r + 1]! * width) * 4, px, (plan.w + rows[r + 2]! * width) * 4, rows[r + 3]!, px);
        }
        unstageRows(heap, plan.x, dx.subarray(b * xPixels * C, (b + 1) * xPixels * C), xPixels, C, width);
      }
      return backend.makeTensorInfo(info.inShape, 'float32', dx);
    }

    const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, outChannels: CO } = info;
    const { filterHeight: FH, filterWidth: FW, strideHeight: SH, strideWidth: SW } = info;
    const m = CO / C;
    const top = info.padInfo.top;
    const left = info.padInfo.left;
    const dx = zeroedOutput(backend, B * H * W * C);
    for (let b = 0; b < B; b++) {
      for (let oy = 0; oy < OH; oy++) {
        const iy0 = oy * SH - top;
        for (let ox = 0; ox < OW; ox++) {
          const ix0 = ox * SW - left;
          const dyo = ((b * OH + oy) * OW + ox) * CO;
          for (let fy = 0; fy < FH; fy++) {
            const iy = iy0 + fy;
            if (iy < 0 || iy >= H) continue;
            for (let fx = 0; fx < FW; fx++) {
              const ix = ix0 + fx;
              if (ix < 0 || ix >= W) continue;
              const xo = ((b * H + iy) * W + ix) * C;
              const wo = (fy * FW + fx) * CO;
              if (m === 1) {
                for (let c = 0; c < C; c++) dx[xo + c] = dx[xo + c]! + dyv[dyo + c]! * wv[wo + c]!;
              } else {
                for (let c = 0; c < C; c++) {
                  let sum = 0;
                  for (let q = 0; q < m; q++) sum += dyv[dyo + c * m + q]! * wv[wo + c * m + q]!;
                  dx[xo + c] = dx[xo + c]! + sum;
                }
              }
            }
          }
        }
      }
    }
    return backend.makeTensorInfo(info.inShape, 'float32', dx);
  },
};
