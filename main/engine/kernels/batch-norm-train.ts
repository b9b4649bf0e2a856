import type { NamedAttrMap, NamedTensorMap, Tensor, TensorInfo } from '@tensorflow/tfjs';
import { normalizeRows } from './batch-norm';
import { float32Values, output, unpack, type CpuBackend, type KernelArgs, type Tf } from './cpu-backend';
import { BLOCK_FLOATS, roundUp4, simd, stageRows, unstageRows } from './simd';

/**
 * Batch normalisation in training as one op with its own gradient (issue 17). tfjs-layers'
 * BatchNormalization takes tf.moments (Mean, Sub, Square, Mean) and tf.batchNorm, and their
 * gradients add ~15 more full-size element-wise ops (Tile, Multiply, Sum, Sub, RealDiv…), each
 * a fresh tensor kept alive by the tape: at 299 px the bulk of a step's memory and a third of
 * its element-wise time. Here:
 *
 * - `XlabBatchNormTrain` (x, gamma, beta → y, mean, variance) computes the batch moments and
 *   the normalised output in three passes over x, with the stock ops' float32 roundings in
 *   their order (mean = Σ fround(x / n) in doubles, variance likewise over fround((x − mean)²),
 *   y as the stock FusedBatchNorm): forward values bit for bit tfjs' own;
 * - its gradient, `XlabBatchNormTrainGrad` (dy, x, gamma, mean, variance → dx, dgamma, dbeta),
 *   is the closed form through the batch statistics in two passes, in doubles:
 *     dbeta = Σ dy,  dgamma = Σ dy·x̂,  dx = γ/σ · (dy − dbeta/n − x̂·dgamma/n),
 *   with x̂ = (x − mean)/σ, σ = √(variance + ε). It differs from tfjs' chain of float32 ops by
 *   rounding only (the sums run in another order, in doubles), so trained weights differ from
 *   the stock engine's within float tolerance.
 *
 * Sums per channel run in row order on one thread: results do not depend on the thread count.
 */
export const BN_TRAIN_KERNEL = 'XlabBatchNormTrain';
export const BN_TRAIN_GRAD_KERNEL = 'XlabBatchNormTrainGrad';
export const MOVING_AVERAGES_KERNEL = 'XlabMovingAverages';

interface BnAttrs {
  epsilon: number;
}

function valuesOf(backend: CpuBackend, t: TensorInfo | undefined, what: string): Float32Array {
  const values = float32Values(backend, t);
  if (!values) throw new Error(`${BN_TRAIN_KERNEL}: ${what} must be a float32 tensor`);
  return values;
}

/** x [..., C], gamma [C], beta [C] → [y (x's shape), mean [C], variance [C]]. */
export function batchNormTrainKernel(args: KernelArgs): TensorInfo[] {
  const { backend, attrs } = unpack<BnAttrs>(args);
  const { x, gamma, beta } = args.inputs;
  const xv = valuesOf(backend, x, 'x');
  const gv = valuesOf(backend, gamma, 'gamma');
  const bv = valuesOf(backend, beta, 'beta');
  const channels = gv.length;
  if (bv.length !== channels || channels === 0 || xv.length % channels !== 0 || x!.shape.at(-1) !== channels)
    throw new Error(`${BN_TRAIN_KERNEL}: gamma and beta must have one value per channel of x`);
  const { mean, variance } = moments(xv, channels);
  const root = new Float64Array(channels);
  for (let c = 0; c < channels; c++) root[c] = Math.sqrt(variance[c]! + attrs.epsilon);
  const y = output(backend, xv.length);
  normalizeRows(xv, y, channels, Float64Array.from(mean), Float64Array.from(gv), root, Float64Array.from(bv));
  return [
    backend.makeTensorInfo(x!.shape, 'float32', y),
    backend.makeTensorInfo([channels], 'float32', mean),
    backend.makeTensorInfo([channels], 'float32', variance),
  ];
}

