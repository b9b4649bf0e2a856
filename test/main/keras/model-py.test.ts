/**
 * model.py builds the lab's network in Keras: for every preset and both block styles, the
 * layer names (in order), classes, output shapes and per-layer parameter counts of Keras'
 * model equal those of the tfjs model the lab builds from its plan, and so does
 * count_params(). All configs are checked in one Python process (importing TensorFlow is slow).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { modelPy } from '../../../main/keras/model-py';
import { modelPresetIds, resolveModelConfig } from '../../../main/models/presets';
import { blockStyles, type ModelConfig } from '../../../main/models/model-config';
import { summarizeModel } from '../../../main/models/model-summary';
import { buildXception } from '../../../main/models/xception';
import { findTestPython, runPython, type TestPython } from '../../helpers/keras-python';

tf.enableProdMode();

const cases: { label: string; config: ModelConfig }[] = modelPresetIds.flatMap((preset) =>
  blockStyles.map((style) => ({
    label: `${preset}/${style}`,
    // The small presets also get a dropout layer, so top_dropout is checked too.
    config: resolveModelConfig({
      preset,
      blockStyle: style,
      ...(preset === 'mini' || preset === 'micro' ? { dropout: 0.3 } : {}),
    }),
  })),
);

interface KerasRow {
  name: string;
  type: string;
  shape: (number | null)[];
  params: number;
}

const script = `
import importlib.util, json, sys
out = {}
for i, path in enumerate(sys.argv[1:]):
    spec = importlib.util.spec_from_file_location(f"model_{i}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    model = module.make_model()
    rows = [
        {"name": l.name, "type": type(l).__name__, "shape": list(l.output.shape), "params": l.count_params()}
        for l in model.layers
    ]
    out[path] = {"params": model.count_params(), "rows": rows, "name": model.name}
print("RESULT " + json.dumps(out))
`;

let env: TestPython = {};
const keras = new Map<string, { params: number; rows: KerasRow[]; name: string }>();
const files = new Map<string, string>();

beforeAll(async () => {
  env = await findTestPython();
  if (!env.python) return;
  const dir = await mkdtemp(join(tmpdir(), 'xlab-keras-model-'));
  for (const [i, { label, config }] of cases.entries()) {
    const file = join(dir, `model_${i}.py`);
    await writeFile(file, modelPy(config, label));
    files.set(label, file);
  }
  const stdout = await runPython(env.python, ['-c', script, ...files.values()]);
  const result = JSON.parse(
    stdout
      .split('\n')
      .find((l) => l.startsWith('RESULT '))!
      .slice(7),
  ) as Record<string, { params: number; rows: KerasRow[]; name: string }>;
  for (const [label, file] of files) keras.set(label, result[file]!);
}, 600_000);

describe('model.py against the lab plan', () => {
  it.for(cases)('$label: same layers, shapes and parameter counts', ({ label, config }, ctx) => {
    if (!env.python) return ctx.skip(env.skip);
    const model = buildXception(config, tf);
    try {
      const lab = summarizeModel(model);
      const got = keras.get(label)!;
      expect(got.name).toBe(lab.name);
      expect(got.params).toBe(lab.totals.params);
      expect(got.rows.map((r) => r.name)).toEqual(lab.rows.map((r) => r.name));
      expect(got.rows.map((r) => [r.name, r.type, r.shape, r.params])).toEqual(
        lab.rows.map((r) => [r.name, r.type, r.outputShape, r.params]),
      );
    } finally {
      model.dispose();
    }
  });
});
