/**
 * `xlab eval`, `xlab predict` and `xlab export` through the real CLI and training worker, on a
 * run trained here for one epoch (micro preset, 24 px) — which is also evaluated automatically.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EvalResult } from '../../../main/contract';
import { runCli } from '../../../main/cli/program';
import { builtWorkerUrl } from '../../helpers/built';
import { learnableDataset } from '../training/learnable-dataset';

let dataDir: string;
let runId: string;
let images: string[];

async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli([...argv, '--data-dir', dataDir], {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    env: { ...process.env, XLAB_BACKEND: 'js' },
    workerUrl: builtWorkerUrl(),
  });
  return { code, stdout, stderr };
}

describe('xlab eval / predict / export', { timeout: 600_000 }, () => {
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'xlab-cli-eval-'));
    const data = await learnableDataset({ classes: 3, perClass: 8, size: 24 });
    images = data.images.map((i) => i.path);
    const trained = await run(
      'train',
      data.root,
      '--preset',
      'micro',
      '--size',
      '24',
      '--batch',
      '8',
      '--seed',
      '7',
      '--epochs',
      '1',
      '--json',
    );
    expect(trained.code, trained.stderr).toBe(0);
    runId = (JSON.parse(trained.stdout) as { id: string }).id;
  }, 600_000);

  it('a completed run was evaluated on val with its best checkpoint before the command ended', async () => {
    const stored = JSON.parse(await readFile(join(dataDir, 'runs', runId, 'eval.json'), 'utf8')) as {
      results: EvalResult[];
    };
    expect(stored.results.map((r) => `${r.split}/${r.checkpoint}`)).toEqual(['val/best']);
    expect(stored.results[0]!.confusion.flat().reduce((a, b) => a + b, 0)).toBe(6);
    expect(await readFile(join(dataDir, 'runs', runId, 'train.log'), 'utf8')).toMatch(
      /Evaluated best checkpoint \(epoch 1\) on val: top-1 /,
    );
  });

  it('eval --json prints the stored result; the human form has the metrics, the class table and the matrix', async () => {
    const json = await run('eval', runId, '--checkpoint', 'last', '--json');
    expect(json.code, json.stderr).toBe(0);
    const result = JSON.parse(json.stdout) as EvalResult;
    expect(result).toMatchObject({
      runId,
      split: 'val',
      checkpoint: 'last',
      images: 6,
      classNames: ['class_0', 'class_1', 'class_2'],
    });
    expect(result.predictions).toHaveLength(6);
    const human = await run('eval', runId);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/top-1 \d+\.\d% {3}top-5 100\.0% {3}loss \d+\.\d{4}/);
    expect(human.stdout).toMatch(/Class +Precision +Recall +F1 +Support/);
    expect(human.stdout).toMatch(/^class_2 .* 2$/m);
    expect(human.stdout).toMatch(
      /Confusion matrix \(rows: true class, columns: predicted class; image counts\):\n +class_0 +class_1 +class_2\n {2}class_0 +\d +\d +\d/,
    );
    const stored = JSON.parse(await readFile(join(dataDir, 'runs', runId, 'eval.json'), 'utf8')) as {
      results: EvalResult[];
    };
    expect(stored.results.map((r) => `${r.split}/${r.checkpoint}`)).toEqual(['val/best', 'val/last']);
  });

  it('eval explains a missing test split (exit 1) and refuses a bad --split (exit 2)', async () => {
    const test = await run('eval', runId, '--split', 'test');
    expect(test.code).toBe(1);
    expect(test.stderr).toContain(`Run ${runId} has no test split: set a test fraction when training`);
    const bad = await run('eval', runId, '--split', 'train');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("argument 'train' is invalid");
  });

  it('predict --json gives the top classes per image and a per-file error for a non-image', async () => {
    const notes = join(dataDir, 'notes.txt');
    await writeFile(notes, 'not an image');
    const out = await run('predict', runId, images[0]!, notes, '--json');
    expect(out.code, out.stderr).toBe(0);
    const results = JSON.parse(out.stdout) as {
      file: string;
      top?: { label: string; prob: number }[];
      error?: string;
    }[];
    expect(results).toEqual([
      { file: images[0], top: expect.any(Array) },
      { file: notes, error: 'not an image' },
    ]);
    expect(results[0]!.top!.map((t) => t.label).sort()).toEqual(['class_0', 'class_1', 'class_2']);
    expect(Object.keys(results[0]!.top![0]!).sort()).toEqual(['label', 'prob']);
    const none = await run('predict', runId, notes);
    expect(none.code).toBe(1);
    expect(none.stdout).toContain('notes.txt: not an image');
    expect(none.stderr).toContain('could be predicted');
  });

  it('export writes a new folder and prints its files', async () => {
    const target = await mkdtemp(join(tmpdir(), 'xlab-cli-export-'));
    const out = await run('export', runId, '--out', target);
    expect(out.code, out.stderr).toBe(0);
    const files = out.stdout.trim().split('\n');
    expect(files.map((f) => f.slice(f.lastIndexOf('/') + 1))).toEqual([
      'model.json',
      'weights.bin',
      'labels.json',
      'README.md',
    ]);
    for (const file of files) {
      expect(file.startsWith(target)).toBe(true);
      expect((await stat(file)).size).toBeGreaterThan(0);
    }
    const json = await run('export', runId, '--checkpoint', 'last', '--out', target, '--json');
    expect(json.code, json.stderr).toBe(0);
    expect((JSON.parse(json.stdout) as { files: string[] }).files).toHaveLength(4);
  });
});
