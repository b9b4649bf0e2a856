import { describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EvalResult } from '../../../main/contract';
import { readEvaluations, writeEvaluation } from '../../../main/evaluation/eval-store';

function result(split: EvalResult['split'], checkpoint: EvalResult['checkpoint'], top1: number): EvalResult {
  return {
    runId: '20260101-000000-test',
    split,
    checkpoint,
    epoch: 0,
    createdAt: '2026-01-01T00:00:00.000Z',
    durationMs: 1,
    classNames: ['a', 'b'],
    images: 2,
    skipped: [],
    loss: 0.5,
    top1,
    top5: 1,
    confusion: [
      [1, 0],
      [0, 1],
    ],
    perClass: [],
    macro: { precision: 1, recall: 1, f1: 1 },
    weighted: { precision: 1, recall: 1, f1: 1 },
    predictions: [],
    dataset: { path: '/data', fingerprint: 'fp', splitKey: '/splits/x.json' },
    engine: { name: 'tfjs', device: 'cpu', version: '4.22.0' },
  };
}

describe('eval.json', () => {
  it('reads as empty when missing; a write replaces the same split + checkpoint and keeps the others, in order', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'xlab-eval-store-'));
    expect(await readEvaluations(dir)).toEqual({ results: [] });
    await writeEvaluation(dir, result('test', 'last', 0.1));
    await writeEvaluation(dir, result('val', 'best', 0.2));
    await writeEvaluation(dir, result('val', 'best', 0.3));
    const { results } = await readEvaluations(dir);
    expect(results.map((r) => [r.split, r.checkpoint, r.top1])).toEqual([
      ['val', 'best', 0.3],
      ['test', 'last', 0.1],
    ]);
  });

  it('keeps both of two writes to one run that run at the same time', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'xlab-eval-store-'));
    await Promise.all([
      writeEvaluation(dir, result('val', 'best', 0.5)),
      writeEvaluation(dir, result('test', 'best', 0.6)),
      writeEvaluation(dir, result('val', 'last', 0.7)),
    ]);
    expect((await readEvaluations(dir)).results.map((r) => `${r.split}/${r.checkpoint}`)).toEqual([
      'val/best',
      'val/last',
      'test/best',
    ]);
  });

  it('moves a damaged file aside (never overwriting it) and says so', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'xlab-eval-store-'));
    await writeFile(join(dir, 'eval.json'), '{"formatVersion": 1, "results": [tor');
    const written = await writeEvaluation(dir, result('val', 'best', 0.9));
    expect(written.warning).toMatch(/eval\.json was not valid JSON .*kept as .*eval\.json\.corrupt-/);
    const aside = (await readdir(dir)).find((name) => name.startsWith('eval.json.corrupt-'))!;
    expect(await readFile(join(dir, aside), 'utf8')).toBe('{"formatVersion": 1, "results": [tor');
    expect((await readEvaluations(dir)).results).toHaveLength(1);
  });
});
