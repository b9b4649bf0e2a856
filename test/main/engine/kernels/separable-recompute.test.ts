import { afterEach, describe, expect, it } from 'vitest';
import { registerFastKernels, unregisterFastKernels } from '../../../../main/engine/kernels';
import { patchSeparableRecompute } from '../../../../main/engine/kernels/separable-recompute';
import { expectIdentical, randomTensor, seededRandom, tf, useCpuBackend } from './helpers';

useCpuBackend();
afterEach(() => unregisterFastKernels(tf));

interface SeparableInternals {
  depthwiseKernel: { read(): tf.Tensor4D };
  pointwiseKernel: { read(): tf.Tensor4D };
}

/** A seeded separable conv layer, built for [2, 9, 9, 6] inputs, such an input and a loss weighting. */
function setUp(seed: number, trainable = true) {
  const layer = tf.layers.separableConv2d({
    filters: 5,
    kernelSize: 3,
    padding: 'same',
    useBias: false,
    depthMultiplier: 2,
    depthwiseInitializer: tf.initializers.glorotUniform({ seed }),
    pointwiseInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }),
    trainable,
  });
  const random = seededRandom(seed);
  const x = randomTensor(random, [2, 9, 9, 6]);
  const w = randomTensor(random, [2, 9, 9, 5]);
  layer.apply(x); // builds its weights
  const internals = layer as unknown as SeparableInternals;
  return {
    layer,
    x,
    /** The layer's training call. */
    viaLayer: (v: tf.Tensor) => layer.apply(v, { training: true }) as tf.Tensor,
    /** tfjs-core's separableConv2d on the layer's own variables: the stock graph. */
    viaOp: (v: tf.Tensor) =>
      tf.separableConv2d(
        v as tf.Tensor4D,
        internals.depthwiseKernel.read(),
        internals.pointwiseKernel.read(),
        1,
        'same',
      ),
    loss: (y: tf.Tensor) => tf.sum(tf.mul(y, w)) as tf.Scalar,
  };
}

/** Runs `f`, returning its result and the names of the kernels it ran. */
function withKernels<T>(f: () => T): { result: T; kernels: string[] } {
  const engine = tf.engine() as unknown as { runKernel: (name: string, ...rest: unknown[]) => unknown };
  const runKernel = engine.runKernel;
  const kernels: string[] = [];
  engine.runKernel = function (name, ...rest) {
    kernels.push(name);
    return runKernel.call(this, name, ...rest);
  };
  try {
    return { result: f(), kernels };
  } finally {
    engine.runKernel = runKernel;
  }
}

const depthwiseRuns = (kernels: string[]): number => kernels.filter((k) => k === 'DepthwiseConv2dNative').length;

describe('separable convolutions that recompute their depthwise output for the gradient', () => {
  for (const fast of [false, true]) {
    it(`give the stock values and gradients bit for bit (${fast ? 'fast' : 'stock'} kernels)`, () => {
      const restore = fast ? (registerFastKernels(tf), () => {}) : patchSeparableRecompute(tf);
      const { layer, x, viaLayer, viaOp, loss } = setUp(3);
      try {
        const grads = (forward: (v: tf.Tensor) => tf.Tensor) =>
          withKernels(() => {
            const byX = tf.grad((v: tf.Tensor) => loss(forward(v)))(x);
            const byFilters = tf.variableGrads(() => loss(forward(x))).grads;
            return [byX, ...layer.trainableWeights.map((v) => byFilters[(v.read() as tf.Variable).name]!)];
          });
        expectIdentical(viaLayer(x), viaOp(x));
        const stock = grads(viaOp);
        const ours = grads(viaLayer);
        expect(ours.result).toHaveLength(3);
        ours.result.forEach((g, i) => expectIdentical(g, stock.result[i]!));
        // The depthwise output was computed again in each backward pass, not kept.
        expect(depthwiseRuns(ours.kernels)).toBe(2 * depthwiseRuns(stock.kernels));
      } finally {
        restore();
        layer.dispose();
      }
    });
  }

  it('keeps only its input and filters for the gradient', () => {
    registerFastKernels(tf);
    const { layer, x, viaLayer, viaOp, loss } = setUp(4);
    try {
      const savedBuffers = (forward: (v: tf.Tensor) => tf.Tensor): number => {
        const engine = tf.engine() as unknown as { state: { activeTape: { saved?: tf.Tensor[] }[] } };
        let buffers = 0;
        tf.variableGrads(() => {
          const y = loss(forward(x));
          buffers = new Set(engine.state.activeTape.flatMap((n) => (n.saved ?? []).map((t) => t.dataId))).size;
          return y;
        });
        return buffers;
      };
      // The loss keeps three of its own (y, its weighting, their product). The stock graph keeps
      // x, both filters and the depthwise output; ours the same but the depthwise output.
      expect(savedBuffers(viaOp)).toBe(3 + 4);
      expect(savedBuffers(viaLayer)).toBe(3 + 3);
    } finally {
      layer.dispose();
    }
  });

  it('leaves inference and frozen layers to the stock call', () => {
    registerFastKernels(tf);
    const frozen = setUp(5, false);
    const live = setUp(5);
    try {
      const runs = (s: ReturnType<typeof setUp>, training: boolean): number =>
        depthwiseRuns(
          withKernels(() => tf.grad((v: tf.Tensor) => s.loss(s.layer.apply(v, { training }) as tf.Tensor))(s.x))
            .kernels,
        );
      expect(runs(live, false)).toBe(1);
      expect(runs(frozen, true)).toBe(1);
      expect(runs(live, true)).toBe(2);
    } finally {
      frozen.layer.dispose();
      live.layer.dispose();
    }
  });
});
