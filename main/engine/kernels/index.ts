/**
 * Fast kernels for @tensorflow/tfjs's pure-JS `cpu` backend (issue 7): `registerFastKernels(tf)`
 * swaps them in with tf.registerKernel, keeping each stock kernel to call for what ours leave
 * alone (NCHW, dilations ≠ 1, dtypes other than float32, broadcasts of three or more levels…)
 * and to put back with `unregisterFastKernels(tf)`. The
 * training worker registers them for the `tfjs` engine unless XLAB_FAST_KERNELS=0; never for
 * tfjs-node(-gpu). Gradients, ops and the backend stay tfjs's own: only kernel bodies change.
 *
 * What was measured (2 shared cores, load average 2–9, so always interleaved, best of runs):
 *
 * 1. Where a stock step goes (mini spec: seed blocks, 32 px, α 0.25, 2 middle blocks, batch 32,
 *    Adam): 21 s, 1.4 images/s. tf.profile: Conv2DBackpropFilter 80–87 % — seven nested loops
 *    through TensorBuffer.get() — then DepthwiseConv2dNativeBackpropFilter 5 %, Multiply, Sum,
 *    Mean (batch-norm moments in training), MaxPoolGrad, Conv2D, Conv2DBackpropInput, Sub, Tile…
 *
 * 2. Convolutions as im2col + matrix product (the 1×1 convolutions of separable blocks need no
 *    im2col at all). GFLOP/s of the product on the network's shapes, packing included:
 *      naive i-k-j loop, float32 accumulation              ~1.0
 *      JS, packed panels, 4×4 register block (doubles)     3.1–4.3    gemm-js.ts
 *      JS 2×4, 4×2, 2×8, 3×4, 4×8, 8×4, Float64 panels      within ±10 % of 4×4: no better
 *      WebAssembly SIMD f32x4, 4×8 block (8 accumulators)   9–22       gemm-simd.ts ← used
 *      WebAssembly SIMD 4×16, 6×8, 8×8, 2×16                3.4–21: no better than 4×8
 *    Per training step the convolutions are 657 MFLOP: 194 ms in JS (3.4 GFLOP/s on average),
 *    47 ms with SIMD (14 GFLOP/s; small or skinny products are bound by packing).
 *
 * 3. The WebAssembly backend (@tensorflow/tfjs-backend-wasm) is not a dependency here, and it
 *    cannot train: it has no Conv2DBackpropFilter, DepthwiseConv2dNativeBackpropFilter/Input or
 *    ReluGrad. So instead of switching backend, the cpu backend keeps every kernel and gradient,
 *    and its hot kernels run their inner loops on a ~1 KB SIMD module assembled in simd.ts
 *    (no dependency; plain-JS loops where WebAssembly SIMD is missing).
 *
 * 4. Element-wise kernels, ns per element on [32,16,16,32] through tf ops:
 *                      stock   ours in JS   ours on SIMD (copy in, f32x4, copy out)
 *      Multiply        11.8      2.6–3.7      0.6–0.8
 *      Relu            13.6     10           0.6   (JS branches on the sign: mispredicted)
 *    JS loops over typed arrays passed as arguments run at ~2 ns/element (0.5 for a closure
 *    over constant arrays); a fresh output costs ~0.3. Staging through the module's memory in
 *    64 K-float blocks keeps operands in cache and the module's memory small at any image size.
 *
 * 5. The whole step (npm run bench -- engine, same run, interleaved): stock 1.36 images/s, ours
 *    in plain JS 35.7 (26×), ours with SIMD 86.9 (64×; 120× in the quietest rounds). What is left
 *    is mostly tfjs itself: garbage collection of the fresh output of every op (~15 %), copies
 *    in and out of the SIMD module (~11 %), the op-level gradients (Mean's gradient builds a
 *    full-size `ones`, batch norm's ~8 full-size products), and the engine's per-op overhead.
 *
 * 6. Every core and fewer allocations (issue 17). At 299 px a third of a step's CPU time was the
 *    system's (page faults: each big op's fresh output is zero-filled memory from the kernel); a
 *    3 M-float Multiply took 58 ms with a fresh output and 7 ms with a reused one. So outputs are
 *    recycled (recycle.ts). Convolutions, their gradients, depthwise convolutions and pooling run
 *    on a pool of threads sharing a WebAssembly shared memory (pool.ts, tasks.ts): work units
 *    fixed by the shapes, reductions in unit order, so results do not depend on the thread count.
 *    Element-wise kernels stay on one thread: copying their operands into shared memory and back
 *    costs as much as the operation.
 *
 * 7. Fewer, bigger ops (issue 17). What remained was tfjs' op graph: per mini step 3416 kernels,
 *    ~60 % of them the element-wise chains of batch-norm gradients (tf.moments and tf.batchNorm
 *    differentiated op by op: Tile, Multiply, Sum, Sub, RealDiv…) and of Adam (~12 ops per
 *    variable), each a fresh full-size tensor the tape keeps alive — at 299 px Multiply, RealDiv
 *    and Tile were 20 of 39 s of a step and the step peaked at 10.8 GB. So, on the cpu backend,
 *    registerFastKernels also swaps in: BatchNormalization's training call as one kernel with a
 *    closed-form gradient (batch-norm-train.ts), Adam's update as one kernel per variable
 *    (adam.ts), and ReLU's gradient as one kernel (relu-grad.ts): ~1050 kernels per mini step,
 *    half the peak tensor bytes.
 *
 * 8. Memory (issue 17). At 299 px, batch 8, a step's peak is the start of the backward pass:
 *    every tensor a gradient saved (~2.0 GB), the weights and Adam's slots (0.24 GB), the
 *    kernel pool's arena (0.22 GB), recycled buffers and garbage not yet collected. Three things
 *    took the peak resident memory from 3.4 GB to about 2.6 GB, values unchanged bit for bit:
 *    - ReLU's gradient reads ReLU's output instead of its input (relu-grad.ts), so no gradient
 *      keeps a batch norm's output;
 *    - a layer's output is freed once its last reader has run (activation-release.ts): in
 *      training tfjs-layers kept every one until the forward pass ended;
 *    - a separable convolution's gradient computes its depthwise output again from the input
 *      instead of keeping it (separable-recompute.ts): ~0.45 GB less for one more depthwise
 *      convolution per layer, a few per cent of a step.
 *
 * Results: element-wise kernels, reductions, Tile, MaxPool and batch norm are bit-identical to
 * the stock ones (same formulas, one float32 rounding; sums in doubles in the stock order). The
 * convolutions differ by float32 rounding only (products accumulated in float32 on SIMD, as
 * BLAS and TensorFlow do): ≤ 1e-6 of the output's scale in the tests. The fused Adam update,
 * ReLU gradient and batch-norm forward are bit for bit tfjs' own; the batch-norm gradient is
 * its closed form in doubles, equal to tfjs' chain of float32 ops up to rounding.
 */
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs';
import type { FastKernel, Tf } from './cpu-backend';
import { conv2D } from './conv2d';
import { conv2DBackpropFilter } from './conv2d-backprop-filter';
import { conv2DBackpropInput } from './conv2d-backprop-input';
import { depthwiseConv2dNative } from './depthwise-conv2d';
import { depthwiseConv2dNativeBackpropFilter } from './depthwise-backprop-filter';
import { depthwiseConv2dNativeBackpropInput } from './depthwise-backprop-input';
import { fusedConv2D } from './fused-conv2d';
import { maxPool } from './max-pool';
import { maxPoolGrad } from './max-pool-grad';
import { fusedBatchNorm } from './batch-norm';
import { add, multiply, realDiv, sub } from './binary-ops';
import { mean } from './mean';
import { sum } from './sum';
import { tile } from './tile';
import { relu, sqrt, square, step } from './unary-ops';
import { removeRecycler } from './recycle';
import { ADAM_KERNEL, adamKernel, patchAdam } from './adam';
import {
  BN_TRAIN_GRAD_KERNEL,
  BN_TRAIN_KERNEL,
  MOVING_AVERAGES_KERNEL,
  batchNormTrainGradKernel,
  batchNormTrainKernel,
  movingAveragesKernel,
  patchBatchNormalization,
  registerBatchNormGradient,
} from './batch-norm-train';
import { RELU_GRAD_KERNEL, patchReluGradient, reluGradKernel } from './relu-grad';
import { patchTapeRelease } from './tape-release';
import { patchActivationRelease } from './activation-release';
import { patchSeparableRecompute } from './separable-recompute';

