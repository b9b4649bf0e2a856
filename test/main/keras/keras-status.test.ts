import { describe, expect, it } from 'vitest';
import { createKerasStatus, kerasFix } from '../../../main/keras/keras-status';
import type { PythonProbe } from '../../../main/keras/python-env';

const good: PythonProbe = {
  python: '/venv/bin/python',
  from: 'XLAB_PYTHON',
  ok: true,
  tensorflow: '2.21.0',
  keras: '3.15.0',
  devices: ['CPU:0'],
};
const bad: PythonProbe = { python: 'python3', from: 'PATH', ok: false, problem: 'TensorFlow is not installed.' };

describe('the Keras engine status', () => {
  it('asks the Python once per session and again on refresh', async () => {
    const answers = [{ tried: [bad] }, { found: good, tried: [bad, good] }];
    let asked = 0;
    const status = createKerasStatus(async () => answers[asked++]!);
    const first = await status();
    expect(first).toEqual({ tried: [bad], fix: kerasFix });
    expect(await status()).toBe(first);
    expect(asked).toBe(1);
    expect(await status(true)).toEqual({ found: good, tried: [bad, good], fix: kerasFix });
    expect(asked).toBe(2);
  });

  it('does not keep a failed probe', async () => {
    let asked = 0;
    const status = createKerasStatus(async () => {
      asked++;
      if (asked === 1) throw new Error('spawn failed');
      return { found: good, tried: [good] };
    });
    await expect(status()).rejects.toThrow('spawn failed');
    expect((await status()).found).toEqual(good);
  });
});
