/**
 * Training-time augmentation settings: the one schema, and the type every module (the contract
 * included) takes from it. Only zod and the ranges: the contract imports the type.
 */
import { z } from 'zod';
import { augmentRanges, type AugmentRangeField } from './augment-ranges';

const bounded = (field: AugmentRangeField) => z.number().min(augmentRanges[field].min).max(augmentRanges[field].max);

export const augmentSettingsSchema = z.strictObject({
  /** Flip left–right with probability ½. */
  flip: z.boolean(),
  /** Largest rotation either way, in degrees (0–180). */
  rotation: bounded('rotation'),
  /** Largest crop/zoom: the crop's side is at least 1 − zoom of the image (0–0.5). */
  zoom: bounded('zoom'),
  /** Largest brightness change as a fraction of full scale (0–1). */
  brightness: bounded('brightness'),
  /** Largest contrast change: factor in 1 ± contrast (0–1). */
  contrast: bounded('contrast'),
  /** Gaussian noise standard deviation as a fraction of full scale (0–0.5); 0 = off. */
  noise: bounded('noise'),
});

export type AugmentSettings = z.output<typeof augmentSettingsSchema>;
