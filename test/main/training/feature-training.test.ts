/**
 * Training from cached features of the frozen prefix gives the same run as training through the
 * frozen layers (within float tolerance): the same weights, the same metrics. The cache is
 * reused by the next run, and not used (saying why) when augmentation is on.
 */
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveModelConfig } from '../../../main/models/presets';
import { validateTrainingSettings } from '../../../main/models/training-settings';
import type { TrainJob } from '../../../main/training/trainer';
import { featureCacheRoot } from '../../../main/training/feature-cache';
import { learnableDataset } from './learnable-dataset';
import { learnableJob, recorder, trainInSeries } from './learnable-job';
import { maxDifference, weightsOf } from './checkpoint-weights';

const model = resolveModelConfig({ preset: 'micro', classes: 3, inputSize: 24 });

const { train, settled } = trainInSeries();

let weightsFile = '';
let data: Awaited<ReturnType<typeof learnableDataset>>;

async function job(settings: Record<string, unknown>, overrides: Partial<TrainJob> = {}): Promise<TrainJob> {
  return learnableJob(
    data,
    model,
    {
      ...(weightsFile ? { weightsFile } : {}),
      ...settings,
    },
    overrides,
  );
}

describe('training from cached features', { timeout: 600_000 }, () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    data = await learnableDataset({ perClass: 8 });
    // Starting weights: a run's checkpoint after one epoch from random weights.
    const dataDir = await mkdtemp(join(tmpdir(), 'xlab-features-start-'));
    const first: TrainJob = {
      ...(await job({}, { dataDir })),
      settings: validateTrainingSettings({ epochs: 1, batchSize: 9, learningRate: 0.01, seed: 3 }),
    };
    expect(await train(tf, first, { stopRequested: false }, recorder().reporter)).toMatchObject({
      status: 'completed',
    });
    weightsFile = first.checkpoints.last;
  }, 600_000);
  beforeEach(settled, 600_000);

  for (const freeze of [
    ['entry', 'middle', 'exit'],
    ['entry', 'middle'],
  ]) {
    it(`freezing ${freeze.join(', ')}: the same weights and metrics as through the frozen layers`, async () => {
      const cached = await job({ freeze });
      const before = tf.memory().numTensors;
      const a = recorder();
      expect(await train(tf, cached, { stopRequested: false }, a.reporter)).toMatchObject({ status: 'completed' });
      expect(tf.memory().numTensors).toBe(before);
      const boundary = freeze.length === 3 ? 'avg_pool' : 'block\\d+_add';
      expect(a.logs.join('\n')).toMatch(
        new RegExp(`Feature cache: used — ${freeze.join(', ')} frozen .* ${boundary} output .*: 24 computed now`),
      );

      const full = await job({ freeze });
      const b = recorder();
      expect(await train(tf, { ...full, featureCache: false }, { stopRequested: false }, b.reporter)).toMatchObject({
        status: 'completed',
      });
      expect(b.logs.join('\n')).not.toContain('Feature cache');

      expect(
        maxDifference(await weightsOf(cached.checkpoints.last), await weightsOf(full.checkpoints.last)),
      ).toBeLessThan(1e-4);
      for (const [i, line] of a.epochs.entries()) {
        const other = b.epochs[i]!;
        for (const key of ['loss', 'acc', 'val_loss', 'val_acc'] as const)
          expect(Math.abs(line[key]! - other[key]!), `${key} of epoch ${i + 1}`).toBeLessThan(1e-4);
      }
    });
  }

  it('the next run with the same frozen weights reuses the features; other weights get their own cache', async () => {
    const first = await job({ freeze: ['entry', 'middle', 'exit'], epochs: 1 });
    await train(tf, first, { stopRequested: false }, recorder().reporter);
    const again = recorder();
    await train(tf, { ...first, runId: 'again' }, { stopRequested: false }, again.reporter);
    expect(again.logs.join('\n')).toMatch(/0 computed now, 24 reused from/);
    // Weights whose base trained on (nothing frozen): other features, another cache folder.
    const unfrozen = await job(
      { epochs: 1 },
      {
        dataDir: first.dataDir,
        checkpoints: { last: join(first.dataDir, 'u', 'last'), best: join(first.dataDir, 'u', 'best') },
      },
    );
    await train(tf, unfrozen, { stopRequested: false }, recorder().reporter);
    const other = recorder();
    await train(
      tf,
      { ...first, runId: 'other', settings: { ...first.settings, weightsFile: unfrozen.checkpoints.last } },
      { stopRequested: false },
      other.reporter,
    );
    expect(other.logs.join('\n')).toMatch(/24 computed now/);
    expect(await readdir(featureCacheRoot(first.dataDir))).toHaveLength(2);
  });

  it('is not used with augmentation on, and says why', async () => {
    const j = await job(
      { freeze: ['entry', 'middle', 'exit'], epochs: 1 },
      { augment: { flip: true, rotation: 0, zoom: 0, brightness: 0, contrast: 0, noise: 0 } },
    );
    const r = recorder();
    expect(await train(tf, j, { stopRequested: false }, r.reporter)).toMatchObject({ status: 'completed' });
    expect(r.logs).toContain(
      'Feature cache: not used — augmentation is on, features vary per epoch — training the full forward pass.',
    );
  });
});
