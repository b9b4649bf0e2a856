/**
 * pure-JS tfjs's "Hi, looks like you are running TensorFlow.js in Node.js" banner: the engine
 * skips it. Its own file, so this file's tfjs has written no tensor before the test.
 */
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { selectBackend, skipNodeGreeting } from '../../../main/engine/backend-select';

describe('the pure-JS engine', () => {
  afterEach(() => vi.restoreAllMocks());

  it('prints no "running TensorFlow.js in Node.js" banner on its first tensor', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { info } = await selectBackend({ load: () => tf, force: 'js' });
    expect(info.backend).toBe('cpu');
    tf.tidy(() => tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4])).dataSync());
    expect(warn.mock.calls.flat().join('\n')).not.toMatch(/running TensorFlow\.js in Node\.js/);
  });

  it('leaves a backend without the greeting alone', () => {
    const native = { name: 'tensorflow' };
    skipNodeGreeting(native);
    skipNodeGreeting(null);
    expect(native).toEqual({ name: 'tensorflow' });
  });
});