export type { Tf } from './cpu-backend';
export { simdAvailable } from './simd';
export { closeKernelPool, kernelPool } from './pool';

const BACKEND = 'cpu';

export const fastKernels: readonly FastKernel[] = [
  conv2DBackpropFilter,
  conv2DBackpropInput,
  conv2D,
  fusedConv2D,
  depthwiseConv2dNative,
  depthwiseConv2dNativeBackpropFilter,
  depthwiseConv2dNativeBackpropInput,
  maxPool,
  maxPoolGrad,
  fusedBatchNorm,
  multiply,
  add,
  sub,
  realDiv,
  mean,
  sum,
  tile,
  relu,
  step,
  sqrt,
  square,
];

/** Kernels of our own (no stock counterpart), behind the fused batch norm and optimizer update. */
const ownKernels: readonly KernelConfig[] = [
  { kernelName: ADAM_KERNEL, backendName: BACKEND, kernelFunc: adamKernel as unknown as KernelFunc },
  { kernelName: BN_TRAIN_KERNEL, backendName: BACKEND, kernelFunc: batchNormTrainKernel as unknown as KernelFunc },
  {
    kernelName: BN_TRAIN_GRAD_KERNEL,
    backendName: BACKEND,
    kernelFunc: batchNormTrainGradKernel as unknown as KernelFunc,
  },
  {
    kernelName: MOVING_AVERAGES_KERNEL,
    backendName: BACKEND,
    kernelFunc: movingAveragesKernel as unknown as KernelFunc,
  },
  { kernelName: RELU_GRAD_KERNEL, backendName: BACKEND, kernelFunc: reluGradKernel as unknown as KernelFunc },
];

