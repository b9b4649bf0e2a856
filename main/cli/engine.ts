import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { Command } from 'commander';
import { appRoot } from '../version';
import { buildNative, type BuildNativeResult, type NativeTools, type RunResult } from '../native/build-native';
import { printJson, type CliIo } from './io';

/** Runs a program and collects its output; a program that cannot start rejects (ENOENT). */
export function runProgram(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code: code ?? (signal ? 128 : 1), output }));
  });
}

/** The default home of the shared TensorFlow libraries: `<data folder>/native`. */
export const nativeLibRoot = (dataDir: string, dir?: string): string => (dir ? resolve(dir) : join(dataDir, 'native'));

export function formatBuildNative(r: BuildNativeResult): string {
  const did = [
    r.installedPackage && 'installed the package',
    r.unpacked && 'unpacked the libraries',
    r.compiled && 'compiled the binding',
  ].filter(Boolean);
  return (
    [
      `${r.package} runs on TensorFlow ${r.tensorflow} (${did.length > 0 ? did.join(', ') : 'already built: nothing to do'}).`,
      `Libraries: ${r.libraries}`,
      `Package:   ${r.packageDir} (deps/ links to the libraries)`,
      `Wheel:     ${r.wheel}`,
      ...(r.package.endsWith('-gpu')
        ? [
            r.gpu
              ? 'TensorFlow found the GPU.'
              : 'TensorFlow found no usable GPU: "xlab doctor" lists the CUDA libraries and what is missing.',
          ]
        : []),
      'Check it with "xlab doctor".',
    ].join('\n') + '\n'
  );
}

export function engineCommand(io: CliIo, dataDirOf: (cmd: Command) => string): Command {
  const engine = new Command('engine').description('set up training engines');
  engine
    .command('build-native')
    .description('build the native TensorFlow engine (tfjs-node) offline from a TensorFlow pip wheel')
    .option(
      '--wheel <file>',
      'a TensorFlow wheel you have (default: the cached one, else "pip download --no-deps tensorflow-cpu")',
    )
    .option(
      '--gpu',
      'build tfjs-node-gpu from the "tensorflow" wheel, with CUDA 12 / cuDNN 9 from NVIDIA\'s pip wheels',
    )
    .option('--dir <dir>', 'where the shared libraries are unpacked (default: "native" in the data folder)')
    .option('--json', 'machine-readable result on stdout')
    .action(async (opts: { wheel?: string; gpu?: boolean; dir?: string; json?: boolean }, cmd: Command) => {
      const tools: NativeTools = { run: runProgram, progress: (line) => io.stderr(`${line}\n`) };
      const result = await buildNative(
        {
          projectRoot: appRoot(),
          libRoot: nativeLibRoot(dataDirOf(cmd), opts.dir),
          flavor: opts.gpu ? 'gpu' : 'cpu',
          wheel: opts.wheel,
          nodePrefix: dirname(dirname(process.execPath)),
          nodeExecPath: process.execPath,
          env: io.env,
          platform: process.platform,
          arch: process.arch,
        },
        tools,
      );
      if (opts.json) printJson(io, result);
      else io.stdout(formatBuildNative(result));
    });
  // program.ts makes its own commands report errors instead of exiting; this one's subcommands too.
  for (const command of engine.commands)
    command.configureOutput({ writeOut: io.stdout, writeErr: io.stderr }).exitOverride();
  return engine;
}
