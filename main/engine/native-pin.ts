/**
 * Keeps native TensorFlow's libraries loaded for the life of the process.
 *
 * When only a worker thread loads tfjs-node, Node unloads the addon when the worker's environment
 * is torn down, and with it libtensorflow (nothing else holds it). TensorFlow registered exit
 * handlers in that library, so when the process ends glibc calls into unmapped code: a
 * segmentation fault (exit 139) after every command that used the engine only in the worker
 * (`xlab doctor` every time). gdb shows it: "unloaded shared library libtensorflow_cc.so.2", then
 * SIGSEGV in __run_exit_handlers. Opening the libraries once more with RTLD_NODELETE marks them
 * never to be unloaded, whichever thread opened them.
 *
 * The GPU build's CUDA libraries (deps/cuda/lib, from NVIDIA's wheels) are opened the same way
 * before TensorFlow looks for them: TensorFlow dlopens them by soname, and a library already
 * loaded under that soname is the one it gets, without LD_LIBRARY_PATH.
 */
import { existsSync, readdirSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { cudaLibraries } from '../native/layout';

/** glibc's RTLD_NODELETE (Node's os.constants.dlopen does not list it). */
export const RTLD_NODELETE = 0x1000;

export type Dlopen = (file: string, flags: number) => void;

export interface PinResult {
  file: string;
  /** Why it could not be opened (a missing dependency, a broken file), when it could not. */
  error?: string;
}

/** The shared libraries (lib*.so.N) of a tfjs-node package, in the order to open them. */
export function librariesToPin(packageDir: string, list: (dir: string) => string[] = readdirSafe): string[] {
  const lib = join(packageDir, 'deps', 'lib');
  const tf = list(lib)
    .filter((f) => /^lib[\w+-]+\.so\.\d+$/.test(f))
    // libtensorflow_cc needs libtensorflow_framework: open the framework first.
    .sort((a, b) => Number(b.includes('framework')) - Number(a.includes('framework')) || a.localeCompare(b))
    .map((f) => join(lib, f));
  const cudaDir = join(packageDir, 'deps', 'cuda', 'lib');
  const present = new Set(list(cudaDir));
  const cuda = cudaLibraries.filter((c) => present.has(c.soname)).map((c) => join(cudaDir, c.soname));
  return [...cuda, ...tf];
}

function readdirSafe(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir) : [];
}

/** Node's process.dlopen loads any shared library; one that is not an addon "did not self-register". */
export const processDlopen: Dlopen = (file, flags) => process.dlopen({ exports: {} } as NodeJS.Module, file, flags);

/** Opens each library with RTLD_NODELETE (Linux only; elsewhere nothing to do). */
export function pinNativeLibraries(
  packageDir: string,
  options: { platform?: NodeJS.Platform; dlopen?: Dlopen; list?: (dir: string) => string[] } = {},
): PinResult[] {
  if ((options.platform ?? process.platform) !== 'linux') return [];
  const dlopen = options.dlopen ?? processDlopen;
  const flags = constants.dlopen.RTLD_NOW! | RTLD_NODELETE;
  return librariesToPin(packageDir, options.list).map((file) => {
    try {
      dlopen(file, flags);
      return { file };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // Loaded, and not an addon: exactly what we wanted.
      if (/did not self-register/.test(message)) return { file };
      return { file, error: message.split('\n', 1)[0]! };
    }
  });
}
