import type { AppInfo } from './contract';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export const productName = 'Xception Lab';

/**
 * The project root: the folder holding package.json and assets/. The bundles live in out/,
 * the sources in main/; both are one level below it.
 */
export function appRoot(fromUrl: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(fromUrl));
  for (let i = 0; i < 4; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'xception-lab') return dir;
    } catch {
      // not here; look one level up
    }
    dir = dirname(dir);
  }
  throw new Error(`Cannot find the Xception Lab folder above ${fileURLToPath(fromUrl)}`);
}

export function appVersion(root: string = appRoot()): string {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/** What the About box and reports say about this app and where it runs. */
export function appInfo(dataDir: string, version: string): AppInfo {
  return {
    name: productName,
    version,
    dataDir,
    platform: process.platform,
    arch: process.arch,
    versions: {
      node: process.versions.node,
      ...(process.versions.electron ? { electron: process.versions.electron } : {}),
      ...(process.versions.chrome ? { chrome: process.versions.chrome } : {}),
    },
  };
}
