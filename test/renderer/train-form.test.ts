import { describe, expect, it } from 'vitest';
import type { EngineInfo, KerasEngineStatus, ModelPresetInfo, NamedConfig, SampleDataset } from '../../main/contract';
import {
  buildTrainRequest,
  engineChoices,
  fieldOfServerError,
  kerasNote,
  initialValues,
  knobs,
  knobsFromConfig,
  knobsFromDefaults,
  knobsFromPreset,
  healthNotices,
  parseKnob,
  type TrainFormValues,
} from '../../renderer/src/components/train/train-form';
import { probeProblem } from '../../main/keras/python-env';
import {
  folderName,
  formatApprox,
  formatClock,
  formatCount,
  formatDuration,
  formatEstimate,
  formatPercent,
  formatRate,
} from '../../renderer/src/components/train/format';

const sample: SampleDataset = {
  id: 'fashion-mini',
  name: 'Fashion-MNIST mini',
  description: '300 images',
  path: '/app/assets/samples/fashion-mini',
  classes: [{ name: 'a', images: 30 }],
  images: 300,
  license: 'MIT',
};

const config: NamedConfig = {
  name: 'small flowers',
  model: { preset: 'mini', inputSize: 48, classes: 5, dropout: 0.2 },
  training: { epochs: 30, batchSize: 16, learningRate: 0.0005, seed: 7, optimizer: 'sgd' },
  savedAt: '2026-11-25T12:00:00.000Z',
};

const values = (over: Partial<TrainFormValues> = {}): TrainFormValues => ({
  ...initialValues(),
  sampleId: 'fashion-mini',
  ...over,
});
const context = { samples: [sample], configs: [config] };

describe('buildTrainRequest', () => {
  it('sends the sample path, the preset with its input size, and the knobs as numbers; never classes', () => {
    const built = buildTrainRequest(values({ epochs: '2', name: '  first  ' }), context);
    expect(built).toEqual({
      ok: true,
      request: {
        dataset: '/app/assets/samples/fashion-mini',
        model: { preset: 'micro', inputSize: 24 },
        training: { epochs: 2, batchSize: 32, learningRate: 0.001, seed: 42, monitor: 'val_loss' },
        name: 'first',
      },
    });
  });

  it('takes a typed folder path and leaves the name out when empty', () => {
    const built = buildTrainRequest(values({ datasetSource: 'path', path: ' /data/flowers ' }), context);
    expect(built.ok && built.request.dataset).toBe('/data/flowers');
    expect(built.ok && 'name' in built.request).toBe(false);
  });

  it("starts from a saved config's model and training, with the knobs on top and its class count dropped", () => {
    const built = buildTrainRequest(
      values({ modelSource: 'config', configName: 'small flowers', inputSize: '40' }),
      context,
    );
    expect(built.ok && built.request.model).toEqual({ preset: 'mini', inputSize: 40, dropout: 0.2 });
    expect(built.ok && built.request.training).toEqual({
      epochs: 5,
      batchSize: 32,
      learningRate: 0.001,
      seed: 42,
      optimizer: 'sgd',
      monitor: 'val_loss',
    });
  });

  it('names every field that is wrong', () => {
    const built = buildTrainRequest(
      values({
        datasetSource: 'path',
        path: '',
        modelSource: 'config',
        configName: 'gone',
        epochs: '0',
        batchSize: '2.5',
        learningRate: 'fast',
        name: 'x'.repeat(201),
      }),
      context,
    );
    expect(built.ok).toBe(false);
    if (built.ok) return;
    expect(Object.keys(built.errors).sort()).toEqual([
      'batchSize',
      'dataset',
      'epochs',
      'learningRate',
      'model',
      'name',
    ]);
    expect(built.errors.learningRate).toBe('Learning rate must be a number, not "fast".');
  });
});

