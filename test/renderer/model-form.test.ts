import { describe, expect, it } from 'vitest';
import type { ModelConfig } from '../../main/contract';
import {
  configDifferences,
  extraModelFields,
  fieldText,
  formValues,
  isShown,
  mergedConfig,
  modelFields,
  modelRequest,
  parseField,
  parseList,
  parseNumber,
  scaledWidths,
  trainingFields,
  trainingRequest,
  type FieldSpec,
} from '../../renderer/src/components/model/model-form';

const spec = (name: string): FieldSpec => {
  const found = [...modelFields, ...trainingFields].find((s) => s.name === name);
  if (!found) throw new Error(`no field ${name}`);
  return found;
};

const micro = {
  id: 'micro',
  config: {
    inputSize: 24,
    classes: 10,
    stemWidths: [32, 64],
    entryWidths: [128, 256, 728],
    middleRepeats: 1,
    middleWidth: 728,
    exitBlockWidths: [728, 1024],
    exitConvWidths: [1536, 2048],
    widthMultiplier: 0.125,
    blockStyle: 'keras',
    dropout: 0,
    pooling: 'avg',
    includeTop: true,
    batchNormMomentum: 0.99,
  } satisfies ModelConfig,
};
const mini = { id: 'mini', config: { ...micro.config, inputSize: 32, widthMultiplier: 0.25, middleRepeats: 2 } };
const trainingDefaults = {
  optimizer: 'adam',
  learningRate: 0.001,
  momentum: 0.9,
  nesterov: false,
  schedule: 'constant',
  batchSize: 32,
};

describe('parsing what was typed', () => {
  it('reads plain numbers and leaves anything else as text for the engine to quote', () => {
    expect(parseNumber(' 64 ')).toBe(64);
    expect(parseNumber('0.25')).toBe(0.25);
    expect(parseNumber('.5')).toBe(0.5);
    expect(parseNumber('1e-6')).toBe(1e-6);
    expect(parseNumber('-1')).toBe(-1);
    expect(parseNumber('abc')).toBe('abc');
    expect(parseNumber('12px')).toBe('12px');
    expect(parseNumber('')).toBe('');
  });

  it('splits lists on commas, semicolons and spaces', () => {
    expect(parseList('128, 256, 728')).toEqual([128, 256, 728]);
    expect(parseList('128 256;728,')).toEqual([128, 256, 728]);
    expect(parseList('128, x')).toEqual([128, 'x']);
    expect(parseList('  ')).toEqual([]);
  });

  it('parses each kind of field', () => {
    expect(parseField(spec('inputSize'), '32')).toBe(32);
    expect(parseField(spec('stemWidths'), ['32', '64'])).toEqual([32, 64]);
    expect(parseField(spec('entryWidths'), '128, 256')).toEqual([128, 256]);
    expect(parseField(spec('blockStyle'), 'seed')).toBe('seed');
    expect(parseField(spec('nesterov'), true)).toBe(true);
    expect(parseField(spec('nesterov'), undefined)).toBe(false);
  });

  it('shows config values as text and back', () => {
    for (const field of modelFields) {
      const value = micro.config[field.name as keyof typeof micro.config];
      expect(parseField(field, fieldText(field, value))).toEqual(value);
    }
    expect(fieldText(spec('entryWidths'), [128, 256, 728])).toBe('128, 256, 728');
    expect(fieldText(spec('stemWidths'), [32, 64])).toEqual(['32', '64']);
    expect(fieldText(spec('learningRate'), 0.001)).toBe('0.001');
  });
});

describe('modelRequest', () => {
  it('sends the preset and only the fields that differ from it', () => {
    const values = formValues(modelFields, micro.config);
    expect(modelRequest(micro, values)).toEqual({ preset: 'micro' });
    values.inputSize = '64';
    values.entryWidths = '128, 256';
    expect(modelRequest(micro, values)).toEqual({ preset: 'micro', inputSize: 64, entryWidths: [128, 256] });
  });

  it('sends invalid text as typed', () => {
    const values = { ...formValues(modelFields, micro.config), classes: 'ten' };
    expect(modelRequest(micro, values)).toEqual({ preset: 'micro', classes: 'ten' });
  });

  it('keeps fields of a loaded config that the form does not show', () => {
    const loaded = { preset: 'micro', inputSize: 32, includeTop: false };
    const extra = extraModelFields(loaded);
    expect(extra).toEqual({ includeTop: false });
    const values = formValues(modelFields, { ...micro.config, ...loaded });
    expect(modelRequest(micro, values, extra)).toEqual({ preset: 'micro', includeTop: false, inputSize: 32 });
  });
});

