import type { EngineInfo } from '../contract';
import { createLab } from '../lab';
import { findKerasPython, type PythonProbe } from '../keras/python-env';
import { appVersion } from '../version';
import { printJson, type CliIo } from './io';
import { spawnSync } from 'node:child_process';
import { appRoot } from '../version';
import { formatNativeStatus, nativeStatuses, systemLibraries, type NativeStatus } from '../native/native-status';

export interface DoctorReport {
  version: string;
  dataDir: string;
  node: string;
  platform: string;
  engine: EngineInfo;
  /** The native engines installed in the project: how they were built, their TensorFlow, CUDA. */
  native: NativeStatus[];
  /** What to install for a faster engine, most useful first; empty when on the GPU. */
  suggestions: string[];
  /** The Keras engine: the Python found (versions, devices), or every candidate with what it lacks. */
  keras?: { found?: PythonProbe; tried: PythonProbe[] };
}

const nativeCpuHint =
  'For native CPU speed: "npm install @tensorflow/tfjs-node" (it downloads libtensorflow at install time); ' +
  'offline on Linux, "xlab engine build-native" builds it from a TensorFlow pip wheel.';
const gpuHint =
  'For an NVIDIA GPU (Linux x86-64): "xlab engine build-native --gpu" (TensorFlow with CUDA 12 / cuDNN 9 from pip wheels); ' +
  'or install CUDA 11.2 and cuDNN 8.1, then "npm install @tensorflow/tfjs-node-gpu".';
const cudaHint =
  'tfjs-node-gpu is installed but running on the CPU: as npm installs it, it needs exactly CUDA 11.2 and cuDNN 8.1 ' +
  '(libcudart.so.11.0, libcudnn.so.8 on LD_LIBRARY_PATH, or on PATH on Windows) and an NVIDIA driver; ' +
  '"xlab engine build-native --gpu" builds it for CUDA 12 / cuDNN 9 instead.';

/** What would make training faster on this machine, given the engine that loaded. Pure. */
export function suggestionsFor(
  engine: EngineInfo,
  platform: NodeJS.Platform,
  native: readonly NativeStatus[] = [],
): string[] {
  const gpuPossible = platform === 'linux' || platform === 'win32';
  const advice = native.flatMap((n) => n.advice);
  if (engine.device === 'gpu') return advice;
  const gpuBuiltHere = native.some((n) => n.flavor === 'gpu' && n.builtHere);
  if (engine.name === 'tfjs-node-gpu') return gpuBuiltHere ? advice : [cudaHint, ...advice];
  if (engine.name === 'tfjs-node') return [...(gpuPossible && !gpuBuiltHere ? [gpuHint] : []), ...advice];
  return [...(gpuPossible ? [nativeCpuHint, gpuHint] : [nativeCpuHint]), ...advice];
}

/** The CUDA libraries the system's loader would find (ldconfig's cache and LD_LIBRARY_PATH). */
function systemCuda(env: NodeJS.ProcessEnv): Map<string, string> {
  const ldconfig = spawnSync('ldconfig', ['-p'], { encoding: 'utf8' });
  const fallback = ldconfig.error ? spawnSync('/sbin/ldconfig', ['-p'], { encoding: 'utf8' }) : ldconfig;
  return systemLibraries(env, fallback.stdout ?? '');
}

export async function doctor(io: CliIo, options: { dataDir: string; json: boolean }): Promise<void> {
  const lab = await createLab({ dataDir: options.dataDir, env: io.env, workerUrl: io.workerUrl });
  try {
    const engine = await lab.getEngine();
    const native = nativeStatuses(appRoot(), () => systemCuda(io.env));
    const report: DoctorReport = {
      version: appVersion(),
      dataDir: options.dataDir,
      node: process.versions.node,
      platform: `${process.platform}-${process.arch}`,
      engine,
      native,
      suggestions: suggestionsFor(engine, process.platform, native),
      keras: await findKerasPython(options.dataDir, io.env),
    };
    if (options.json) return printJson(io, report);
    io.stdout(formatDoctor(report));
  } finally {
    await lab.close();
  }
}

export function formatDoctor(report: DoctorReport): string {
  const lines = [
    `Xception Lab ${report.version} (Node ${report.node}, ${report.platform})`,
    `Data folder: ${report.dataDir}`,
    `Engine:      ${report.engine.name} ${report.engine.version} on ${report.engine.device.toUpperCase()} (backend "${report.engine.backend}")`,
    `Why:         ${report.engine.reason}`,
  ];
  if (report.engine.tensorflow)
    lines.push(
      `TensorFlow:  ${report.engine.tensorflow}${report.engine.libraries ? ` (libraries in ${report.engine.libraries})` : ''}`,
    );
  lines.push(...formatNativeStatus(report.native));
  if (report.keras?.found) {
    const k = report.keras.found;
    lines.push(
      `Keras:       TensorFlow ${k.tensorflow}, Keras ${k.keras} on ${k.devices?.join(', ') ?? 'CPU'} — ${k.python} (${k.from}); use it with --engine keras`,
    );
  } else if (report.keras) {
    lines.push('Keras:       not available (xlab engine setup-keras installs it):');
    for (const t of report.keras.tried) lines.push(`  - ${t.python} (${t.from}): ${t.problem}`);
  }
  if (report.suggestions.length > 0) {
    lines.push('', 'Faster engines:');
    for (const s of report.suggestions) lines.push(`  - ${s}`);
  }
  return `${lines.join('\n')}\n`;
}
