/**
 * The Python the Keras bridge tests run: XLAB_TEST_PYTHON (set by .ci/run), else python3 on
 * PATH, when it has TensorFlow ≥ 2.16, Keras 3 and Pillow. Otherwise `skip` says why, in one
 * line, and the tests that need it are skipped.
 */
import { execFile } from 'node:child_process';
import { probePython } from '../../main/keras/python-env';

export interface TestPython {
  python?: string;
  skip?: string;
}

export async function findTestPython(): Promise<TestPython> {
  const python = process.env.XLAB_TEST_PYTHON ?? 'python3';
  const probe = await probePython(python, process.env.XLAB_TEST_PYTHON ? 'XLAB_TEST_PYTHON' : 'PATH');
  if (probe.ok) return { python };
  const skip = `Keras tests skipped: ${probe.problem} (set XLAB_TEST_PYTHON to a Python with TensorFlow, Keras 3 and Pillow).`;
  console.warn(skip);
  return { skip };
}

/** Runs a Python script (quiet TensorFlow logs) and resolves with its stdout; rejects with its stderr's tail. */
export function runPython(
  python: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      python,
      args,
      {
        cwd: options.cwd,
        env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2', ...options.env },
        timeout: options.timeoutMs ?? 300_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error)
          reject(
            new Error(
              `${python} ${args.join(' ')} failed: ${error.message}\n${stderr.split('\n').slice(-25).join('\n')}`,
            ),
          );
        else resolve(stdout);
      },
    );
  });
}
