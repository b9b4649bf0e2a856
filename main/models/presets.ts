import { LabError } from '../errors';
import { quote, validateModelConfig, type ModelConfig, type ModelConfigInput } from './model-config';

/** Preset ids are part of the CLI contract (`xlab model --preset ID`). */
export const modelPresetIds = ['xception', 'seed', 'mini', 'micro', 'xception-imagenet'] as const;
export type ModelPresetId = (typeof modelPresetIds)[number];

export interface ModelPreset {
  id: ModelPresetId;
  title: string;
  description: string;
  /** Input sizes the preset is meant for (a hint for the UI; any size the strides allow is accepted). */
  suggestedSizes: { min: number; max: number };
  /** Fields that differ from the Keras defaults of `modelConfigSchema`. */
  config: ModelConfigInput;
}

export const modelPresets: Record<ModelPresetId, ModelPreset> = {
  xception: {
    id: 'xception',
    title: 'Xception (Chollet 2017)',
    description:
      'The original, as in keras.applications.Xception: pre-activation blocks, 299 px, 1000 ImageNet classes.',
    suggestedSizes: { min: 71, max: 299 },
    config: {},
  },
  seed: {
    id: 'seed',
    title: 'Seed (lecture)',
    description:
      "The lecture's code: post-activation block() = SeparableConv2D → BatchNormalization → ReLU, 'same' stem, 299 px, 100 classes.",
    suggestedSizes: { min: 71, max: 299 },
    config: { blockStyle: 'seed', classes: 100 },
  },
  mini: {
    id: 'mini',
    title: 'Mini (CPU)',
    description: 'Keras blocks at a quarter of the width (α 0.25) with 2 middle blocks, for 32–64 px images on a CPU.',
    suggestedSizes: { min: 32, max: 64 },
    config: { inputSize: 32, classes: 10, widthMultiplier: 0.25, middleRepeats: 2, batchNormMomentum: 0.9 },
  },
  micro: {
    id: 'micro',
    title: 'Micro (tests and demos)',
    description:
      'Keras blocks at an eighth of the width (α 0.125) with 1 middle block; trains in seconds on the JavaScript engine.',
    suggestedSizes: { min: 23, max: 32 },
    // 24 px rather than 32: a training step costs about a third less on the JavaScript engine.
    config: { inputSize: 24, classes: 10, widthMultiplier: 0.125, middleRepeats: 1, batchNormMomentum: 0.9 },
  },
  'xception-imagenet': {
    id: 'xception-imagenet',
    title: 'Xception, ImageNet weights',
    description:
      "Keras' Xception started from its ImageNet weights — a local copy of xception_weights_tf_dim_ordering_tf_kernels_notop.h5 (the lab never downloads) — for transfer learning on small datasets.",
    suggestedSizes: { min: 71, max: 299 },
    config: {},
  },
};

export function isModelPresetId(id: unknown): id is ModelPresetId {
  return typeof id === 'string' && (modelPresetIds as readonly string[]).includes(id);
}

export function getModelPreset(id: unknown): ModelPreset {
  if (isModelPresetId(id)) return modelPresets[id];
  throw new LabError(
    'UNKNOWN_PRESET',
    `Unknown model preset ${quote(id)}; the presets are ${modelPresetIds.join(', ')}.`,
  );
}

/** A preset id plus any fields to change; fields left undefined keep the preset's value. */
export type ModelConfigRequest = { preset?: string } & ModelConfigInput;

/**
 * The config a preset gives with `overrides` on top (default preset: `xception`), validated.
 * Undefined overrides are ignored, so unset CLI flags or form fields keep the preset's values.
 */
export function resolveModelConfig(request: ModelConfigRequest | Readonly<Record<string, unknown>>): ModelConfig {
  const { preset = 'xception', ...overrides } = request as Record<string, unknown>;
  const base = getModelPreset(preset);
  const given = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
  return validateModelConfig({ ...base.config, ...given });
}
