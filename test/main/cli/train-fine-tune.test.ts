/**
 * `xlab train --weights --freeze --fine-tune-after --unfreeze --fine-tune-lr`: the flags become
 * `training.fineTune` (all three or none), the log says when the feature cache is used, the
 * metrics lines carry the phase and run.json records the fine-tuning settings.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fineTuneOption } from '../../../main/cli/train';
import { builtWorkerUrl } from '../../helpers/built';
import { runXlab } from '../../helpers/xlab-child';
import { learnableDataset } from '../training/learnable-dataset';

const trainArgs = ['--preset', 'micro', '--size', '24', '--batch', '8', '--seed', '7'];

describe('fineTuneOption', () => {
  it('turns the three flags into training.fineTune', () => {
    expect(fineTuneOption({ fineTuneAfter: '2', unfreeze: 'middle, exit', fineTuneLr: '1e-5' })).toEqual({
      fineTune: { afterEpoch: 2, unfreeze: ['middle', 'exit'], learningRate: 1e-5 },
    });
    expect(fineTuneOption({})).toEqual({});
  });

  it('refuses one flag without the others, a bad rate or an unknown flow, naming the flag', () => {
    expect(() => fineTuneOption({ fineTuneAfter: '2' })).toThrow(
      '--fine-tune-after, --unfreeze and --fine-tune-lr go together',
    );
    expect(() => fineTuneOption({ fineTuneAfter: '2', unfreeze: 'middle', fineTuneLr: 'slow' })).toThrow(
      '--fine-tune-lr must be a number, e.g. 1e-5 (got "slow")',
    );
    expect(() => fineTuneOption({ fineTuneAfter: '2', unfreeze: 'top', fineTuneLr: '1e-5' })).toThrow(
      '--unfreeze takes flows separated by commas from entry, middle, exit, head (got "top")',
    );
  });
});

// Real training runs: seconds when idle, minutes on a loaded 2-core machine.
describe('xlab train with fine-tuning', { timeout: 600_000 }, () => {
  let dataset: string;
  beforeAll(() => {
    builtWorkerUrl(); // fails clearly when out/ is missing
  });

  it('trains the head from cached features, then fine-tunes; the lines carry the phase', async () => {
    dataset = (await learnableDataset({ classes: 3, perClass: 8, size: 24 })).root;
    const dir = await mkdtemp(join(tmpdir(), 'xlab-cli-finetune-'));
    const first = await runXlab(['train', dataset, ...trainArgs, '--epochs', '1', '--json', '--data-dir', dir]);
    expect(first.code, first.stderr).toBe(0);
    const start = (JSON.parse(first.stdout) as { id: string }).id;
    const weights = join(dir, 'runs', start, 'checkpoints', 'last');

    const refused = await runXlab([
      'train',
      dataset,
      ...trainArgs,
      '--weights',
      weights,
      '--freeze',
      'entry',
      '--fine-tune-after',
      '1',
      '--unfreeze',
      'middle',
      '--fine-tune-lr',
      '1e-4',
      '--data-dir',
      dir,
    ]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('fineTune.unfreeze lists "middle", which is not frozen');

    const result = await runXlab([
      'train',
      dataset,
      ...trainArgs,
      '--epochs',
      '2',
      '--weights',
      weights,
      '--freeze',
      'entry,middle,exit',
      '--fine-tune-after',
      '1',
      '--unfreeze',
      'exit',
      '--fine-tune-lr',
      '1e-4',
      '--json',
      '--data-dir',
      dir,
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/\[info\] Feature cache: used — entry, middle, exit frozen and no augmentation/);
    expect(result.stderr).toMatch(/\[info\] Fine-tuning from epoch 2: exit unfrozen, learning rate 0\.0001/);
    expect(result.stderr).toMatch(/epoch 1 \[head\]: loss/);
    expect(result.stderr).toMatch(/epoch 2 \[fine-tuning\]: loss/);
    const run = JSON.parse(result.stdout) as { id: string; training: { fineTune: unknown } };
    expect(run.training.fineTune).toEqual({ afterEpoch: 1, unfreeze: ['exit'], learningRate: 1e-4 });
    const lines = (await readFile(join(dir, 'runs', run.id, 'metrics.jsonl'), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { type: string; phase?: number; lr?: number })
      .filter((l) => l.type === 'epoch');
    expect(lines.map((l) => [l.phase, l.lr])).toEqual([
      [1, 0.001],
      [2, 1e-4],
    ]);
  });
});
