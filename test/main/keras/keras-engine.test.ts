/**
 * `xlab train --engine keras` through the real CLI in child processes, like a user's terminal.
 * Without TensorFlow (a stand-in Python answering the probe): a missing Python is refused
 * before any run is made, and a train.py that crashes leaves a `failed` run naming the
 * traceback's last line and the log. With the test Python: a run trains, stops on Ctrl+C
 * keeping its last checkpoint, resumes to completion and lists with engine keras.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastTracebackLine } from '../../../main/keras/keras-run';
import { probeProblem } from '../../../main/keras/python-env';
import { builtWorkerUrl, repoRoot } from '../../helpers/built';
import { findTestPython, type TestPython } from '../../helpers/keras-python';
import { learnableDataset } from '../training/learnable-dataset';

const xlab = join(repoRoot, 'bin', 'xlab.js');

function start(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [xlab, ...args], {
    cwd: repoRoot,
    env: { ...process.env, XLAB_BACKEND: 'js', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, stdout, stderr })),
  );
  const until = (pattern: RegExp) =>
    new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (pattern.test(stderr)) {
          clearInterval(timer);
          resolve();
        }
      }, 200);
      void done.then(() => {
        clearInterval(timer);
        if (pattern.test(stderr)) resolve();
        else reject(new Error(`xlab exited before printing ${pattern}:\n${stderr}`));
      });
    });
  return { child, done, until };
}

let dataset: string;

beforeAll(async () => {
  builtWorkerUrl(); // the CLI bundle must be built
  dataset = (await learnableDataset({ classes: 3, perClass: 8, size: 16 })).root;
});

describe('pure helpers', () => {
  it('finds the last line of a Python traceback', () => {
    const log =
      'Training…\nTraceback (most recent call last):\n  File "train.py", line 3, in <module>\n    main()\nValueError: boom\n';
    expect(lastTracebackLine(log)).toBe('ValueError: boom');
    expect(lastTracebackLine('just a line\n')).toBe('just a line');
  });
  it('says what a Python lacks', () => {
    expect(probeProblem({ error: "No module named 'tensorflow'" })).toMatch(/TensorFlow is not installed.*setup-keras/);
    expect(probeProblem({ tensorflow: '2.15.1', keras: '2.15.0' })).toMatch(/2\.15\.1 is too old/);
    expect(probeProblem({ tensorflow: '2.16.1', keras: '2.16.0', pillow: '10' })).toMatch(/Keras 2\.16\.0 is Keras 2/);
    expect(probeProblem({ tensorflow: '2.21.0', keras: '3.15.1', pillow: '11.0' })).toBeUndefined();
  });
});

describe('xlab train --engine keras without TensorFlow', { timeout: 120_000 }, () => {
  it('refuses when no Python with TensorFlow is found, and makes no run', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'xlab-keras-none-'));
    const result = await start(['train', dataset, '--engine', 'keras', '--preset', 'micro', '--data-dir', dataDir], {
      XLAB_PYTHON: join(dataDir, 'no-such-python'),
    }).done;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /The Keras engine needs Python with TensorFlow .*cannot be run \(not found\).*xlab engine setup-keras/,
    );
    expect(await readdir(join(dataDir, 'runs')).catch(() => [])).toEqual([]);
  });

  it('a train.py that crashes leaves a failed run with the traceback and the log path', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'xlab-keras-fail-'));
    const fake = join(dataDir, 'fake-python');
    await writeFile(
      fake,
      `#!/bin/sh
if [ "$1" = "-c" ]; then
  echo 'XLAB_PROBE {"python": "3.11.2", "tensorflow": "2.21.0", "keras": "3.15.1", "pillow": "11.0", "devices": ["CPU:0"]}'
  exit 0
fi
echo "Training 2 epochs" 
echo 'Traceback (most recent call last):' >&2
echo '  File "train.py", line 1, in <module>' >&2
echo 'ValueError: the optimizer exploded' >&2
exit 1
`,
    );
    await chmod(fake, 0o755);
    const failing = start(
      [
        'train',
        dataset,
        '--engine',
        'keras',
        '--preset',
        'micro',
        '--size',
        '24',
        '--epochs',
        '1',
        '--data-dir',
        dataDir,
        '--json',
      ],
      { XLAB_PYTHON: fake },
    );
    await failing.until(/optimizer exploded/);
    const failedAt = Date.now();
    const result = await failing.done;
    expect(result.code).toBe(1);
    // The CLI leaves once the run is recorded (it used to sit out a 60 s shutdown timer).
    expect(Date.now() - failedAt).toBeLessThan(30_000);
    const [runId] = await readdir(join(dataDir, 'runs'));
    const run = JSON.parse(await readFile(join(dataDir, 'runs', runId!, 'run.json'), 'utf8'));
    expect(run.status).toBe('failed');
    expect(run.engine).toMatchObject({ name: 'keras', version: '2.21.0', device: 'cpu' });
    expect(run.error.message).toContain('ValueError: the optimizer exploded');
    expect(run.error.message).toContain(join(dataDir, 'runs', runId!, 'keras.log'));
    await stat(join(dataDir, 'runs', runId!, 'keras', 'train.py')); // the project it ran
  });
});

describe('xlab train --engine keras with TensorFlow', { timeout: 900_000 }, () => {
  let env: TestPython = {};
  beforeAll(async () => {
    env = await findTestPython();
  }, 300_000);

  it('trains, stops on Ctrl+C keeping the last checkpoint, resumes to completion', async (ctx) => {
    if (!env.python) return ctx.skip(env.skip);
    const dataDir = await mkdtemp(join(tmpdir(), 'xlab-keras-engine-'));
    const penv = { XLAB_PYTHON: env.python };
    const first = start(
      [
        'train',
        dataset,
        '--engine',
        'keras',
        '--preset',
        'micro',
        '--size',
        '24',
        '--epochs',
        '3',
        '--batch',
        '4',
        '--seed',
        '3',
        '--data-dir',
        dataDir,
      ],
      penv,
    );
    await first.until(/epoch 1: loss/);
    first.child.kill('SIGINT');
    const stopped = await first.done;
    expect(stopped.code, stopped.stderr).toBe(0);
    const [runId] = await readdir(join(dataDir, 'runs'));
    const runDir = join(dataDir, 'runs', runId!);
    let run = JSON.parse(await readFile(join(runDir, 'run.json'), 'utf8'));
    expect(run.status, JSON.stringify(run.error)).toBe('stopped');
    expect(run.epochsDone).toBeGreaterThanOrEqual(1);
    expect(run.epochsDone).toBeLessThan(3);
    await stat(join(runDir, 'checkpoints', 'last', 'model.json'));

    const resumed = await start(['resume', runId!, '--data-dir', dataDir], penv).done;
    expect(resumed.code, resumed.stderr).toBe(0);
    run = JSON.parse(await readFile(join(runDir, 'run.json'), 'utf8'));
    expect(run).toMatchObject({ status: 'completed', epochsDone: 3, engine: { name: 'keras' } });
    const epochs = (await readFile(join(runDir, 'metrics.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((l) => l.type === 'epoch')
      .map((l) => l.epoch);
    expect(epochs).toEqual([0, 1, 2]);

    const listed = await start(['runs', '--json', '--data-dir', dataDir], penv).done;
    expect(JSON.parse(listed.stdout)[0]).toMatchObject({ id: runId, status: 'completed', engine: 'keras (cpu)' });
  });
});
