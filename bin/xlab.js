#!/usr/bin/env node
// The `xlab` command: runs the bundled CLI in out/ (built by `npm install` / `npm run build`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../out/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write('xlab: the CLI is not built: run "npm run build" in the Xception Lab folder.\n');
  process.exit(1);
}
await import(cli.href);
