/**
 * Training from starting weights (a run's checkpoint here; Keras' files are covered by the
 * agreement tests) with flows frozen: the frozen layers' weights and batch-norm statistics stay
 * exactly as loaded, the rest trains; a file that does not fit fails the run, saying why.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { resolveModelConfig } from '../../../main/models/presets';
import { validateTrainingSettings } from '../../../main/models/training-settings';
import { loadCheckpoint, disposeLoadedModel } from '../../../main/training/checkpoint-io';
import { train, type TrainJob } from '../../../main/training/trainer';
import { requireImagenetWeights } from '../../../main/models/pretrained/imagenet';
import { planXception } from '../../../main/models/xception-plan';
import { learnableDataset } from './learnable-dataset';
import { learnableJob } from './learnable-job';

const model = resolveModelConfig({ preset: 'micro', classes: 3, inputSize: 24 });

async function job(settings: Record<string, unknown>): Promise<TrainJob> {
  return learnableJob(await learnableDataset(), model, settings);
}

const reporter = (logs: string[]) => ({
  progress: () => {},
  epoch: () => {},
  estimate: () => {},
  params: () => {},
  log: (_l: string, m: string) => logs.push(m),
});

async function weightsOf(dir: string): Promise<Map<string, Float32Array[]>> {
  const m = await loadCheckpoint(tf, dir);
  const out = new Map(m.layers.map((l) => [l.name, l.getWeights().map((w) => w.dataSync() as Float32Array)]));
  disposeLoadedModel(m);
  return out;
}

describe('starting weights and frozen flows', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it("starts from a run's checkpoint; frozen entry and middle flows (batch norms included) stay as loaded, the rest trains", async () => {
    const first = await job({ epochs: 1 });
    expect(await train(tf, first, { stopRequested: false }, reporter([]))).toMatchObject({ status: 'completed' });
    const start = await weightsOf(first.checkpoints.last);

    const logs: string[] = [];
    const second = await job({ weightsFile: first.checkpoints.last, freeze: ['entry', 'middle'] });
    expect(await train(tf, second, { stopRequested: false }, reporter(logs))).toMatchObject({
      status: 'completed',
      epochsDone: 2,
    });
    expect(logs.join('\n')).toMatch(/Started from checkpoint weights in .*: \d+ layers loaded/);
    expect(logs.join('\n')).toMatch(/Frozen: entry, middle \(\d+ layers with weights/);
    const end = await weightsOf(second.checkpoints.last);
    const same = (name: string): boolean =>
      start.get(name)!.every((w, i) => w.every((v, j) => v === end.get(name)![i]![j]));
    const withWeights = planXception(model).layers.filter((l) => start.get(l.name)?.length);
    const names = (flow: string) => withWeights.filter((l) => l.flow === flow && l.block !== 'top').map((l) => l.name);
    expect(names('entry')).toContain('block1_conv1_bn');
    for (const name of [...names('entry'), ...names('middle')]) expect(same(name), name).toBe(true);
    for (const name of [...names('exit').slice(-2), 'predictions']) expect(same(name), name).toBe(false);
  }, 120_000);

  it('freeze without starting weights is refused, naming the field', () => {
    expect(() => validateTrainingSettings({ freeze: ['entry'] })).toThrow(
      'freeze needs starting weights (weightsFile)',
    );
  });

  it('weights that do not fit fail the run with each layer and shape', async () => {
    const first = await job({ epochs: 1 });
    await train(tf, first, { stopRequested: false }, reporter([]));
    const wider = {
      ...(await job({ weightsFile: first.checkpoints.last })),
      model: resolveModelConfig({ preset: 'micro', classes: 3, inputSize: 24, widthMultiplier: 0.25 }),
    };
    const outcome = await train(tf, wider, { stopRequested: false }, reporter([]));
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'WEIGHTS_MISMATCH' } });
    expect(outcome.error!.message).toMatch(
      /other shapes: layer block1_conv1 — kernel: expected \[3, 3, 3, 8\], found \[3, 3, 3, 4\]/,
    );
  }, 120_000);

  it('the ImageNet preset refuses to start without its file and says where to get it', () => {
    expect(() => requireImagenetWeights('xception-imagenet', { weightsFile: null })).toThrow(
      /never downloads them: on a machine with internet, get xception_weights_tf_dim_ordering_tf_kernels_notop\.h5 .* from https:\/\/storage\.googleapis\.com\/tensorflow\/keras-applications\/xception\/xception_weights_tf_dim_ordering_tf_kernels_notop\.h5.*--weights FILE/,
    );
    expect(() => requireImagenetWeights('xception-imagenet', { weightsFile: '/w.h5' })).not.toThrow();
    expect(() => requireImagenetWeights('xception', { weightsFile: null })).not.toThrow();
  });
});
