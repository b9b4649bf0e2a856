import type { ConvGeometry } from './im2col';

/**
 * Max pooling and its gradient over images b0…b1 (channels innermost), the stock rule: strict >,
 * NaN never wins, −∞ for an all-NaN window; the gradient goes to the window's first maximum.
 * Images are independent, so the kernel pool hands whole images to its threads.
 */
export function maxPoolImages(xv: Float32Array, y: Float32Array, info: ConvGeometry, b0: number, b1: number): void {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { filterHeight: FH, filterWidth: FW, strideHeight: SH, strideWidth: SW } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  let o = b0 * OH * OW * C;
  y.fill(Number.NEGATIVE_INFINITY, o, b1 * OH * OW * C);
  for (let b = b0; b < b1; b++) {
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
}

export function maxPoolGradImages(
  dyv: Float32Array,
  xv: Float32Array,
  dx: Float32Array,
  info: ConvGeometry,
  b0: number,
  b1: number,
): void {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { filterHeight: FH, filterWidth: FW, strideHeight: SH, strideWidth: SW } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  dx.fill(0, b0 * H * W * C, b1 * H * W * C);
  const best = new Float64Array(C);
  const where = new Int32Array(C);
  let dyo = b0 * OH * OW * C;
  for (let b = b0; b < b1; b++) {
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
}
