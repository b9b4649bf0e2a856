import type { LayersModel, SymbolicTensor } from '@tensorflow/tfjs';
import { validateModelConfig, type ModelConfigInput } from './model-config';
import { planXception, type LayerSpec, type XceptionPlan } from './xception-plan';

/**
 * The tfjs API the builder uses. tfjs-node-gpu, tfjs-node and pure-JS tfjs all provide it; the
 * training worker passes whichever engine it loaded, so nothing here imports tfjs itself.
 */
export type Tf = typeof import('@tensorflow/tfjs');

function layerFor(tf: Tf, spec: Exclude<LayerSpec, { kind: 'input' }>) {
  const name = spec.name;
  switch (spec.kind) {
    case 'conv':
      return tf.layers.conv2d({ name, filters: spec.filters, kernelSize: spec.kernel, strides: spec.strides, padding: spec.padding, useBias: false });
    case 'sepconv':
      return tf.layers.separableConv2d({ name, filters: spec.filters, kernelSize: spec.kernel, padding: spec.padding, useBias: false });
    case 'batchnorm':
      return tf.layers.batchNormalization({ name });
    case 'relu':
      return tf.layers.activation({ name, activation: 'relu' });
    case 'maxpool':
      return tf.layers.maxPooling2d({ name, poolSize: spec.pool, strides: spec.strides, padding: spec.padding });
    case 'add':
      return tf.layers.add({ name });
    case 'globalavgpool':
      return tf.layers.globalAveragePooling2d({ name });
    case 'dropout':
      return tf.layers.dropout({ name, rate: spec.rate });
    case 'dense':
      return tf.layers.dense({ name, units: spec.units, activation: spec.activation });
  }
}

/** Turns a plan into a tfjs functional model, layer by layer, wiring each to the layers it reads. */
export function buildFromPlan(plan: XceptionPlan, tf: Tf): LayersModel {
  const tensors = new Map<string, SymbolicTensor>();
  const read = (name: string): SymbolicTensor => {
    const tensor = tensors.get(name);
    if (!tensor) throw new Error(`Plan error: ${name} is read before it is built.`);
    return tensor;
  };
  let input: SymbolicTensor | undefined;
  for (const spec of plan.layers) {
    if (spec.kind === 'input') {
      input = tf.input({ name: spec.name, shape: [spec.size, spec.size, spec.channels] });
      tensors.set(spec.name, input);
      continue;
    }
    const inputs = spec.inputs.map(read);
    const output = layerFor(tf, spec).apply(inputs.length === 1 ? inputs[0]! : inputs) as SymbolicTensor;
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
export function buildXception(config: ModelConfigInput, tf: Tf): LayersModel {
  return buildFromPlan(planXception(validateModelConfig(config)), tf);
}
