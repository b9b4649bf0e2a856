/**
 * A saved config's shape, with no file code, so the contract takes its type from here.
 */
import { z } from 'zod';
import type { Unchecked } from '../unchecked';
import type { TrainingSettingsInput } from './training-settings';

/** A model config plus its training settings, saved under a name in DATA_DIR/configs/. */
export const namedConfigSchema = z.object({
  name: z.string().min(1).max(100),
  /** Preset id and the fields that differ from it, as the user set them. */
  model: z.looseObject({ preset: z.string().optional() }),
  /** The training settings as the user set them (checked when saved and again when used). */
  training: z.looseObject({}).pipe(z.custom<Unchecked<TrainingSettingsInput>>()),
  savedAt: z.string(),
});

export type NamedConfig = z.output<typeof namedConfigSchema>;
