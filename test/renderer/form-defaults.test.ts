import { describe, expect, it } from 'vitest';
import { initialValues } from '../../renderer/src/components/train/train-form';
import {
  followedClasses,
  followedDataset,
  startingEpochs,
  startingPreset,
  startingTraining,
} from '../../renderer/src/lib/form-defaults';
import { formValues, trainingFields } from '../../renderer/src/components/model/model-form';

describe('the Model and Train pages start from the same defaults', () => {
  const engine = { epochs: 20, batchSize: 32, learningRate: 0.001, seed: 42, optimizer: 'adam' };

  it('the same preset and epochs on both pages (Micro for 5 epochs, not Xception for 20)', () => {
    const train = initialValues();
    const model = formValues(trainingFields, startingTraining(engine));
    expect(startingPreset).toBe('micro');
    expect(train.preset).toBe(startingPreset);
    expect(model.epochs).toBe(String(startingEpochs));
    expect(train.epochs).toBe(model.epochs);
  });

  it('keeps the engine’s other training defaults', () => {
    expect(startingTraining(engine)).toEqual({ ...engine, epochs: startingEpochs });
    expect(engine.epochs).toBe(20);
  });
});

describe('the Model page follows the opened dataset', () => {
  it('counts the classes with usable images and names the folder', () => {
    expect(followedDataset({ root: '/data/flowers/', classes: [{ images: 3 }, { images: 0 }, { images: 9 }] })).toEqual(
      { name: 'flowers', classes: 2 },
    );
    expect(followedDataset({ root: 'C:\\data\\cats', classes: [{ images: 1 }] })).toEqual({ name: 'cats', classes: 1 });
  });

  it('puts the dataset’s class count in the field, back to the preset’s without one', () => {
    const five = { name: 'five', classes: 5 };
    const three = { name: 'three', classes: 3 };
    expect(followedClasses('10', 10, null, five)).toBe('5');
    expect(followedClasses('5', 10, five, three)).toBe('3');
    expect(followedClasses('3', 10, three, null)).toBe('10');
  });

  it('leaves a count the user typed alone', () => {
    expect(followedClasses('7', 10, null, { name: 'five', classes: 5 })).toBe('7');
    expect(followedClasses('12', 10, { name: 'five', classes: 5 }, null)).toBe('12');
  });
});
