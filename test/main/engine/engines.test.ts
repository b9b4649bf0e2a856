/**
 * The engine suite on every engine available here (pure JS always; tfjs-node when built): the
 * real CLI in child processes, so exit codes are what a user's shell sees (a native engine loaded
 * only in the worker used to end every command with a segfault, exit 139). Tiny data and the
 * micro preset keep each command to seconds.
 */
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { builtWorkerUrl, repoRoot } from '../../helpers/built';
import { startXlab, type XlabChild } from '../../helpers/xlab-child';
import {
  announceNativeSkip,
  nativeAvailable,
  nativeSkipReason,
  testEngines,
  type TestEngine,
} from '../../helpers/engines';
import { learnableDataset } from '../training/learnable-dataset';
import { createLab } from '../../../main/lab';

const trainArgs = ['--preset', 'micro', '--size', '24', '--batch', '8', '--seed', '3'];

const start = (engine: TestEngine, args: string[]): XlabChild =>
  startXlab(args, { ...process.env, XLAB_BACKEND: engine.backend });

/** Runs one command and expects exit code 0 (the message shows stderr when not). */
async function ok(engine: TestEngine, args: string[]): Promise<string> {
  const r = await start(engine, args).done;
  expect(r.signal, `${args[0]} on ${engine.name} died by ${r.signal}:\n${r.stderr}`).toBeNull();
  expect(r.code, `${args[0]} on ${engine.name} exited ${r.code}:\n${r.stderr}`).toBe(0);
  return r.stdout;
}

type Top = { label: string; prob: number }[];
const predictions = async (
  engine: TestEngine,
  dataDir: string,
  runId: string,
  images: string,
): Promise<Map<string, Top>> => {
  const out = JSON.parse(
    await ok(engine, ['predict', runId, images, '--checkpoint', 'last', '--json', '--data-dir', dataDir]),
  ) as { file: string; top: Top }[];
  return new Map(out.map((p) => [p.file, p.top]));
};

let dataset = '';
beforeAll(async () => {
  builtWorkerUrl(); // fails clearly when out/ is missing
  announceNativeSkip();
  dataset = (await learnableDataset({ classes: 3, perClass: 8, size: 24 })).root;
});

describe.each(testEngines)('on the $name engine', { timeout: 600_000 }, (engine) => {
  it('doctor, train, runs, eval, predict, export and report all exit 0', async () => {
    const dir = await mkdtemp(join(tmpdir(), `xlab-engines-${engine.backend}-`));
    const doctor = JSON.parse(await ok(engine, ['doctor', '--json', '--data-dir', dir])) as {
      engine: { name: string; tensorflow?: string };
    };
    expect(doctor.engine.name).toBe(engine.name);
    if (engine.name === 'tfjs-node') expect(doctor.engine.tensorflow).toMatch(/^2\./);

    const run = JSON.parse(
      await ok(engine, ['train', dataset, ...trainArgs, '--epochs', '2', '--json', '--data-dir', dir]),
    ) as { id: string; status: string };
    expect(run.status).toBe('completed');
    const runs = JSON.parse(await ok(engine, ['runs', '--json', '--data-dir', dir])) as { id: string }[];
    expect(runs.map((r) => r.id)).toEqual([run.id]);
    const evaluation = JSON.parse(await ok(engine, ['eval', run.id, '--json', '--data-dir', dir])) as { top1?: number };
    expect(evaluation).toMatchObject({ top1: expect.any(Number) });
    const predicted = await predictions(engine, dir, run.id, join(dataset, 'class_0'));
    expect(predicted.size).toBe(8);
    for (const top of predicted.values()) expect(top.reduce((s, t) => s + t.prob, 0)).toBeCloseTo(1, 3);
    const exported = JSON.parse(
      await ok(engine, ['export', run.id, '--out', join(dir, 'export'), '--json', '--data-dir', dir]),
    ) as { files: string[] };
    expect(exported.files.some((f) => f.endsWith('model.json'))).toBe(true);
    const report = JSON.parse(
      await ok(engine, [
        'report',
        run.id,
        '--format',
        'md',
        '--out',
        join(dir, 'report.md'),
        '--json',
        '--data-dir',
        dir,
      ]),
    ) as { files: string[] };
    expect(report.files.length).toBeGreaterThan(0);
  });

  it('Ctrl+C stops after the current batch and resume completes the run', async () => {
    const dir = await mkdtemp(join(tmpdir(), `xlab-engines-${engine.backend}-`));
    const training = start(engine, ['train', dataset, ...trainArgs, '--epochs', '3', '--data-dir', dir]);
    await training.stderrUntil(/^epoch 1: /m);
    training.child.kill('SIGINT');
    const stopped = await training.done;
    expect(stopped.code, stopped.stderr).toBe(0);
    const [entry] = JSON.parse(await ok(engine, ['runs', '--json', '--data-dir', dir])) as {
      id: string;
      status: string;
    }[];
    expect(['stopped', 'completed']).toContain(entry!.status);
    const resumed = JSON.parse(await ok(engine, ['resume', entry!.id, '--json', '--data-dir', dir])) as {
      status: string;
      epochsDone: number;
    };
    expect(resumed).toMatchObject({ status: 'completed', epochsDone: 3 });
    expect(await readdir(join(dir, 'runs', entry!.id, 'checkpoints'))).toEqual(['best', 'last']);
  });
});

