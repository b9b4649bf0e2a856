/**
 * The fault harness for the Keras engine: a real `xlab train --engine keras` on a tiny dataset,
 * interrupted at a seeded instant during training — Ctrl+C to xlab, SIGKILL of xlab (train.py
 * must not outlive it), or SIGKILL of train.py itself. Each time the run must end `stopped` or
 * `interrupted` with checkpoint, run.json and metrics.jsonl describing the same finished
 * epochs (no torn line, no line of an unfinished epoch), and `xlab resume` must finish it.
 *
 * Keras starts slowly (seconds per process on a loaded machine), so a few tries only:
 * XLAB_FAULT_TRIES (default 3, one of each kind) and XLAB_FAULT_SEED change them.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mulberry32 } from '../../../main/dataset/random';
import { processAlive } from '../../../main/fs/pid-lock';
import { builtWorkerUrl } from '../../helpers/built';
import { findTestPython, type TestPython } from '../../helpers/keras-python';
import { runXlab, startXlab } from '../../helpers/xlab-child';
import { learnableDataset } from '../training/learnable-dataset';

const tries = Number(process.env.XLAB_FAULT_TRIES ?? 3);
const seed = Number(process.env.XLAB_FAULT_SEED ?? 20261204);
const epochs = 3;
const trainArgs = ['--engine', 'keras', '--preset', 'micro', '--size', '24', '--batch', '4', '--seed', '3'];
/** An orphaned train.py stops after its batch (or leaves after 30 s): this bound is generous. */
const orphanExitMs = 120_000;

type Kind = 'SIGINT xlab' | 'SIGKILL xlab' | 'SIGKILL train.py';
const kinds: Kind[] = ['SIGKILL xlab', 'SIGINT xlab', 'SIGKILL train.py'];

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(250)) if (check()) return true;
  return check();
}

async function json<T>(file: string): Promise<T | undefined> {
  return readFile(file, 'utf8').then(
    (text) => JSON.parse(text) as T,
    () => undefined,
  );
}

/** Checkpoint, run.json and metrics.jsonl describe the same finished epochs; nothing half-made is left. */
async function expectConsistent(runDir: string, what: string): Promise<{ status: string; epochsDone: number }> {
  const run = (await json<{ status: string; epochsDone: number }>(join(runDir, 'run.json')))!;
  expect(run.status, what).not.toBe('running');
  const last = join(runDir, 'checkpoints', 'last');
  const committed = await json<{ epochsDone: number; history: { epoch: number }[] }>(join(last, 'epoch.json'));
  const done = committed?.epochsDone ?? 0;
  expect(run.epochsDone, `${what}: run.json vs checkpoint`).toBe(done);
  if (committed) {
    // A complete checkpoint of that epoch: its weights are all there and it says the same epoch.
    const model = (await json<{
      userDefinedMetadata: { epoch: number };
      weightsManifest: { weights: { shape: number[] }[] }[];
    }>(join(last, 'model.json')))!;
    expect(model.userDefinedMetadata.epoch, what).toBe(done);
    const floats = model.weightsManifest
      .flatMap((g) => g.weights)
      .reduce((sum, w) => sum + w.shape.reduce((a, b) => a * b, 1), 0);
    expect((await stat(join(last, 'weights.bin'))).size, `${what}: weights.bin`).toBe(floats * 4);
    await stat(join(last, 'model.keras'));
    expect(committed.history.map((l) => l.epoch)).toEqual([...Array(done).keys()]);
  }
  const text = await readFile(join(runDir, 'metrics.jsonl'), 'utf8').catch(() => '');
  expect(text === '' || text.endsWith('\n'), `${what}: metrics.jsonl ends with a whole line`).toBe(true);
  const lines = text
    .split('\n')
    .filter(Boolean)
    .map((row) => JSON.parse(row) as { type: string; epoch: number });
  expect(
    lines.filter((l) => l.type === 'epoch').map((l) => l.epoch),
    `${what}: epoch lines`,
  ).toEqual([...Array(done).keys()]);
  expect(
    lines.filter((l) => l.epoch >= done),
    `${what}: lines of an unfinished epoch`,
  ).toEqual([]);
  const leftovers = [
    ...(await readdir(runDir)).filter((n) => n.endsWith('.tmp') || n.includes('.stale-') || n.includes('.new-')),
    ...(await readdir(join(runDir, 'checkpoints')).catch(() => [] as string[])).filter((n) => n.startsWith('.')),
  ];
  expect(leftovers, what).toEqual([]);
  return run;
}