describe('parseKnob', () => {
  const spec = (field: string) => knobs.find((k) => k.field === field)!;
  it('accepts whole numbers in range, and a learning rate above 0', () => {
    expect(parseKnob(spec('epochs'), ' 12 ')).toEqual({ ok: true, value: 12 });
    expect(parseKnob(spec('learningRate'), '1e-3')).toEqual({ ok: true, value: 0.001 });
    expect(parseKnob(spec('seed'), '0')).toEqual({ ok: true, value: 0 });
  });
  it('says what is wrong', () => {
    expect(parseKnob(spec('epochs'), '')).toEqual({ ok: false, message: 'Epochs is required.' });
    expect(parseKnob(spec('epochs'), '1.5')).toEqual({ ok: false, message: 'Epochs must be a whole number.' });
    expect(parseKnob(spec('learningRate'), '0')).toEqual({ ok: false, message: 'Learning rate must be above 0.' });
    expect(parseKnob(spec('batchSize'), '5000')).toEqual({ ok: false, message: 'Batch size must be at most 4,096.' });
  });
});

describe('knobs from presets, configs and defaults', () => {
  it('reads the input size of a preset, and a config’s training settings', () => {
    const preset = {
      id: 'mini',
      title: 'Mini',
      description: '',
      suggestedSizes: { min: 32, max: 64 },
      config: { inputSize: 32 },
    } as ModelPresetInfo;
    expect(knobsFromPreset(preset)).toEqual({ inputSize: '32' });
    expect(knobsFromPreset(undefined)).toEqual({});
    expect(knobsFromConfig(config)).toEqual({
      inputSize: '48',
      epochs: '30',
      batchSize: '16',
      learningRate: '0.0005',
      seed: '7',
    });
    expect(knobsFromDefaults({ batchSize: 32, learningRate: 0.001, seed: 42, epochs: 20 })).toEqual({
      batchSize: '32',
      learningRate: '0.001',
      seed: '42',
    });
  });
});

describe('fieldOfServerError', () => {
  it('finds the field the engine names, or the part of the form the code is about', () => {
    expect(
      fieldOfServerError('INVALID_MODEL_CONFIG', 'Invalid model config: inputSize is 20, too small for this network'),
    ).toBe('inputSize');
    expect(
      fieldOfServerError('INVALID_TRAINING_SETTINGS', 'Invalid training settings: batchSize is 0; too small'),
    ).toBe('batchSize');
    expect(fieldOfServerError('DATASET_TOO_SMALL', '/x has 1 usable class')).toBe('dataset');
    expect(fieldOfServerError('DATASET_NOT_FOUND', '/x does not exist')).toBe('dataset');
    expect(fieldOfServerError('CLASS_COUNT_MISMATCH', 'The model has 10 classes')).toBe('model');
    expect(fieldOfServerError('BUSY', 'Run r1 is training')).toBeUndefined();
  });
});

describe('format', () => {
  it('writes counts, percentages, durations and rates for people', () => {
    expect(formatCount(21_066_380)).toBe('21,066,380');
    expect(formatPercent(0.9333)).toBe('93.3%');
    expect(formatPercent(null)).toBe('—');
    expect(formatDuration(185_000)).toBe('3 min 05 s');
    expect(formatRate(12.34)).toBe('12.3 img/s');
    expect(formatRate(1234.5)).toBe('1,235 img/s');
  });

  it('says the estimate as the issue words it', () => {
    expect(formatEstimate({ secondsPerEpoch: 31, totalSeconds: 31 }, { name: 'tfjs', device: 'cpu' })).toBe(
      '≈ 31 s per epoch on tfjs (CPU)',
    );
    expect(formatEstimate({ secondsPerEpoch: 31, totalSeconds: 620 }, { name: 'tfjs-node-gpu', device: 'gpu' })).toBe(
      '≈ 31 s per epoch on tfjs-node-gpu (GPU), about 10 min in all',
    );
    expect(formatApprox(5400)).toBe('1.5 h');
  });

  it('takes the folder name of either kind of path', () => {
    expect(folderName('/data/flowers/')).toBe('flowers');
    expect(folderName('C:\\data\\cats')).toBe('cats');
  });
});

describe('formatClock', () => {
  it('writes a time of day on the 24-hour clock, as both logs show it', () => {
    expect(formatClock(new Date(2026, 0, 2, 13, 5, 9).toISOString())).toBe('13:05:09');
    expect(formatClock(new Date(2026, 0, 2, 0, 0, 1).toISOString())).toBe('00:00:01');
    expect(formatClock(new Date(2026, 0, 2, 23, 59, 59).toISOString())).toBe('23:59:59');
  });

  it('gives back what it cannot read, or the fallback', () => {
    expect(formatClock('soon')).toBe('soon');
    expect(formatClock('soon', '')).toBe('');
  });
});

