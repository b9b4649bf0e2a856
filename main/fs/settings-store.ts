import type { Settings } from '../contract';
import { settingsSchema } from '../contract-schemas';
import { loadJsonFile, saveJsonFile } from './json-file';

export const defaultSettings: Settings = { theme: 'system' };

export interface LoadedSettings {
  settings: Settings;
  /** Set when the file was unreadable and was moved aside (never silently overwritten). */
  warning?: string;
}

/** Reads settings.json; missing fields take their defaults, a corrupt file is kept aside. */
export async function loadSettings(file: string): Promise<LoadedSettings> {
  const loaded = await loadJsonFile(file, settingsSchema.partial(), {}, 'Settings');
  return { settings: { ...defaultSettings, ...loaded.value }, ...(loaded.warning ? { warning: loaded.warning } : {}) };
}

export async function saveSettings(file: string, settings: Settings): Promise<void> {
  await saveJsonFile(file, settings);
}
