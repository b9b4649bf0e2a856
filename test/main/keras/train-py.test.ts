/** train.py refuses what it would not carry out (two-phase fine-tuning), naming the field. */
import { describe, expect, it } from 'vitest';
import { checkKerasTraining, trainPy } from '../../../main/keras/train-py';
import { validateTrainingSettings } from '../../../main/models/training-settings';

describe('train.py and fine-tuning', () => {
  const fineTuned = validateTrainingSettings({
    epochs: 6,
    weightsFile: '/w.h5',
    freeze: ['entry', 'middle'],
    fineTune: { afterEpoch: 3, unfreeze: ['middle'], learningRate: 1e-5 },
  });

  it('refuses training.fineTune with what to do instead', () => {
    expect(() => trainPy(fineTuned, 'a run')).toThrow(
      'training.fineTune (two-phase fine-tuning after epoch 3) is not in the Keras export: train this experiment with the built-in tfjs engine, or set fineTune to null to export one phase.',
    );
    expect(() => checkKerasTraining(fineTuned)).toThrow(expect.objectContaining({ code: 'KERAS_UNSUPPORTED' }));
  });

  it('writes one-phase settings as before', () => {
    expect(trainPy({ ...fineTuned, fineTune: null }, 'a run')).toContain('TRAINING = ');
  });
});
