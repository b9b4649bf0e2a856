/** Reading a checkpoint's weights per layer, and comparing two such readings. For the trainer's tests. */
import * as tf from '@tensorflow/tfjs';
import { disposeLoadedModel, loadCheckpoint } from '../../../main/training/checkpoint-io';

export type LayerWeights = Map<string, Float32Array[]>;

export async function weightsOf(dir: string): Promise<LayerWeights> {
  const m = await loadCheckpoint(tf, dir);
  const out = new Map(m.layers.map((l) => [l.name, l.getWeights().map((w) => w.dataSync() as Float32Array)]));
  disposeLoadedModel(m);
  return out;
}

/** The largest absolute difference between any two corresponding weights. */
export function maxDifference(a: LayerWeights, b: LayerWeights): number {
  let max = 0;
  for (const [name, tensors] of a)
    for (const [i, values] of tensors.entries())
      for (const [j, v] of values.entries()) max = Math.max(max, Math.abs(v - b.get(name)![i]![j]!));
  return max;
}
