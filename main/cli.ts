import { runCli } from './cli/program';
import { processIo } from './cli/io';

// The `xlab` command. Later commands (model, scan, train, …) register in cli/program.ts.
// The worker is bundled beside this file (out/training-worker.mjs).
const workerUrl = new URL('./training-worker.mjs', import.meta.url);
const code = await runCli(process.argv.slice(2), { ...processIo, workerUrl });
process.exitCode = code;
