// tsc for the Node side (main/, electron/, tests), the e2e tests, and svelte-check for the renderer.
// electron/ is checked against Electron's own types when the electron package is installed;
// where its binary download failed (offline), npm drops it, and a declared subset stands in.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const haveElectron = existsSync(join(root, 'node_modules', 'electron', 'electron.d.ts'));
if (!haveElectron) {
  console.error('typecheck: electron is not installed; checking electron/ against types/electron-fallback.d.ts.');
}
const run = (cmd, args) => {
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};
const bin = (name) => join(root, 'node_modules', '.bin', name);
run(bin('tsc'), ['-p', haveElectron ? 'tsconfig.node.json' : 'tsconfig.node.no-electron.json', '--noEmit']);
// End-to-end tests run code in the page (page.evaluate), so they are checked with the DOM library.
run(bin('tsc'), ['-p', 'tsconfig.e2e.json', '--noEmit']);
run(bin('svelte-check'), ['--tsconfig', 'tsconfig.web.json', '--fail-on-warnings', '--output', 'human']);
