// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- jsfive ships no types: the declaration travels with this file to every tsconfig that imports it
/// <reference path="./jsfive.d.ts" />
/**
 * Reading pretrained weights from Keras' HDF5 files, layer by layer, without TensorFlow:
 *
 * - the legacy layout Keras' own Xception files use (`xception_weights_tf_dim_ordering_tf_kernels*.h5`):
 *   one group per layer, named after it, whose `weight_names` attribute lists its datasets
 *   (`block1_conv1/kernel:0`); a whole-model `.h5` keeps the same under `model_weights`;
 * - Keras 3's `.weights.h5`: `layers/<key>/vars/0, 1, …`, the layer's name in the `vars`
 *   group's `name` attribute, the variables in the layer's own order.
 *
 * jsfive (pure JavaScript, read-only) parses the file: nothing native or WebAssembly to ship or
 * unpack, and it reads from a buffer in the training worker as on the main thread.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import * as hdf5 from 'jsfive';
import { LabError } from '../../errors';

export type WeightsFormat = 'keras-h5' | 'keras3-weights';

export interface WeightArray {
  /** The weight's own name (`kernel`, `gamma`, …), or its index in Keras 3's layout (`0`, `1`, …). */
  name: string;
  shape: number[];
  values: Float32Array;
}

export interface FileLayer {
  name: string;
  weights: WeightArray[];
}

export interface WeightsFile {
  path: string;
  format: WeightsFormat;
  md5: string;
  bytes: number;
  /** Keras' own ImageNet file, recognised by its hash. */
  known: KnownWeights | null;
  /** Layers that have weights, in the file's model order (legacy) or by name (Keras 3). */
  layers: FileLayer[];
}

export interface KnownWeights {
  file: string;
  md5: string;
  /** Whether it has the 1000-class ImageNet classifier. */
  top: boolean;
  url: string;
}

const kerasUrl = 'https://storage.googleapis.com/tensorflow/keras-applications/xception/';
/** The hashes keras/src/applications/xception.py checks when it downloads these files. */
export const knownKerasWeights: readonly KnownWeights[] = [
  {
    file: 'xception_weights_tf_dim_ordering_tf_kernels.h5',
    md5: '0a58e3b7378bc2990ea3b43d5981f1f6',
    top: true,
    url: `${kerasUrl}xception_weights_tf_dim_ordering_tf_kernels.h5`,
  },
  {
    file: 'xception_weights_tf_dim_ordering_tf_kernels_notop.h5',
    md5: 'b0042744bf5b25fce3cb969f33bebb97',
    top: false,
    url: `${kerasUrl}xception_weights_tf_dim_ordering_tf_kernels_notop.h5`,
  },
];

const hdf5Signature = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** jsfive throws for a missing path; here it is `undefined`. */
function child(group: hdf5.Group, path: string): hdf5.Group | hdf5.Dataset | undefined {
  if (!group.keys.includes(path.split('/')[0]!)) return undefined;
  return group.get(path);
}

const isGroup = (node: unknown): node is hdf5.Group =>
  typeof node === 'object' && node !== null && Array.isArray((node as hdf5.Group).keys);

/** Attribute values as strings (h5py writes them as str, bytes or arrays of either). */
function strings(value: unknown): string[] {
  if (value == null) return [];
  const list = Array.isArray(value) || ArrayBuffer.isView(value) ? Array.from(value as ArrayLike<unknown>) : [value];
  return list.map((v) => (v instanceof Uint8Array ? new TextDecoder().decode(v) : String(v)).replace(/\0+$/, ''));
}

/** The legacy `layer_names` (h5py splits big attributes into `layer_names0`, `layer_names1`, …). */
function chunkedAttribute(group: hdf5.Group, name: string): string[] | null {
  if (name in group.attrs) return strings(group.attrs[name]);
  const parts = Object.keys(group.attrs)
    .filter((key) => new RegExp(`^${name}\\d+$`).test(key))
    .sort((a, b) => Number(a.slice(name.length)) - Number(b.slice(name.length)));
  return parts.length > 0 ? parts.flatMap((key) => strings(group.attrs[key])) : null;
}

function readDataset(file: hdf5.Group, path: string, where: string): { shape: number[]; values: Float32Array } {
  const node = child(file, path);
  if (!node || isGroup(node)) throw new Error(`${where}: there is no dataset ${path}`);
  const dataset = node as hdf5.Dataset;
  if (!/^<?f[48]$/.test(dataset.dtype))
    throw new Error(`${where}: ${path} holds ${dataset.dtype} values, not floating point`);
  const raw = dataset.value;
  const count = dataset.shape.reduce((a, b) => a * b, 1);
  if (!raw || raw.length !== count)
    throw new Error(`${where}: ${path} has ${raw?.length ?? 0} values instead of ${count}`);
  return { shape: [...dataset.shape], values: raw instanceof Float32Array ? raw : Float32Array.from(raw) };
}

