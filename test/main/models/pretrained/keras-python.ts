/**
 * The Python with Keras the agreement tests build their reference models with: XLAB_TEST_PYTHON
 * (CI creates a venv and exports its python), else `python3` if it imports keras, h5py and
 * tensorflow; otherwise the tests are skipped with one line saying why.
 */
import { spawnSync } from 'node:child_process';

export interface KerasPython {
  python: string | null;
  /** Why there is none. */
  reason: string;
}

export function findKerasPython(env: NodeJS.ProcessEnv = process.env): KerasPython {
  const python = env.XLAB_TEST_PYTHON || 'python3';
  const probe = spawnSync(python, ['-c', 'import keras, h5py, tensorflow'], {
    encoding: 'utf8',
    env: { ...env, TF_CPP_MIN_LOG_LEVEL: '3' },
    timeout: 120_000,
  });
  if (probe.status === 0) return { python, reason: '' };
  const why = probe.error ? probe.error.message : (probe.stderr.trim().split('\n').pop() ?? `exit ${probe.status}`);
  return {
    python: null,
    reason: `${python} cannot import keras, h5py and tensorflow (${why}); set XLAB_TEST_PYTHON to a Python that can`,
  };
}
