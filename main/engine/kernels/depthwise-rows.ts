import type { ConvGeometry } from './im2col';
import { roundUp4, type Simd } from './simd';

/**
 * The depthwise kernels on the SIMD module (channel multiplier 1), one image at a time: the
 * image's input and output are staged in the module's memory with channels padded to whole
 * f32x4 vectors, and every (output row, filter tap) is one call that runs along the output row.
 * The taps' horizontal ranges are clipped here, so the SIMD loops have no bounds checks.
 */
export interface DepthwisePlan {
  /** Channels padded to a multiple of 4. */
  width: number;
  /** Float offsets in the heap: one image's input, one image's output, the filter. */
  x: number;
  y: number;
  w: number;
  /** Floats per image of input and of output. */
  xImage: number;
  yImage: number;
  heap: Float32Array;
  /**
   * One image's tap rows, 4 numbers each: the input pixel of the row's first output, that output
   * pixel, the filter tap, and how many consecutive outputs (inputs `strideWidth` apart) it covers.
   */
  rows: Int32Array;
}

export function planDepthwise(simd: Simd, info: ConvGeometry): DepthwisePlan {
  const { inHeight: H, inWidth: W, outHeight: OH, outWidth: OW } = info;
  const { filterHeight: FH, filterWidth: FW, strideHeight: SH, strideWidth: SW } = info;
  const width = roundUp4(info.inChannels);
  const xImage = H * W * width;
  const yImage = OH * OW * width;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const rows: number[] = [];
  for (let oy = 0; oy < OH; oy++) {
    for (let fy = 0; fy < FH; fy++) {
      const iy = oy * SH - top + fy;
      if (iy < 0 || iy >= H) continue;
      for (let fx = 0; fx < FW; fx++) {
        // Output columns whose input column ox·SW − left + fx is inside the image.
        const first = Math.max(0, Math.ceil((left - fx) / SW));
        const end = Math.min(OW, Math.floor((W - 1 + left - fx) / SW) + 1);
        if (end > first) rows.push(iy * W + first * SW - left + fx, oy * OW + first, fy * FW + fx, end - first);
      }
    }
  }
  const heap = simd.heap(xImage + yImage + FH * FW * width);
  return { width, x: 0, y: xImage, w: xImage + yImage, xImage, yImage, heap, rows: Int32Array.from(rows) };
}
