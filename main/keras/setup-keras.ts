/**
 * `xlab engine setup-keras`: a virtual environment in the data folder with TensorFlow, Keras 3
 * and Pillow, installed by the user's own pip from its configured index (or from a folder of
 * wheels with --from), then probed like any candidate Python.
 */
import { spawn } from 'node:child_process';
import { LabError } from '../errors';
import { kerasVenvDir, probePython, venvPython, type PythonProbe } from './python-env';

export interface SetupKerasOptions {
  dataDir: string;
  /** The Python that creates the environment (default python3). */
  python?: string;
  /** A folder of wheels to install from instead of pip's index. */
  from?: string;
  /** tensorflow-cpu (default) or tensorflow (with GPU support on Linux). */
  tensorflowPackage?: 'tensorflow-cpu' | 'tensorflow';
  env: NodeJS.ProcessEnv;
  /** Where pip's and venv's output goes (the CLI's stderr). */
  log: (text: string) => void;
}

function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  log: (text: string) => void,
): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d: Buffer) => log(d.toString()));
    child.stderr.on('data', (d: Buffer) => log(d.toString()));
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(
        new LabError(
          'PYTHON_NOT_FOUND',
          error.code === 'ENOENT'
            ? `${command} was not found: install Python 3.9–3.12, or pass its path with --python.`
            : `${command} could not be started: ${error.message}.`,
        ),
      ),
    );
    child.on('exit', (code) => resolve(code));
  });
}

/** The pip arguments that install the Keras engine's packages. Pure. */
export function pipInstallArgs(options: Pick<SetupKerasOptions, 'from' | 'tensorflowPackage'>): string[] {
  const packages = [`${options.tensorflowPackage ?? 'tensorflow-cpu'}>=2.16`, 'keras>=3', 'pillow'];
  return ['-m', 'pip', 'install', ...(options.from ? ['--no-index', '--find-links', options.from] : []), ...packages];
}

export async function setupKeras(options: SetupKerasOptions): Promise<PythonProbe> {
  const venv = kerasVenvDir(options.dataDir);
  const base = options.python ?? (process.platform === 'win32' ? 'python' : 'python3');
  options.log(`Creating ${venv} with ${base}…\n`);
  if ((await run(base, ['-m', 'venv', venv], options.env, options.log)) !== 0) {
    throw new LabError(
      'SETUP_FAILED',
      `${base} could not create a virtual environment in ${venv} (on Debian/Ubuntu: apt-get install python3-venv).`,
    );
  }
  const python = venvPython(venv);
  const args = pipInstallArgs(options);
  options.log(`Installing with pip: ${args.slice(3).join(' ')}…\n`);
  if ((await run(python, args, options.env, options.log)) !== 0) {
    throw new LabError(
      'SETUP_FAILED',
      options.from
        ? `pip could not install TensorFlow, Keras and Pillow from ${options.from}: the folder needs wheels for this Python and all their dependencies (see pip's messages above).`
        : `pip could not install TensorFlow, Keras and Pillow: it needs a package index it can reach (check "pip config list", PIP_INDEX_URL, a proxy), or a folder of wheels: xlab engine setup-keras --from DIR.`,
    );
  }
  const probe = await probePython(python, 'setup-keras', options.env);
  if (!probe.ok) throw new LabError('SETUP_FAILED', `The environment in ${venv} was made, but ${probe.problem}`);
  return probe;
}
