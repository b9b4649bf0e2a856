/**
 * The frozen prefix of a network: the flows frozen from the input on (entry; entry and middle;
 * or the whole base). Its layers have fixed weights and their batch norms run in inference
 * mode, so what it outputs for an image never changes while training: it can be computed once
 * per image (the feature cache) and the rest of the network — the tail — trained on it.
 *
 * The prefix ends where a flow ends, and only one tensor crosses a flow boundary (the last
 * `add` of a flow; the pooled vector after the exit flow), so the tail is a model with one
 * input. The tail reuses the full model's layer objects: training it trains the full model,
 * which is what checkpoints save.
 */
import type * as TF from '@tensorflow/tfjs';
import type { Flow, LayerSpec, XceptionPlan } from '../models/xception-plan';
import type { FreezableFlow } from '../models/training-settings';

type Tf = typeof TF;

export interface FrozenPrefix {
  /** The flows the prefix covers, in order from the input. */
  flows: Flow[];
  /** The plan's layers in the prefix (input included), in build order. */
  layers: LayerSpec[];
  /** The layer whose output is the prefix's output: `block4_add`, `block12_add`, or `avg_pool`. */
  boundary: string;
}

const baseFlows: readonly Flow[] = ['entry', 'middle', 'exit'];

/**
 * The longest run of frozen flows from the input, or null when the entry flow is not frozen.
 * With the whole base frozen the prefix ends with the global pooling (pooled features).
 */
export function frozenPrefix(plan: XceptionPlan, frozen: readonly FreezableFlow[]): FrozenPrefix | null {
  const flows: Flow[] = [];
  for (const flow of baseFlows) {
    if (!frozen.includes(flow)) break;
    flows.push(flow);
  }
  if (flows.length === 0) return null;
  const wholeBase = flows.length === baseFlows.length;
  const layers = plan.layers.filter(
    (spec) =>
      spec.kind === 'input' ||
      (spec.block !== 'top' && flows.includes(spec.flow)) ||
      (wholeBase && spec.kind === 'globalavgpool'),
  );
  const boundary = layers[layers.length - 1]!.name;
  // Nothing after the prefix to train (a plan without a top ends at the pooling).
  if (boundary === plan.output) return null;
  return { flows, layers, boundary };
}

/** The output of a layer as built in `model` (its first call, even once a tail reuses it). */
function firstOutput(model: TF.LayersModel, name: string): TF.SymbolicTensor {
  return model.getLayer(name).getOutputAt(0) as TF.SymbolicTensor;
}

/**
 * The prefix as a model sharing `model`'s layers. It adds no calls to them, so it owns nothing:
 * do not dispose it (that would free the full model's weights).
 */
export function prefixModel(tf: Tf, model: TF.LayersModel, prefix: FrozenPrefix): TF.LayersModel {
  return tf.model({ name: 'frozen_prefix', inputs: model.inputs, outputs: firstOutput(model, prefix.boundary) });
}

/**
 * The layers after the prefix, called again on a new input shaped like the prefix's output;
 * the same layer objects (weights, trainable flags, inference-mode batch norms) as `model`.
 * Calling a layer again counts a reference: dispose the tail before the full model.
 */
export function tailModel(tf: Tf, model: TF.LayersModel, plan: XceptionPlan, prefix: FrozenPrefix): TF.LayersModel {
  const shape = firstOutput(model, prefix.boundary).shape.slice(1) as number[];
  const input = tf.input({ name: `${prefix.boundary}_features`, shape });
  const tensors = new Map<string, TF.SymbolicTensor>([[prefix.boundary, input]]);
  const inPrefix = new Set(prefix.layers.map((spec) => spec.name));
  for (const spec of plan.layers) {
    if (inPrefix.has(spec.name)) continue;
    const inputs = spec.inputs.map((name) => {
      const tensor = tensors.get(name);
      if (!tensor) throw new Error(`Tail error: ${spec.name} reads ${name}, which is inside the frozen prefix.`);
      return tensor;
    });
    const output = model.getLayer(spec.name).apply(inputs.length === 1 ? inputs[0]! : inputs) as TF.SymbolicTensor;
    tensors.set(spec.name, output);
  }
  return tf.model({ name: 'trainable_tail', inputs: input, outputs: tensors.get(plan.output)! });
}
