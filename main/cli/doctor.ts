import type { EngineInfo } from '../contract';
import { createLab } from '../engine';
import { findKerasPython, type PythonProbe } from '../keras/python-env';
import { appVersion } from '../version';
import { printJson, type CliIo } from './io';

export interface DoctorReport {
  version: string;
  dataDir: string;
  node: string;
  platform: string;
  engine: EngineInfo;
  /** What to install for a faster engine, most useful first; empty when on the GPU. */
  suggestions: string[];
  /** The Keras engine: the Python found (versions, devices), or every candidate with what it lacks. */
  keras?: { found?: PythonProbe; tried: PythonProbe[] };
}

const nativeCpuHint =
  'For native CPU speed: "npm install @tensorflow/tfjs-node" (it downloads libtensorflow at install time; ' +
  'offline, point TFJS_NODE_CDN_STORAGE at a mirror of its binaries).';
const gpuHint =
  'For an NVIDIA GPU (Linux or Windows, x86-64): install CUDA 11.2 and cuDNN 8.1, then "npm install @tensorflow/tfjs-node-gpu".';
const cudaHint =
  'tfjs-node-gpu is installed but running on the CPU: it needs exactly CUDA 11.2 and cuDNN 8.1 ' +
  '(libcudart.so.11.0, libcudnn.so.8 on LD_LIBRARY_PATH, or on PATH on Windows) and an NVIDIA driver.';

/** What would make training faster on this machine, given the engine that loaded. Pure. */
export function suggestionsFor(engine: EngineInfo, platform: NodeJS.Platform): string[] {
  const gpuPossible = platform === 'linux' || platform === 'win32';
  if (engine.device === 'gpu') return [];
  if (engine.name === 'tfjs-node-gpu') return [cudaHint];
  if (engine.name === 'tfjs-node') return gpuPossible ? [gpuHint] : [];
  return gpuPossible ? [nativeCpuHint, gpuHint] : [nativeCpuHint];
}

export async function doctor(io: CliIo, options: { dataDir: string; json: boolean }): Promise<void> {
  const lab = await createLab({ dataDir: options.dataDir, env: io.env, workerUrl: io.workerUrl });
  try {
    const engine = await lab.getEngine();
    const report: DoctorReport = {
      version: appVersion(),
      dataDir: options.dataDir,
      node: process.versions.node,
      platform: `${process.platform}-${process.arch}`,
      engine,
      suggestions: suggestionsFor(engine, process.platform),
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
  if (report.keras?.found) {
    const k = report.keras.found;
    lines.push(`Keras:       TensorFlow ${k.tensorflow}, Keras ${k.keras} on ${k.devices?.join(', ') ?? 'CPU'} — ${k.python} (${k.from}); use it with --engine keras`);
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