/**
 * Stock tf.moments over every axis but the last: Mean (each x / n rounded, summed in doubles in
 * row order), then Mean of Square(Sub(x, mean)), each op's float32 rounding kept.
 */
function moments(xv: Float32Array, channels: number): { mean: Float32Array; variance: Float32Array } {
  const rowsTotal = xv.length / channels;
  const f = Math.fround;
  const n = f(rowsTotal);
  const s = xv.length >= 256 ? simd() : undefined;
  if (s) {
    // [x rows padded to `width`, a block at a time | acc: width doubles | divisor: 4 floats | mean: width floats]
    const width = roundUp4(channels);
    const blockRows = Math.max(1, Math.floor(BLOCK_FLOATS / width));
    const accAt = blockRows * width;
    const divisorAt = accAt + 2 * width;
    const meanAt = divisorAt + 4;
    const heap = s.heap(meanAt + width);
    const acc = new Float64Array(heap.buffer, accAt * 4, width);
    heap.fill(n, divisorAt, divisorAt + 4);
    const pass = (run: (rows: number) => void): Float32Array => {
      acc.fill(0);
      for (let r0 = 0; r0 < rowsTotal; r0 += blockRows) {
        const rows = Math.min(blockRows, rowsTotal - r0);
        stageRows(heap, 0, xv.subarray(r0 * channels, (r0 + rows) * channels), rows, channels, width);
        run(rows);
      }
      return new Float32Array(acc.subarray(0, channels));
    };
    const mean = pass((rows) => s.fn.columnSums(0, rows, width * 4, accAt * 4, divisorAt * 4));
    heap.fill(0, meanAt, meanAt + width);
    heap.set(mean, meanAt);
    const variance = pass((rows) => s.fn.centeredSquareSums(0, rows, width * 4, accAt * 4, divisorAt * 4, meanAt * 4));
    return { mean, variance };
  }
  const acc = new Float64Array(channels);
  for (let i = 0; i < xv.length; i += channels) {
    for (let c = 0; c < channels; c++) acc[c] = acc[c]! + f(xv[i + c]! / n);
  }
  const mean = new Float32Array(acc);
  acc.fill(0);
  for (let i = 0; i < xv.length; i += channels) {
    for (let c = 0; c < channels; c++) {
      const d = f(xv[i + c]! - mean[c]!);
      acc[c] = acc[c]! + f(f(d * d) / n);
    }
  }
  return { mean, variance: new Float32Array(acc) };
}

