import type { DepthwiseConv2dNativeBackpropFilterAttrs } from '@tensorflow/tfjs';
import { float32Values, unpack, type FastKernel } from './cpu-backend';
import { nhwcConvInfo } from './im2col';
import { planDepthwise } from './depthwise-rows';
import { simd, stageRows, unstageRows } from './simd';

/** dW[fy, fx, c, q] = Σ x·dy over the batch and output pixels, channels innermost, summed in doubles. */
export const depthwiseConv2dNativeBackpropFilter: FastKernel = {
  kernelName: 'DepthwiseConv2dNativeBackpropFilter',
  create: (tf, stock) => (args) => {
    const { backend, attrs } = unpack<DepthwiseConv2dNativeBackpropFilterAttrs>(args);
    const { x, dy } = args.inputs;
    const xv = float32Values(backend, x);
    const dyv = float32Values(backend, dy);
    const info = x && xv && dyv ? nhwcConvInfo(tf, x.shape, attrs.filterShape, attrs, true) : undefined;
    if (!info || !xv || !dyv) return stock(args);

    const s = simd();
    if (s && info.outChannels === info.inChannels) {
      const C = info.inChannels;
      const plan = planDepthwise(s, info);
      const { heap, rows, width } = plan;
      const px = width * 4;
      const xPixels = plan.xImage / width;
      const yPixels = plan.yImage / width;
      const taps = info.filterHeight * info.filterWidth;
      heap.fill(0, plan.w, plan.w + taps * width);
      for (let b = 0; b < info.batchSize; b++) {
        stageRows(heap, plan.x, xv.subarray(b * xPixels * C, (b + 1) * xPixels * C), xPixels, C, width);
        stageRows(heap, plan.y, dyv.subarray(b * yPixels * C, (b + 1) * yPixels * C), yPixels, C, width);
        for (let r = 0; r < rows.length; r += 4) {
          s.fn.rowDot((plan.w + rows[r + 2]! * width) * 4, (plan.x + rows[r]! * width) * 4, info.strideWidth * px, (plan.y + rows[r + 1]! * width) * 4, px, rows[r + 3]!, px);
        }
      }
      const dw = new Float32Array(taps * C);
      unstageRows(heap, plan.w, dw, taps, C, width);
      return backend.makeTensorInfo(info.filterShape, 'float32', dw);
    }

    const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, outChannels: CO } = info;
    const { filterHeight: FH, filterWidth: FW, strideHeight: SH, strideWidth: SW } = info;
    const m = CO / C;
    const top = info.padInfo.top;
    const left = info.padInfo.left;
    const acc = new Float64Array(FH * FW * CO);
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
              const ao = (fy * FW + fx) * CO;
              if (m === 1) {
                for (let c = 0; c < C; c++) acc[ao + c] = acc[ao + c]! + xv[xo + c]! * dyv[dyo + c]!;
              } else {
                for (let c = 0; c < C; c++) {
                  const xc = xv[xo + c]!;
                  for (let q = 0; q < m; q++) acc[ao + c * m + q] = acc[ao + c * m + q]! + xc * dyv[dyo + c * m + q]!;
                }
              }
            }
          }
        }
      }
    }
    return backend.makeTensorInfo(info.filterShape, 'float32', Float32Array.from(acc));
  },
};
