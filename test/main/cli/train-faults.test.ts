/**
 * The fault harness (issue 11): a real `xlab train` is killed at seeded random instants —
 * SIGKILL at the n-th step of the commit path (inside checkpoint writes, renames, run.json and
 * metrics.jsonl appends, via XLAB_FAULT_KILL), SIGKILL after a random delay, or Ctrl+C — and
 * each time recovery must leave checkpoint, run.json and metrics.jsonl describing the same
 * epochs, and a resume must finish with exactly the uninterrupted run's curve and weights.
 *
 * XLAB_FAULT_TRIES and XLAB_FAULT_SEED change the number of tries and the seed; a failure names
 * the try's kill so it can be replayed.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mulberry32 } from '../../../main/dataset/random';
import { builtWorkerUrl } from '../../helpers/built';
import { epochCurve, runXlab, startXlab, type Curve } from '../../helpers/xlab-child';
import { learnableDataset } from '../training/learnable-dataset';

const tries = Number(process.env.XLAB_FAULT_TRIES ?? 20);
const seed = Number(process.env.XLAB_FAULT_SEED ?? 20261203);
/** Two tries at a time: each is mostly process start-up and waiting. */
const parallel = 2;
const trainArgs = ['--preset', 'micro', '--size', '24', '--batch', '4', '--seed', '5', '--epochs', '2'];

type Kill = { kind: 'step'; env: string } | { kind: 'after'; ms: number; signal: 'SIGKILL' | 'SIGINT' };

interface Reference {
  curve: Curve[];
  last: Buffer;
  best: Buffer;
  steps: { main: number; worker: number };
  /** From "Run … started" to exit. */
  ms: number;
}

const describeKill = (kill: Kill): string =>
  kill.kind === 'step' ? `XLAB_FAULT_KILL=${kill.env}` : `${kill.signal} ${kill.ms} ms after start`;

async function runIds(dataDir: string): Promise<string[]> {
  return (await readdir(join(dataDir, 'runs')).catch(() => [] as string[])).filter((name) => /^\d{8}-\d{6}/.test(name));
}

