import type { FusedBatchNormAttrs } from '@tensorflow/tfjs';
import { float32Values, output, unpack, type FastKernel } from './cpu-backend';
import { BLOCK_FLOATS, roundUp4, simd, stageRows, unstageRows } from './simd';

/**
 * Batch normalisation, offset + (x − mean)·scale / √(variance + ε), with per-channel parameters
 * (or scalars) over NHWC, in doubles on f64x2 lanes of the SIMD module where available. The
 * square root is taken once per channel instead of per element; the formula and its order are
 * the stock kernel's, so results are bit-identical.
 */
export const fusedBatchNorm: FastKernel = {
  kernelName: 'FusedBatchNorm',
  create: (_tf, stock) => (args) => {
    const { backend, attrs } = unpack<FusedBatchNormAttrs>(args);
    const { x, mean, variance, scale, offset } = args.inputs;
    const xv = float32Values(backend, x);
    const mv = float32Values(backend, mean);
    const vv = float32Values(backend, variance);
    const sv = scale ? float32Values(backend, scale) : new Float32Array([1]);
    const ov = offset ? float32Values(backend, offset) : new Float32Array([0]);
    const channels = x?.shape[x.shape.length - 1] ?? 0;
    const fits = (p: Float32Array | undefined): p is Float32Array =>
      p !== undefined && (p.length === 1 || p.length === channels);
    if (!x || !xv || !fits(mv) || !fits(vv) || !fits(sv) || !fits(ov) || channels === 0 || xv.length % channels !== 0)
      return stock(args);

    const epsilon = attrs.varianceEpsilon ?? 0.001;
    const m = new Float64Array(channels);
    const scale64 = new Float64Array(channels);
    const o = new Float64Array(channels);
    const root = new Float64Array(channels);
    for (let c = 0; c < channels; c++) {
      m[c] = mv[mv.length === 1 ? 0 : c]!;
      scale64[c] = sv[sv.length === 1 ? 0 : c]!;
      o[c] = ov[ov.length === 1 ? 0 : c]!;
      root[c] = Math.sqrt(vv[vv.length === 1 ? 0 : c]! + epsilon);
    }
    const out = output(backend, xv.length);
    normalizeRows(xv, out, channels, m, scale64, root, o);
    return backend.makeTensorInfo(x.shape, 'float32', out);
  },
};

/**
 * out = offset + (x − mean)·scale / root per channel over rows of `channels` floats, in doubles
 * (on f64x2 lanes of the SIMD module where available), rounded once to float32: the stock
 * FusedBatchNorm's formula and order.
 */
export function normalizeRows(
  xv: Float32Array,
  out: Float32Array,
  channels: number,
  m: Float64Array,
  scale: Float64Array,
  root: Float64Array,
  o: Float64Array,
): void {
  const s = xv.length >= 256 ? simd() : undefined;
  if (s) {
    // [x rows padded to `width` | out rows, a block at a time | mean, scale, root, offset: width doubles each]
    const width = roundUp4(channels);
    const rowsTotal = xv.length / channels;
    const blockRows = Math.max(1, Math.floor(BLOCK_FLOATS / width));
    const outAt = blockRows * width;
    const paramsAt = 2 * blockRows * width;
    const heap = s.heap(paramsAt + 8 * width);
    const params = new Float64Array(heap.buffer, paramsAt * 4, 4 * width);
    params.fill(1);
    params.set(m, 0);
    params.set(scale, width);
    params.set(root, 2 * width);
    params.set(o, 3 * width);
    for (let r0 = 0; r0 < rowsTotal; r0 += blockRows) {
      const rows = Math.min(blockRows, rowsTotal - r0);
      stageRows(heap, 0, xv.subarray(r0 * channels, (r0 + rows) * channels), rows, channels, width);
      s.fn.batchNorm(
        0,
        outAt * 4,
        rows,
        width * 4,
        paramsAt * 4,
        (paramsAt + 2 * width) * 4,
        (paramsAt + 4 * width) * 4,
        (paramsAt + 6 * width) * 4,
      );
      unstageRows(heap, outAt, out.subarray(r0 * channels, (r0 + rows) * channels), rows, channels, width);
    }
    return;
  }
  for (let i = 0; i < xv.length; i += channels) {
    for (let c = 0; c < channels; c++) out[i + c] = o[c]! + ((xv[i + c]! - m[c]!) * scale[c]!) / root[c]!;
  }
}
