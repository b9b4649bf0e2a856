import { describe, expect, it } from 'vitest';
import {
  balancedClassWeights,
  scheduledLearningRate,
  trainingSettingsIssues,
  validateTrainingSettings,
} from '../../../main/models/training-settings';

describe('training settings', () => {
  it('fills defaults', () => {
    expect(validateTrainingSettings({})).toMatchObject({
      optimizer: 'adam',
      learningRate: 0.001,
      batchSize: 32,
      seed: 42,
      valFraction: 0.2,
    });
  });

  it('names the field, quotes the value and says what is allowed', () => {
    expect(() => validateTrainingSettings({ learningRate: -1 })).toThrow('learningRate is -1; ');
    expect(() => validateTrainingSettings({ batchSize: 'big' })).toThrow('batchSize is "big"');
    expect(() => validateTrainingSettings({ optimizer: 'adamw' })).toThrow(/optimizer is "adamw".*adam.*sgd.*rmsprop/);
    expect(() => validateTrainingSettings({ lr: 0.1 })).toThrow('unknown field "lr"');
    expect(() => validateTrainingSettings({ valFraction: 0.6, testFraction: 0.4 })).toThrow('must be below 1');
  });

  it('says what each field accepts, like the model fields, and lists every problem for the form', () => {
    expect(() => validateTrainingSettings({ learningRate: -1 })).toThrow(
      'Invalid training settings: learningRate is -1; learningRate must be a number greater than 0 and at most 10.',
    );
    expect(trainingSettingsIssues({ epochs: 0, batchSize: 'big' })).toEqual([
      { field: 'batchSize', message: 'batchSize is "big"; batchSize must be a whole number from 1 to 4,096.' },
      { field: 'epochs', message: 'epochs is 0; epochs must be a whole number from 1 to 10,000.' },
    ]);
    expect(trainingSettingsIssues({ valFraction: 0.6, testFraction: 0.4 }).map((i) => i.field)).toEqual([
      'valFraction',
      'testFraction',
    ]);
    expect(trainingSettingsIssues({})).toEqual([]);
  });

  it('schedules the learning rate', () => {
    const step = validateTrainingSettings({ schedule: 'step', learningRate: 0.1, stepEvery: 2, stepFactor: 0.5 });
    expect([0, 1, 2, 3, 4].map((e) => scheduledLearningRate(step, e))).toEqual([0.1, 0.1, 0.05, 0.05, 0.025]);
    const cosine = validateTrainingSettings({ schedule: 'cosine', learningRate: 0.1, epochs: 3, minLearningRate: 0 });
    expect(scheduledLearningRate(cosine, 0)).toBeCloseTo(0.1);
    expect(scheduledLearningRate(cosine, 1)).toBeCloseTo(0.05);
    expect(scheduledLearningRate(cosine, 2)).toBeCloseTo(0);
  });

  it('balances class weights like Keras (n / (classes × count))', () => {
    expect(balancedClassWeights([10, 30])).toEqual([2, 2 / 3]);
  });
});
