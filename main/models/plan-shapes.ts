import { MAX_INPUT_SIZE } from './limits';
import type { LayerSpec, XceptionPlan } from './xception-plan';

/** A layer's output shape without the batch dimension: `[height, width, channels]` or `[features]`. */
export type Shape = number[];

/** The first layer an input size does not fit, and why. */
export interface SizeProblem {
  layer: string;
  reason: string;
}

export interface InferredShapes {
  shapes: Map<string, Shape>;
  problem?: SizeProblem;
}

// Longest input the geometry search tries: the largest input size a config may have.
const SEARCH_LIMIT = MAX_INPUT_SIZE;

function spatialOut(size: number, kernel: number, strides: number, padding: 'same' | 'valid'): number {
  return padding === 'same' ? Math.ceil(size / strides) : Math.floor((size - kernel) / strides) + 1;
}

/**
 * Output shapes of every layer for square inputs of `inputSize` px (default: the config's).
 * The geometry rule: a 'valid' conv needs at least its kernel size, and every stride-2 layer at
 * least 2 px, so that each of the network's downsampling stages really halves something (below
 * that, a stride-2 layer only pads a 1×1 map). The first layer that breaks it is `problem`.
 */
export function inferShapes(plan: XceptionPlan, inputSize = plan.config.inputSize): InferredShapes {
  const shapes = new Map<string, Shape>();
  let problem: SizeProblem | undefined;
  const inputOf = (layer: LayerSpec): Shape => {
    const shape = shapes.get(layer.inputs[0] ?? '');
    if (!shape) throw new Error(`Plan error: ${layer.name} reads ${layer.inputs[0]}, which is not planned before it.`);
    return shape;
  };
  const spatial = (
    layer: LayerSpec,
    kernel: number,
    strides: number,
    padding: 'same' | 'valid',
    channels?: number,
  ): Shape => {
    const [h = 0, , c = 0] = inputOf(layer);
    if (!problem && padding === 'valid' && h < kernel) {
      problem = {
        layer: layer.name,
        reason: `its ${kernel}×${kernel} 'valid' window needs at least ${kernel} px but gets ${h}`,
      };
    }
    if (!problem && strides > 1 && h < 2) {
      problem = { layer: layer.name, reason: `it downsamples by ${strides} but gets a ${h}×${h} map` };
    }
    const out = Math.max(1, spatialOut(h, kernel, strides, padding));
    return [out, out, channels ?? c];
  };

  for (const layer of plan.layers) {
    let shape: Shape;
    switch (layer.kind) {
      case 'input':
        shape = [inputSize, inputSize, layer.channels];
        break;
      case 'conv':
        shape = spatial(layer, layer.kernel, layer.strides, layer.padding, layer.filters);
        break;
      case 'sepconv':
        shape = spatial(layer, layer.kernel, 1, layer.padding, layer.filters);
        break;
      case 'maxpool':
        shape = spatial(layer, layer.pool, layer.strides, layer.padding);
        break;
      case 'batchnorm':
      case 'relu':
      case 'dropout':
        shape = inputOf(layer);
        break;
      case 'add': {
        shape = inputOf(layer);
        const other = shapes.get(layer.inputs[1] ?? '');
        if (!other || other.join() !== shape.join()) {
          throw new Error(`Plan error: ${layer.name} adds ${shape.join('×')} to ${other?.join('×')}.`);
        }
        break;
      }
      case 'globalavgpool':
        shape = [inputOf(layer)[2] ?? 0];
        break;
      case 'dense':
        shape = [layer.units];
        break;
    }
    shapes.set(layer.name, shape);
  }
  return problem ? { shapes, problem } : { shapes };
}

/** The smallest square input the plan's strides allow (see `inferShapes`), or undefined if none up to 1024 px. */
export function minInputSize(plan: XceptionPlan): number | undefined {
  for (let size = 1; size <= SEARCH_LIMIT; size++) {
    if (!inferShapes(plan, size).problem) return size;
  }
  return undefined;
}

/** The plan's downsampling in words, for messages: "a 'valid' stem and 5 stride-2 stages". */
export function describeStrideStages(plan: XceptionPlan): string {
  // Shortcut convs run beside a pool of the same stride, so they are not stages of their own.
  const stages = plan.layers.filter(
    (l) => (l.kind === 'conv' && l.kernel > 1 && l.strides > 1) || (l.kind === 'maxpool' && l.strides > 1),
  ).length;
  const stem = plan.config.blockStyle === 'keras' ? "'valid' 3×3 stem convs" : "'same' stem convs";
  return `${plan.config.blockStyle} style: ${stem} and ${stages} stride-2 stages`;
}
