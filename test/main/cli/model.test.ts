import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelCommand, type ModelReport } from '../../../main/cli/model';
import { LabError } from '../../../main/errors';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xlab-model-cli-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs `xlab model ...args` and returns what it wrote to stdout. */
async function run(...args: string[]): Promise<string> {
  let out = '';
  await modelCommand({ stdout: (text) => void (out += text) }).parseAsync(args, { from: 'user' });
  return out;
}

/** The LabError `xlab model ...args` fails with. */
async function failure(...args: string[]): Promise<LabError> {
  const error = await run(...args).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LabError);
  return error as LabError;
}

describe('xlab model', () => {
  it('--json prints the contract: params, trainableParams, nonTrainableParams, flops, layers', async () => {
    const report = JSON.parse(await run('--preset', 'micro', '--classes', '3', '--json')) as ModelReport;
    expect(Object.keys(report)).toEqual(['params', 'trainableParams', 'nonTrainableParams', 'flops', 'layers']);
    expect(report.params).toBe(report.trainableParams + report.nonTrainableParams);
    expect(report.params).toBe(report.layers.reduce((sum, l) => sum + l.params, 0));
    expect(report.flops).toBeGreaterThan(0);
    expect(report.layers[0]).toEqual({
      name: 'input_layer',
      type: 'InputLayer',
      outputShape: [null, 24, 24, 3],
      params: 0,
    });
    expect(report.layers.at(-1)).toEqual({
      name: 'predictions',
      type: 'Dense',
      outputShape: [null, 3],
      params: 256 * 3 + 3,
    });
  });

  it('prints a readable summary table with totals and cost', async () => {
    const text = await run(
      '--preset',
      'micro',
      '--style',
      'seed',
      '--size',
      '32',
      '--alpha',
      '0.25',
      '--middle',
      '2',
      '--batch',
      '4',
    );
    expect(text).toContain('Model "xception_seed": seed style, 32×32×3 input, α 0.25, 2 middle blocks, 10 classes');
    expect(text).toMatch(/block1_conv1 \(Conv2D\) +\(None, 16, 16, 8\) +216 +input_layer/);
    expect(text).toMatch(/block2_add \(Add\) .* block2_pool, block2_shortcut_bn/);
    expect(text).toContain('block6_sepconv2_act (Activation)');
    expect(text).toMatch(/Total params: [\d,]+ \(/);
    expect(text).toMatch(/Non-trainable params: [\d,]+/);
    expect(text).toMatch(/FLOPs per image: [\d.]+ M/);
    expect(text).toContain('Activation memory, batch of 4:');
  });

  it('takes a --config file, with the flags on top', async () => {
    const file = join(dir, 'model.json');
    await writeFile(file, JSON.stringify({ preset: 'micro', classes: 7, dropout: 0.25 }));
    const report = JSON.parse(await run('--config', file, '--classes', '4', '--json')) as ModelReport;
    expect(report.layers.map((l) => l.name)).toContain('top_dropout');
    expect(report.layers.at(-1)?.outputShape).toEqual([null, 4]);
  });

  it('reads the model options of a saved named config', async () => {
    const file = join(dir, 'named.json');
    const named = {
      name: 'Tiny',
      model: { preset: 'micro', classes: 6 },
      training: {},
      savedAt: '2025-01-01T00:00:00Z',
    };
    await writeFile(file, JSON.stringify(named));
    const report = JSON.parse(await run('--config', file, '--json')) as ModelReport;
    expect(report.layers.at(-1)?.outputShape).toEqual([null, 6]);
  });

  it('names the flag of a non-numeric value', async () => {
    const error = await failure('--preset', 'micro', '--classes', 'abc');
    expect(error.code).toBe('INVALID_OPTION');
    expect(error.message).toBe('--classes must be a whole number (got "abc").');
    expect((await failure('--alpha', 'wide')).message).toContain('--alpha');
    expect((await failure('--middle', '1.5')).message).toContain('--middle');
    expect((await failure('--style', 'resnet')).message).toContain('--style must be keras or seed');
  });

  it('names the field and the flag of an impossible config', async () => {
    const small = await failure('--preset', 'micro', '--size', '10');
    expect(small.code).toBe('INVALID_MODEL_CONFIG');
    expect(small.message).toContain('inputSize is 10');
    expect(small.message).toContain('from 23 to 1024');
    expect(small.message).toContain('(set by --size)');
    const alpha = await failure('--preset', 'micro', '--alpha', '0.001');
    expect(alpha.message).toContain('widthMultiplier is 0.001, which rounds');
    expect(alpha.message).toContain('(set by --alpha)');
    expect((await failure('--preset', 'micro', '--classes', '1')).message).toContain(
      'classes is 1; it must be a whole number from 2',
    );
  });

  it('names a bad value that came from the config file', async () => {
    const file = join(dir, 'bad.json');
    await writeFile(file, JSON.stringify({ preset: 'micro', dropout: 2 }));
    const error = await failure('--config', file);
    expect(error.message).toContain('dropout is 2');
    expect(error.message).toContain(`(set in ${file})`);
    await writeFile(file, '{ not json');
    expect((await failure('--config', file)).message).toContain('is not valid JSON');
    expect((await failure('--config', join(dir, 'missing.json'))).code).toBe('CONFIG_UNREADABLE');
  });

  it('names an unknown preset and lists the valid ones', async () => {
    const error = await failure('--preset', 'resnet50');
    expect(error.code).toBe('UNKNOWN_PRESET');
    expect(error.message).toBe(
      'Unknown model preset "resnet50"; the presets are xception, seed, mini, micro, xception-imagenet.',
    );
  });
});