describe('training settings', () => {
  it('shows momentum and Nesterov for SGD only, schedule fields when they apply', () => {
    const adam = formValues(trainingFields, { ...trainingDefaults, optimizer: 'adam' });
    const sgd = { ...adam, optimizer: 'sgd' };
    expect(isShown(spec('momentum'), adam)).toBe(false);
    expect(isShown(spec('momentum'), sgd)).toBe(true);
    expect(isShown(spec('nesterov'), sgd)).toBe(true);
    expect(isShown(spec('stepEvery'), { ...adam, schedule: 'step' })).toBe(true);
    expect(isShown(spec('stepEvery'), { ...adam, schedule: 'cosine' })).toBe(false);
    expect(isShown(spec('minLearningRate'), { ...adam, schedule: 'constant' })).toBe(false);
    expect(isShown(spec('minLearningRate'), { ...adam, schedule: 'plateau' })).toBe(true);
  });

  it('leaves hidden fields out of the request, so the defaults apply', () => {
    const values = formValues(trainingFields, { ...trainingDefaults, momentum: 0.5 });
    expect(trainingRequest(values)).not.toHaveProperty('momentum');
    expect(trainingRequest({ ...values, optimizer: 'sgd' })).toMatchObject({
      optimizer: 'sgd',
      momentum: 0.5,
      nesterov: false,
    });
  });

  it('starting weights: a path (empty = none) and, only then, the flows to freeze', () => {
    const values = formValues(trainingFields, { ...trainingDefaults, weightsFile: null, freeze: [] });
    expect(values.weightsFile).toBe('');
    expect(isShown(spec('freeze'), values)).toBe(false);
    expect(trainingRequest(values)).toMatchObject({ weightsFile: null });
    expect(trainingRequest(values)).not.toHaveProperty('freeze');
    const loaded = { ...values, weightsFile: ' /w/xception_notop.h5 ', freeze: 'entry, middle' };
    expect(isShown(spec('freeze'), loaded)).toBe(true);
    expect(trainingRequest(loaded)).toMatchObject({ weightsFile: '/w/xception_notop.h5', freeze: ['entry', 'middle'] });
    expect(
      formValues(trainingFields, { ...trainingDefaults, weightsFile: '/w.h5', freeze: ['exit', 'head'] }),
    ).toMatchObject({ weightsFile: '/w.h5', freeze: 'exit, head' });
  });

  it('fine-tuning: three fields, shown once flows are frozen, sent as fineTune (all empty: null)', () => {
    const frozen = {
      ...formValues(trainingFields, { ...trainingDefaults, weightsFile: '/w.h5', freeze: ['entry', 'middle'] }),
    };
    expect(isShown(spec('fineTune.afterEpoch'), { ...frozen, freeze: '' })).toBe(false);
    expect(isShown(spec('fineTune.afterEpoch'), frozen)).toBe(true);
    expect(spec('fineTune.afterEpoch').issueField).toBe('fineTune');
    expect(trainingRequest(frozen)).toMatchObject({ fineTune: null });
    const typed = {
      ...frozen,
      'fineTune.afterEpoch': '3',
      'fineTune.unfreeze': 'middle',
      'fineTune.learningRate': '1e-5',
    };
    expect(trainingRequest(typed)).toMatchObject({
      fineTune: { afterEpoch: 3, unfreeze: ['middle'], learningRate: 1e-5 },
    });
    // Partly filled: sent as typed, for the engine to say what is missing.
    expect(trainingRequest({ ...frozen, 'fineTune.afterEpoch': '3' })).toMatchObject({
      fineTune: { afterEpoch: 3, unfreeze: [], learningRate: '' },
    });
    expect(
      formValues(trainingFields, {
        ...trainingDefaults,
        weightsFile: '/w.h5',
        freeze: ['entry'],
        fineTune: { afterEpoch: 2, unfreeze: ['entry'], learningRate: 0.0001 },
      }),
    ).toMatchObject({ 'fineTune.afterEpoch': '2', 'fineTune.unfreeze': 'entry', 'fineTune.learningRate': '0.0001' });
  });
});

describe('comparing configs', () => {
  it('spells a saved config out in full: preset, its fields, the saved ones, training defaults', () => {
    const merged = mergedConfig(
      { model: { preset: 'micro', classes: 5 }, training: { batchSize: 8 } },
      [micro],
      trainingDefaults,
    );
    expect(merged).toMatchObject({ preset: 'micro', inputSize: 24, classes: 5, optimizer: 'adam', batchSize: 8 });
  });

  it('lists only what differs, in describeChange words', () => {
    const a = { model: { preset: 'micro' }, training: { batchSize: 32 } };
    const b = { model: { preset: 'micro', classes: 5 }, training: {} };
    expect(configDifferences(a, b, [micro, mini], trainingDefaults)).toEqual(['classes: 10 → 5']);
    expect(configDifferences(a, a, [micro, mini], trainingDefaults)).toEqual([]);
  });

  it('compares across presets by their resolved values', () => {
    const a = { model: { preset: 'micro' }, training: {} };
    const b = { model: { preset: 'mini' }, training: { optimizer: 'sgd' } };
    expect(configDifferences(a, b, [micro, mini], trainingDefaults)).toEqual([
      'preset: micro → mini',
      'input size: 24 → 32',
      'middle repeats: 1 → 2',
      'width multiplier α: 0.125 → 0.25',
      'optimizer: adam → sgd',
    ]);
  });
});

describe('scaledWidths', () => {
  it('multiplies by α and rounds, like the builder', () => {
    expect(scaledWidths([128, 256, 728], 0.25)).toEqual([32, 64, 182]);
    expect(scaledWidths([728], 0.125)).toEqual([91]);
    expect(scaledWidths([128, 'x'], 0.25)).toBeUndefined();
    expect(scaledWidths([128], 'a')).toBeUndefined();
  });
});
