import type { LayersModel, SymbolicTensor } from '@tensorflow/tfjs';
import { validateModelConfig, type ModelConfigInput } from './model-config';
import { planXception, type LayerSpec, type XceptionPlan } from './xception-plan';

/**
 * The tfjs API the builder uses. tfjs-node-gpu, tfjs-node and pure-JS tfjs all provide it; the
 * training worker passes whichever engine it loaded, so nothing here imports tfjs itself.
 */
export type Tf = typeof import('@tensorflow/tfjs');

/** Options that change how weights start, not the architecture. */
export interface BuildOptions {
  /**
   * Seeds every random initializer (and dropout), so the same seed gives the same starting
   * weights: two runs with one seed train identically on the JS engine. Unseeded: random.
   */
  seed?: number;
}

/** A seeded initializer per layer and role: distinct, reproducible streams. */
function seeded(tf: Tf, seed: number | undefined, index: number, role: number) {
  return seed === undefined
    ? undefined
    : tf.initializers.glorotUniform({ seed: (seed * 7919 + index * 13 + role) % 2 ** 31 });
}

function layerFor(
  tf: Tf,
  spec: Exclude<LayerSpec, { kind: 'input' }>,
  batchNormMomentum: number,
  seed: number | undefined,
  index: number,
) {
  const name = spec.name;
  const init = (role: number) => seeded(tf, seed, index, role);
  switch (spec.kind) {
    case 'conv':
      return tf.layers.conv2d({
        name,
        filters: spec.filters,
        kernelSize: spec.kernel,
        strides: spec.strides,
        padding: spec.padding,
        useBias: false,
        ...(seed !== undefined ? { kernelInitializer: init(0) } : {}),
      });
    case 'sepconv':
      return tf.layers.separableConv2d({
        name,
        filters: spec.filters,
        kernelSize: spec.kernel,
        padding: spec.padding,
        useBias: false,
        ...(seed !== undefined ? { depthwiseInitializer: init(1), pointwiseInitializer: init(2) } : {}),
      });
    case 'batchnorm':
      // Moving variance starts at 0, not Keras' 1: separable convs start with tiny activations
      // (variance ~1e-6 deep in the net), so a moving variance that starts at 1 needs ~100s of
      // steps to come down, and until then inference divides by a far too large std — validation
      // sits at chance (uniform predictions) on small datasets. From 0 it tracks the true
      // variance from the first steps. Parameter counts and training-mode behaviour are unchanged.
      return tf.layers.batchNormalization({ name, momentum: batchNormMomentum, movingVarianceInitializer: 'zeros' });
    case 'relu':
      return tf.layers.activation({ name, activation: 'relu' });
    case 'maxpool':
      return tf.layers.maxPooling2d({ name, poolSize: spec.pool, strides: spec.strides, padding: spec.padding });
    case 'add':
      return tf.layers.add({ name });
    case 'globalavgpool':
      return tf.layers.globalAveragePooling2d({ name });
    case 'dropout':
      return tf.layers.dropout({ name, rate: spec.rate, ...(seed !== undefined ? { seed: seed + index } : {}) });
    case 'dense':
      return tf.layers.dense({
        name,
        units: spec.units,
        activation: spec.activation,
        ...(seed !== undefined ? { kernelInitializer: init(3) } : {}),
      });
  }
}

/** Turns a plan into a tfjs functional model, layer by layer, wiring each to the layers it reads. */
export function buildFromPlan(plan: XceptionPlan, tf: Tf, options: BuildOptions = {}): LayersModel {
  const tensors = new Map<string, SymbolicTensor>();
  const read = (name: string): SymbolicTensor => {
    const tensor = tensors.get(name);
    if (!tensor) throw new Error(`Plan error: ${name} is read before it is built.`);
    return tensor;
  };
  let input: SymbolicTensor | undefined;
  for (const [index, spec] of plan.layers.entries()) {
    if (spec.kind === 'input') {
      input = tf.input({ name: spec.name, shape: [spec.size, spec.size, spec.channels] });
      tensors.set(spec.name, input);
      continue;
    }
    const inputs = spec.inputs.map(read);
    const output = layerFor(tf, spec, plan.config.batchNormMomentum, options.seed, index).apply(
      inputs.length === 1 ? inputs[0]! : inputs,
    ) as SymbolicTensor;
    tensors.set(spec.name, output);
  }
  if (!input) throw new Error('Plan error: the plan has no input layer.');
  const name = plan.config.blockStyle === 'keras' ? 'xception' : 'xception_seed';
  return tf.model({ name, inputs: input, outputs: read(plan.output) });
}

/**
 * Builds an Xception-family classifier: validates `config` first (a `ModelConfigError` names the
 * bad field), plans the layers, then creates them with the given tfjs module. The caller owns
 * the model: `model.dispose()` frees its weights.
 */
export function buildXception(config: ModelConfigInput, tf: Tf, options: BuildOptions = {}): LayersModel {
  return buildFromPlan(planXception(validateModelConfig(config)), tf, options);
}
