// `npm run bench -- NAME [args]`: runs bench/NAME.ts (bundled by esbuild, like the app); a NAME
// with no file of its own names a group, every bench/NAME-*.ts (`dataset`: dataset-pipeline
// and dataset-scan, the "npm run bench -- dataset"; `finetune`: head-only training from
// cached features vs full training); every bench/*.ts when no name is
// given. Each benchmark gets the same [args] and ignores those it does not know. Benchmarks
// measure speed and memory targets; the unit tests never time anything.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { readdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [name, ...args] = process.argv.slice(2);
const available = readdirSync(join(root, 'bench'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3));
const names = !name
  ? available
  : available.includes(name)
    ? [name]
    : available.filter((b) => b.startsWith(`${name}-`)).sort();
if (name && names.length === 0) {
  console.error(`bench: no benchmark "${name}"; available: ${available.join(', ') || '(none)'}.`);
  process.exit(2);
}
if (!existsSync(join(root, 'out', 'training-worker.mjs'))) {
  console.error('bench: out/ is missing: run "npm run build" first.');
  process.exit(1);
}
// Inside the repo so the bundles resolve node_modules like the app does.
const outdir = join(root, 'out', 'bench');
let failed = false;
for (const bench of names) {
  const outfile = join(outdir, `${bench}.mjs`);
  await build({
    absWorkingDir: root,
    entryPoints: [join(root, 'bench', `${bench}.ts`)],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    logLevel: 'warning',
    define: { 'import.meta.dirname': JSON.stringify(join(root, 'bench')) },
    banner: { js: "import { createRequire as __c } from 'node:module'; const require = __c(import.meta.url);" },
  });
  console.error(`\n== bench ${bench} ==`);
  const result = spawnSync(process.execPath, ['--expose-gc', outfile, ...args], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, XLAB_REPO: root },
  });
  if (result.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
