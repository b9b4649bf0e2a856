import type { FusedConv2DAttrs } from '@tensorflow/tfjs';
import { float32Values, output, sizeOf, unpack, type FastKernel } from './cpu-backend';
import { nhwcConvInfo } from './im2col';
import { conv2dForward, outputSize } from './conv2d';

/** What tfjs-layers' conv2d runs (tf.fused.conv2d): the convolution, then an optional bias and activation. */
export const fusedConv2D: FastKernel = {
  kernelName: 'FusedConv2D',
  create: (tf, stock) => (args) => {
    const { backend, attrs } = unpack<FusedConv2DAttrs>(args);
    const { x, filter, bias, preluActivationWeights } = args.inputs;
    const activation = attrs.activation ?? 'linear';
    const xv = float32Values(backend, x);
    const wv = float32Values(backend, filter);
    const bv = bias ? float32Values(backend, bias) : undefined;
    const handled =
      (activation === 'linear' || activation === 'relu' || activation === 'relu6') &&
      !preluActivationWeights &&
      (!bias || (bv !== undefined && (sizeOf(bias.shape) === 1 || bias.shape.length === 1)));
    const info = handled && x && filter && xv && wv ? nhwcConvInfo(tf, x.shape, filter.shape, attrs) : undefined;
    if (!info || !xv || !wv || (bv && bv.length !== 1 && bv.length !== info.outChannels)) return stock(args);

    const y = conv2dForward(xv, wv, info, output(backend, outputSize(info)));
    const co = info.outChannels;
    if (bv) {
      if (bv.length === 1) {
        const b0 = bv[0]!;
        for (let i = 0; i < y.length; i++) y[i] = y[i]! + b0;
      } else {
        for (let i = 0; i < y.length; i += co) for (let c = 0; c < co; c++) y[i + c] = y[i + c]! + bv[c]!;
      }
    }
    if (activation === 'relu') {
      for (let i = 0; i < y.length; i++) if (y[i]! < 0) y[i] = 0;
    } else if (activation === 'relu6') {
      for (let i = 0; i < y.length; i++) y[i] = Math.min(Math.max(y[i]!, 0), 6);
    }
    return backend.makeTensorInfo(info.outShape, 'float32', y);
  },
};
