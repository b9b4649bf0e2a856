import type { GradSaveFunc, NamedAttrMap, NamedTensorMap, Tensor, Tensor4D } from '@tensorflow/tfjs';
import type { Tf } from './cpu-backend';

/**
 * A separable convolution that keeps only its input for the gradient (issue 17). tfjs'
 * separableConv2d is a depthwise convolution, then a 1×1 convolution of its output z; the tape
 * keeps z for the 1×1 convolution's filter gradient, a full-size tensor per separable conv that
 * nothing else needs: at 299 px, batch 8, about 0.45 GB of a step's ~2 GB of saved tensors. Here
 * the layer's training call is one op whose gradient computes z again from the input (which
 * the tape keeps anyway: it is the ReLU or Add output before it) — one depthwise convolution,
 * a few per cent of a step — and then runs the very kernels tfjs' own gradients run, with the
 * same attributes: the forward values and every gradient are bit for bit the stock ones.
 *
 * Training a trainable layer on the cpu backend, NHWC, without bias only; anything else (a
 * frozen layer, whose filter gradients nobody asks for) takes the stock call.
 */

interface SeparableLayer {
  rank: number;
  dataFormat: string;
  useBias: boolean;
  trainable: boolean;
  strides: number[];
  padding: 'valid' | 'same';
  dilationRate: number[];
  depthwiseKernel: { read(): Tensor };
  pointwiseKernel: { read(): Tensor };
  activation?: { apply(x: Tensor): Tensor };
}

type Call = (this: SeparableLayer, inputs: Tensor | Tensor[], kwargs?: Record<string, unknown>) => Tensor | Tensor[];

const patched = new WeakSet<Call>();

/** x, depthwise filter, pointwise filter → y; its gradient recomputes the depthwise output. */
function separableOp(tf: Tf, layer: SeparableLayer) {
  const strides = layer.strides as [number, number];
  const pad = layer.padding;
  const dilations = layer.dilationRate as [number, number];
  const run = (kernel: string, inputs: Record<string, Tensor>, attrs: Record<string, unknown>): Tensor =>
    tf.engine().runKernel(kernel, inputs as unknown as NamedTensorMap, attrs as unknown as NamedAttrMap) as Tensor;
  // Attributes exactly as tfjs-core's separableConv2d and the Conv2D / DepthwiseConv2dNative gradients pass them.
  const pointwise = { strides: 1, pad: 'valid', dataFormat: 'NHWC', dimRoundingMode: undefined };
  const depthwise = { strides, pad, dimRoundingMode: undefined, dilations };
  return tf.customGrad((...args: (Tensor | GradSaveFunc)[]) => {
    const [x, dw, pw, save] = args as [Tensor4D, Tensor4D, Tensor4D, GradSaveFunc];
    save([x, dw, pw]);
    return {
      value: tf.separableConv2d(x, dw, pw, strides, pad, dilations, 'NHWC'),
      gradFunc: (dy: Tensor4D, saved: Tensor[]) =>
        tf.tidy(() => {
          const [sx, sdw, spw] = saved as [Tensor, Tensor, Tensor];
          const z = tf.depthwiseConv2d(sx as Tensor4D, sdw as Tensor4D, strides, pad, 'NHWC', dilations);
          const dz = run('Conv2DBackpropInput', { dy, filter: spw }, { ...pointwise, inputShape: z.shape });
          const dpw = run('Conv2DBackpropFilter', { x: z, dy }, { ...pointwise, filterShape: spw.shape });
          const dx = run(
            'DepthwiseConv2dNativeBackpropInput',
            { dy: dz, filter: sdw },
            { ...depthwise, inputShape: sx.shape },
          );
          const ddw = run(
            'DepthwiseConv2dNativeBackpropFilter',
            { x: sx, dy: dz },
            { ...depthwise, filterShape: sdw.shape },
          );
          return [dx, ddw, dpw];
        }),
    };
  }) as unknown as (x: Tensor, dw: Tensor, pw: Tensor) => Tensor;
}

/** The prototype defining tfjs-layers' separable convolutions' `call`. */
function separablePrototype(tf: Tf): { call: Call } {
  let proto = Object.getPrototypeOf(tf.layers.separableConv2d({ filters: 1, kernelSize: 1 })) as object | null;
  while (proto && !Object.prototype.hasOwnProperty.call(proto, 'call')) proto = Object.getPrototypeOf(proto);
  if (!proto) throw new Error('tfjs-layers: no SeparableConv.prototype.call found');
  return proto as { call: Call };
}

/** Patches `tf`'s SeparableConv.prototype.call; returns a function putting the stock one back. */
export function patchSeparableRecompute(tf: Tf): () => void {
  const proto = separablePrototype(tf);
  const stock = proto.call;
  if (patched.has(stock)) return () => {}; // patched through another handle on the same tfjs
  const call: Call = function (inputs, kwargs) {
    const x = Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0] : undefined) : inputs;
    if (
      kwargs?.['training'] !== true ||
      tf.getBackend() !== 'cpu' ||
      !x ||
      x.rank !== 4 ||
      x.dtype !== 'float32' ||
      this.rank !== 2 ||
      this.dataFormat !== 'channelsLast' ||
      this.useBias ||
      !this.trainable
    )
      return stock.call(this, inputs, kwargs);
    return tf.tidy(() => {
      const y = separableOp(tf, this)(x, this.depthwiseKernel.read(), this.pointwiseKernel.read());
      return this.activation ? this.activation.apply(y) : y;
    });
  };
  patched.add(call);
  proto.call = call;
  return () => {
    proto.call = stock;
  };
}
