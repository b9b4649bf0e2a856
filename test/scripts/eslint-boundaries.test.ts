import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The import boundaries of eslint.config.js, checked on sources that break them.
const eslint = new ESLint({ cwd: process.cwd() });

async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const results = await eslint.lintText(code, { filePath });
  return results
    .flatMap((r) => r.messages)
    .filter((m) => m.ruleId === 'no-restricted-imports')
    .map((m) => m.message);
}

describe('import boundaries', () => {
  it('keeps electron out of main/ and the renderer, and allows it in electron/', async () => {
    const code = "import { app } from 'electron';\nexport { app };\n";
    expect(await restrictedImports('main/probe.ts', code)).toHaveLength(1);
    expect(await restrictedImports('renderer/src/lib/probe.ts', code)).toHaveLength(1);
    expect(await restrictedImports('electron/probe.ts', code)).toEqual([]);
  });

  it('lets the renderer import the contract from main/, and nothing else', async () => {
    const ok = "import { labMethods } from '../../../main/contract';\nexport { labMethods };\n";
    const engine = "import { scanDataset } from '../../../main/dataset/scan';\nexport { scanDataset };\n";
    const node = "import { readFile } from 'node:fs/promises';\nexport { readFile };\n";
    expect(await restrictedImports('renderer/src/lib/probe.ts', ok)).toEqual([]);
    expect(await restrictedImports('renderer/src/lib/probe.ts', engine)).toEqual([
      expect.stringContaining('only contract'),
    ]);
    expect(await restrictedImports('renderer/src/lib/probe.ts', node)).toEqual([
      expect.stringContaining('no Node built-ins'),
    ]);
  });

  it('keeps renderer lib/ below the feature folders: it never imports components/', async () => {
    const state = "import { x } from '../components/train/live';\nexport { x };\n";
    const up = "import { x } from '../../lib/app-state.svelte';\nexport { x };\n";
    const contract = "import { labMethods } from '../../../main/contract';\nexport { labMethods };\n";
    expect(await restrictedImports('renderer/src/lib/probe.svelte.ts', state)).toEqual([
      expect.stringContaining('never imports components/'),
    ]);
    expect(await restrictedImports('renderer/src/lib/probe.ts', contract)).toEqual([]);
    expect(await restrictedImports('renderer/src/components/train/probe.svelte.ts', up)).toEqual([]);
  });

  it('keeps the renderer out of main/', async () => {
    const code = "import { x } from '../renderer/src/lib/x';\nexport { x };\n";
    expect(await restrictedImports('main/probe.ts', code)).toEqual([
      expect.stringContaining('never imports the renderer'),
    ]);
  });
});