describe('the best-epoch monitor', () => {
  it('is val_loss unless chosen, goes into the training settings, and follows a saved config', () => {
    const values: TrainFormValues = { ...initialValues(), sampleId: sample.id, monitor: 'val_accuracy' };
    const built = buildTrainRequest(values, { samples: [sample], configs: [] });
    expect(built.ok && built.request.training.monitor).toBe('val_accuracy');
    expect(initialValues().monitor).toBe('val_loss');
    const config = {
      name: 'acc',
      model: { preset: 'micro' },
      training: { monitor: 'val_accuracy' },
    } as unknown as NamedConfig;
    expect(knobsFromConfig(config).monitor).toBe('val_accuracy');
  });
});

describe('healthNotices', () => {
  it("says before training what the dataset's health report found: problem files, classes left out, other warnings", () => {
    const notices = healthNotices({
      classes: [
        { name: 'cat', images: 5 },
        { name: 'dog', images: 1 },
        { name: 'empty_class', images: 0 },
      ],
      problems: Array.from({ length: 8 }, (_, i) => ({ path: `cat/${i}.jpg`, reason: 'truncated JPEG' })),
      warnings: [
        'Class "dog" has only 1 usable image: it cannot be split into training and validation.',
        'Class "empty_class" has no usable images.',
      ],
    });
    expect(notices).toEqual([
      '8 files have problems (damaged, unsupported, …) and are left out.',
      '"empty_class" has no usable images and is left out: the model gets 2 classes.',
      'Class "dog" has only 1 usable image: it cannot be split into training and validation.',
    ]);
    expect(healthNotices({ classes: [{ name: 'a', images: 3 }], problems: [], warnings: [] })).toEqual([]);
  });
});

describe('the engine choice', () => {
  const tfjs: EngineInfo = {
    name: 'tfjs-node',
    device: 'cpu',
    reason: 'native',
    backend: 'tensorflow',
    version: '4.22.0',
  };
  const found: KerasEngineStatus = {
    found: {
      python: '/v/bin/python',
      from: 'XLAB_PYTHON',
      ok: true,
      tensorflow: '2.21.0',
      keras: '3.15.0',
      devices: ['CPU:0'],
    },
    tried: [],
    fix: 'npx xlab engine setup-keras',
  };
  const missing: KerasEngineStatus = {
    tried: [{ python: 'python3', from: 'PATH', ok: false, problem: 'TensorFlow is not installed: install it.' }],
    fix: 'npx xlab engine setup-keras',
  };

  it('sends engine "keras" only when Keras is chosen', () => {
    const keras = buildTrainRequest(values({ engine: 'keras' }), context);
    expect(keras.ok && keras.request.engine).toBe('keras');
    const builtin = buildTrainRequest(values(), context);
    expect(builtin.ok && 'engine' in builtin.request).toBe(false);
  });

  it('offers the running engine, and Keras with its TensorFlow version and device when a Python can train', () => {
    expect(engineChoices(tfjs, found)).toEqual([
      { value: 'builtin', label: 'Built-in (tfjs-node)', disabled: false },
      { value: 'keras', label: 'Keras (TensorFlow 2.21.0, CPU:0)', disabled: false },
    ]);
    expect(kerasNote(found)).toBeUndefined();
  });

  it('disables Keras while asking and when no Python can train, saying what is missing', () => {
    expect(engineChoices(null, null)[1]).toEqual({ value: 'keras', label: 'Keras (checking…)', disabled: true });
    expect(engineChoices(tfjs, missing)[1]).toEqual({ value: 'keras', label: 'Keras (not available)', disabled: true });
    expect(kerasNote(missing)).toBe('Keras is not available: TensorFlow is not installed: install it.');
  });

  it("leaves the probe's install advice to the page's one fix", () => {
    const problem = probeProblem({ tensorflow: '2.21.0', keras: '2.15.0', pillow: '11.0.0' });
    const keras2 = { tried: [{ python: 'python3', from: 'PATH', ok: false, problem }], fix: '' };
    expect(kerasNote(keras2)).toBe('Keras is not available: Keras 2.15.0 is Keras 2; Keras 3 is needed.');
  });
});