describe.skipIf(!nativeAvailable)('between engines', { timeout: 900_000 }, () => {
  it('a checkpoint trained on one engine predicts the same on the other (within 1e-4), both ways', async () => {
    const [js, native] = testEngines as [TestEngine, TestEngine];
    for (const [trainOn, other] of [
      [js, native],
      [native, js],
    ] as const) {
      const dir = await mkdtemp(join(tmpdir(), 'xlab-engines-move-'));
      const run = JSON.parse(
        await ok(trainOn, ['train', dataset, ...trainArgs, '--epochs', '1', '--json', '--data-dir', dir]),
      ) as { id: string };
      const images = join(dataset, 'class_1');
      const a = await predictions(trainOn, dir, run.id, images);
      const b = await predictions(other, dir, run.id, images);
      expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
      for (const [file, top] of a) {
        const probs = new Map(b.get(file)!.map((t) => [t.label, t.prob]));
        for (const t of top)
          expect(
            Math.abs(t.prob - probs.get(t.label)!),
            `${file} ${t.label}: ${trainOn.name} vs ${other.name}`,
          ).toBeLessThan(1e-4);
      }
      // Evaluation agrees too (top-1 accuracy over the same images).
      const evalA = JSON.parse(
        await ok(trainOn, ['eval', run.id, '--checkpoint', 'last', '--json', '--data-dir', dir]),
      ) as { top1: number };
      const evalB = JSON.parse(
        await ok(other, ['eval', run.id, '--checkpoint', 'last', '--json', '--data-dir', dir]),
      ) as { top1: number };
      expect(evalB.top1).toBeCloseTo(evalA.top1, 6);
    }
  });
});

describe.skipIf(!nativeAvailable)('fast kernels and the tensorflow backend', { timeout: 300_000 }, () => {
  it("the JS engine's kernel overrides never replace a tensorflow kernel, and the native worker does not register them", async () => {
    const { createRequire } = await import('node:module');
    const require = createRequire(join(repoRoot, 'package.json'));
    const tf = require('@tensorflow/tfjs-node') as typeof import('@tensorflow/tfjs-core');
    const { registerFastKernels, unregisterFastKernels } = await import('../../../main/engine/kernels');
    const snapshot = (): Map<string, unknown> =>
      new Map(tf.getKernelsForBackend('tensorflow').map((k) => [k.kernelName, k.kernelFunc]));
    const before = snapshot();
    const registered = registerFastKernels(tf as never);
    expect(registered.length).toBeGreaterThan(0);
    expect(snapshot()).toEqual(before);
    for (const name of registered)
      expect(tf.getKernel(name, 'tensorflow')?.kernelFunc ?? null).toBe(before.get(name) ?? null);

    unregisterFastKernels(tf as never);

    // The worker registers them for the JS engine only.
    for (const engine of testEngines) {
      const lab = await createLab({
        dataDir: await mkdtemp(join(tmpdir(), 'xlab-engines-kernels-')),
        workerUrl: builtWorkerUrl(),
        env: { ...process.env, XLAB_BACKEND: engine.backend },
      });
      try {
        expect((await lab.getEngine()).name).toBe(engine.name);
        const fast = (await lab.getLog()).some((e) => e.message.startsWith('Fast kernels'));
        expect(fast, engine.name).toBe(engine.name === 'tfjs');
      } finally {
        await lab.close();
      }
    }
  });
});

const skipReason = nativeSkipReason;
if (skipReason) describe('native engine', () => it.skip(skipReason, () => {}));
