import { describe, it } from 'vitest';
import {
  convOutShape,
  expectClose,
  randomTensor,
  seededRandom,
  stockAndFast,
  useCpuBackend,
  type Paths,
} from './helpers';

useCpuBackend();

interface DepthwiseCase {
  name: string;
  x: number[];
  filter: number[];
  strides: number;
  pad: 'same' | 'valid';
}

/**
 * Strides 1 and 2 × padding same and valid × kernel 1 and 3 × batch 1 and 3, odd sizes; channel
 * counts that are and are not whole SIMD vectors; channel multiplier 1 (the network's) and 2.
 */
function depthwiseCases(seed: number): DepthwiseCase[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const cases: DepthwiseCase[] = [];
  for (const strides of [1, 2]) {
    for (const pad of ['same', 'valid'] as const) {
      for (const k of [1, 3]) {
        for (const batch of [1, 3]) {
          const x = [batch, pick([5, 7, 9]), pick([5, 7, 11]), pick([3, 6, 8, 13])];
          const multiplier = random() < 0.25 ? 2 : 1;
          const filter = [k, k, x[3]!, multiplier];
          cases.push({ name: `x ${x.join('×')} ${k}×${k}×${multiplier}/${strides} ${pad}`, x, filter, strides, pad });
        }
      }
    }
  }
  cases.push({
    name: 'x 2×16×16×32 3×3×1/1 same (the network’s)',
    x: [2, 16, 16, 32],
    filter: [3, 3, 32, 1],
    strides: 1,
    pad: 'same',
  });
  cases.push({
    name: 'x 2×4×4×182 3×3×1/1 same (182 channels)',
    x: [2, 4, 4, 182],
    filter: [3, 3, 182, 1],
    strides: 1,
    pad: 'same',
  });
  return cases;
}

const paths: Paths[] = ['simd', 'js'];

describe.each(paths)('depthwise kernels match tfjs-backend-cpu (%s path)', (path) => {
  const cases = depthwiseCases(path === 'simd' ? 3 : 4);

  it.each(cases)('DepthwiseConv2dNative $name', ({ x, filter, strides, pad }) => {
    const random = seededRandom(21);
    const inputs = { x: randomTensor(random, x), filter: randomTensor(random, filter) };
    const { stock, fast } = stockAndFast(
      'DepthwiseConv2dNative',
      inputs,
      { strides, pad, dataFormat: 'NHWC', dilations: 1 },
      path,
    );
    expectClose(fast, stock);
  });

  it.each(cases)('DepthwiseConv2dNativeBackpropFilter $name', ({ x, filter, strides, pad }) => {
    const random = seededRandom(22);
    const inputs = {
      x: randomTensor(random, x),
      dy: randomTensor(random, convOutShape(x, filter, strides, pad, true)),
    };
    const { stock, fast } = stockAndFast(
      'DepthwiseConv2dNativeBackpropFilter',
      inputs,
      { strides, pad, dilations: 1, filterShape: filter },
      path,
    );
    expectClose(fast, stock);
  });

  it.each(cases)('DepthwiseConv2dNativeBackpropInput $name', ({ x, filter, strides, pad }) => {
    const random = seededRandom(23);
    const inputs = {
      dy: randomTensor(random, convOutShape(x, filter, strides, pad, true)),
      filter: randomTensor(random, filter),
    };
    const { stock, fast } = stockAndFast(
      'DepthwiseConv2dNativeBackpropInput',
      inputs,
      { strides, pad, dilations: 1, inputShape: x },
      path,
    );
    expectClose(fast, stock);
  });
});
