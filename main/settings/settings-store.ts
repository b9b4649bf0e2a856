import { readFile, rename } from 'node:fs/promises';
import type { Settings } from '../contract';
import { settingsSchema } from '../contract-schemas';
import { writeFileAtomic } from '../fs/atomic-write';
import { LabError } from '../errors';

export const defaultSettings: Settings = { theme: 'system' };

export interface LoadedSettings {
  settings: Settings;
  /** Set when the file was unreadable and was moved aside (never silently overwritten). */
  warning?: string;
}

/**
 * Reads settings.json. A file that is not valid JSON or not valid settings is renamed to
 * `settings.json.corrupt-<time>` and defaults are used, with a warning naming both files.
 */
export async function loadSettings(file: string): Promise<LoadedSettings> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { settings: { ...defaultSettings } };
    throw new LabError('SETTINGS_UNREADABLE', `Cannot read ${file}: ${(error as Error).message}. Check its permissions.`);
  }
  let problem: string;
  try {
    const parsed = settingsSchema.partial().safeParse(JSON.parse(text));
    if (parsed.success) return { settings: { ...defaultSettings, ...parsed.data } };
    const issue = parsed.error.issues[0];
    problem = `field "${issue?.path.join('.') ?? '?'}": ${issue?.message ?? 'invalid'}`;
  } catch (error) {
    problem = `not valid JSON (${(error as Error).message})`;
  }
  const aside = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  await rename(file, aside);
  return {
    settings: { ...defaultSettings },
    warning: `Settings file ${file} was ${problem}; it was kept as ${aside} and defaults are used.`,
  };
}

export async function saveSettings(file: string, settings: Settings): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(settings, null, 2)}\n`);
}
