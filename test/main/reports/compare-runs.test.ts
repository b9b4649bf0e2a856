import { describe, expect, it } from 'vitest';
import type { EpochMetricsLine, RunInfo } from '../../../main/contract';
import {
  bestEpoch,
  compareRunData,
  configDifferences,
  readRunsForComparison,
} from '../../../main/reports/compare-runs';
import { createRunStore, tempDataDir, writeRun, type EpochValues } from './report-fixtures';

const classes = Array.from({ length: 100 }, (_, i) => `class ${i}`);
const curveA: EpochValues[] = [
  { loss: 2.0, acc: 0.3, val_loss: 1.9, val_acc: 0.35 },
  { loss: 1.2, acc: 0.6, val_loss: 1.1, val_acc: 0.62 },
  { loss: 0.8, acc: 0.75, val_loss: 1.3, val_acc: 0.6 },
];
const curveB: EpochValues[] = [
  { loss: 1.5, acc: 0.4, val_loss: 1.4, val_acc: 0.45 },
  { loss: 0.9, acc: 0.7, val_loss: 0.95, val_acc: 0.7 },
];

async function twoRuns(b: Partial<Parameters<typeof writeRun>[2]> = {}) {
  const dataDir = await tempDataDir();
  const store = createRunStore(dataDir);
  const a = await writeRun(store, dataDir, { name: 'Custom V3', preset: 'seed', classes, epochs: curveA });
  const other = await writeRun(store, dataDir, {
    name: 'Mini',
    preset: 'mini',
    classes,
    epochs: curveB,
    model: { inputSize: 64 },
    ...b,
  });
  return { store, ids: [a, other] };
}

