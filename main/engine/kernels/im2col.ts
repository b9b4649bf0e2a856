import type { backend_util, Conv2DAttrs } from '@tensorflow/tfjs';
import { allOnes, isShape4, type Tf } from './cpu-backend';

/**
 * Convolution as a matrix product: every output pixel (b, oy, ox) is a row, every filter tap
 * (fy, fx, ci) a column — the order of an HWIO filter's first three axes, so the filter is the
 * (fh·fw·ci)×co right-hand matrix as it is stored. NHWC, dilation 1.
 */
export type ConvInfo = backend_util.Conv2DInfo;

/** The part of a ConvInfo the loops read: plain numbers, so a pool thread can rebuild it. */
export interface ConvGeometry {
  batchSize: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  padInfo: { top: number; left: number };
}

/** Conv info for an NHWC, dilation-1 convolution, or undefined when the stock kernel must run. */
export function nhwcConvInfo(
  tf: Tf,
  xShape: readonly number[],
  filterShape: readonly number[] | undefined,
  attrs: Partial<Conv2DAttrs>,
  depthwise = false,
): ConvInfo | undefined {
  if (attrs.dataFormat === 'NCHW' || !allOnes(attrs.dilations)) return undefined;
  if (!isShape4(xShape) || !isShape4(filterShape) || attrs.strides === undefined || attrs.pad === undefined)
    return undefined;
  return tf.backend_util.computeConv2DInfo(
    [...xShape],
    [...filterShape],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    depthwise,
    'channelsLast',
  );
}

/** Columns of the im2col matrix: fh·fw·ci. */
export function tapCount(info: ConvGeometry): number {
  return info.filterHeight * info.filterWidth * info.inChannels;
}

/** A 1×1, stride-1, unpadded convolution: x itself is the im2col matrix. */
export function isPointwise(info: ConvGeometry): boolean {
  return (
    info.filterHeight === 1 &&
    info.filterWidth === 1 &&
    info.strideHeight === 1 &&
    info.strideWidth === 1 &&
    info.padInfo.top === 0 &&
    info.padInfo.left === 0
  );
}

/** Rows per im2col block: about 64 K floats (256 KB), a multiple of 4, at least 4. */
export function blockRows(info: ConvGeometry): number {
  return Math.max(4, Math.floor((1 << 16) / tapCount(info)) & ~3);
}

/** Writes im2col rows p0…p0+rows of x into `col` (rows × fh·fw·ci), zeros where the filter overhangs. */
export function im2col(x: Float32Array, info: ConvGeometry, p0: number, rows: number, col: Float32Array): void {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { filterHeight: FH, filterWidth: FW, strideHeight: SH, strideWidth: SW } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  let ox = p0 % OW;
  let oy = Math.floor(p0 / OW) % OH;
  let b = Math.floor(p0 / (OW * OH));
  let o = 0;
  for (let r = 0; r < rows; r++) {
    const iy0 = oy * SH - top;
    const ix0 = ox * SW - left;
    for (let fy = 0; fy < FH; fy++) {
      const iy = iy0 + fy;
      if (iy < 0 || iy >= H) {
        col.fill(0, o, o + FW * C);
        o += FW * C;
        continue;
      }
      const rowBase = (b * H + iy) * W;
      for (let fx = 0; fx < FW; fx++) {
        const ix = ix0 + fx;
        if (ix < 0 || ix >= W) {
          col.fill(0, o, o + C);
          o += C;
          continue;
        }
        let src = (rowBase + ix) * C;
        for (let c = 0; c < C; c++) col[o++] = x[src++]!;
      }
    }
    if (++ox === OW) {
      ox = 0;
      if (++oy === OH) {
        oy = 0;
        b++;
      }
    }
  }
}

/** The adjoint of im2col: adds rows p0…p0+rows of `col` into dx at the pixels they were read from. */
export function col2imAdd(col: Float32Array, info: ConvGeometry, p0: number, rows: number, dx: Float32Array): void {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { filterHeight: FH, filterWidth: FW, strideHeight: SH, strideWidth: SW } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  let ox = p0 % OW;
  let oy = Math.floor(p0 / OW) % OH;
  let b = Math.floor(p0 / (OW * OH));
  let o = 0;
  for (let r = 0; r < rows; r++) {
    const iy0 = oy * SH - top;
    const ix0 = ox * SW - left;
    for (let fy = 0; fy < FH; fy++) {
      const iy = iy0 + fy;
      if (iy < 0 || iy >= H) {
        o += FW * C;
        continue;
      }
      const rowBase = (b * H + iy) * W;
      for (let fx = 0; fx < FW; fx++) {
        const ix = ix0 + fx;
        if (ix < 0 || ix >= W) {
          o += C;
          continue;
        }
        const dst = (rowBase + ix) * C;
        for (let c = 0; c < C; c++) dx[dst + c] = dx[dst + c]! + col[o++]!;
      }
    }
    if (++ox === OW) {
      ox = 0;
      if (++oy === OH) {
        oy = 0;
        b++;
      }
    }
  }
}
