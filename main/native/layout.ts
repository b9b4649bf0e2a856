/**
 * Where the native engine's pieces come from and go: which files of a TensorFlow pip wheel make
 * tfjs-node's `deps/` folder, which NVIDIA wheels carry the CUDA libraries a GPU build loads, and
 * the names of everything on disk. Pure: the build (build-native.ts) and `xlab doctor` share it.
 */
import { posix } from 'node:path';

export type NativeFlavor = 'cpu' | 'gpu';

/** The tfjs-node release the lab is built and tested against (package.json pins the same). */
export const tfjsNodeVersion = '4.22.0';

export const nativePackage: Record<NativeFlavor, string> = {
  cpu: '@tensorflow/tfjs-node',
  gpu: '@tensorflow/tfjs-node-gpu',
};

/** The pip project whose wheel carries the TensorFlow C API for each flavour. */
export const wheelProject: Record<NativeFlavor, string> = {
  cpu: 'tensorflow-cpu',
  gpu: 'tensorflow',
};

/**
 * tfjs-node's install script downloads libtensorflow 2.9.1 unless this file is in deps/lib;
 * with it a later `npm rebuild` keeps the libraries built here.
 */
export const skipDownloadMarker = 'libtensorflow.so.2.9.1';

/** The names tfjs-node's binding.gyp links against, and the wheel's libraries they stand for. */
export const libraryLinks: readonly { name: string; target: string }[] = [
  { name: 'libtensorflow.so', target: 'libtensorflow_cc.so.2' },
  { name: 'libtensorflow_framework.so', target: 'libtensorflow_framework.so.2' },
];

/** Files the unpacked copy must have; a wheel without them has no C API to build against. */
export const requiredFiles = [
  'lib/libtensorflow_cc.so.2',
  'lib/libtensorflow_framework.so.2',
  'include/tensorflow/c/c_api.h',
  'include/tensorflow/c/eager/c_api.h',
] as const;

/** Written last into an unpacked copy: its presence means the copy is complete. */
export const manifestName = 'xlab-native.json';
/** Written into the tfjs-node package once its binding is built against a shared copy. */
export const buildStampName = 'xlab-native-build.json';

/** Headers the binding's C API includes pull in (everything else under include/ is C++ for Python). */
const headerPrefixes = ['tensorflow/c/', 'tensorflow/core/platform/ctstring', 'tsl/', 'xla/tsl/c/'];

/**
 * Where a file of the TensorFlow wheel goes in the unpacked copy (relative path), or undefined
 * when the native engine does not need it.
 */
export function tensorflowWheelTarget(entry: string): string | undefined {
  if (entry === 'tensorflow/libtensorflow_cc.so.2' || entry === 'tensorflow/libtensorflow_framework.so.2') {
    return `lib/${posix.basename(entry)}`;
  }
  const include = 'tensorflow/include/';
  if (entry.startsWith(include) && !entry.endsWith('/')) {
    const header = entry.slice(include.length);
    if (headerPrefixes.some((p) => header.startsWith(p))) return `include/${header}`;
  }
  return undefined;
}

/**
 * Where a file of an NVIDIA CUDA wheel (nvidia/<part>/lib/lib*.so.N) goes: one flat cuda/lib
 * folder, so libraries that find each other through `$ORIGIN` still do.
 */
export function cudaWheelTarget(entry: string): string | undefined {
  const m = /^nvidia\/[^/]+\/lib\/(lib[^/]+\.so(?:\.\d+)*)$/.exec(entry);
  return m ? `cuda/lib/${m[1]}` : undefined;
}

export interface WheelName {
  /** The project as pip spells it in requirements (dashes, lower case). */
  project: string;
  version: string;
  python: string;
  abi: string;
  platform: string;
}

/** Reads a wheel file name (PEP 427: name-version(-build)?-python-abi-platform.whl). */
export function parseWheelName(fileName: string): WheelName | undefined {
  const base = posix.basename(fileName.replace(/\\/g, '/'));
  if (!base.endsWith('.whl')) return undefined;
  const parts = base.slice(0, -4).split('-');
  if (parts.length !== 5 && parts.length !== 6) return undefined;
  const [name, version] = parts;
  const [python, abi, platform] = parts.slice(-3);
  return {
    project: name!.toLowerCase().replace(/[_.]+/g, '-'),
    version: version!,
    python: python!,
    abi: abi!,
    platform: platform!,
  };
}

/** Folder name of one unpacked copy: one per wheel, shared by every project that builds against it. */
export function unpackedFolderName(wheel: WheelName): string {
  return `${wheel.project}-${wheel.version}-${wheel.platform}`;
}

/** Wheels that can be used for a flavour: Linux x86-64 ones of the right project (newest first). */
export function pickWheel(fileNames: readonly string[], flavor: NativeFlavor): string | undefined {
  const usable = fileNames
    .map((f) => ({ f, w: parseWheelName(f) }))
    .filter(({ w }) => w !== undefined && w.project === wheelProject[flavor] && /manylinux.*x86_64/.test(w.platform));
  usable.sort((a, b) => compareVersions(b.w!.version, a.w!.version));
  return usable[0]?.f;
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.+-]/).map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split(/[.+-]/).map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * The CUDA wheels a TensorFlow wheel asks for: its `Requires-Dist: nvidia-… ; extra == "and-cuda"`
 * lines (what `pip install tensorflow[and-cuda]` would add), as pip requirement strings.
 */
