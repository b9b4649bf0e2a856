import { describe, expect, it } from 'vitest';
import {
  averages,
  classMetrics,
  confusionMatrix,
  meanCrossEntropy,
  rowNormalised,
  scoreImages,
  topKAccuracy,
} from '../../../main/evaluation/metrics';

// Worked by hand: 3 classes, 6 images.
//   true:      a a a b b c
//   predicted: a a b b a a
// confusion rows (true) × columns (predicted): a [2 1 0], b [1 1 0], c [1 0 0]
const labels = [0, 0, 0, 1, 1, 2];
const predicted = [0, 0, 1, 1, 0, 0];

describe('confusionMatrix / rowNormalised', () => {
  it('counts true × predicted and normalises rows (an empty row stays 0)', () => {
    expect(confusionMatrix(labels, predicted, 3)).toEqual([
      [2, 1, 0],
      [1, 1, 0],
      [1, 0, 0],
    ]);
    expect(
      rowNormalised([
        [2, 1, 1],
        [0, 0, 0],
      ]),
    ).toEqual([
      [0.5, 0.25, 0.25],
      [0, 0, 0],
    ]);
  });

  it('refuses labels that are not class indices and unpaired lists, saying which', () => {
    expect(() => confusionMatrix([0, 3], [0, 0], 3)).toThrow(
      'The label of image 1 is 3, not a class index from 0 to 2.',
    );
    expect(() => confusionMatrix([0], [0, 1], 3)).toThrow('1 labels but 2 predictions');
  });
});

describe('classMetrics / averages', () => {
  it('gives precision, recall, F1 and support per class, null for 0/0', () => {
    const perClass = classMetrics(confusionMatrix(labels, predicted, 4), ['a', 'b', 'c', 'd']);
    expect(perClass[0]).toEqual({
      name: 'a',
      precision: 0.5,
      recall: 2 / 3,
      f1: expect.closeTo(4 / 7, 12),
      support: 3,
    });
    expect(perClass[1]).toEqual({ name: 'b', precision: 0.5, recall: 0.5, f1: 0.5, support: 2 });
    // Never predicted: precision 0/0; recall 0/1.
    expect(perClass[2]).toEqual({ name: 'c', precision: null, recall: 0, f1: null, support: 1 });
    // No images and never predicted: everything 0/0.
    expect(perClass[3]).toEqual({ name: 'd', precision: null, recall: null, f1: null, support: 0 });
  });

  it('macro: mean over classes with images (a never-predicted class counts 0); weighted by support', () => {
    const { macro, weighted } = averages(classMetrics(confusionMatrix(labels, predicted, 4), ['a', 'b', 'c', 'd']));
    expect(macro.precision).toBeCloseTo(1 / 3, 12);
    expect(macro.recall).toBeCloseTo(7 / 18, 12);
    expect(macro.f1).toBeCloseTo(5 / 14, 12);
    expect(weighted.precision).toBeCloseTo(5 / 12, 12);
    expect(weighted.recall).toBeCloseTo(0.5, 12); // = accuracy, as it must be
    expect(weighted.f1).toBeCloseTo(19 / 42, 12);
  });

  it('a class predicted but without images has precision 0 and is left out of the macro mean', () => {
    const perClass = classMetrics(confusionMatrix([0, 1], [2, 1], 3), ['a', 'b', 'c']);
    expect(perClass[2]).toEqual({ name: 'c', precision: 0, recall: null, f1: null, support: 0 });
    expect(averages(perClass).macro).toEqual({ precision: 0.5, recall: 0.5, f1: 0.5 });
    expect(
      averages(
        classMetrics(
          [
            [0, 0],
            [0, 0],
          ],
          ['a', 'b'],
        ),
      ),
    ).toEqual({ macro: { precision: 0, recall: 0, f1: 0 }, weighted: { precision: 0, recall: 0, f1: 0 } });
  });
});

describe('topKAccuracy / meanCrossEntropy / scoreImages', () => {
  it('top-k counts the true label among the first k', () => {
    const tops = [
      [0, 1],
      [2, 1],
      [1, 0],
    ];
    expect(topKAccuracy([0, 1, 2], tops, 1)).toBeCloseTo(1 / 3, 12);
    expect(topKAccuracy([0, 1, 2], tops, 2)).toBeCloseTo(2 / 3, 12);
    expect(topKAccuracy([], [], 5)).toBe(0);
  });

  it('cross-entropy clips probabilities to [1e-7, 1 − 1e-7] like Keras', () => {
    expect(meanCrossEntropy([0.5])).toBeCloseTo(Math.log(2), 12);
    expect(meanCrossEntropy([1, 0.5, 0])).toBeCloseTo((-Math.log(1 - 1e-7) + Math.log(2) - Math.log(1e-7)) / 3, 9);
    expect(() => meanCrossEntropy([Number.NaN])).toThrow('not a number');
  });

  it('scores images at once: top-1 from the first ranked class', () => {
    const images = labels.map((label, i) => ({
      label,
      top: [predicted[i]!, (predicted[i]! + 1) % 3],
      trueProb: label === predicted[i] ? 0.8 : 0.1,
    }));
    const scores = scoreImages(images, ['a', 'b', 'c']);
    expect(scores.confusion).toEqual([
      [2, 1, 0],
      [1, 1, 0],
      [1, 0, 0],
    ]);
    expect(scores.top1).toBe(0.5);
    // Rankings (true: ranked): a:[a,b] a:[a,b] a:[b,c] b:[b,c] b:[a,b] c:[a,b] → true class among them: 1 1 0 1 1 0.
    expect(scores.top5).toBeCloseTo(4 / 6, 12);
    expect(scores.loss).toBeCloseTo((3 * -Math.log(0.8) + 3 * -Math.log(0.1)) / 6, 12);
  });
});
