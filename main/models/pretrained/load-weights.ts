/**
 * Starting a model from weights (in the training worker): Keras' HDF5 files or one of our runs'
 * checkpoints, mapped by layer name; and freezing whole flows of the network, with the frozen
 * batch norms in inference mode (Keras' rule since TF 2: a frozen BatchNormalization layer uses
 * its moving statistics, even while the rest of the model trains).
 */
import { stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import { LabError } from '../../errors';
import { disposeLoadedModel, loadCheckpoint, modelJsonFile } from '../../training/checkpoint-io';
import type { ModelConfig } from '../model-config';
import type { FreezableFlow } from '../training-settings';
import { planXception } from '../xception-plan';
import type { Tf } from '../xception';
import { mapWeights, type TargetLayer } from './weight-map';
import { readWeightsFile, type FileLayer } from './weights-file';

/** What the run records about its starting weights (run.json `training.weightsFile` names the file). */
export interface WeightsOrigin {
  file: string;
  format: 'keras-h5' | 'keras3-weights' | 'checkpoint';
  md5: string | null;
  /** Keras' ImageNet file recognised by its hash. */
  known: string | null;
  layersLoaded: number;
  notes: string[];
}

const shortWeightName = (name: string): string => name.split('/').pop()!.replace(/_\d+$/, '');

/** A run's checkpoint folder (or its model.json) as the layers a weights file would hold. */
async function checkpointLayers(tf: Tf, path: string): Promise<FileLayer[]> {
  const dir = basename(path) === modelJsonFile ? dirname(path) : path;
  const model = await loadCheckpoint(tf, dir);
  try {
    return model.layers
      .filter((layer) => layer.weights.length > 0)
      .map((layer) => ({
        name: layer.name,
        weights: layer.getWeights().map((tensor, i) => ({
          name: shortWeightName(layer.weights[i]!.originalName),
          shape: [...tensor.shape],
          values: tensor.dataSync() as Float32Array,
        })),
      }));
  } finally {
    disposeLoadedModel(model);
  }
}

async function isCheckpoint(path: string): Promise<boolean> {
  const info = await stat(path).catch(() => undefined);
  if (info?.isDirectory()) return true;
  return basename(path) === modelJsonFile;
}

/**
 * Sets `model`'s weights from `path`. Everything must fit except the classifier (another class
 * count, or none in a "notop" file), which then starts fresh and the notes say so; anything
 * else that does not fit is an error listing each layer, the shape expected and the one found.
 */
export async function loadStartingWeights(tf: Tf, model: TF.LayersModel, path: string): Promise<WeightsOrigin> {
  let layers: FileLayer[];
  let origin: Pick<WeightsOrigin, 'format' | 'md5' | 'known'>;
  if (await isCheckpoint(path)) {
    layers = await checkpointLayers(tf, path);
    origin = { format: 'checkpoint', md5: null, known: null };
  } else {
    const file = await readWeightsFile(path);
    layers = file.layers;
    origin = { format: file.format, md5: file.md5, known: file.known?.file ?? null };
  }
  const targets: TargetLayer[] = model.layers.map((layer) => ({
    name: layer.name,
    weights: layer.weights.map((w) => ({ name: w.originalName, shape: w.shape as number[] })),
  }));
  const mapped = mapWeights(layers, targets);
  if (mapped.problems.length > 0) {
    const few = (list: readonly string[], count: number, sep: string): string =>
      `${list.slice(0, count).join(sep)}${list.length > count ? `${sep}and ${list.length - count} more` : ''}`;
    const parts = [
      mapped.missing.length > 0 ? `missing from the file: ${few(mapped.missing, 6, ', ')}` : '',
      mapped.extra.length > 0 ? `in the file but not in this model: ${few(mapped.extra, 6, ', ')}` : '',
      mapped.reshaped.length > 0 ? `other shapes: ${few(mapped.reshaped, 4, '; ')}` : '',
    ].filter(Boolean);
    throw new LabError(
      'WEIGHTS_MISMATCH',
      `The weights in ${path} do not fit this model (${mapped.problems.length} layer${mapped.problems.length === 1 ? '' : 's'}) — ${parts.join(' — ')}. Choose the model the weights were made for (Keras' Xception: the "xception" preset at width 1).`,
    );
  }
  const perLayer = new Map<string, TF.Tensor[]>();
  try {
    for (const a of mapped.assignments) {
      const layer = model.getLayer(a.layer);
      const list = perLayer.get(a.layer) ?? layer.getWeights().map(() => null as unknown as TF.Tensor);
      list[a.index] = tf.tensor(a.values, layer.weights[a.index]!.shape as number[]);
      perLayer.set(a.layer, list);
    }
    for (const [name, tensors] of perLayer) model.getLayer(name).setWeights(tensors);
  } finally {
    for (const tensors of perLayer.values()) for (const t of tensors) t?.dispose();
  }
  return { file: path, ...origin, layersLoaded: mapped.loaded.length, notes: mapped.notes };
}

/** A layer whose `call` can be wrapped (tfjs dispatches `apply` → `this.call`). */
interface Callable {
  call(inputs: TF.Tensor | TF.Tensor[], kwargs: Record<string, unknown>): TF.Tensor | TF.Tensor[];
}

/** A frozen batch norm's own `call`, kept to restore it when its flow is unfrozen. */
const ownCall = new WeakMap<object, Callable['call']>();

/**
 * Freezes exactly the layers of the given flows (`head`: pooling, dropout and classifier): not
 * trained, and their batch norms normalise with their moving statistics, as at inference.
 * Every other layer of the plan is made trainable again, with its batch norms back in training
 * mode — so a second call unfreezes flows (fine-tuning's second phase). Call before `compile`.
 * Returns the names of the frozen layers that have weights.
 */
export function freezeFlows(model: TF.LayersModel, config: ModelConfig, flows: readonly FreezableFlow[]): string[] {
  const wanted = new Set(flows);
  const frozen: string[] = [];
  for (const spec of planXception(config).layers) {
    if (spec.kind === 'input') continue;
    const flow: FreezableFlow = spec.block === 'top' ? 'head' : spec.flow;
    const layer = model.getLayer(spec.name);
    const freeze = wanted.has(flow);
    layer.trainable = !freeze;
    if (freeze && layer.weights.length > 0) frozen.push(spec.name);
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const callable = layer as unknown as Callable;
    const own = ownCall.get(layer);
    if (freeze && !own) {
      const call = callable.call;
      ownCall.set(layer, call);
      callable.call = (inputs, kwargs) => call.call(layer, inputs, { ...kwargs, training: false });
    } else if (!freeze && own) {
      callable.call = own;
      ownCall.delete(layer);
    }
  }
  return frozen;
}
