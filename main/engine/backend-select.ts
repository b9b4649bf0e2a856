import type { EngineInfo, EngineName } from '../contract';
import { LabError, firstLine } from '../errors';

/** What `XLAB_BACKEND` can force. */
export type BackendPreference = 'gpu' | 'cpu' | 'js';

/** The part of the tfjs API the selection needs; tfjs, tfjs-node and tfjs-node-gpu all provide it. */
export interface TfLike {
  ready(): Promise<void>;
  setBackend(name: string): Promise<boolean>;
  getBackend(): string;
  backend(): unknown;
  version: Record<string, string>;
}

/** Loads a package by name (the real one is `require`); injected so the choice is testable. */
export type ModuleLoader = (packageName: string) => Promise<TfLike> | TfLike;

export interface SelectedBackend<T extends TfLike = TfLike> {
  tf: T;
  info: EngineInfo;
}

interface Candidate {
  preference: BackendPreference;
  name: EngineName;
  packageName: string;
}

/**
 * pure-JS tfjs greets Node users on its first tensor with a "Hi, looks like you are running
 * TensorFlow.js in Node.js … install our node backend" banner (tfjs-backend-cpu's
 * `MathBackendCPU.write`, once per backend, while its `firstUse` is true). The engine badge and
 * `xlab doctor` already say which engine runs and what is faster, so the backend is told its first
 * use is over. Any other backend (no `firstUse`) is left alone.
 */
export function skipNodeGreeting(backend: unknown): void {
  if (backend !== null && typeof backend === 'object' && 'firstUse' in backend)
    (backend as { firstUse: boolean }).firstUse = false;
}

/** Best first. */
export const candidates: readonly Candidate[] = [
  { preference: 'gpu', name: 'tfjs-node-gpu', packageName: '@tensorflow/tfjs-node-gpu' },
  { preference: 'cpu', name: 'tfjs-node', packageName: '@tensorflow/tfjs-node' },
  { preference: 'js', name: 'tfjs', packageName: '@tensorflow/tfjs' },
];

export function parseBackendPreference(value: string | undefined): BackendPreference | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const v = value.trim().toLowerCase();
  if (v === 'gpu' || v === 'cpu' || v === 'js') return v;
  throw new LabError(
    'BAD_BACKEND',
    `XLAB_BACKEND=${value} is not an engine: use gpu, cpu or js, or unset it to pick the fastest one that loads.`,
  );
}

/** Why a package could not be used, in a few words. */
export function describeLoadFailure(candidate: Candidate, error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  const missing =
    (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') && message.includes(candidate.packageName);
  if (missing) return `${candidate.name} is not installed`;
  if (/libcud|libcublas|libcudnn|cuda/i.test(message)) {
    return `${candidate.name} could not load the CUDA 11.2 / cuDNN 8.1 libraries (${firstLine(error)})`;
  }
  return `${candidate.name} is installed but failed to load (${firstLine(error)})`;
}

function versionOf(tf: TfLike, name: EngineName): string {
  return tf.version[name] ?? tf.version.tfjs ?? tf.version['tfjs-core'] ?? 'unknown';
}

/** The TensorFlow version inside a native engine (its binding's TF_Version), if it has one. */
export function tensorflowVersion(tf: TfLike): string | undefined {
  const backend = tf.backend() as { binding?: { TF_Version?: unknown } } | null;
  const v = backend?.binding?.TF_Version;
  return typeof v === 'string' ? v : undefined;
}

function usesGpu(tf: TfLike): boolean {
  // getBackend() says "tensorflow" on CPU and GPU alike; the native backend knows the truth.
  const backend = tf.backend() as { isUsingGpuDevice?: unknown } | null;
  return backend?.isUsingGpuDevice === true;
}

/**
 * Picks the training engine: tfjs-node-gpu, then tfjs-node, then pure-JS tfjs, or only the one
 * `force` names (a clear error if that one cannot load). The reason says why faster ones were
 * not used, so the UI and `xlab doctor` can tell the user what to install.
 */
export async function selectBackend<T extends TfLike>(options: {
  load: (packageName: string) => Promise<T> | T;
  force?: BackendPreference;
}): Promise<SelectedBackend<T>> {
  const { load, force } = options;
  const tried = force ? candidates.filter((c) => c.preference === force) : candidates;
  const skipped: string[] = [];

  for (const candidate of tried) {
    let tf: T;
    try {
      tf = await load(candidate.packageName);
      await tf.ready();
      if (candidate.name === 'tfjs') {
        if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend did not initialise');
        skipNodeGreeting(tf.backend());
      }
    } catch (error) {
      const why = describeLoadFailure(candidate, error);
      if (force) {
        throw new LabError(
          'ENGINE_UNAVAILABLE',
          `XLAB_BACKEND=${force} asks for ${candidate.packageName}: ${why}. ` +
            `Install it with "npm install ${candidate.packageName}", or unset XLAB_BACKEND to use the fastest engine that loads.`,
          { cause: error },
        );
      }
      skipped.push(why);
      continue;
    }
    const info = describeEngine(tf, candidate, skipped, force);
    const tensorflow = candidate.name === 'tfjs' ? undefined : tensorflowVersion(tf);
    return { tf, info: tensorflow ? { ...info, tensorflow } : info };
  }
  throw new LabError(
    'ENGINE_UNAVAILABLE',
    `No training engine could be loaded (${skipped.join('; ')}). Reinstall the app's dependencies with "npm install".`,
  );
}

function describeEngine(tf: TfLike, candidate: Candidate, skipped: string[], force?: BackendPreference): EngineInfo {
  const backend = tf.getBackend();
  const version = versionOf(tf, candidate.name);
  const before = force ? `forced by XLAB_BACKEND=${force}` : skipped.join('; ');
  const prefix = before ? `${before} — ` : '';
  switch (candidate.name) {
    case 'tfjs-node-gpu': {
      const gpu = usesGpu(tf);
      return {
        name: candidate.name,
        device: gpu ? 'gpu' : 'cpu',
        backend,
        version,
        reason: gpu
          ? `${prefix}training on the GPU with CUDA`
          : `${prefix}tfjs-node-gpu found no usable GPU (it needs CUDA 11.2 and cuDNN 8.1) — running on the CPU`,
      };
    }
    case 'tfjs-node':
      return { name: candidate.name, device: 'cpu', backend, version, reason: `${prefix}native TensorFlow on the CPU` };
    case 'tfjs':
      return {
        name: candidate.name,
        device: 'cpu',
        backend,
        version,
        reason: `${prefix}pure-JS engine on the CPU (slower than native TensorFlow)`,
      };
  }
}