/** The stock configs replaced in each tfjs module, to put back on unregister. */
const replaced = new WeakMap<object, KernelConfig[]>();
/** Per tfjs module, the functions putting the stock BatchNormalization call and Adam update back. */
const unpatch = new WeakMap<object, (() => void)[]>();
/** Our kernel functions, so a second registration (through another handle on the same engine) never mistakes one for stock. */
const ours = new WeakSet<KernelFunc>();

/**
 * Replaces the cpu backend's slow kernels in `tf` with the ones in this folder; returns the
 * names of the kernels replaced. Idempotent. For the pure-JS engine only: tfjs-node has its own.
 */
export function registerFastKernels(tf: Tf): string[] {
  if (replaced.has(tf)) return (replaced.get(tf) ?? []).map((k) => k.kernelName);
  const stockConfigs: KernelConfig[] = [];
  for (const kernel of fastKernels) {
    const stock = tf.getKernel(kernel.kernelName, BACKEND);
    if (!stock || ours.has(stock.kernelFunc)) continue;
    const kernelFunc = kernel.create(tf, stock.kernelFunc);
    ours.add(kernelFunc);
    tf.unregisterKernel(kernel.kernelName, BACKEND);
    tf.registerKernel({ kernelName: kernel.kernelName, backendName: BACKEND, kernelFunc });
    stockConfigs.push(stock);
  }
  replaced.set(tf, stockConfigs);
  // Batch norm in training as one op with its own gradient instead of ~20, and a fused Adam
  // update: one op per variable instead of ~12.
  for (const config of ownKernels) if (!tf.getKernel(config.kernelName, BACKEND)) tf.registerKernel(config);
  registerBatchNormGradient(tf);
  unpatch.set(tf, [
    patchBatchNormalization(tf),
    patchAdam(tf),
    patchReluGradient(tf),
    patchTapeRelease(tf),
    patchActivationRelease(tf),
    patchSeparableRecompute(tf),
  ]);
  return stockConfigs.map((k) => k.kernelName);
}

/** Puts tfjs-backend-cpu's own kernels back. */
export function unregisterFastKernels(tf: Tf): void {
  const stockConfigs = replaced.get(tf);
  if (!stockConfigs) return;
  for (const stock of stockConfigs) {
    tf.unregisterKernel(stock.kernelName, BACKEND);
    tf.registerKernel(stock);
  }
  for (const restore of unpatch.get(tf) ?? []) restore();
  unpatch.delete(tf);
  for (const config of ownKernels)
    if (tf.getKernel(config.kernelName, BACKEND)) tf.unregisterKernel(config.kernelName, BACKEND);
  const backend = tf.findBackend(BACKEND);
  if (backend) removeRecycler(backend);
  replaced.delete(tf);
}
