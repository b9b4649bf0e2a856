import type { EngineInfo } from '../contract';
import { createLab } from '../lab';
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
  if (report.suggestions.length > 0) {
    lines.push('', 'Faster engines:');
    for (const s of report.suggestions) lines.push(`  - ${s}`);
  }
  return `${lines.join('\n')}\n`;
}
