import { z } from 'zod';
import type { LabMethod, Settings } from './contract';

/**
 * Argument schemas for every call in the contract, checked before anything reaches the engine
 * (Electron IPC and the browser-mode WebSocket both use these). `satisfies` makes a call
 * without a schema a type error.
 */
export const themeSchema = z.enum(['system', 'light', 'dark']);

export const settingsSchema = z.object({ theme: themeSchema }) satisfies z.ZodType<Settings>;

export const argSchemas = {
  getAppInfo: z.tuple([]),
  getEngine: z.tuple([]),
  getSettings: z.tuple([]),
  updateSettings: z.tuple([settingsSchema.partial().strict()]),
  listSamples: z.tuple([]),
  getLog: z.tuple([]),
} satisfies Record<LabMethod, z.ZodTuple>;