describe('xlab train killed at random instants, then recovered and resumed', () => {
  let dataset: string;
  let reference: Reference;

  beforeAll(async () => {
    builtWorkerUrl();
    dataset = (await learnableDataset({ classes: 3, perClass: 6, size: 24 })).root;
    const dataDir = await mkdtemp(join(tmpdir(), 'xlab-faults-ref-'));
    const training = startXlab(['train', dataset, ...trainArgs, '--data-dir', dataDir], { XLAB_FAULT_TRACE: '1' });
    await training.stderrUntil(/^Run \S+ started/m);
    const started = Date.now();
    const result = await training.done;
    expect(result.code, result.stderr).toBe(0);
    const count = (thread: string): number =>
      Math.max(
        0,
        ...[...result.stderr.matchAll(new RegExp(`^xlab-fault ${thread} (\\d+) `, 'gm'))].map((m) => Number(m[1])),
      );
    const [runId] = await runIds(dataDir);
    const checkpoint = (kind: string): Promise<Buffer> =>
      readFile(join(dataDir, 'runs', runId!, 'checkpoints', kind, 'weights.bin'));
    reference = {
      curve: await epochCurve(dataDir, runId!),
      last: await checkpoint('last'),
      best: await checkpoint('best'),
      steps: { main: count('main'), worker: count('worker') },
      ms: Date.now() - started,
    };
    expect(reference.curve.map((e) => e.epoch)).toEqual([0, 1]);
    expect(reference.steps.worker).toBeGreaterThan(6); // 2 epochs × (model.json, weights.bin, epoch.json, renames…)
  }, 120_000);

  /** Checkpoint, run.json and metrics.jsonl agree, with the reference's prefix; no leftovers. */
  async function expectConsistent(
    dataDir: string,
    runId: string,
    what: string,
  ): Promise<{ status: string; epochsDone: number }> {
    const dir = join(dataDir, 'runs', runId);
    const run = JSON.parse(await readFile(join(dir, 'run.json'), 'utf8')) as { status: string; epochsDone: number };
    const committed = await readFile(join(dir, 'checkpoints', 'last', 'epoch.json'), 'utf8').then(
      (text) => (JSON.parse(text) as { epochsDone: number }).epochsDone,
      () => 0,
    );
    expect(run.status, what).not.toBe('running');
    expect(run.epochsDone, `${what}: run.json vs checkpoint`).toBe(committed);
    expect(await epochCurve(dataDir, runId), `${what}: metrics.jsonl`).toEqual(reference.curve.slice(0, committed));
    expect(
      (await readdir(dir)).filter((name) => name.endsWith('.tmp') || name.includes('.stale-')),
      what,
    ).toEqual([]);
    const checkpoints = await readdir(join(dir, 'checkpoints')).catch(() => [] as string[]);
    expect(
      checkpoints.filter((name) => name.startsWith('.')),
      what,
    ).toEqual([]);
    return run;
  }

  async function oneTry(kill: Kill): Promise<boolean> {
    const what = describeKill(kill);
    const dataDir = await mkdtemp(join(tmpdir(), 'xlab-faults-'));
    const training = startXlab(
      ['train', dataset, ...trainArgs, '--data-dir', dataDir],
      kill.kind === 'step' ? { XLAB_FAULT_KILL: kill.env } : {},
    );
    if (kill.kind === 'after') {
      await training.stderrUntil(/^Run \S+ started/m).catch(() => undefined);
      await new Promise((r) => setTimeout(r, kill.ms));
      training.child.kill(kill.signal);
    }
    const ended = await training.done;
    const killed = ended.signal === 'SIGKILL' || kill.kind === 'after';
    // Recovery happens in the next process that opens the data folder.
    const listed = await runXlab(['runs', '--json', '--data-dir', dataDir]);
    expect(listed.code, `${what}: xlab runs\n${listed.stderr}`).toBe(0);
    const ids = await runIds(dataDir);
    if (ids.length === 0) return killed; // killed before the run existed: nothing half-made is left
    expect(ids, what).toHaveLength(1);
    const runId = ids[0]!;
    const run = await expectConsistent(dataDir, runId, `${what}, after recovery`);
    if (run.status !== 'completed') {
      const resumed = await runXlab(['resume', runId, '--data-dir', dataDir]);
      expect(resumed.code, `${what}: resume\n${resumed.stderr}`).toBe(0);
    }
    await expectConsistent(dataDir, runId, `${what}, after resuming`);
    expect(await epochCurve(dataDir, runId), what).toEqual(reference.curve);
    const checkpoint = (kind: string): Promise<Buffer> =>
      readFile(join(dataDir, 'runs', runId, 'checkpoints', kind, 'weights.bin'));
    expect((await checkpoint('last')).equals(reference.last), `${what}: last weights`).toBe(true);
    expect((await checkpoint('best')).equals(reference.best), `${what}: best weights`).toBe(true);
    return killed;
  }

  it(
    `${tries} seeded kills (commit-path steps, random instants, Ctrl+C) each end in the uninterrupted curve`,
    { timeout: 1_800_000 },
    async () => {
      const random = mulberry32(seed);
      const pick = (n: number): number => 1 + Math.floor(random() * n);
      const kills: Kill[] = Array.from({ length: tries }, (_, i): Kill => {
        switch (i % 6) {
          case 0:
          case 1:
          case 3:
            return { kind: 'step', env: `worker:${pick(reference.steps.worker)}` };
          case 2:
            return { kind: 'step', env: `main:${pick(reference.steps.main)}` };
          case 4:
            return { kind: 'after', ms: Math.floor(random() * reference.ms), signal: 'SIGKILL' };
          default:
            return { kind: 'after', ms: Math.floor(random() * reference.ms), signal: 'SIGINT' };
        }
      });
      let killed = 0;
      for (let i = 0; i < kills.length; i += parallel) {
        const results = await Promise.all(kills.slice(i, i + parallel).map((kill) => oneTry(kill)));
        killed += results.filter(Boolean).length;
      }
      // A step count past what a (faster) run reaches lets it finish untouched; most must hit.
      expect(killed).toBeGreaterThanOrEqual(Math.ceil(tries * 0.75));
    },
  );
});
