import type { AdamOptimizer, NamedAttrMap, NamedTensorMap, Tensor, TensorInfo, Variable } from '@tensorflow/tfjs';
import { float32Values, output, unpack, type CpuBackend, type KernelArgs, type Tf } from './cpu-backend';

/**
 * Adam's update as one kernel per variable (issue 17). tfjs' AdamOptimizer spends ~12 ops per
 * variable per step (mul, add, square, div, sqrt… each a fresh full-size tensor); here one pass
 * computes the new first and second moments and the new value. Every intermediate is rounded to
 * float32 exactly where the stock ops round it, in the stock order, so the results are bit for
 * bit tfjs' own: checkpoints, resumes and recorded curves do not change.
 */
export const ADAM_KERNEL = 'XlabAdamUpdate';

export interface AdamAttrs {
  beta1: number;
  beta2: number;
  /** 1 − beta1^t and 1 − beta2^t as tfjs has them (float32 scalars). */
  oneMinusAccBeta1: number;
  oneMinusAccBeta2: number;
  epsilon: number;
  learningRate: number;
}

/** Inputs value, m, v, gradient (float32, same size) → [new m, new v, new value]. */
export function adamKernel(args: KernelArgs): TensorInfo[] {
  const { backend, attrs } = unpack<AdamAttrs>(args);
  const { value, m, v, gradient } = args.inputs;
  const x = float32Values(backend, value);
  const mv = float32Values(backend, m);
  const vv = float32Values(backend, v);
  const g = float32Values(backend, gradient);
  if (!value || !x || !mv || !vv || !g || mv.length !== x.length || vv.length !== x.length || g.length !== x.length)
    throw new Error(`${ADAM_KERNEL}: expects four float32 tensors of one size`);
  const f = Math.fround;
  // The scalars as tfjs makes them: float32 tensors of the JS numbers.
  const b1 = f(attrs.beta1);
  const c1 = f(1 - attrs.beta1);
  const b2 = f(attrs.beta2);
  const c2 = f(1 - attrs.beta2);
  const d1 = f(attrs.oneMinusAccBeta1);
  const d2 = f(attrs.oneMinusAccBeta2);
  const eps = f(attrs.epsilon);
  const rate = f(-attrs.learningRate);
  const n = x.length;
  const m2 = output(backend, n);
  const v2 = output(backend, n);
  const x2 = output(backend, n);
  for (let i = 0; i < n; i++) {
    const gi = g[i]!;
    const mi = f(f(mv[i]! * b1) + f(gi * c1));
    const vi = f(f(vv[i]! * b2) + f(f(gi * gi) * c2));
    m2[i] = mi;
    v2[i] = vi;
    const step = f(f(f(mi / d1) / f(f(Math.sqrt(f(vi / d2))) + eps)) * rate);
    x2[i] = step + x[i]!;
  }
  const shape = value.shape;
  return [m2, v2, x2].map((values) => (backend as CpuBackend).makeTensorInfo(shape, 'float32', values));
}

/** The private state of tfjs' AdamOptimizer that the fused update reads and writes. */
interface AdamState {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: Variable;
  accBeta2: Variable;
  accumulatedFirstMoment: ({ originalName: string; variable: Variable } | undefined)[];
  accumulatedSecondMoment: ({ originalName: string; variable: Variable } | undefined)[];
  incrementIterations(): void;
}

type ApplyGradients = AdamOptimizer['applyGradients'];
const fused = new WeakSet<ApplyGradients>();

/**
 * Replaces AdamOptimizer.prototype.applyGradients in `tf` by the fused update on the cpu
 * backend (the stock method elsewhere); returns a function putting the stock one back. Slots,
 * their names and order, iterations and the accumulated betas are the stock optimizer's, so
 * getWeights/setWeights (checkpoints) are unchanged.
 */
export function patchAdam(tf: Tf): () => void {
  const proto = tf.AdamOptimizer.prototype as unknown as { applyGradients: ApplyGradients };
  const stock = proto.applyGradients;
  if (fused.has(stock)) return () => {}; // patched through another handle on the same tfjs
  const applyGradients = function (this: AdamState, variableGradients) {
    if (tf.getBackend() !== 'cpu') return stock.call(this, variableGradients);
    const names = Array.isArray(variableGradients)
      ? variableGradients.map((v) => v.name)
      : Object.keys(variableGradients);
    tf.tidy(() => {
      const oneMinusAccBeta1 = tf.sub(1, this.accBeta1).dataSync()[0]!;
      const oneMinusAccBeta2 = tf.sub(1, this.accBeta2).dataSync()[0]!;
      const attrs: AdamAttrs = {
        beta1: this.beta1,
        beta2: this.beta2,
        oneMinusAccBeta1,
        oneMinusAccBeta2,
        epsilon: this.epsilon,
        learningRate: this.learningRate,
      };
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name]!;
        const slot = (suffix: string): { originalName: string; variable: Variable } => ({
          originalName: `${name}/${suffix}`,
          variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
        });
        this.accumulatedFirstMoment[i] ??= slot('m');
        this.accumulatedSecondMoment[i] ??= slot('v');
        const gradient = Array.isArray(variableGradients) ? variableGradients[i]!.tensor : variableGradients[name];
        if (gradient == null) return;
        const m = this.accumulatedFirstMoment[i]!.variable;
        const v = this.accumulatedSecondMoment[i]!.variable;
        if (value.dtype !== 'float32' || gradient.dtype !== 'float32' || gradient.size !== value.size) {
          throw new Error(`Adam: variable ${name} and its gradient must be float32 of one size`);
        }
        const [m2, v2, x2] = tf.engine().runKernel(
          ADAM_KERNEL,
          { value, m, v, gradient } as unknown as NamedTensorMap,
          {
            ...attrs,
          } as unknown as NamedAttrMap,
        ) as Tensor[];
        m.assign(m2!);
        v.assign(v2!);
        value.assign(x2!);
      });
      this.accBeta1.assign(tf.mul(this.accBeta1, this.beta1));
      this.accBeta2.assign(tf.mul(this.accBeta2, this.beta2));
    });
    this.incrementIterations();
  } as ApplyGradients;
  fused.add(applyGradients);
  proto.applyGradients = applyGradients;
  return () => {
    proto.applyGradients = stock;
  };
}
