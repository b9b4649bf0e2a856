import { describe, expect, it } from 'vitest';
import { registerFastKernels, unregisterFastKernels } from '../../../../main/engine/kernels';
import {
  convOutShape,
  expectClose,
  randomTensor,
  seededRandom,
  stockAndFast,
  tf,
  useCpuBackend,
  type Paths,
} from './helpers';

useCpuBackend();

interface ConvCase {
  name: string;
  x: number[];
  filter: number[];
  strides: number;
  pad: 'same' | 'valid';
}

/** Strides 1 and 2 × padding same and valid × kernel 1 and 3 × batch 1 and 3, odd sizes and channel counts. */
function convCases(seed: number): ConvCase[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const cases: ConvCase[] = [];
  for (const strides of [1, 2]) {
    for (const pad of ['same', 'valid'] as const) {
      for (const k of [1, 3]) {
        for (const batch of [1, 3]) {
          const x = [batch, pick([5, 7, 9]), pick([5, 7, 11]), pick([3, 5, 8])];
          const filter = [k, k, x[3]!, pick([4, 7, 9])];
          cases.push({ name: `x ${x.join('×')} ${k}×${k}/${strides} ${pad}`, x, filter, strides, pad });
        }
      }
    }
  }
  // Bigger: several im2col blocks, several GEMM depth blocks and row blocks.
  cases.push({
    name: 'x 1×12×12×64 3×3/1 same (im2col blocks)',
    x: [1, 12, 12, 64],
    filter: [3, 3, 64, 10],
    strides: 1,
    pad: 'same',
  });
  cases.push({
    name: 'x 4×16×16×19 1×1/1 same (depth > 256)',
    x: [4, 16, 16, 19],
    filter: [1, 1, 19, 21],
    strides: 1,
    pad: 'same',
  });
  return cases;
}

const paths: Paths[] = ['simd', 'js'];

describe.each(paths)('convolution kernels match tfjs-backend-cpu (%s path)', (path) => {
  const cases = convCases(path === 'simd' ? 1 : 2);

  it.each(cases)('Conv2D $name', ({ x, filter, strides, pad }) => {
    const random = seededRandom(11);
    const inputs = { x: randomTensor(random, x), filter: randomTensor(random, filter) };
    const { stock, fast } = stockAndFast('Conv2D', inputs, { strides, pad, dataFormat: 'NHWC', dilations: 1 }, path);
    expectClose(fast, stock);
  });

  it.each(cases)('FusedConv2D with bias and relu $name', ({ x, filter, strides, pad }) => {
    const random = seededRandom(12);
    const inputs = {
      x: randomTensor(random, x),
      filter: randomTensor(random, filter),
      bias: randomTensor(random, [filter[3]!]),
    };
    const { stock, fast } = stockAndFast(
      'FusedConv2D',
      inputs,
      { strides, pad, dataFormat: 'NHWC', dilations: 1, activation: 'relu' },
      path,
    );
    expectClose(fast, stock);
  });

  it.each(cases)('Conv2DBackpropFilter $name', ({ x, filter, strides, pad }) => {
    const random = seededRandom(13);
    const dy = randomTensor(random, convOutShape(x, filter, strides, pad));
    const inputs = { x: randomTensor(random, x), dy };
    const { stock, fast } = stockAndFast(
      'Conv2DBackpropFilter',
      inputs,
      { strides, pad, dataFormat: 'NHWC', filterShape: filter },
      path,
    );
    expectClose(fast, stock);
  });

  it.each(cases)('Conv2DBackpropInput $name', ({ x, filter, strides, pad }) => {
    const random = seededRandom(14);
    const dy = randomTensor(random, convOutShape(x, filter, strides, pad));
    const inputs = { dy, filter: randomTensor(random, filter) };
    const { stock, fast } = stockAndFast(
      'Conv2DBackpropInput',
      inputs,
      { strides, pad, dataFormat: 'NHWC', inputShape: x },
      path,
    );
    expectClose(fast, stock);
  });
});

describe('convolutions the fast kernels leave to tfjs-backend-cpu', () => {
  it('dilated Conv2D gives the stock result', () => {
    const random = seededRandom(15);
    const inputs = { x: randomTensor(random, [2, 9, 9, 3]), filter: randomTensor(random, [3, 3, 3, 4]) };
    const { stock, fast } = stockAndFast('Conv2D', inputs, {
      strides: 1,
      pad: 'same',
      dataFormat: 'NHWC',
      dilations: 2,
    });
    expect(fast.dataSync()).toEqual(stock.dataSync());
  });

  it('NCHW Conv2D gives the stock result', () => {
    const random = seededRandom(16);
    const inputs = { x: randomTensor(random, [2, 3, 7, 7]), filter: randomTensor(random, [3, 3, 3, 4]) };
    const { stock, fast } = stockAndFast('Conv2D', inputs, {
      strides: 1,
      pad: 'valid',
      dataFormat: 'NCHW',
      dilations: 1,
    });
    expect(fast.shape).toEqual([2, 4, 5, 5]);
    expect(fast.dataSync()).toEqual(stock.dataSync());
  });

  it('FusedConv2D with a PReLU activation gives the stock result', () => {
    const random = seededRandom(17);
    const inputs = {
      x: randomTensor(random, [1, 5, 5, 3]),
      filter: randomTensor(random, [3, 3, 3, 4]),
      preluActivationWeights: randomTensor(random, [4]),
    };
    const { stock, fast } = stockAndFast('FusedConv2D', inputs, {
      strides: 1,
      pad: 'same',
      dataFormat: 'NHWC',
      dilations: 1,
      activation: 'prelu',
    });
    expect(fast.dataSync()).toEqual(stock.dataSync());
  });

  it('tf.conv2d and its gradients agree end to end', () => {
    const random = seededRandom(18);
    const x = randomTensor(random, [2, 8, 8, 5]);
    const w = randomTensor(random, [3, 3, 5, 6]);
    const f = (a: tf.Tensor, b: tf.Tensor): tf.Scalar =>
      tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same')));
    const stock = tf.grads(f)([x, w]);
    registerFastKernels(tf);
    const fast = tf.grads(f)([x, w]);
    unregisterFastKernels(tf);
    expectClose(fast[0]!, stock[0]!);
    expectClose(fast[1]!, stock[1]!);
  });
});
