// Builds everything the app, the CLI and the tests run from, into out/:
//   out/cli.js, out/electron-main.js                           (Node ESM, node_modules external)
//   out/training-worker.mjs                                    (Node ESM, one file, packages through require)
//   out/kernel-worker.mjs                                      (Node ESM, one file: the kernel pool's helper threads)
//   out/preload.cjs                                            (sandboxed preload: one CommonJS file)
//   out/renderer/                                              (Svelte UI, built by Vite)
// esbuild bundles the Node side (fast, keeps tfjs-node/sharp external as they must be);
// Vite builds the renderer.
//
// `--if-stale` (used by `npm start`) skips the build when out/ was built after the last change
// to any source, so `npm install && npm start` builds once (in `prepare`), not twice.
import { build as esbuild } from 'esbuild';
import { build as viteBuild } from 'vite';
import { rm, mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { builtinModules } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'out');
const quiet = process.argv.includes('--quiet');
/** Written last by a complete build: its mtime is when out/ was built. */
const stamp = join(out, '.built');

/** The newest modification time under the build's inputs (0 when none can be read). */
async function newestSource() {
  const inputs = [
    'main',
    'electron',
    'renderer',
    'assets',
    'bin',
    'package.json',
    'package-lock.json',
    'vite.config.ts',
    'svelte.config.js',
    'tsconfig.base.json',
    'scripts/build.mjs',
  ];
  let newest = 0;
  const visit = async (path) => {
    const info = await stat(path).catch(() => null);
    if (!info) return;
    newest = Math.max(newest, info.mtimeMs);
    if (info.isDirectory()) for (const name of await readdir(path)) await visit(join(path, name));
  };
  for (const input of inputs) await visit(join(root, input));
  return newest;
}

if (process.argv.includes('--if-stale')) {
  const built = (await stat(stamp).catch(() => null))?.mtimeMs ?? 0;
  if (built > (await newestSource())) process.exit(0);
}

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

/**
 * The packaged app runs the training worker from app.asar.unpacked: a worker's ES module loader
 * needs real files (electron-builder.yml unpacks it). node_modules stays in app.asar, where only
 * Electron's `require` sees it, and a package import from the unpacked folder would find nothing.
 * So in the worker every package becomes a `require` through the banner's, which is anchored at
 * the worker's place inside app.asar (outside a packaged app the anchor is the file itself).
 */
const packagesThroughRequire = {
  name: 'packages-through-require',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.namespace === 'package-require' || args.path.startsWith('node:') || builtinModules.includes(args.path)) {
        return { path: args.path, external: true };
      }
      return { path: args.path, namespace: 'package-require' };
    });
    build.onLoad({ filter: /.*/, namespace: 'package-require' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};
const asarAnchoredRequire =
  "import { createRequire as __xlabCreateRequire } from 'node:module'; " +
  "const require = __xlabCreateRequire(import.meta.url.replace(/(?<=\\/)app\\.asar\\.unpacked(?=\\/)/, 'app.asar'));";

await Promise.all([
  esbuild({
    ...common,
    entryPoints: {
      cli: 'main/cli.ts',
      'electron-main': 'electron/main.ts',
    },
    outdir: out,
    format: 'esm',
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    // Bundled CommonJS helpers may call require(); give ESM output one.
    banner: {
      js: "import { createRequire as __xlabCreateRequire } from 'node:module'; const require = __xlabCreateRequire(import.meta.url);",
    },
  }),
  // The kernel pool's helper threads (issue 17), started by the training worker from beside it:
  // one file that imports only Node built-ins, so it runs unpacked from asar like the worker.
  esbuild({
    ...common,
    entryPoints: { 'kernel-worker': 'main/engine/kernels/pool-worker.ts' },
    outdir: out,
    outExtension: { '.js': '.mjs' },
    format: 'esm',
  }),
  esbuild({
    ...common,
    entryPoints: { 'training-worker': 'main/engine/training-worker.ts' },
    outdir: out,
    // .mjs: an ES module wherever it lies, even in app.asar.unpacked, which has no package.json.
    outExtension: { '.js': '.mjs' },
    format: 'esm',
    packages: undefined,
    plugins: [packagesThroughRequire],
    banner: { js: asarAnchoredRequire },
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
await writeFile(stamp, `${new Date().toISOString()}\n`);
if (!quiet) console.error('built out/');
