import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository root. */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The bundled training worker; tests that start the engine need `npm run build` first. */
export function builtWorkerUrl(): URL {
  const url = pathToFileURL(`${repoRoot}out/training-worker.mjs`);
  if (!existsSync(url))
    throw new Error('out/training-worker.mjs is missing: run "npm run build" before the tests (npm test does).');
  return url;
}
