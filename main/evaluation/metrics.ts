/**
 * Classification metrics, as pure functions of labels and predictions (no tensors, no files):
 * the confusion matrix, per-class precision / recall / F1 / support, their macro and weighted
 * means, top-k accuracy and the mean cross-entropy. Conventions follow scikit-learn's
 * `classification_report` except where the contract says otherwise: a 0/0 precision or recall
 * is `null` (not 0) per class, and counts as 0 in the means.
 */
import type { ClassMetrics } from '../contract';
import { LabError } from '../errors';

/** Probabilities are clipped to [ε, 1 − ε] before the log, like Keras' categorical cross-entropy. */
export const EPSILON = 1e-7;

export interface Averages {
  precision: number;
  recall: number;
  f1: number;
}

function checkLabel(label: number, classCount: number, what: string, index: number): void {
  if (!Number.isInteger(label) || label < 0 || label >= classCount) {
    throw new LabError(
      'METRICS_INVALID',
      `The ${what} of image ${index} is ${label}, not a class index from 0 to ${classCount - 1}.`,
    );
  }
}

/** `confusion[true][predicted]`: how many images of each class were predicted as each class. */
export function confusionMatrix(
  labels: ArrayLike<number>,
  predicted: ArrayLike<number>,
  classCount: number,
): number[][] {
  if (!Number.isInteger(classCount) || classCount < 1)
    throw new LabError('METRICS_INVALID', `The class count must be at least 1; got ${classCount}.`);
  if (labels.length !== predicted.length) {
    throw new LabError(
      'METRICS_INVALID',
      `There are ${labels.length} labels but ${predicted.length} predictions; they must pair up.`,
    );
  }
  const matrix = Array.from({ length: classCount }, () => new Array<number>(classCount).fill(0));
  for (let i = 0; i < labels.length; i++) {
    checkLabel(labels[i]!, classCount, 'label', i);
    checkLabel(predicted[i]!, classCount, 'prediction', i);
    matrix[labels[i]!]![predicted[i]!]!++;
  }
  return matrix;
}

/** Each row divided by its sum (the share of a class's images predicted as each class); an empty row stays 0. */
export function rowNormalised(confusion: readonly (readonly number[])[]): number[][] {
  return confusion.map((row) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((count) => (total === 0 ? 0 : count / total));
  });
}

/** Precision, recall, F1 and support of every class, from the confusion matrix. */
export function classMetrics(confusion: readonly (readonly number[])[], classNames: readonly string[]): ClassMetrics[] {
  if (confusion.length !== classNames.length || confusion.some((row) => row.length !== classNames.length)) {
    throw new LabError(
      'METRICS_INVALID',
      `The confusion matrix must be ${classNames.length}×${classNames.length}, one row and column per class.`,
    );
  }
  return classNames.map((name, c) => {
    const truePositives = confusion[c]![c]!;
    const support = confusion[c]!.reduce((a, b) => a + b, 0);
    const predictedAs = confusion.reduce((sum, row) => sum + row[c]!, 0);
    const precision = predictedAs === 0 ? null : truePositives / predictedAs;
    const recall = support === 0 ? null : truePositives / support;
    const f1 =
      precision === null || recall === null
        ? null
        : precision + recall === 0
          ? 0
          : (2 * precision * recall) / (precision + recall);
    return { name, precision, recall, f1, support };
  });
}

/**
 * Macro: the unweighted mean over classes with images in the split; weighted: the mean weighted
 * by support. A `null` (a class never predicted) counts as 0. No images at all: zeros.
 */
export function averages(perClass: readonly ClassMetrics[]): { macro: Averages; weighted: Averages } {
  const present = perClass.filter((c) => c.support > 0);
  const total = present.reduce((n, c) => n + c.support, 0);
  const mean = (weight: (c: ClassMetrics) => number): Averages => {
    const sum = present.reduce((s, c) => s + weight(c), 0);
    if (sum === 0) return { precision: 0, recall: 0, f1: 0 };
    const of = (pick: (c: ClassMetrics) => number | null): number =>
      present.reduce((s, c) => s + weight(c) * (pick(c) ?? 0), 0) / sum;
    return { precision: of((c) => c.precision), recall: of((c) => c.recall), f1: of((c) => c.f1) };
  };
  return { macro: mean(() => 1), weighted: total === 0 ? { precision: 0, recall: 0, f1: 0 } : mean((c) => c.support) };
}

/** The share of images whose true label is among their `k` most probable classes (`tops` most probable first). */
export function topKAccuracy(labels: ArrayLike<number>, tops: readonly (readonly number[])[], k: number): number {
  if (labels.length !== tops.length) {
    throw new LabError(
      'METRICS_INVALID',
      `There are ${labels.length} labels but ${tops.length} rankings; they must pair up.`,
    );
  }
  if (labels.length === 0) return 0;
  let hits = 0;
  for (let i = 0; i < labels.length; i++) if (tops[i]!.slice(0, k).includes(labels[i]!)) hits++;
  return hits / labels.length;
}

/** Mean categorical cross-entropy from the probability each image gave its true class. */
export function meanCrossEntropy(trueProbs: ArrayLike<number>): number {
  if (trueProbs.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < trueProbs.length; i++) {
    const p = trueProbs[i]!;
    if (!Number.isFinite(p))
      throw new LabError(
        'METRICS_INVALID',
        `Image ${i} has probability ${p} for its class: the model output is not a number.`,
      );
    sum -= Math.log(Math.min(1 - EPSILON, Math.max(EPSILON, p)));
  }
  return sum / trueProbs.length;
}

/** One image's outcome: its true class, its ranking (most probable first) and the probability of its true class. */
export interface ScoredImage {
  label: number;
  top: readonly number[];
  trueProb: number;
}

export interface Scores {
  confusion: number[][];
  perClass: ClassMetrics[];
  macro: Averages;
  weighted: Averages;
  top1: number;
  top5: number;
  loss: number;
}

/** Every metric of an evaluation at once. */
export function scoreImages(images: readonly ScoredImage[], classNames: readonly string[]): Scores {
  const labels = images.map((image) => image.label);
  const tops = images.map((image) => image.top);
  const predicted = tops.map((top, i) => {
    if (top.length === 0) throw new LabError('METRICS_INVALID', `Image ${i} has no prediction.`);
    return top[0]!;
  });
  const confusion = confusionMatrix(labels, predicted, classNames.length);
  const perClass = classMetrics(confusion, classNames);
  return {
    confusion,
    perClass,
    ...averages(perClass),
    top1: topKAccuracy(labels, tops, 1),
    top5: topKAccuracy(labels, tops, 5),
    loss: meanCrossEntropy(images.map((image) => image.trueProb)),
  };
}