/** dy, x (x's shape), gamma, mean, variance [C] → [dx, dgamma, dbeta]. */
export function batchNormTrainGradKernel(args: KernelArgs): TensorInfo[] {
  const { backend, attrs } = unpack<BnAttrs>(args);
  const { dy, x, gamma, mean, variance } = args.inputs;
  const dyv = valuesOf(backend, dy, 'dy');
  const xv = valuesOf(backend, x, 'x');
  const gv = valuesOf(backend, gamma, 'gamma');
  const mv = valuesOf(backend, mean, 'mean');
  const vv = valuesOf(backend, variance, 'variance');
  const channels = gv.length;
  if (dyv.length !== xv.length || mv.length !== channels || vv.length !== channels || xv.length % channels !== 0)
    throw new Error(`${BN_TRAIN_GRAD_KERNEL}: dy must match x, mean and variance gamma`);
  const rowsTotal = xv.length / channels;
  const dx = output(backend, xv.length);
  const s = xv.length >= 256 ? simd() : undefined;
  // [mean, k = γ/σ, a = Σ dy / n, b = Σ dy·(x − mean) / (n σ²): `width` doubles each | Σ dy | Σ dy·(x − mean)]
  const width = s ? roundUp4(channels) : channels;
  const blockRows = Math.max(1, Math.floor(BLOCK_FLOATS / width));
  const paramsAt = 3 * blockRows * width;
  const heap = s ? s.heap(paramsAt + 12 * width) : new Float32Array(12 * width);
  const params = new Float64Array(heap.buffer, s ? paramsAt * 4 : 0, 6 * width);
  params.fill(0);
  const m = params.subarray(0, width);
  const k = params.subarray(width, 2 * width);
  const a = params.subarray(2 * width, 3 * width);
  const b = params.subarray(3 * width, 4 * width);
  const sumDy = params.subarray(4 * width, 5 * width);
  const sumDyX = params.subarray(5 * width, 6 * width);
  m.set(mv);
  const blocks = (run: (rows: number, r0: number) => void): void => {
    for (let r0 = 0; r0 < rowsTotal; r0 += blockRows) {
      const rows = Math.min(blockRows, rowsTotal - r0);
      const from = r0 * channels;
      const to = (r0 + rows) * channels;
      stageRows(heap, 0, dyv.subarray(from, to), rows, channels, width);
      stageRows(heap, blockRows * width, xv.subarray(from, to), rows, channels, width);
      run(rows, r0);
    }
  };
  if (s) {
    const at = (v: Float64Array): number => v.byteOffset;
    blocks((rows) => s.fn.batchNormGradSums(0, blockRows * width * 4, rows, width * 4, at(m), at(sumDy), at(sumDyX)));
  } else {
    for (let i = 0; i < xv.length; i += channels) {
      for (let c = 0; c < channels; c++) {
        const d = dyv[i + c]!;
        sumDy[c] = sumDy[c]! + d;
        sumDyX[c] = sumDyX[c]! + d * (xv[i + c]! - m[c]!);
      }
    }
  }
  const dgamma = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    const inv = 1 / Math.sqrt(vv[c]! + attrs.epsilon);
    dgamma[c] = sumDyX[c]! * inv;
    k[c] = gv[c]! * inv;
    a[c] = sumDy[c]! / rowsTotal;
    b[c] = (sumDyX[c]! * inv * inv) / rowsTotal;
  }
  const dbeta = new Float32Array(sumDy.subarray(0, channels));
  if (s) {
    const outAt = 2 * blockRows * width;
    blocks((rows, r0) => {
      s.fn.batchNormGradDx(0, blockRows * width * 4, outAt * 4, rows, width * 4, paramsAt * 4);
      unstageRows(heap, outAt, dx.subarray(r0 * channels, (r0 + rows) * channels), rows, channels, width);
    });
  } else {
    for (let i = 0; i < xv.length; i += channels) {
      for (let c = 0; c < channels; c++) dx[i + c] = k[c]! * (dyv[i + c]! - a[c]! - (xv[i + c]! - m[c]!) * b[c]!);
    }
  }
  return [
    backend.makeTensorInfo(x!.shape, 'float32', dx),
    backend.makeTensorInfo([channels], 'float32', dgamma),
    backend.makeTensorInfo([channels], 'float32', dbeta),
  ];
}

/**
 * movingMean, movingVariance, mean, variance [C] → [new moving mean, new moving variance], each
 * moving ← moving − (moving − batch)·(1 − momentum) with the stock Sub, Mul, Sub roundings: one
 * op where the stock layer runs six.
 */
export function movingAveragesKernel(args: KernelArgs): TensorInfo[] {
  const { backend, attrs } = unpack<{ momentum: number }>(args);
  const { movingMean, movingVariance, mean, variance } = args.inputs;
  const f = Math.fround;
  const decay = f(1 - attrs.momentum);
  return (
    [
      [movingMean, mean],
      [movingVariance, variance],
    ] as const
  ).map(([moving, batch]) => {
    const mv = valuesOf(backend, moving, 'moving statistics');
    const bv = valuesOf(backend, batch, 'batch statistics');
    if (mv.length !== bv.length) throw new Error(`${MOVING_AVERAGES_KERNEL}: one value per channel expected`);
    const out = new Float32Array(mv.length);
    for (let c = 0; c < mv.length; c++) out[c] = mv[c]! - f(f(mv[c]! - bv[c]!) * decay);
    return backend.makeTensorInfo(moving!.shape, 'float32', out);
  });
}

