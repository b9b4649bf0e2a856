/**
 * electron-builder.yml, read as electron-builder reads it (its own js-yaml) and checked against
 * its own schema: the fuses the shipped binary must have, and what must be unpacked from app.asar.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { repoRoot } from '../helpers/built';

const require = createRequire(import.meta.url);
const builderRequire = createRequire(require.resolve('app-builder-lib'));
const yaml = builderRequire('js-yaml') as { load(text: string): unknown };
const config = yaml.load(readFileSync(join(repoRoot, 'electron-builder.yml'), 'utf8')) as {
  electronFuses?: Record<string, boolean>;
  asarUnpack?: string[];
  asar?: unknown;
  files?: string[];
};
const scheme = JSON.parse(readFileSync(builderRequire.resolve('app-builder-lib/scheme.json'), 'utf8')) as {
  definitions: { FuseOptionsV1: { properties: Record<string, unknown> } };
};

describe('electron-builder.yml', () => {
  it('flips the fuses: no Node mode, NODE_OPTIONS or --inspect; only the integrity-checked app.asar; no file:// extras', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
    // Every key is one electron-builder knows (a misspelt fuse would be ignored or refused).
    for (const key of Object.keys(config.electronFuses ?? {}))
      expect(Object.keys(scheme.definitions.FuseOptionsV1.properties)).toContain(key);
    // The fuses need the app in an asar archive (the default), with its integrity recorded.
    expect(config.asar).toBeUndefined();
  });

  it('unpacks the training worker, which electron/main.ts starts from app.asar.unpacked', () => {
    expect(config.asarUnpack).toEqual(
      expect.arrayContaining([
        'out/training-worker.mjs',
        '**/node_modules/{sharp,@img,@tensorflow}/**',
        'assets/samples/**',
      ]),
    );
    expect(config.files).toContain('out/**');
    const main = readFileSync(join(repoRoot, 'electron', 'main.ts'), 'utf8');
    expect(main).toContain("unpackedUrl(new URL('./training-worker.mjs', import.meta.url))");
  });
});
