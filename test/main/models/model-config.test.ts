import { describe, expect, it } from 'vitest';
import { LabError } from '../../../main/errors';
import { ModelConfigError, modelConfigIssues, validateModelConfig } from '../../../main/models/model-config';

/** The error `validateModelConfig` throws for `raw`. */
function failure(raw: unknown): ModelConfigError {
  try {
    validateModelConfig(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(ModelConfigError);
    expect(error).toBeInstanceOf(LabError);
    expect((error as LabError).code).toBe('INVALID_MODEL_CONFIG');
    return error as ModelConfigError;
  }
  throw new Error(`expected ${JSON.stringify(raw)} to be rejected`);
}

describe('validateModelConfig', () => {
  it('fills in the Keras Xception defaults', () => {
    expect(validateModelConfig({})).toEqual({
      inputSize: 299,
      classes: 1000,
      stemWidths: [32, 64],
      entryWidths: [128, 256, 728],
      middleRepeats: 8,
      middleWidth: 728,
      exitBlockWidths: [728, 1024],
      exitConvWidths: [1536, 2048],
      widthMultiplier: 1,
      blockStyle: 'keras',
      dropout: 0,
      pooling: 'avg',
      includeTop: true,
      batchNormMomentum: 0.99,
    });
  });

  it('does not share default arrays between configs', () => {
    const a = validateModelConfig({});
    a.entryWidths.push(1);
    expect(validateModelConfig({}).entryWidths).toEqual([128, 256, 728]);
  });

  it('rejects fewer than 2 classes, quoting the value and the range', () => {
    const error = failure({ classes: 1 });
    expect(error.field).toBe('classes');
    expect(error.message).toContain('classes is 1');
    expect(error.message).toContain('from 2 to');
  });

  it('rejects non-numeric fields, quoting the text', () => {
    const error = failure({ classes: 'abc' });
    expect(error.field).toBe('classes');
    expect(error.message).toContain('classes is "abc"');
    expect(failure({ widthMultiplier: 'wide' }).message).toContain('widthMultiplier is "wide"');
    expect(failure({ middleRepeats: 2.5 }).message).toMatch(/middleRepeats is 2\.5; .*whole number from 0 to 64/);
  });

  it('names the element of a width list', () => {
    const error = failure({ entryWidths: [128, -3, 728] });
    expect(error.field).toBe('entryWidths');
    expect(error.message).toContain('entryWidths[1] is -3');
  });

  it('rejects an input too small for the strides, with the computed minimum', () => {
    const keras = failure({ inputSize: 22 });
    expect(keras.field).toBe('inputSize');
    expect(keras.message).toContain('inputSize is 22');
    expect(keras.message).toContain('from 23 to 1024');
    expect(validateModelConfig({ inputSize: 23 }).inputSize).toBe(23);
    // 'same' stem convs lose no pixels, so the seed style goes lower.
    expect(failure({ inputSize: 16, blockStyle: 'seed' }).message).toContain('from 17 to 1024');
    expect(validateModelConfig({ inputSize: 17, blockStyle: 'seed' }).inputSize).toBe(17);
  });

  it('rejects an α that rounds a width to 0, naming the field and the width', () => {
    const error = failure({ widthMultiplier: 0.01 });
    expect(error.field).toBe('widthMultiplier');
    expect(error.message).toContain('widthMultiplier is 0.01');
    expect(error.message).toContain('stemWidths[0] (32 channels) to 0 channels');
    const minimum = Number(/at least ([\d.]+)/.exec(error.message)?.[1]);
    expect(validateModelConfig({ widthMultiplier: minimum }).widthMultiplier).toBe(minimum);
    expect(failure({ widthMultiplier: 0 }).message).toContain(
      'widthMultiplier is 0; it must be a number greater than 0',
    );
  });

  it('requires the middle width to match the last entry width (identity shortcuts)', () => {
    const error = failure({ middleWidth: 512 });
    expect(error.field).toBe('middleWidth');
    expect(error.message).toContain('middleWidth is 512 but the last entryWidths value is 728');
    expect(validateModelConfig({ middleWidth: 512, middleRepeats: 0 }).middleWidth).toBe(512);
  });

  it('rejects unknown fields and non-objects', () => {
    const error = failure({ clases: 10 });
    expect(error.field).toBe('config');
    expect(error.message).toContain('"clases"');
    expect(error.message).toContain('classes');
    expect(failure(null).message).toContain('got null');
  });

  it('rejects a bad style, dropout and pooling', () => {
    expect(failure({ blockStyle: 'resnet' }).message).toContain(
      'blockStyle is "resnet"; it must be one of "keras", "seed"',
    );
    expect(failure({ dropout: 1 }).field).toBe('dropout');
    expect(failure({ pooling: 'max' }).field).toBe('pooling');
  });
});

describe('modelConfigIssues', () => {
  it('lists every field problem for a form', () => {
    const issues = modelConfigIssues({ classes: 0, inputSize: 'big' });
    expect(issues.map((i) => i.field).sort()).toEqual(['classes', 'inputSize']);
    expect(modelConfigIssues({ classes: 10 })).toEqual([]);
  });

  it('mentions the other problems in the thrown message', () => {
    expect(failure({ classes: 0, inputSize: 'big' }).message).toContain('(1 more problem in this config)');
  });
});
