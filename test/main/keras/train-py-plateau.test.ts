/**
 * train.py's "plateau" schedule keeps its counters in the epoch commit, as the tfjs trainer
 * does: a resumed Keras run goes on lowering the learning rate where the interrupted one left
 * off (Keras' ReduceLROnPlateau started afresh on every resume, and the multi-worker loop had
 * no plateau at all). The decision itself is checked on train.py's Tracker directly; one real
 * two-epoch run checks model.fit commits the counters and the rate it used.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { copyFile, mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../main/cli/program';
import { readCommitted } from '../../../main/runs/epoch-commit';
import { repoRoot } from '../../helpers/built';
import { findTestPython, runPython, type TestPython } from '../../helpers/keras-python';

const training = {
  epochs: 2,
  batchSize: 8,
  seed: 3,
  schedule: 'plateau',
  learningRate: 0.01,
  plateauPatience: 2,
  plateauFactor: 0.5,
  minLearningRate: 0.004,
};
let env: TestPython = {};
let project: string;

beforeAll(async () => {
  env = await findTestPython();
  if (!env.python) return;
  const work = await mkdtemp(join(tmpdir(), 'xlab-keras-plateau-'));
  const dataset = join(work, 'two');
  for (const name of ['Bag', 'Trouser']) {
    const from = join(repoRoot, 'assets', 'samples', 'fashion-mini', name);
    await mkdir(join(dataset, name), { recursive: true });
    for (const file of (await readdir(from)).sort().slice(0, 8))
      await copyFile(join(from, file), join(dataset, name, file));
  }
  const config = join(work, 'config.json');
  await writeFile(config, JSON.stringify({ name: 'plateau', model: { preset: 'micro', inputSize: 32 }, training }));
  project = join(work, 'project');
  let stderr = '';
  const code = await runCli(
    ['export-keras', '--config', config, dataset, '--out', project, '--data-dir', join(work, 'data')],
    {
      stdout: () => {},
      stderr: (t) => void (stderr += t),
      env: process.env,
      workerUrl: new URL('file:///unused-worker.js'),
    },
  );
  expect(code, stderr).toBe(0);
}, 300_000);

describe('train.py plateau schedule', { timeout: 600_000 }, () => {
  it('goes on from the committed counters and commits the rate it lowered to', async (ctx) => {
    if (!env.python) return ctx.skip(env.skip);
    const script = `
import json, sys, tempfile
import tensorflow as tf
import train

class Optimizer:
    learning_rate = tf.Variable(0.01)

def epoch(tracker, n, val_loss):
    logs = {"loss": 1.0, "accuracy": 0.5, "val_loss": val_loss, "val_accuracy": 0.5}
    optimizer = Optimizer()
    optimizer.learning_rate.assign(0.01)
    tracker.end_epoch(n, logs, 0.01, optimizer)
    return float(optimizer.learning_rate.numpy())

out = tempfile.mkdtemp()
history = [{"type": "epoch", "epoch": 0, "loss": 1.0, "acc": 0.5, "val_loss": 0.5, "val_acc": 0.5, "lr": 0.01}]
# An interrupted run committed one epoch: best val_loss 0.5, one epoch without improvement.
committed = {"formatVersion": 1, "runId": "r", "epochsDone": 1, "history": history, "epochsSinceBest": 0,
             "trainer": {"plateauWait": 1, "plateauBest": 0.5}}
resumed = train.Tracker(None, train.RunState(out, 3), committed, out, {}, 1, 8, False)
rate = epoch(resumed, 1, 0.6)  # a second epoch without improvement: patience 2 reached
fresh = train.Tracker(None, train.RunState(out, 3), None, out, {}, 1, 8, False)
first = epoch(fresh, 0, 0.6)
restarted = Optimizer()
train.Tracker(None, train.RunState(out, 3), resumed.committed, out, {}, 1, 8, False).resume_learning_rate(restarted)
print(json.dumps({"rate": rate, "trainer": resumed.committed["trainer"], "first": first,
                  "firstTrainer": fresh.committed["trainer"], "restarted": float(restarted.learning_rate.numpy())}))
`;
    const result = JSON.parse(
      (await runPython(env.python!, ['-c', script], { cwd: project })).trim().split('\n').pop()!,
    );
    expect(result.rate).toBeCloseTo(0.005, 7);
    expect(result.trainer).toEqual({ plateauWait: 0, plateauBest: 0.5, learningRate: 0.005 });
    // A run without that history only starts counting.
    expect(result.first).toBeCloseTo(0.01, 7);
    expect(result.firstTrainer).toEqual({ plateauWait: 0, plateauBest: 0.6, learningRate: 0.01 });
    // A resume whose optimizer starts afresh gets the lowered rate back.
    expect(result.restarted).toBeCloseTo(0.005, 7);
  });

  it('model.fit commits the counters with every epoch', async (ctx) => {
    if (!env.python) return ctx.skip(env.skip);
    await runPython(env.python!, [join(project, 'train.py')], { cwd: project });
    const committed = await readCommitted(join(project, 'output', 'checkpoints', 'last'));
    expect(committed?.epochsDone).toBe(2);
    const history = committed?.history ?? [];
    expect(history).toHaveLength(2);
    // The tfjs trainer's rule over the same val_loss curve.
    let best = Infinity;
    let wait = 0;
    let rate = training.learningRate;
    for (const line of history) {
      expect(line.lr).toBeCloseTo(rate, 7);
      if (line.val_loss! < best) [best, wait] = [line.val_loss!, 0];
      else if (++wait >= training.plateauPatience)
        [rate, wait] = [Math.max(training.minLearningRate, rate * training.plateauFactor), 0];
    }
    expect(committed?.trainer).toMatchObject({ plateauWait: wait, plateauBest: best });
    expect(committed?.trainer?.['learningRate']).toBeCloseTo(rate, 7);
    expect(JSON.parse(await readFile(join(project, 'output', 'state.json'), 'utf8')).status).toBe('completed');
  });
});
