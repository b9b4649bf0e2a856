/**
 * Which weights of a file go into which layer of our model, by layer name (our builder names
 * layers as Keras does), and every way the two disagree — a layer missing or extra, a weight of
 * another shape — said precisely. Pure: the caller builds the model and sets the weights.
 */
import type { FileLayer } from './weights-file';

export interface TargetLayer {
  name: string;
  /** The layer's weights in order, named as tfjs names them (`block1_conv1/kernel`). */
  weights: { name: string; shape: readonly number[] }[];
}

export interface WeightAssignment {
  layer: string;
  /** Index into the target layer's weights. */
  index: number;
  values: Float32Array;
}

export interface WeightMap {
  assignments: WeightAssignment[];
  /** Target layers that got their weights. */
  loaded: string[];
  /** What the user should know though nothing is wrong (e.g. the classifier starts fresh). */
  notes: string[];
  /** Why the file does not fit, each in words; empty when it does. */
  problems: string[];
  /** The same, by kind: model layers the file lacks, file layers the model lacks, other shapes. */
  missing: string[];
  extra: string[];
  reshaped: string[];
}

/** The classifier: the only layer allowed to differ (another class count) or be missing (a "notop" file). */
export const classifierLayer = 'predictions';

const shapeText = (shape: readonly number[]): string => `[${shape.join(', ')}]`;
const sameShape = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((v, i) => v === b[i]);
const shortName = (name: string): string => name.split('/').pop()!.replace(/:\d+$/, '').replace(/_\d+$/, '');

/** Keras' unnamed shortcut layers (`conv2d`, `conv2d_1`, … / `batch_normalization…`) in creation order. */
function autoNamed(layers: readonly FileLayer[], base: string): FileLayer[] {
  const pattern = new RegExp(`^${base}(?:_(\\d+))?$`);
  return layers
    .filter((layer) => pattern.test(layer.name))
    .sort((a, b) => Number(pattern.exec(a.name)![1] ?? 0) - Number(pattern.exec(b.name)![1] ?? 0));
}

/**
 * The file's layers by our names: Keras' Xception leaves its four shortcut convolutions and
 * their batch norms unnamed, so the n-th `conv2d*` is our n-th `block*_shortcut` (same for the
 * batch norms), when the counts agree.
 */
function byTargetName(file: readonly FileLayer[], targets: readonly TargetLayer[]): Map<string, FileLayer> {
  const map = new Map(file.map((layer) => [layer.name, layer]));
  const alias = (targetPattern: RegExp, base: string): void => {
    const ours = targets.filter((t) => targetPattern.test(t.name) && !map.has(t.name));
    const theirs = autoNamed(file, base);
    if (ours.length === 0 || ours.length !== theirs.length) return;
    ours.forEach((target, i) => {
      map.delete(theirs[i]!.name);
      map.set(target.name, theirs[i]!);
    });
  };
  alias(/^block\d+_shortcut$/, 'conv2d');
  alias(/^block\d+_shortcut_bn$/, 'batch_normalization');
  return map;
}

export function mapWeights(file: readonly FileLayer[], targets: readonly TargetLayer[]): WeightMap {
  const source = byTargetName(file, targets);
  const used = new Set<FileLayer>();
  const assignments: WeightAssignment[] = [];
  const loaded: string[] = [];
  const notes: string[] = [];
  const missing: string[] = [];
  const extra: string[] = [];
  const reshaped: string[] = [];

  for (const target of targets) {
    if (target.weights.length === 0) continue;
    const layer = source.get(target.name);
    const isClassifier = target.name === classifierLayer;
    if (!layer) {
      if (isClassifier)
        notes.push(`The classifier ("${classifierLayer}") starts from fresh weights: the file has none.`);
      else
        missing.push(
          `${target.name} (${target.weights.map((w) => `${shortName(w.name)} ${shapeText(w.shape)}`).join(', ')})`,
        );
      continue;
    }
    used.add(layer);
    // Named weights (legacy layout) match by name; Keras 3 numbers them in the layer's own order.
    const named = layer.weights.every((w) => !/^\d+$/.test(w.name));
    const pairs = target.weights.map((w, index) => ({
      index,
      want: w,
      got: named ? layer.weights.find((g) => g.name === shortName(w.name)) : layer.weights[index],
    }));
    const wrong = pairs.filter((p) => !p.got || !sameShape(p.got.shape, p.want.shape));
    const surplus = layer.weights.length - target.weights.length;
    if (wrong.length === 0 && surplus === 0) {
      for (const p of pairs) assignments.push({ layer: target.name, index: p.index, values: p.got!.values });
      loaded.push(target.name);
      continue;
    }
    const details = wrong.map(
      (p) =>
        `${shortName(p.want.name)}: expected ${shapeText(p.want.shape)}, found ${p.got ? shapeText(p.got.shape) : 'none'}`,
    );
    if (surplus > 0) details.push(`${surplus} more weight${surplus === 1 ? '' : 's'} in the file than in the model`);
    if (isClassifier) {
      const found = layer.weights.find((w) => w.shape.length === 2)?.shape;
      const classes = target.weights.find((w) => w.shape.length === 2)?.shape[1];
      notes.push(
        `The classifier ("${classifierLayer}") was not loaded: the file's is for ${found ? found[1] : '?'} classes, this model has ${classes ?? '?'}; it starts from fresh weights.`,
      );
      continue;
    }
    reshaped.push(`layer ${target.name} — ${details.join('; ')}`);
  }
  for (const layer of file) {
    if (used.has(layer)) continue;
    if (layer.name === classifierLayer)
      notes.push(`The file's classifier ("${classifierLayer}") was not used: this model has none.`);
    else extra.push(`${layer.name} (${layer.weights.map((w) => shapeText(w.shape)).join(', ')})`);
  }
  const problems = [
    ...missing.map((m) => `layer ${m} is missing from the file`),
    ...extra.map((e) => `the file's layer ${e} has no counterpart in this model`),
    ...reshaped,
  ];
  return { assignments, loaded, notes, problems, missing, extra, reshaped };
}
