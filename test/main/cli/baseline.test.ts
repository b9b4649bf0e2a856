import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile } from 'node:fs/promises';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../main/cli/program';
import { createRunStore, writeRun } from '../reports/report-fixtures';

// These commands never start the training worker: a worker URL that does not exist proves it.
const noWorker = new URL('file:///nonexistent/training-worker.js');

let dataDir: string;
let ids: string[];

async function run(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['--data-dir', dataDir, ...argv], {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    env: { ...process.env, XLAB_BACKEND: 'js' },
    workerUrl: noWorker,
  });
  return { code, stdout, stderr };
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'xlab-cli-baseline-'));
  const store = createRunStore(dataDir);
  const classes = ['a', 'b'];
  ids = [
    await writeRun(store, dataDir, {
      name: 'Old',
      preset: 'micro',
      classes,
      epochs: [{ loss: 1.2, acc: 0.6, val_loss: 1.1, val_acc: 0.62 }],
    }),
    await writeRun(store, dataDir, {
      name: 'New',
      preset: 'micro',
      classes,
      epochs: [{ loss: 0.9, acc: 0.7, val_loss: 0.95, val_acc: 0.71 }],
    }),
  ];
});

describe('xlab baseline', () => {
  it('pins a run with a label; xlab runs --json carries baseline: {label}', async () => {
    const pinned = await run(['baseline', 'pin', ids[0]!, '--label', 'last week']);
    expect(pinned).toMatchObject({ code: 0, stderr: '' });
    expect(pinned.stdout).toContain(`${ids[0]}  "last week"`);
    const listed = await run(['runs', '--json']);
    expect(listed.code).toBe(0);
    const runs = JSON.parse(listed.stdout) as { id: string; baseline: { label: string } | null }[];
    expect(runs.find((r) => r.id === ids[0])?.baseline).toEqual({ label: 'last week' });
    expect(runs.find((r) => r.id === ids[1])?.baseline).toBeNull();
    expect((await run(['runs'])).stdout).toContain('[baseline: last week]');
  });

  it('xlab report --baseline adds the "Against the baseline" section', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'xlab-cli-baseline-out-')), 'r.md');
    const written = await run(['report', ids[1]!, '--baseline', ids[0]!, '--out', out]);
    expect(written.code).toBe(0);
    const markdown = await readFile(out, 'utf8');
    expect(markdown).toContain('## Against the baseline');
    expect(markdown).toContain('Baseline: **last week**');
  });

  it('unpins; unpinning again says the run is not pinned', async () => {
    await run(['baseline', 'pin', ids[1]!, '--label', 'best result']);
    const unpinned = await run(['baseline', 'unpin', ids[1]!, '--json']);
    expect(unpinned.code).toBe(0);
    expect((JSON.parse(unpinned.stdout) as { runId: string }[]).map((b) => b.runId)).not.toContain(ids[1]);
    const again = await run(['baseline', 'unpin', ids[1]!]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`Run ${ids[1]} is not pinned as a baseline`);
  });

  it('needs a label, and a run that exists', async () => {
    expect((await run(['baseline', 'pin', ids[1]!])).code).toBe(2);
    const empty = await run(['baseline', 'pin', ids[1]!, '--label', ' ']);
    expect(empty).toMatchObject({ code: 2 });
    expect(empty.stderr).toContain('--label cannot be empty');
    const missing = await run(['baseline', 'pin', '20200101-000000-gone', '--label', 'x']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('There is no run "20200101-000000-gone"');
  });

  it('a deleted baseline run is unpinned with a notice on the next listing', async () => {
    await run(['baseline', 'pin', ids[0]!, '--label', 'last week']);
    await rm(join(dataDir, 'runs', ids[0]!), { recursive: true });
    const listed = await run(['runs', '--json']);
    expect(listed.code).toBe(0);
    expect(listed.stderr).toContain(`Baseline "last week" was unpinned: its run ${ids[0]} no longer exists.`);
    expect(JSON.parse(await readFile(join(dataDir, 'baselines.json'), 'utf8')).baselines).toEqual([]);
  });
});
