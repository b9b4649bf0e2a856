/**
 * The augmentation settings' ranges and the two standard choices, with no validation code, so
 * the engine's schema (augment-settings.ts) and the Datasets page's controls read the same
 * numbers. Pure and browser-safe: the renderer imports it.
 */
/** The numeric settings: what each accepts and the unit its message names. */
export const augmentRanges = {
  rotation: { min: 0, max: 180, unit: ' degrees' },
  zoom: { min: 0, max: 0.5, unit: '' },
  brightness: { min: 0, max: 1, unit: '' },
  contrast: { min: 0, max: 1, unit: '' },
  noise: { min: 0, max: 0.5, unit: '' },
} as const;

export type AugmentRangeField = keyof typeof augmentRanges;

/** Settings as the ranges lay them out; augment-settings.ts's schema (AugmentSettings) checks them. */
type Settings = { flip: boolean } & Record<AugmentRangeField, number>;

/** Nothing changes: `renderAugmented` with these equals a plain resize. */
export const noAugmentation: Readonly<Settings> = {
  flip: false,
  rotation: 0,
  zoom: 0,
  brightness: 0,
  contrast: 0,
  noise: 0,
};

/** A mild default for photos of objects. */
export const defaultAugmentation: Readonly<Settings> = {
  flip: true,
  rotation: 10,
  zoom: 0.1,
  brightness: 0.1,
  contrast: 0.1,
  noise: 0,
};

/** Image sizes, in pixels, the augmentation preview accepts. */
export const previewSizeRange = { min: 8, max: 1024 } as const;