describe('compareRunData', () => {
  it('reads the final epoch, with params formatted from the seed config (21,066,380) and mean images/s', async () => {
    const { store, ids } = await twoRuns();
    const { runs, problems } = await readRunsForComparison(store, ids);
    const comparison = compareRunData(runs, 'final', problems);
    expect(comparison.rows.map((r) => r.model)).toEqual(['Custom V3', 'Mini']);
    expect(comparison.rows[0]).toMatchObject({
      params: 21_066_380,
      epoch: 2,
      loss: 0.8,
      val_loss: 1.3,
      acc: 0.75,
      val_acc: 0.6,
      preset: 'seed',
      epochsDone: 3,
      epochs: 3,
    });
    expect(comparison.rows[0]!.imagesPerSec).toBeCloseTo(110);
    expect(comparison.rows[0]!.engine).toBe('tfjs-node 4.22.0 (cpu)');
    expect(comparison.curves[0]!.epochs.map((e) => e.val_loss)).toEqual([1.9, 1.1, 1.3]);
    expect(problems).toEqual([]);
  });

  it('gives the curves of a fine-tuned run the epoch its second phase starts', async () => {
    const { store, ids } = await twoRuns({ epochs: curveB.map((e, i) => ({ ...e, phase: i === 0 ? 1 : 2 })) });
    const { runs } = await readRunsForComparison(store, ids);
    const comparison = compareRunData(runs, 'final');
    expect(comparison.curves[0]!.fineTuneFrom).toBeUndefined();
    expect(comparison.curves[1]!.fineTuneFrom).toBe(1);
  });

  it('reads the best epoch (lowest val_loss) when asked', async () => {
    const { store, ids } = await twoRuns();
    const { runs } = await readRunsForComparison(store, ids);
    const comparison = compareRunData(runs, 'best');
    expect(comparison.rows[0]).toMatchObject({ epoch: 1, loss: 1.2, val_loss: 1.1, acc: 0.6, val_acc: 0.62 });
    expect(comparison.rows[1]).toMatchObject({ epoch: 1, val_loss: 0.95 });
  });

  it("reads each run's best epoch by its own monitor, and says so", async () => {
    // Mini's val_acc peaks (0.7 → 0.72) one epoch after its lowest val_loss.
    const epochs = [...curveB, { loss: 0.7, acc: 0.75, val_loss: 1.0, val_acc: 0.72 }];
    const { store, ids } = await twoRuns({ epochs, training: { monitor: 'val_accuracy' } });
    const { runs } = await readRunsForComparison(store, ids);
    const comparison = compareRunData(runs, 'best');
    expect(comparison.rows[0]).toMatchObject({ monitor: 'val_loss', epoch: 1, val_acc: 0.62 });
    expect(comparison.rows[1]).toMatchObject({ monitor: 'val_accuracy', epoch: 2, val_acc: 0.72 });
  });

  it('breaks val_loss ties by the higher val_acc, then the earlier epoch', () => {
    const e = (epoch: number, val_loss: number | null, val_acc: number | null) => ({
      epoch,
      loss: 1,
      acc: 0.5,
      val_loss,
      val_acc,
    });
    expect(bestEpoch([e(0, 1, 0.5), e(1, 0.8, 0.6), e(2, 0.8, 0.7), e(3, 0.8, 0.7)])?.epoch).toBe(2);
    expect(bestEpoch([e(0, null, null)])).toBeUndefined();
  });

  it('lists only the settings that differ, in words', async () => {
    const { store, ids } = await twoRuns({ training: { learningRate: 0.01 } });
    const { runs } = await readRunsForComparison(store, ids);
    const diff = configDifferences(runs.map((r) => r.run));
    const byField = Object.fromEntries(diff.map((d) => [d.field, d]));
    expect(byField['model.blockStyle']).toEqual({
      field: 'model.blockStyle',
      label: 'block style',
      values: ['seed', 'keras'],
    });
    expect(byField['model.middleRepeats']).toMatchObject({ label: 'middle repeats', values: ['8', '2'] });
    expect(byField['model.inputSize']).toMatchObject({ label: 'input size', values: ['299', '64'] });
    expect(byField['training.learningRate']).toMatchObject({ label: 'learning rate', values: ['0.001', '0.01'] });
    expect(byField['training.epochs']).toMatchObject({ values: ['3', '2'] });
    // Equal settings are left out.
    expect(byField['training.optimizer']).toBeUndefined();
    expect(byField['model.classes']).toBeUndefined();
    expect(byField['augment']).toBeUndefined();
  });

  it('shows augmentation differences', async () => {
    const { store, ids } = await twoRuns({
      augment: { flip: true, rotation: 10, zoom: 0, brightness: 0, contrast: 0, noise: 0 },
    });
    const { runs } = await readRunsForComparison(store, ids);
    const diff = configDifferences(runs.map((r) => r.run));
    expect(diff.find((d) => d.field === 'augment')).toMatchObject({ label: 'augmentation', values: ['off', 'on'] });
    expect(diff.find((d) => d.field === 'augment.flip')).toMatchObject({
      label: 'augmentation: flip',
      values: ['—', 'yes'],
    });
  });

  it('warns when runs used different datasets', async () => {
    const { store, ids } = await twoRuns({ fingerprint: 'b'.repeat(64) });
    const { runs } = await readRunsForComparison(store, ids);
    const { warnings } = compareRunData(runs, 'final');
    expect(
      warnings.some(
        (w) => w.startsWith('The runs used different datasets') && w.includes('"Mini"') && w.includes('bbbbbbbbbbbb'),
      ),
    ).toBe(true);
  });

  it('warns when runs used different splits of the same dataset, and when engines differ', async () => {
    const { store, ids } = await twoRuns({ splitSeed: 7, engine: { name: 'tfjs', device: 'cpu', version: '4.22.0' } });
    const { runs } = await readRunsForComparison(store, ids);
    const { warnings } = compareRunData(runs, 'best');
    expect(
      warnings.some(
        (w) => w.includes('different train/validation splits') && w.includes('seed 7') && w.includes('seed 42'),
      ),
    ).toBe(true);
    expect(warnings.some((w) => w.includes('different engines or devices') && w.includes('tfjs 4.22.0 (cpu)'))).toBe(
      true,
    );
    expect(warnings.some((w) => w.includes('different datasets'))).toBe(false);
  });

  it('has no warnings for a fair comparison except different epoch counts on the final basis', async () => {
    const { store, ids } = await twoRuns();
    const { runs } = await readRunsForComparison(store, ids);
    expect(compareRunData(runs, 'best').warnings).toEqual([]);
    expect(compareRunData(runs, 'final').warnings).toEqual([expect.stringContaining('different numbers of epochs')]);
  });

  it('warns about unfinished runs', async () => {
    const { store, ids } = await twoRuns({ status: 'stopped', totalEpochs: 10 });
    const { runs } = await readRunsForComparison(store, ids);
    expect(compareRunData(runs, 'best').warnings).toContain(
      '"Mini" is stopped after 2 of 10 epochs: its numbers may change or are not final.',
    );
  });

  it('reports unreadable runs as problems and still compares the others', async () => {
    const { store, ids } = await twoRuns();
    const { runs, problems } = await readRunsForComparison(store, [ids[0]!, '20260101-000000-gone-0000', ids[0]!]);
    expect(runs).toHaveLength(1);
    expect(problems).toEqual([
      expect.stringMatching(/^Run 20260101-000000-gone-0000 could not be read: There is no run/),
    ]);
  });

  it('keeps the later line of an epoch written twice (a resumed run)', () => {
    const run = {
      id: 'r',
      name: 'R',
      status: 'completed',
      model: {},
      training: {},
      epochs: 2,
      epochsDone: 2,
      durationMs: 0,
      dataset: { path: '/d', fingerprint: 'f', classNames: [], split: { seed: 1, key: 'k' } },
      versions: {},
    } as unknown as RunInfo;
    const line = (epoch: number, loss: number): EpochMetricsLine => ({
      type: 'epoch',
      epoch,
      time: '',
      loss,
      acc: 0.5,
      val_loss: loss,
      val_acc: 0.5,
    });
    const comparison = compareRunData([{ run, epochs: [line(0, 1), line(1, 0.9), line(1, 0.7)] }], 'final');
    expect(comparison.curves[0]!.epochs.map((e) => e.loss)).toEqual([1, 0.7]);
    expect(comparison.rows[0]!.loss).toBe(0.7);
  });
});