function legacyLayers(root: hdf5.Group, where: string): FileLayer[] {
  const names = chunkedAttribute(root, 'layer_names') ?? [];
  const layers: FileLayer[] = [];
  for (const name of names) {
    const group = child(root, name);
    if (!isGroup(group)) throw new Error(`${where}: layer "${name}" is listed but has no group`);
    const weightNames = chunkedAttribute(group, 'weight_names') ?? [];
    if (weightNames.length === 0) continue;
    const weights = weightNames.map((weightName) => {
      const { shape, values } = readDataset(group, weightName, where);
      // `block1_conv1/kernel:0` → `kernel`
      const short = weightName.split('/').pop()!.replace(/:\d+$/, '');
      return { name: short, shape, values };
    });
    layers.push({ name, weights });
  }
  return layers;
}

function keras3Layers(root: hdf5.Group, where: string): FileLayer[] {
  const group = child(root, 'layers');
  if (!isGroup(group)) return [];
  const layers: FileLayer[] = [];
  for (const key of group.keys) {
    const vars = child(group, `${key}/vars`);
    if (!isGroup(vars) || vars.keys.length === 0) continue;
    const name = strings(vars.attrs.name)[0] || key;
    const indices = vars.keys.filter((k) => /^\d+$/.test(k)).sort((a, b) => Number(a) - Number(b));
    layers.push({ name, weights: indices.map((index) => ({ name: index, ...readDataset(vars, index, where) })) });
  }
  return layers;
}

/** Hint for a damaged file: a known Keras file name whose content differs. */
function knownByName(path: string): KnownWeights | undefined {
  return knownKerasWeights.find((known) => known.file === basename(path));
}

/**
 * Reads a Keras weights file. A file named like Keras' ImageNet weights must have their hash
 * (a truncated download is named as such); anything that is not a readable HDF5 weights file
 * says so with the path.
 */
export async function readWeightsFile(path: string): Promise<WeightsFile> {
  let bytes: Buffer;
  try {
    if (!(await stat(path)).isFile())
      throw new LabError(
        'WEIGHTS_UNREADABLE',
        `${path} is a folder, not a weights file: choose a .h5 or .weights.h5 file.`,
      );
    bytes = await readFile(path);
  } catch (error) {
    if (error instanceof LabError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'it does not exist' : (error as Error).message;
    throw new LabError('WEIGHTS_UNREADABLE', `Cannot read the weights file ${path}: ${why}. Check the path.`);
  }
  const md5 = createHash('md5').update(bytes).digest('hex');
  const known = knownKerasWeights.find((k) => k.md5 === md5) ?? null;
  const namedKnown = knownByName(path);
  if (namedKnown && !known) {
    throw new LabError(
      'WEIGHTS_DAMAGED',
      `${path} is named like Keras' ImageNet Xception weights but its content differs (md5 ${md5}, expected ${namedKnown.md5}; ${bytes.length.toLocaleString('en-US')} bytes): it is truncated or a different file. Download it again from ${namedKnown.url}.`,
    );
  }
  if (bytes.length < 8 || !hdf5Signature.every((b, i) => bytes[i] === b)) {
    throw new LabError(
      'WEIGHTS_NOT_HDF5',
      `${path} is not an HDF5 file: choose Keras weights (.h5 or .weights.h5) or a run's checkpoint.`,
    );
  }
  const where = basename(path);
  try {
    const file = new hdf5.File(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
      where,
    );
    let format: WeightsFormat;
    let layers: FileLayer[];
    const modelWeights = child(file, 'model_weights');
    if (chunkedAttribute(file, 'layer_names')) {
      format = 'keras-h5';
      layers = legacyLayers(file, where);
    } else if (isGroup(modelWeights) && chunkedAttribute(modelWeights, 'layer_names')) {
      format = 'keras-h5';
      layers = legacyLayers(modelWeights, where);
    } else if (isGroup(child(file, 'layers'))) {
      format = 'keras3-weights';
      layers = keras3Layers(file, where);
    } else {
      throw new Error(`${where} has neither Keras' layer_names nor a Keras 3 "layers" group`);
    }
    if (layers.length === 0) throw new Error(`${where} holds no layer weights`);
    return { path, format, md5, bytes: bytes.length, known, layers };
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new LabError(
      'WEIGHTS_UNREADABLE',
      `${path} is not a readable Keras weights file (${why}); it may be truncated or damaged. Save the weights again (model.save_weights) or download the file again.`,
    );
  }
}
