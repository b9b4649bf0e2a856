import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../fs/atomic-write';
import { LabError } from '../errors';
import { namedConfigSchema, type NamedConfig } from './named-config-schema';
import { resolveModelConfig } from './presets';
import { validateTrainingSettings } from './training-settings';

export { namedConfigSchema, type NamedConfig } from './named-config-schema';

export const configsDir = (dataDir: string): string => join(dataDir, 'configs');

/** The file name for a config name: lower-case ASCII words; the real name lives inside. */
export function configFileName(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[^\w\s-]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '-')
    .slice(0, 60);
  if (!slug)
    throw new LabError('INVALID_ARGUMENT', `"${name}" cannot be a config name: use at least one letter or digit.`);
  return `${slug}.json`;
}

export async function listNamedConfigs(dataDir: string): Promise<{ configs: NamedConfig[]; problems: string[] }> {
  let files: string[];
  try {
    files = (await readdir(configsDir(dataDir))).filter((f) => f.endsWith('.json'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { configs: [], problems: [] };
    throw error;
  }
  const configs: NamedConfig[] = [];
  const problems: string[] = [];
  for (const file of files.sort()) {
    const path = join(configsDir(dataDir), file);
    try {
      configs.push(namedConfigSchema.parse(JSON.parse(await readFile(path, 'utf8'))));
    } catch (error) {
      problems.push(`${path} could not be read (${(error as Error).message.split('\n')[0]}); it was left as is.`);
    }
  }
  return { configs, problems };
}

export async function loadNamedConfig(dataDir: string, name: string): Promise<NamedConfig> {
  const path = join(configsDir(dataDir), configFileName(name));
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new LabError('CONFIG_NOT_FOUND', `There is no saved config named "${name}" (looked for ${path}).`);
  }
  try {
    return namedConfigSchema.parse(JSON.parse(text));
  } catch (error) {
    throw new LabError(
      'CONFIG_CORRUPT',
      `${path} is not a valid saved config (${(error as Error).message.split('\n')[0]}).`,
    );
  }
}

/**
 * Validates and saves a config. An existing config of the same name is replaced only with
 * `overwrite: true`: the UI asks first, nothing is overwritten silently.
 */
export async function saveNamedConfig(
  dataDir: string,
  config: Pick<NamedConfig, 'name' | 'model' | 'training'>,
  options: { overwrite?: boolean; now?: Date } = {},
): Promise<NamedConfig> {
  resolveModelConfig(config.model); // throws a message naming the bad field
  validateTrainingSettings(config.training);
  const path = join(configsDir(dataDir), configFileName(config.name));
  const exists = await stat(path).then(
    () => true,
    () => false,
  );
  if (exists && !options.overwrite) {
    throw new LabError(
      'CONFIG_EXISTS',
      `A config named "${config.name}" already exists: choose another name, or confirm replacing it.`,
    );
  }
  const saved: NamedConfig = {
    name: config.name.trim(),
    model: config.model,
    training: config.training,
    savedAt: (options.now ?? new Date()).toISOString(),
  };
  await writeFileAtomic(path, `${JSON.stringify(saved, null, 2)}\n`);
  return saved;
}

export async function deleteNamedConfig(dataDir: string, name: string): Promise<void> {
  await rm(join(configsDir(dataDir), configFileName(name)), { force: true });
}
