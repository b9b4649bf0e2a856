import { describe, expect, it } from 'vitest';
import type { PredictInput } from '../../main/contract';
import {
  baseName,
  batchInputs,
  bytesToBase64,
  formatBytes,
  formatProb,
  isImageName,
} from '../../renderer/src/components/predict/predict-view';

describe('bytesToBase64', () => {
  it('encodes like Node does, also past one slice', () => {
    const small = new Uint8Array([0, 1, 2, 250, 255]);
    expect(bytesToBase64(small)).toBe(Buffer.from(small).toString('base64'));
    const big = new Uint8Array(100_000).map((_, i) => (i * 31) % 256);
    expect(bytesToBase64(big)).toBe(Buffer.from(big).toString('base64'));
    expect(bytesToBase64(new Uint8Array())).toBe('');
  });
});

describe('batchInputs', () => {
  const bytes = (name: string, size: number): PredictInput => ({ name, base64: 'A'.repeat(size) });

  it('keeps the order and splits by size', () => {
    const inputs = [bytes('a', 400), bytes('b', 400), bytes('c', 400)];
    const { batches, tooBig } = batchInputs(inputs, { bytes: 1000, inputs: 100 });
    expect(batches.map((b) => b.map((i) => ('name' in i ? i.name : i.path)))).toEqual([['a', 'b'], ['c']]);
    expect(tooBig).toEqual([]);
  });

  it('splits by count', () => {
    const inputs: PredictInput[] = Array.from({ length: 5 }, (_, i) => ({ path: `/x/${i}.png` }));
    expect(batchInputs(inputs, { bytes: 1_000_000, inputs: 2 }).batches.map((b) => b.length)).toEqual([2, 2, 1]);
  });

  it('leaves out a file too big to send, saying why beside it', () => {
    const { batches, tooBig } = batchInputs([bytes('huge.png', 5000), bytes('ok.png', 10)], {
      bytes: 1000,
      inputs: 10,
    });
    expect(batches).toHaveLength(1);
    expect(tooBig).toHaveLength(1);
    expect(tooBig[0]!.file).toBe('huge.png');
    expect(tooBig[0]!.error).toMatch(/Too big to send from the browser/);
  });

  it('sends nothing for nothing', () => {
    expect(batchInputs([], { bytes: 10, inputs: 10 })).toEqual({ batches: [], tooBig: [] });
  });
});

describe('names and numbers', () => {
  it('knows image files by their extension', () => {
    expect(isImageName('a.JPG')).toBe(true);
    expect(isImageName('b.webp')).toBe(true);
    expect(isImageName('notes.txt')).toBe(false);
  });

  it('formats sizes, probabilities and base names', () => {
    expect(formatBytes(12)).toBe('12 B');
    expect(formatBytes(340_000)).toBe('340 kB');
    expect(formatBytes(2_250_000)).toBe('2.3 MB');
    expect(formatProb(0.8734)).toBe('87.3%');
    expect(baseName('/data/cats/1.png')).toBe('1.png');
    expect(baseName('C:\\data\\x.jpg')).toBe('x.jpg');
  });
});
