import { LabError } from '../../errors';
import type { TrainingSettings } from '../training-settings';
import { knownKerasWeights } from './weights-file';

/** The preset that only makes sense from Keras' ImageNet weights. */
export const imagenetPresetId = 'xception-imagenet';

/**
 * The ImageNet preset refuses to start from random weights: it says which file to get, where,
 * and how to pass it (the lab never downloads; its users' machines are often offline).
 */
export function requireImagenetWeights(preset: unknown, settings: Pick<TrainingSettings, 'weightsFile'>): void {
  if (preset !== imagenetPresetId || settings.weightsFile) return;
  const notop = knownKerasWeights.find((k) => !k.top)!;
  throw new LabError(
    'WEIGHTS_REQUIRED',
    `The "${imagenetPresetId}" preset starts from Keras' ImageNet weights, and the lab never downloads them: on a machine with internet, get ${notop.file} (about 83 MB, md5 ${notop.md5}) from ${notop.url}, copy it here, and choose it as the starting weights (xlab train DATASET --preset ${imagenetPresetId} --weights FILE).`,
  );
}
