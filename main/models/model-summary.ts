import type { LayersModel } from '@tensorflow/tfjs';

/** A layer's output shape as Keras prints it, batch first (`null` = any batch size). */
export type OutputShape = (number | null)[];

/** One row of a Keras `model.summary()`. */
export interface SummaryRow {
  name: string;
  /** The Keras class name: `Conv2D`, `SeparableConv2D`, `BatchNormalization`, … */
  type: string;
  outputShape: OutputShape;
  params: number;
  /** Names of the layers this one reads from (empty for the input). */
  connectedTo: string[];
}

export interface SummaryTotals {
  params: number;
  trainableParams: number;
  /** BatchNormalization moving means and variances: updated by training but not by the optimizer. */
  nonTrainableParams: number;
}

export interface ModelSummary {
  name: string;
  rows: SummaryRow[];
  totals: SummaryTotals;
}

type Layer = LayersModel['layers'][number];

/** The first output shape of a layer (all layers of this lab have one output). */
export function outputShapeOf(layer: Layer): OutputShape {
  const shape = layer.outputShape;
  const first = shape[0];
  return Array.isArray(first) ? [...first] : [...(shape as OutputShape)];
}

function size(shape: readonly (number | null)[]): number {
  return shape.reduce<number>((product, d) => product * (d ?? 0), 1);
}

/** A Keras-style summary of a built model, read from the model itself (no separate bookkeeping). */
export function summarizeModel(model: LayersModel): ModelSummary {
  const rows = model.layers.map((layer): SummaryRow => ({
    name: layer.name,
    type: layer.getClassName(),
    outputShape: outputShapeOf(layer),
    params: layer.countParams(),
    connectedTo: layer.inboundNodes.flatMap((node) => node.inboundLayers.map((inbound) => inbound.name)),
  }));
  const trainableParams = model.trainableWeights.reduce((sum, w) => sum + size(w.shape), 0);
  const nonTrainableParams = model.nonTrainableWeights.reduce((sum, w) => sum + size(w.shape), 0);
  return {
    name: model.name,
    rows,
    totals: { params: trainableParams + nonTrainableParams, trainableParams, nonTrainableParams },
  };
}