export function cudaRequirements(metadata: string): string[] {
  const out: string[] = [];
  for (const line of metadata.split(/\r?\n/)) {
    const m = /^Requires-Dist:\s*(nvidia-[^;]+?)\s*;\s*extra\s*==\s*["']and-cuda["']\s*$/.exec(line);
    if (m) out.push(m[1]!.replace(/\s*\(([^)]*)\)/, '$1').replace(/\s+/g, ''));
  }
  return out;
}

/** The project name of a requirement string ("nvidia-cudnn-cu12<10.0,>=9.3" → "nvidia-cudnn-cu12"). */
export function requirementProject(requirement: string): string {
  return /^[A-Za-z0-9._-]+/.exec(requirement)![0].toLowerCase().replace(/[_.]+/g, '-');
}

/**
 * The CUDA 12 / cuDNN 9 libraries TensorFlow 2.x loads for the GPU, in the order the lab preloads
 * them (dependencies first), each with the NVIDIA wheel that carries it.
 */
export const cudaLibraries: readonly { soname: string; wheel: string; what: string }[] = [
  { soname: 'libcudart.so.12', wheel: 'nvidia-cuda-runtime-cu12', what: 'CUDA runtime' },
  { soname: 'libnvJitLink.so.12', wheel: 'nvidia-nvjitlink-cu12', what: 'CUDA JIT linker' },
  { soname: 'libcublasLt.so.12', wheel: 'nvidia-cublas-cu12', what: 'cuBLASLt' },
  { soname: 'libcublas.so.12', wheel: 'nvidia-cublas-cu12', what: 'cuBLAS' },
  { soname: 'libcusparse.so.12', wheel: 'nvidia-cusparse-cu12', what: 'cuSPARSE' },
  { soname: 'libcusolver.so.11', wheel: 'nvidia-cusolver-cu12', what: 'cuSOLVER' },
  { soname: 'libcufft.so.11', wheel: 'nvidia-cufft-cu12', what: 'cuFFT' },
  { soname: 'libcurand.so.10', wheel: 'nvidia-curand-cu12', what: 'cuRAND' },
  { soname: 'libcudnn.so.9', wheel: 'nvidia-cudnn-cu12', what: 'cuDNN 9' },
];

/** The driver's library: it comes with the NVIDIA driver, never from a wheel. */
export const cudaDriverLibrary = 'libcuda.so.1';

/** What an unpacked copy records about itself (manifestName). */
export interface NativeManifest {
  flavor: NativeFlavor;
  /** The TensorFlow wheel's file name and version. */
  wheel: string;
  tensorflow: string;
  /** The NVIDIA wheels unpacked into cuda/lib (GPU copies only): file names and versions. */
  cuda: { wheel: string; project: string; version: string }[];
}

export interface CudaCheck {
  soname: string;
  what: string;
  /** Where it was found (full path), or undefined when missing. */
  path?: string;
  /** Version of the wheel it came from, when it came from one. */
  version?: string;
}

/**
 * Which CUDA libraries a GPU build would load and where each is: the shared copy's cuda/lib
 * first (what the lab preloads), then the system's (ld.so cache, LD_LIBRARY_PATH).
 */
export function checkCudaLibraries(input: {
  /** File names in the shared copy's cuda/lib. */
  bundled: readonly string[];
  bundledDir: string;
  manifest?: NativeManifest;
  /** soname → full path, from the system's library search. */
  system: ReadonlyMap<string, string>;
}): CudaCheck[] {
  const versionOf = (wheel: string): string | undefined =>
    input.manifest?.cuda.find((c) => c.project === wheel)?.version;
  const checks: CudaCheck[] = cudaLibraries.map(({ soname, wheel, what }) => {
    if (input.bundled.includes(soname))
      return { soname, what, path: posix.join(input.bundledDir, soname), version: versionOf(wheel) };
    const path = input.system.get(soname);
    return path ? { soname, what, path } : { soname, what };
  });
  const driver = input.system.get(cudaDriverLibrary);
  checks.push(
    driver
      ? { soname: cudaDriverLibrary, what: 'NVIDIA driver', path: driver }
      : { soname: cudaDriverLibrary, what: 'NVIDIA driver' },
  );
  return checks;
}

/** One sentence per missing CUDA library saying what to install; empty when all are there. */
export function missingCudaAdvice(checks: readonly CudaCheck[]): string[] {
  const advice: string[] = [];
  const missingWheels = new Set<string>();
  for (const check of checks) {
    if (check.path) continue;
    if (check.soname === cudaDriverLibrary) {
      advice.push(`${cudaDriverLibrary} is missing: install the NVIDIA driver (525 or newer for CUDA 12).`);
      continue;
    }
    const wheel = cudaLibraries.find((c) => c.soname === check.soname)!.wheel;
    missingWheels.add(wheel);
    advice.push(`${check.soname} (${check.what}) is missing: it comes with the ${wheel} wheel.`);
  }
  if (missingWheels.size > 0) {
    advice.push(
      `Put ${[...missingWheels].join(', ')} wheels next to the TensorFlow wheel (or let pip fetch them) and run "xlab engine build-native --gpu" again.`,
    );
  }
  return advice;
}

/** Parses `ldconfig -p` output into soname → path (64-bit entries only). */
export function parseLdconfig(output: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of output.split('\n')) {
    const m = /^\s*(\S+)\s+\(([^)]*)\)\s+=>\s+(\S+)\s*$/.exec(line);
    if (m && /x86-64|64bit/.test(m[2]!) && !map.has(m[1]!)) map.set(m[1]!, m[3]!);
  }
  return map;
}
