import type { ConvGeometry } from './im2col';
import { planDepthwise } from './depthwise-rows';
import { simd, stageRows, unstageRows } from './simd';

/**
 * The depthwise convolution and its gradients over images b0…b1 of the batch: each image is
 * independent, so the kernel pool hands whole images to its threads. Channels innermost; on the
 * SIMD module for a channel multiplier of 1 (see depthwise-rows.ts), else plain JS in doubles.
 * The filter gradient writes one partial per image (fh·fw·co floats), summed in image order by
 * the caller.
 */

/** y = depthwise(x, w) for images b0…b1. */
export function depthwiseForwardImages(
  xv: Float32Array,
  wv: Float32Array,
  y: Float32Array,
  info: ConvGeometry,
  b0: number,
  b1: number,
): void {
  const s = simd();
  const C = info.inChannels;
  if (s && info.outChannels === C) {
    const plan = planDepthwise(s, info);
    const { heap, rows, width } = plan;
    const px = width * 4;
    const xPixels = plan.xImage / width;
    const yPixels = plan.yImage / width;
    stageRows(heap, plan.w, wv, info.filterHeight * info.filterWidth, C, width);
    for (let b = b0; b < b1; b++) {
      stageRows(heap, plan.x, xv.subarray(b * xPixels * C, (b + 1) * xPixels * C), xPixels, C, width);
      heap.fill(0, plan.y, plan.y + plan.yImage);
      for (let r = 0; r < rows.length; r += 4) {
        s.fn.rowMulAdd(
          (plan.y + rows[r + 1]! * width) * 4,
          px,
          (plan.x + rows[r]! * width) * 4,
          info.strideWidth * px,
          (plan.w + rows[r + 2]! * width) * 4,
          rows[r + 3]!,
          px,
        );
      }
      unstageRows(heap, plan.y, y.subarray(b * yPixels * C, (b + 1) * yPixels * C), yPixels, C, width);
    }
    return;
  }
  const { inHeight: H, inWidth: W, outHeight: OH, outWidth: OW, outChannels: CO } = info;
  const { filterHeight: FH, filterWidth: FW, strideHeight: SH, strideWidth: SW } = info;
  const m = CO / C;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const acc = new Float64Array(CO);
  let o = b0 * OH * OW * CO;
  for (let b = b0; b < b1; b++) {
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
}

/** dx for images b0…b1: each output pixel's dy, times each filter tap, added back to the input pixel it read. */
export function depthwiseInputImages(
  dyv: Float32Array,
  wv: Float32Array,
  dx: Float32Array,
  info: ConvGeometry,
  b0: number,
  b1: number,
): void {
  const s = simd();
  const C = info.inChannels;
  if (s && info.outChannels === C) {
    const plan = planDepthwise(s, info);
    const { heap, rows, width } = plan;
    const px = width * 4;
    const xPixels = plan.xImage / width;
    const yPixels = plan.yImage / width;
    stageRows(heap, plan.w, wv, info.filterHeight * info.filterWidth, C, width);
    for (let b = b0; b < b1; b++) {
      stageRows(heap, plan.y, dyv.subarray(b * yPixels * C, (b + 1) * yPixels * C), yPixels, C, width);
      heap.fill(0, plan.x, plan.x + plan.xImage);
      for (let r = 0; r < rows.length; r += 4) {
        s.fn.rowMulAdd(
          (plan.x + rows[r]! * width) * 4,
          info.strideWidth * px,
          (plan.y + rows[r + 1]! * width) * 4,
          px,
          (plan.w + rows[r + 2]! * width) * 4,
          rows[r + 3]!,
          px,
        );
      }
      unstageRows(heap, plan.x, dx.subarray(b * xPixels * C, (b + 1) * xPixels * C), xPixels, C, width);
    }
    return;
  }
  const { inHeight: H, inWidth: W, outHeight: OH, outWidth: OW, outChannels: CO } = info;
  const { filterHeight: FH, filterWidth: FW, strideHeight: SH, strideWidth: SW } = info;
  const m = CO / C;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  dx.fill(0, b0 * H * W * C, b1 * H * W * C);
  for (let b = b0; b < b1; b++) {
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
}

/** Per-image filter gradients Σ x·dy into partials (image b at b·fh·fw·co) for images b0…b1. */
export function depthwiseFilterImages(
  xv: Float32Array,
  dyv: Float32Array,
  partials: Float32Array,
  info: ConvGeometry,
  b0: number,
  b1: number,
): void {
  const s = simd();
  const C = info.inChannels;
  const taps = info.filterHeight * info.filterWidth;
  const size = taps * info.outChannels;
  if (s && info.outChannels === C) {
    const plan = planDepthwise(s, info);
    const { heap, rows, width } = plan;
    const px = width * 4;
    const xPixels = plan.xImage / width;
    const yPixels = plan.yImage / width;
    for (let b = b0; b < b1; b++) {
      heap.fill(0, plan.w, plan.w + taps * width);
      stageRows(heap, plan.x, xv.subarray(b * xPixels * C, (b + 1) * xPixels * C), xPixels, C, width);
      stageRows(heap, plan.y, dyv.subarray(b * yPixels * C, (b + 1) * yPixels * C), yPixels, C, width);
      for (let r = 0; r < rows.length; r += 4) {
        s.fn.rowDot(
          (plan.w + rows[r + 2]! * width) * 4,
          (plan.x + rows[r]! * width) * 4,
          info.strideWidth * px,
          (plan.y + rows[r + 1]! * width) * 4,
          px,
          rows[r + 3]!,
          px,
        );
      }
      unstageRows(heap, plan.w, partials.subarray(b * size, (b + 1) * size), taps, C, width);
    }
    return;
  }
  const { inHeight: H, inWidth: W, outHeight: OH, outWidth: OW, outChannels: CO } = info;
  const { filterHeight: FH, filterWidth: FW, strideHeight: SH, strideWidth: SW } = info;
  const m = CO / C;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const acc = new Float64Array(size);
  for (let b = b0; b < b1; b++) {
    acc.fill(0);
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
    partials.set(acc, b * size);
  }
}
