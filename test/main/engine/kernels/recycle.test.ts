import { describe, expect, it } from 'vitest';
import { registerFastKernels, unregisterFastKernels } from '../../../../main/engine/kernels';
import { BufferRecycler, recyclerFor } from '../../../../main/engine/kernels/recycle';
import { tf, useCpuBackend } from './helpers';

useCpuBackend();

const BIG = 1 << 15; // above the recycler's minimum

describe('BufferRecycler', () => {
  it('hands a released buffer to the next kernel that needs as many floats', () => {
    const r = new BufferRecycler();
    const a = r.take(BIG);
    r.registered(a);
    r.released(a);
    expect(r.idleFloats).toBe(BIG);
    expect(r.take(BIG + 4)).not.toBe(a);
    expect(r.take(BIG)).toBe(a);
    expect(r.idleFloats).toBe(0);
  });

  it('zeroes a reused buffer for takeZeroed', () => {
    const r = new BufferRecycler();
    const a = r.take(BIG).fill(3);
    r.registered(a);
    r.released(a);
    const b = r.takeZeroed(BIG);
    expect(b).toBe(a);
    expect(b.every((v) => v === 0)).toBe(true);
  });

  it('never reuses a buffer that was read out, registered twice, or viewed', () => {
    const r = new BufferRecycler();
    const read = r.take(BIG);
    r.registered(read);
    r.exposed(read);
    r.released(read);
    const twice = r.take(BIG);
    r.registered(twice);
    r.registered(twice);
    r.released(twice);
    const viewed = r.take(BIG);
    r.registered(viewed);
    r.registered(viewed.subarray(8, 16)); // a slice of 8 floats
    r.released(viewed);
    expect(r.idleFloats).toBe(0);
  });

  it('leaves arrays it did not make alone', () => {
    const r = new BufferRecycler();
    const user = new Float32Array(BIG);
    r.registered(user);
    r.released(user);
    expect(r.idleFloats).toBe(0);
  });

  it('keeps at most its cap, dropping the oldest', () => {
    const r = new BufferRecycler(2 * BIG);
    const arrays = [r.take(BIG), r.take(BIG), r.take(BIG)];
    for (const a of arrays) r.registered(a);
    for (const a of arrays) r.released(a);
    expect(r.idleFloats).toBe(2 * BIG);
    const again = [r.take(BIG), r.take(BIG), r.take(BIG)];
    expect(again).not.toContain(arrays[0]);
  });
});

describe('the fast kernels on the cpu backend', () => {
  it('reuse the output of a disposed tensor, but not one whose values were read', () => {
    registerFastKernels(tf);
    try {
      const x = tf.fill([BIG], 2);
      const recycler = recyclerFor(tf.backend());
      const first = tf.add(x, x);
      first.dispose();
      expect(recycler.idleFloats).toBe(BIG);
      const second = tf.mul(x, x); // takes the idle buffer
      expect(recycler.idleFloats).toBe(0);
      const values = second.dataSync();
      second.dispose();
      expect(recycler.idleFloats).toBe(0); // read out: the caller may keep it
      const third = tf.sub(x, x);
      expect(values.every((v) => v === 4)).toBe(true);
      expect(third.dataSync().every((v) => v === 0)).toBe(true);
      tf.dispose([x, third]);
    } finally {
      unregisterFastKernels(tf);
    }
  });
});
