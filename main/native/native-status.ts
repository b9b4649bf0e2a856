/**
 * What `xlab doctor` says about the native engines installed in a project: built here or
 * downloaded by npm, which TensorFlow and where its libraries are, and for the GPU build which
 * CUDA libraries it would load and which are missing.
 */
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { bindingPath, readManifest } from './build-native';
import {
  buildStampName,
  checkCudaLibraries,
  cudaDriverLibrary,
  cudaLibraries,
  missingCudaAdvice,
  nativePackage,
  parseLdconfig,
  type CudaCheck,
  type NativeFlavor,
} from './layout';

export interface NativeStatus {
  package: string;
  flavor: NativeFlavor;
  /** Built by `xlab engine build-native` (else: npm's download, or not built). */
  builtHere: boolean;
  /** The compiled binding exists. */
  binding: boolean;
  /** deps/lib with links resolved. */
  libraries?: string;
  wheel?: string;
  tensorflow?: string;
  /** GPU package only: each CUDA library it would load. */
  cuda?: CudaCheck[];
  /** What to do, one sentence each; empty when nothing is missing. */
  advice: string[];
}

/** soname → path for the libraries the system's loader would find (LD_LIBRARY_PATH first, then ld.so's cache). */
export function systemLibraries(env: NodeJS.ProcessEnv, ldconfigOutput: string): Map<string, string> {
  const found = new Map<string, string>();
  const wanted = [...cudaLibraries.map((c) => c.soname), cudaDriverLibrary];
  for (const dir of (env.LD_LIBRARY_PATH ?? '').split(delimiter).filter(Boolean)) {
    for (const soname of wanted) {
      if (!found.has(soname) && existsSync(join(dir, soname))) found.set(soname, join(dir, soname));
    }
  }
  for (const [soname, path] of parseLdconfig(ldconfigOutput)) if (!found.has(soname)) found.set(soname, path);
  return found;
}

export function nativeStatuses(projectRoot: string, system: () => Map<string, string>): NativeStatus[] {
  const out: NativeStatus[] = [];
  for (const flavor of ['gpu', 'cpu'] as const) {
    const name = nativePackage[flavor];
    const dir = join(projectRoot, 'node_modules', name);
    if (!existsSync(join(dir, 'package.json'))) continue;
    const status: NativeStatus = {
      package: name,
      flavor,
      builtHere: existsSync(join(dir, buildStampName)),
      binding: bindingPath(dir) !== undefined,
      advice: [],
    };
    let depsReal: string | undefined;
    try {
      depsReal = realpathSync(join(dir, 'deps'));
      status.libraries = realpathSync(join(dir, 'deps', 'lib'));
    } catch {
      // no deps/: never built nor downloaded
    }
    const manifest = depsReal ? readManifest(depsReal) : undefined;
    if (manifest) {
      status.wheel = manifest.wheel;
      status.tensorflow = manifest.tensorflow;
    }
    if (!status.binding) {
      status.advice.push(
        `${name} is installed but not built: run "xlab engine build-native${flavor === 'gpu' ? ' --gpu' : ''}".`,
      );
    }
    if (flavor === 'gpu' && status.builtHere && depsReal) {
      const bundledDir = join(depsReal, 'cuda', 'lib');
      status.cuda = checkCudaLibraries({
        bundled: existsSync(bundledDir) ? readdirSync(bundledDir) : [],
        bundledDir,
        manifest,
        system: system(),
      });
      status.advice.push(...missingCudaAdvice(status.cuda));
    }
    out.push(status);
  }
  return out;
}

/** The lines doctor prints for the native engines. */
export function formatNativeStatus(statuses: readonly NativeStatus[]): string[] {
  const lines: string[] = [];
  for (const s of statuses) {
    const origin = s.builtHere
      ? `built here from ${s.wheel ?? 'a TensorFlow wheel'}`
      : s.binding
        ? 'installed by npm'
        : 'not built';
    lines.push(`Native:      ${s.package}${s.tensorflow ? ` (TensorFlow ${s.tensorflow})` : ''}, ${origin}`);
    if (s.libraries) lines.push(`             libraries in ${s.libraries}`);
    for (const c of s.cuda ?? []) {
      lines.push(
        `             ${c.path ? 'ok     ' : 'MISSING'} ${c.soname} (${c.what}${c.version ? ` ${c.version}` : ''})${c.path ? ` ${dirname(c.path)}` : ''}`,
      );
    }
  }
  return lines;
}
