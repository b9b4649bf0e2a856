// Builds everything the app, the CLI and the tests run from, into out/:
//   out/cli.js, out/training-worker.js, out/kernel-worker.js,
//   out/electron-main.js                                      (Node ESM, node_modules external)
//   out/preload.cjs                                            (sandboxed preload: one CommonJS file)
//   out/renderer/                                              (Svelte UI, built by Vite)
// esbuild bundles the Node side (fast, keeps tfjs-node/sharp external as they must be);
// Vite builds the renderer.
import { build as esbuild } from 'esbuild';
import { build as viteBuild } from 'vite';
import { rm, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'out');
const quiet = process.argv.includes('--quiet');

await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  packages: 'external',
  logLevel: 'warning',
};

await Promise.all([
  esbuild({
    ...common,
    entryPoints: {
      cli: 'main/cli.ts',
      'training-worker': 'main/engine/training-worker.ts',
      // The kernel pool's helper threads (issue 17): beside the training worker, which starts them.
      'kernel-worker': 'main/engine/kernels/pool-worker.ts',
      'electron-main': 'electron/main.ts',
    },
    outdir: out,
    format: 'esm',
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    // Bundled CommonJS helpers may call require(); give ESM output one.
    banner: { js: "import { createRequire as __xlabCreateRequire } from 'node:module'; const require = __xlabCreateRequire(import.meta.url);" },
  }),
  esbuild({
    ...common,
    entryPoints: { preload: 'electron/preload.ts' },
    outExtension: { '.js': '.cjs' },
    outdir: out,
    format: 'cjs',
    packages: undefined,
    external: ['electron'],
  }),
  viteBuild({ configFile: join(root, 'vite.config.ts'), logLevel: quiet ? 'warn' : 'info' }),
]);
if (!quiet) console.error('built out/');