/** The part of tfjs-layers' BatchNormalization (and its LayerVariables) the fused call uses. */
interface BatchNormLayer {
  axis: number;
  momentum: number;
  epsilon: number;
  gamma?: { read(): Tensor };
  beta?: { read(): Tensor };
  movingMean: { read(): Tensor; write(value: Tensor): void };
  movingVariance: { read(): Tensor; write(value: Tensor): void };
}

type Call = (this: BatchNormLayer, inputs: Tensor | Tensor[], kwargs: Record<string, unknown>) => Tensor | Tensor[];
const fused = new WeakSet<Call>();

/** Registers the gradient of XlabBatchNormTrain in `tf` (gradients cannot be unregistered; harmless unused). */
export function registerBatchNormGradient(tf: Tf): void {
  tf.registerGradient({
    kernelName: BN_TRAIN_KERNEL,
    inputsToSave: ['x', 'gamma'],
    outputsToSave: [false, true, true],
    gradFunc: (dys, saved, attrs) => {
      const dy = Array.isArray(dys) ? dys[0]! : dys;
      const [x, gamma, mean, variance] = saved;
      const [dx, dgamma, dbeta] = tf
        .engine()
        .runKernel(
          BN_TRAIN_GRAD_KERNEL,
          { dy, x, gamma, mean, variance } as unknown as NamedTensorMap,
          attrs,
        ) as Tensor[];
      return { x: () => dx!, gamma: () => dgamma!, beta: () => dbeta! };
    },
  });
}

/**
 * Replaces tfjs-layers' BatchNormalization.prototype.call in `tf` so that training over the
 * last axis (NHWC, as every model here has it) on the cpu backend runs XlabBatchNormTrain; the
 * moving statistics are updated exactly as the stock call does. Inference, other axes and
 * other backends take the stock call. Returns a function putting the stock call back.
 */
export function patchBatchNormalization(tf: Tf): () => void {
  const proto = Object.getPrototypeOf(tf.layers.batchNormalization({})) as { call: Call };
  const stock = proto.call;
  if (fused.has(stock)) return () => {}; // patched through another handle on the same tfjs
  const call: Call = function (this: BatchNormLayer, inputs, kwargs) {
    const input = Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0] : undefined) : inputs;
    const training = kwargs?.['training'] === true;
    const lastAxis = input !== undefined && (this.axis === -1 || this.axis === input.rank - 1);
    if (!training || !input || !lastAxis || input.dtype !== 'float32' || !this.gamma || !this.beta)
      return stock.call(this, inputs, kwargs);
    if (tf.getBackend() !== 'cpu') return stock.call(this, inputs, kwargs);
    return tf.tidy(() => {
      const [normed, mean, variance] = tf.engine().runKernel(
        BN_TRAIN_KERNEL,
        { x: input, gamma: this.gamma!.read(), beta: this.beta!.read() } as unknown as NamedTensorMap,
        {
          epsilon: this.epsilon,
        } as unknown as NamedAttrMap,
      ) as Tensor[];
      const [movingMean, movingVariance] = tf.engine().runKernel(
        MOVING_AVERAGES_KERNEL,
        {
          movingMean: this.movingMean.read(),
          movingVariance: this.movingVariance.read(),
          mean: mean!,
          variance: variance!,
        } as unknown as NamedTensorMap,
        { momentum: this.momentum } as unknown as NamedAttrMap,
      ) as Tensor[];
      this.movingMean.write(movingMean!);
      this.movingVariance.write(movingVariance!);
      return normed!;
    });
  };
  fused.add(call);
  proto.call = call;
  return () => {
    proto.call = stock;
  };
}
