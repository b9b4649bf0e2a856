import type { LayersModel } from '@tensorflow/tfjs';
import { LabError } from '../errors';
import { validateModelConfig, type ModelConfigInput } from './model-config';
import { outputShapeOf } from './model-summary';
import { inferShapes, type Shape } from './plan-shapes';
import { planXception, type LayerSpec, type XceptionPlan } from './xception-plan';

/**
 * Cost conventions (the same whether read from a config or a built model):
 * - FLOPs per image = 2 × multiply-adds of the Conv2D, SeparableConv2D (depthwise + pointwise)
 *   and Dense layers, i.e. 2 × (kernel weights) × (output positions). Biases, BatchNormalization,
 *   activations, pooling and adds are not counted (they would add about 1 %). Keras'
 *   Xception at 299 px comes to 16.7 GFLOPs by this rule, i.e. 8.4 G multiply-adds (the
 *   "8.4 GFLOPs" often quoted for Xception counts multiply-adds).
 * - Activation memory = float32 bytes of every layer's output, input included, for one batch:
 *   what a training step keeps for backpropagation, with no reuse of buffers. Weights, gradients
 *   and optimizer state are not included (see `paramBytes`).
 */
export const BYTES_PER_FLOAT = 4;

/** What the cost rules need to know about one layer. */
export interface CostLayer {
  name: string;
  /** Keras class name. */
  type: string;
  /** Output shape without the batch dimension. */
  outputShape: Shape;
  params: number;
  /** Multiplying weights (params without biases and BN statistics); 0 for layers that do not multiply. */
  kernelParams: number;
}

export interface LayerCost {
  name: string;
  flops: number;
  activationBytes: number;
}

export interface CostEstimate {
  batchSize: number;
  /** 2 × multiply-adds per image (see the conventions above). */
  flopsPerImage: number;
  /** float32 bytes of all layer outputs for one batch of `batchSize` images. */
  activationBytes: number;
  params: number;
  /** float32 bytes of the weights. */
  paramBytes: number;
  /** Per layer, for a flow diagram that shows where the cost is. */
  layers: LayerCost[];
}

const kerasClass: Record<LayerSpec['kind'], string> = {
  input: 'InputLayer',
  conv: 'Conv2D',
  sepconv: 'SeparableConv2D',
  batchnorm: 'BatchNormalization',
  relu: 'Activation',
  maxpool: 'MaxPooling2D',
  add: 'Add',
  globalavgpool: 'GlobalAveragePooling2D',
  dropout: 'Dropout',
  dense: 'Dense',
};

const multiplyingTypes = new Set(['Conv2D', 'SeparableConv2D', 'DepthwiseConv2D', 'Dense']);

function product(values: readonly number[]): number {
  return values.reduce((p, v) => p * v, 1);
}

/** The layers of a plan with shapes and parameter counts worked out from the config alone. */
export function costLayersFromPlan(plan: XceptionPlan): CostLayer[] {
  const { shapes } = inferShapes(plan);
  const shapeOf = (name: string): Shape => shapes.get(name) ?? [];
  return plan.layers.map((layer) => {
    const outputShape = shapeOf(layer.name);
    const inChannels = shapeOf(layer.inputs[0] ?? '').at(-1) ?? 0;
    const out = outputShape.at(-1) ?? 0;
    let kernelParams = 0;
    let params = 0;
    if (layer.kind === 'conv') params = kernelParams = layer.kernel ** 2 * inChannels * out;
    if (layer.kind === 'sepconv') params = kernelParams = layer.kernel ** 2 * inChannels + inChannels * out;
    if (layer.kind === 'dense') {
      kernelParams = inChannels * out;
      params = kernelParams + out;
    }
    if (layer.kind === 'batchnorm') params = 4 * out;
    return { name: layer.name, type: kerasClass[layer.kind], outputShape, params, kernelParams };
  });
}

/** The layers of a built model, read from the model. */
export function costLayersFromModel(model: LayersModel): CostLayer[] {
  return model.layers.map((layer) => {
    const type = layer.getClassName();
    const outputShape = outputShapeOf(layer)
      .slice(1)
      .map((d) => d ?? 0);
    const params = layer.countParams();
    let kernelParams = 0;
    if (multiplyingTypes.has(type)) {
      const { useBias } = layer.getConfig() as { useBias?: boolean };
      kernelParams = params - (useBias ? (outputShape.at(-1) ?? 0) : 0);
    }
    return { name: layer.name, type, outputShape, params, kernelParams };
  });
}

function isLayersModel(source: ModelConfigInput | LayersModel): source is LayersModel {
  return typeof (source as LayersModel).countParams === 'function' && Array.isArray((source as LayersModel).layers);
}

/** Applies the cost conventions to a list of layers. */
export function costOf(layers: readonly CostLayer[], batchSize: number): CostEstimate {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new LabError(
      'INVALID_ARGUMENT',
      `batchSize is ${String(batchSize)}; it must be a whole number of images, at least 1.`,
    );
  }
  const perLayer = layers.map((layer): LayerCost => {
    // Output positions: H × W for conv layers, 1 for Dense.
    const positions = product(layer.outputShape.slice(0, -1));
    return {
      name: layer.name,
      flops: 2 * layer.kernelParams * positions,
      activationBytes: batchSize * product(layer.outputShape) * BYTES_PER_FLOAT,
    };
  });
  const params = layers.reduce((sum, l) => sum + l.params, 0);
  return {
    batchSize,
    flopsPerImage: perLayer.reduce((sum, l) => sum + l.flops, 0),
    activationBytes: perLayer.reduce((sum, l) => sum + l.activationBytes, 0),
    params,
    paramBytes: params * BYTES_PER_FLOAT,
    layers: perLayer,
  };
}

/**
 * FLOPs per image and activation memory of one batch, from a config (validated; no tfjs needed,
 * so a UI can show the cost of 299 px vs 64 px before building) or from a built model.
 */
export function estimateCost(source: ModelConfigInput | LayersModel, batchSize: number): CostEstimate {
  const layers = isLayersModel(source)
    ? costLayersFromModel(source)
    : costLayersFromPlan(planXception(validateModelConfig(source)));
  return costOf(layers, batchSize);
}