describe('xlab train --engine keras interrupted at seeded instants, then resumed', { timeout: 1_800_000 }, () => {
  let env: TestPython = {};
  let dataset: string;

  beforeAll(async () => {
    builtWorkerUrl();
    env = await findTestPython();
    dataset = (await learnableDataset({ classes: 3, perClass: 8, size: 16 })).root;
  }, 300_000);

  async function oneTry(kind: Kind, delayMs: number): Promise<boolean> {
    const what = `${kind} ${delayMs} ms into training`;
    const penv = { XLAB_PYTHON: env.python! };
    const dataDir = await mkdtemp(join(tmpdir(), 'xlab-keras-faults-'));
    const training = startXlab(
      ['train', dataset, ...trainArgs, '--epochs', String(epochs), '--data-dir', dataDir],
      penv,
    );
    await training.stderrUntil(/^epoch 1\/\d+\s+batch/m);
    const [runId] = await readdir(join(dataDir, 'runs'));
    const runDir = join(dataDir, 'runs', runId!);
    const python = (await json<{ helper?: { pid: number } }>(join(runDir, 'owner.json')))?.helper?.pid;
    expect(python, `${what}: owner.json names train.py as the helper`).toBeTypeOf('number');
    await sleep(delayMs);
    const hit = processAlive(python!);
    if (kind === 'SIGKILL train.py') process.kill(python!, 'SIGKILL');
    else training.child.kill(kind === 'SIGINT xlab' ? 'SIGINT' : 'SIGKILL');
    await training.done;
    // With xlab gone, its train.py must stop by itself — a clean stop, not a crash on a dead pipe.
    expect(await until(() => !processAlive(python!), orphanExitMs), `${what}: train.py still running`).toBe(true);
    const state = await json<{ status: string; epochsDone: number }>(join(runDir, 'state.json'));
    if (hit && kind === 'SIGKILL xlab') {
      if (state?.status !== 'completed') expect(state?.status, `${what}: train.py's own ending`).toBe('stopped');
      expect(await readFile(join(runDir, 'keras.log'), 'utf8')).toMatch(/The process that started train\.py is gone/);
    }

    // Recovery happens in the next process that opens the data folder.
    const listed = await runXlab(['runs', '--json', '--data-dir', dataDir], penv);
    expect(listed.code, `${what}: xlab runs\n${listed.stderr}`).toBe(0);
    const run = await expectConsistent(runDir, `${what}, after recovery`);
    if (hit) {
      const expected = kind === 'SIGINT xlab' ? ['stopped', 'completed'] : ['interrupted', 'completed'];
      expect(expected, `${what}: status`).toContain(run.status);
    }
    if (run.status !== 'completed') {
      const resumed = await runXlab(['resume', runId!, '--data-dir', dataDir], penv);
      expect(resumed.code, `${what}: resume\n${resumed.stderr}`).toBe(0);
    }
    const final = await expectConsistent(runDir, `${what}, after resuming`);
    expect(final, what).toMatchObject({ status: 'completed', epochsDone: epochs });
    await expect(stat(join(runDir, 'owner.json')), `${what}: the run is left unlocked`).rejects.toThrow();
    console.info(
      `${what}: ${hit ? 'hit training' : 'training had ended'}; ${run.status} after ${run.epochsDone} epochs, then resumed`,
    );
    return hit;
  }

  it(`${tries} seeded interruptions (Ctrl+C, SIGKILL of xlab, SIGKILL of train.py) each resume to completion`, async (ctx) => {
    if (!env.python) return ctx.skip(env.skip);
    const random = mulberry32(seed);
    let hits = 0;
    for (let i = 0; i < tries; i++) {
      if (await oneTry(kinds[i % kinds.length]!, Math.floor(random() * 1500))) hits++;
    }
    // A try whose training ended before the kill still checks the run; most must hit it training.
    expect(hits).toBeGreaterThanOrEqual(Math.ceil(tries / 2));
  });
});
