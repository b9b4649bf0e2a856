/**
 * The Keras engine in `npm run bench -- engines`: the case's model as the lab exports it
 * (main/keras/model-py.ts: the same layers, widths and initialisers as the tfjs model),
 * compiled with Adam and trained on random batches by `train_on_batch` — a compiled graph
 * after the warm-up batch, as `model.fit` runs it — in the Python the Keras engine would use
 * (main/keras/python-env.ts: XLAB_PYTHON, else the data folder's `xlab engine setup-keras`
 * environment, else python3 on PATH).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveDataDir } from '../../main/fs/data-dir';
import { modelPy } from '../../main/keras/model-py';
import { findKerasPython, type PythonProbe } from '../../main/keras/python-env';
import { resolveModelConfig } from '../../main/models/presets';
import type { BenchCase, BenchEngine } from './registry';

/** Times `steps` batches after a warm-up one; prints `imagesPerSec=N`. */
const benchPy = `import json, sys, time
import numpy as np
import keras
from model import CONFIG, make_model

case = json.loads(sys.argv[1])
keras.utils.set_random_seed(1)
model = make_model(CONFIG)
model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="categorical_crossentropy")
size, batch, classes = CONFIG["input_size"], case["batchSize"], CONFIG["classes"]
rng = np.random.default_rng(7)
x = rng.uniform(-1, 1, (batch, size, size, 3)).astype("float32")
y = keras.utils.to_categorical(rng.integers(0, classes, batch), classes)
model.train_on_batch(x, y)  # warm-up: traces and compiles the training step
start = time.perf_counter()
for _ in range(case["steps"]):
    model.train_on_batch(x, y)
seconds = time.perf_counter() - start
print(f"imagesPerSec={case['steps'] * batch / seconds:.3f}")
`;

function run(python: string, args: string[], cwd: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(python, args, {
      cwd,
      env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', (error) => resolve({ code: null, out: error.message }));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

export function kerasEngine(): BenchEngine {
  let probe: PythonProbe | undefined;
  return {
    name: 'keras',
    async unavailable() {
      const { found, tried } = await findKerasPython(resolveDataDir(undefined), process.env);
      probe = found;
      if (found) return undefined;
      const why = tried.map((t) => `${t.python} (${t.from}): ${t.problem}`).join(' ');
      return `${why} Needs TensorFlow ≥ 2.16 and Keras 3: set XLAB_PYTHON or run "xlab engine setup-keras".`;
    },
    async measure(c: BenchCase) {
      const config = resolveModelConfig({
        preset: c.preset,
        inputSize: c.inputSize,
        classes: c.classes,
        ...(c.blockStyle ? { blockStyle: c.blockStyle } : {}),
      });
      const dir = await mkdtemp(join(tmpdir(), 'xlab-bench-keras-'));
      try {
        await writeFile(join(dir, 'model.py'), modelPy(config, `npm run bench -- engines (${c.label})`));
        await writeFile(join(dir, 'bench.py'), benchPy);
        const r = await run(probe!.python, ['bench.py', JSON.stringify(c)], dir);
        const m = /^imagesPerSec=([\d.]+)$/m.exec(r.out);
        if (r.code !== 0 || !m)
          throw new Error(`keras failed on ${c.label} (exit ${r.code}): ${r.out.trim().split('\n').pop()}`);
        return Number(m[1]);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
