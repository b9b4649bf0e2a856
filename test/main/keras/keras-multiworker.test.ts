/**
 * Scale-out, tested here: the exported train.py with `--distribute multiworker` as two worker
 * processes on 127.0.0.1 (free ports, TF_CONFIG as on two machines), a tiny dataset, one
 * epoch (24 training images: three whole batches of 8, so the step is traced once). Both finish; only the chief writes results, and they import as one run. Each worker
 * is killed if it runs past a generous bound, so a hung collective fails the test, not CI.
 * And Ctrl+C on one worker stops both after the same batch (it used to be ignored: the other
 * went on, or waited forever in a collective once the first was gone).
 */
import { describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../main/cli/program';
import { findTestPython } from '../../helpers/keras-python';
import { learnableDataset } from '../training/learnable-dataset';

const workerTimeoutMs = 600_000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** One worker process; `onOutput` sees everything it has printed so far, on each new piece. */
function worker(
  python: string,
  project: string,
  out: string,
  tfConfig: unknown,
  onOutput: (output: string, child: ChildProcess) => void = () => {},
) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(python, [join(project, 'train.py'), '--distribute', 'multiworker', '--out', out], {
      cwd: project,
      env: { ...process.env, TF_CONFIG: JSON.stringify(tfConfig), TF_CPP_MIN_LOG_LEVEL: '2' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const take = (d: Buffer) => {
      output += d.toString();
      onOutput(output, child);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    const timer = setTimeout(() => child.kill('SIGKILL'), workerTimeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

async function xlab(dataDir: string, ...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli([...argv, '--data-dir', dataDir], {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    env: process.env,
    workerUrl: new URL('file:///unused-worker.js'),
  });
  return { code, stdout, stderr };
}

/** An exported micro project on a 3-class learnable dataset, training `epochs` epochs, and a two-worker cluster. */
async function setUp(epochs: number) {
  const work = await mkdtemp(join(tmpdir(), 'xlab-keras-mw-'));
  const dataDir = join(work, 'data');
  const { root } = await learnableDataset({ classes: 3, perClass: 10, size: 16 });
  const config = join(work, 'config.json');
  await writeFile(
    config,
    JSON.stringify({ model: { preset: 'micro', inputSize: 24 }, training: { epochs, batchSize: 8, seed: 5 } }),
  );
  const project = join(work, 'project');
  const exported = await xlab(dataDir, 'export-keras', '--config', config, root, '--out', project);
  expect(exported.code, exported.stderr).toBe(0);
  const ports = [await freePort(), await freePort()];
  const cluster = { worker: ports.map((p) => `127.0.0.1:${p}`) };
  return { work, dataDir, project, cluster, otherOut: join(work, 'worker-1-output') };
}

describe('train.py --distribute multiworker', () => {
  it(
    "two workers on 127.0.0.1 both finish; the chief's results import as one run",
    { timeout: 1_200_000 },
    async (ctx) => {
      const env = await findTestPython();
      if (!env.python) return ctx.skip(env.skip);
      const { dataDir, project, cluster, otherOut } = await setUp(1);
      const [chief, other] = await Promise.all([
        worker(env.python!, project, join(project, 'output'), { cluster, task: { type: 'worker', index: 0 } }),
        worker(env.python!, project, otherOut, { cluster, task: { type: 'worker', index: 1 } }),
      ]);
      expect(chief.code, chief.output.slice(-3000)).toBe(0);
      expect(other.code, other.output.slice(-3000)).toBe(0);
      // Both trained the same global steps: the same epoch loss on both workers.
      const lossOf = (output: string) => /epoch 1: loss (\S+)/.exec(output)?.[1];
      expect(lossOf(chief.output)).toBeDefined();
      expect(lossOf(other.output)).toBe(lossOf(chief.output));
      expect(await readdir(otherOut)).toEqual([]); // only the chief writes

      const imported = await xlab(dataDir, 'import-keras', project, '--json');
      expect(imported.code, imported.stderr).toBe(0);
      const run = JSON.parse(imported.stdout);
      expect(run).toMatchObject({
        status: 'completed',
        epochsDone: 1,
        engine: { name: 'keras', distribute: 'multiworker', replicas: 2 },
      });
      const metrics = await readFile(join(dataDir, 'runs', run.id, 'metrics.jsonl'), 'utf8');
      expect(
        metrics
          .trim()
          .split('\n')
          .filter((l) => JSON.parse(l).type === 'epoch'),
      ).toHaveLength(1);
    },
  );

  it(
    'Ctrl+C on one worker stops both after the same batch, keeping the finished epochs',
    { timeout: 1_200_000 },
    async (ctx) => {
      const env = await findTestPython();
      if (!env.python) return ctx.skip(env.skip);
      const epochs = 30;
      const { project, cluster, otherOut } = await setUp(epochs);
      // The non-chief is told to stop once it has finished its first epoch.
      let signalled = false;
      const [chief, other] = await Promise.all([
        worker(env.python!, project, join(project, 'output'), { cluster, task: { type: 'worker', index: 0 } }),
        worker(env.python!, project, otherOut, { cluster, task: { type: 'worker', index: 1 } }, (output, child) => {
          if (!signalled && /epoch 1: loss/.test(output)) {
            signalled = true;
            child.kill('SIGINT');
          }
        }),
      ]);
      expect(signalled).toBe(true);
      expect(chief.code, chief.output.slice(-3000)).toBe(0);
      expect(other.code, other.output.slice(-3000)).toBe(0);
      expect(chief.output).toMatch(/Another worker was told to stop/);
      const done = (output: string) => Number(/Stopped after (\d+) epochs/.exec(output)?.[1]);
      expect(done(chief.output)).toBeGreaterThanOrEqual(1);
      expect(done(chief.output)).toBeLessThan(epochs);
      expect(done(other.output)).toBe(done(chief.output));
      const state = JSON.parse(await readFile(join(project, 'output', 'state.json'), 'utf8'));
      expect(state).toMatchObject({ status: 'stopped', epochsDone: done(chief.output) });
    },
  );
});
