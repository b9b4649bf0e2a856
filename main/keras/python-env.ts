/**
 * Finding a Python that can run exported Keras projects: TensorFlow ≥ 2.16 with Keras 3 and
 * Pillow. Candidates in order: `XLAB_PYTHON`, the environment `xlab engine setup-keras` makes
 * in the data folder, `python3` on PATH. Each is asked once, in one Python process (importing
 * TensorFlow takes seconds), for its versions and devices.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The virtual environment `xlab engine setup-keras` creates. */
export const kerasVenvDir = (dataDir: string): string => join(dataDir, 'keras-venv');

export function venvPython(venv: string, platform: NodeJS.Platform = process.platform): string {
  return platform === 'win32' ? join(venv, 'Scripts', 'python.exe') : join(venv, 'bin', 'python');
}

export interface PythonProbe {
  python: string;
  /** Where the candidate came from: "XLAB_PYTHON", "setup-keras", "PATH". */
  from: string;
  ok: boolean;
  pythonVersion?: string;
  tensorflow?: string;
  keras?: string;
  pillow?: string;
  devices?: string[];
  /** Why this Python cannot run the projects, and what to install. */
  problem?: string;
}

const probeScript = `
import json, sys
out = {"python": sys.version.split()[0]}
try:
    import PIL
    out["pillow"] = PIL.__version__
except Exception as e:
    out["pillowError"] = str(e).splitlines()[0] if str(e) else type(e).__name__
try:
    import os
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf
    out["tensorflow"] = tf.__version__
    out["devices"] = [d.name.split("device:")[-1] for d in tf.config.list_physical_devices()]
    import keras
    out["keras"] = keras.__version__
except Exception as e:
    out["error"] = (str(e).splitlines() or [type(e).__name__])[0]
print("XLAB_PROBE " + json.dumps(out))
`;

const major = (version: string | undefined): number => Number(version?.split('.')[0] ?? 0);
const minor = (version: string | undefined): number => Number(version?.split('.')[1] ?? 0);

/** What is wrong with a probe's answer, or undefined when the Python can run the projects. */
export function probeProblem(answer: {
  tensorflow?: string;
  keras?: string;
  pillow?: string;
  error?: string;
}): string | undefined {
  const install =
    'install them with "xlab engine setup-keras" (or pip install "tensorflow-cpu>=2.16" "keras>=3" pillow)';
  if (!answer.tensorflow) return `TensorFlow is not installed${answer.error ? ` (${answer.error})` : ''}: ${install}.`;
  if (major(answer.tensorflow) < 2 || (major(answer.tensorflow) === 2 && minor(answer.tensorflow) < 16)) {
    return `TensorFlow ${answer.tensorflow} is too old (2.16 or newer is needed, for Keras 3): ${install}.`;
  }
  if (!answer.keras) return `Keras is not importable${answer.error ? ` (${answer.error})` : ''}: ${install}.`;
  if (major(answer.keras) < 3) return `Keras ${answer.keras} is Keras 2; Keras 3 is needed: ${install}.`;
  if (!answer.pillow) return `Pillow is not installed: ${install}.`;
  return undefined;
}

/** Asks one Python for its versions and devices. */
export function probePython(python: string, from: string, env: NodeJS.ProcessEnv = process.env): Promise<PythonProbe> {
  return new Promise((resolve) => {
    execFile(python, ['-c', probeScript], { env, timeout: 300_000, maxBuffer: 4 * 1024 * 1024 }, (error, stdout) => {
      const line = stdout.split('\n').find((l) => l.startsWith('XLAB_PROBE '));
      if (!line) {
        const why = error
          ? (error as NodeJS.ErrnoException).code === 'ENOENT'
            ? 'not found'
            : error.message.split('\n')[0]
          : 'no answer';
        resolve({ python, from, ok: false, problem: `${python} cannot be run (${why}).` });
        return;
      }
      const answer = JSON.parse(line.slice('XLAB_PROBE '.length)) as {
        python: string;
        tensorflow?: string;
        keras?: string;
        pillow?: string;
        devices?: string[];
        error?: string;
      };
      const problem = probeProblem(answer);
      resolve({
        python,
        from,
        ok: problem === undefined,
        pythonVersion: answer.python,
        ...(answer.tensorflow ? { tensorflow: answer.tensorflow } : {}),
        ...(answer.keras ? { keras: answer.keras } : {}),
        ...(answer.pillow ? { pillow: answer.pillow } : {}),
        ...(answer.devices ? { devices: answer.devices } : {}),
        ...(problem ? { problem } : {}),
      });
    });
  });
}

/** The candidates, in the order they are tried. */
export function pythonCandidates(dataDir: string, env: NodeJS.ProcessEnv): { python: string; from: string }[] {
  const candidates: { python: string; from: string }[] = [];
  if (env.XLAB_PYTHON) candidates.push({ python: env.XLAB_PYTHON, from: 'XLAB_PYTHON' });
  const venv = venvPython(kerasVenvDir(dataDir));
  if (existsSync(venv)) candidates.push({ python: venv, from: 'setup-keras' });
  candidates.push({ python: process.platform === 'win32' ? 'python' : 'python3', from: 'PATH' });
  return candidates;
}

/**
 * The Python the Keras engine uses: the first candidate that works; else the probes of all,
 * so the caller can say what each lacks. `XLAB_PYTHON`, when set, is the only one tried.
 */
export async function findKerasPython(
  dataDir: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ found?: PythonProbe; tried: PythonProbe[] }> {
  const tried: PythonProbe[] = [];
  const candidates = pythonCandidates(dataDir, env);
  for (const candidate of env.XLAB_PYTHON ? candidates.slice(0, 1) : candidates) {
    const probe = await probePython(candidate.python, candidate.from, env);
    tried.push(probe);
    if (probe.ok) return { found: probe, tried };
  }
  return { tried };
}
