import { homedir } from 'node:os';
import { join, resolve, win32, posix } from 'node:path';
import { productName } from '../version';

export interface DataDirInputs {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  home: string;
}

/**
 * The folder Electron's `app.getPath('userData')` gives for productName "Xception Lab",
 * computed without Electron so the CLI and the app share one data folder.
 * (Electron: appData = %APPDATA% on Windows, ~/Library/Application Support on macOS,
 * $XDG_CONFIG_HOME or ~/.config elsewhere; userData = appData/productName.)
 */
export function defaultDataDir({ platform, env, home }: DataDirInputs): string {
  if (platform === 'win32') {
    const appData = env.APPDATA || win32.join(home, 'AppData', 'Roaming');
    return win32.join(appData, productName);
  }
  if (platform === 'darwin') return posix.join(home, 'Library', 'Application Support', productName);
  const config = env.XDG_CONFIG_HOME || posix.join(home, '.config');
  return posix.join(config, productName);
}

/** `--data-dir` first, then `XLAB_HOME`, then the platform default. */
export function resolveDataDir(
  flag: string | undefined,
  inputs: DataDirInputs = { platform: process.platform, env: process.env, home: homedir() },
): string {
  if (flag) return resolve(flag);
  if (inputs.env.XLAB_HOME) return resolve(inputs.env.XLAB_HOME);
  return defaultDataDir(inputs);
}

export const settingsFile = (dataDir: string): string => join(dataDir, 'settings.json');
