/** train.py refuses what it would not carry out (fine-tuning, pretrained weights), naming the field. */
import { describe, expect, it } from 'vitest';
import { checkKerasTraining, trainPy } from '../../../main/keras/train-py';
import { validateTrainingSettings } from '../../../main/models/training-settings';

describe('train.py and transfer learning', () => {
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

  it('refuses training.weightsFile and freeze, which it used to drop without a word', () => {
    const pretrained = { ...fineTuned, fineTune: null };
    expect(() => trainPy(pretrained, 'a run')).toThrow(
      'training.weightsFile (/w.h5 with entry, middle frozen) is not in the Keras export: its train.py starts from fresh weights. Train this experiment with the built-in tfjs engine, or set weightsFile to null and freeze to [] to train from scratch in Keras.',
    );
    expect(() => checkKerasTraining(pretrained)).toThrow(expect.objectContaining({ code: 'KERAS_UNSUPPORTED' }));
  });

  it('writes settings from scratch as before', () => {
    expect(trainPy({ ...fineTuned, fineTune: null, weightsFile: null, freeze: [] }, 'a run')).toContain('TRAINING = ');
  });
});
