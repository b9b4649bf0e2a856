import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import {
  augmentAffine,
  defaultAugmentation,
  drawAugmentation,
  noAugmentation,
  parseAugmentSettings,
  previewAugmentations,
  renderAugmented,
  renderAugmentedFloat,
  type AugmentSettings,
} from '../../../../main/dataset/image/augment';
import { normalisationTable } from '../../../../main/dataset/pipeline/pipeline';
import { mulberry32, randomFrom } from '../../../../main/dataset/random';
import { resizeRgb, warpBilinear, type RgbImage } from '../../../../main/dataset/image/warp';
import { pattern, pixel, rawPng } from '../fixtures';

const src: RgbImage = { width: 12, height: 12, data: pattern(12, 12) };
const all: AugmentSettings = { flip: true, rotation: 30, zoom: 0.3, brightness: 0.2, contrast: 0.3, noise: 0.05 };

describe('parseAugmentSettings', () => {
  it('accepts valid settings and fills missing fields with "off"', () => {
    expect(parseAugmentSettings(defaultAugmentation)).toEqual(defaultAugmentation);
    expect(parseAugmentSettings({ rotation: 15 })).toEqual({ ...noAugmentation, rotation: 15 });
  });

  it('names the field and its allowed range', () => {
    const message = (input: unknown) => {
      try {
        parseAugmentSettings(input);
      } catch (error) {
        expect(error).toMatchObject({ code: 'AUGMENT_INVALID' });
        return (error as Error).message;
      }
      throw new Error('accepted');
    };
    expect(message({ rotation: 200 })).toBe(
      'Augmentation setting "rotation" must be a number from 0 to 180 degrees; got 200.',
    );
    expect(message({ zoom: -0.1 })).toBe('Augmentation setting "zoom" must be a number from 0 to 0.5; got -0.1.');
    expect(message({ noise: Number.NaN })).toMatch(/"noise" must be a number from 0 to 0.5; got NaN/);
    expect(message({ flip: 'yes' })).toBe('Augmentation setting "flip" must be true or false; got "yes".');
    expect(message({ rotate: 5 })).toMatch(/Unknown augmentation setting "rotate"/);
    expect(message(null)).toBe('Augmentation settings must be an object.');
  });
});

describe('renderAugmented', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = renderAugmented(src, 16, all, randomFrom('t', 1));
    const b = renderAugmented(src, 16, all, randomFrom('t', 1));
    const c = renderAugmented(src, 16, all, randomFrom('t', 2));
    expect(a.length).toBe(16 * 16 * 3);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(Buffer.from(a).equals(Buffer.from(c))).toBe(false);
  });

  it('with nothing switched on is the plain resize', () => {
    expect(renderAugmented(src, 20, noAugmentation, mulberry32(1))).toEqual(resizeRgb(src, 20));
    expect(renderAugmented(src, 12, noAugmentation, mulberry32(1))).toEqual(src.data);
  });

  it('flips left to right exactly', () => {
    const flipped = renderAugmented(src, 12, { ...noAugmentation, flip: true }, () => 0.25); // 0.25 < ½: flip
    for (let y = 0; y < 12; y++)
      for (let x = 0; x < 12; x++) expect(pixel(flipped, 12, x, y)).toEqual(pixel(src.data, 12, 11 - x, y));
    const kept = renderAugmented(src, 12, { ...noAugmentation, flip: true }, () => 0.75);
    expect(kept).toEqual(src.data);
  });

  it('rotates exactly: +90° is a quarter turn counter-clockwise', async () => {
    const draw = { flipped: false, angle: 90, scale: 1, offsetX: 0, offsetY: 0, brightness: 0, contrastFactor: 1 };
    const out = new Uint8Array(12 * 12 * 3);
    warpBilinear(src, 12, augmentAffine(src, 12, draw), out);
    const expected = await sharp(src.data, { raw: { width: 12, height: 12, channels: 3 } })
      .rotate(270)
      .raw()
      .toBuffer();
    expect(Buffer.from(out).equals(expected)).toBe(true);
  });

  it('renders the same pixels into normalised floats as into bytes (preview = training)', () => {
    const table = normalisationTable('xception');
    for (const settings of [all, { ...all, noise: 0 }, noAugmentation]) {
      const bytes = renderAugmented(src, 20, settings, randomFrom('same', 4));
      const floats = new Float32Array(5 + 20 * 20 * 3);
      renderAugmentedFloat(src, 20, settings, randomFrom('same', 4), new Float32Array(20 * 20 * 3), table, floats, 5);
      expect(Array.from(floats.subarray(5))).toEqual(Array.from(bytes, (v) => table[v]));
    }
  });

  it('draws every parameter within its bounds', () => {
    const random = mulberry32(7);
    let flips = 0;
    for (let i = 0; i < 2000; i++) {
      const d = drawAugmentation(all, random);
      if (d.flipped) flips++;
      expect(Math.abs(d.angle)).toBeLessThanOrEqual(30);
      expect(d.scale).toBeGreaterThanOrEqual(0.7);
      expect(d.scale).toBeLessThanOrEqual(1);
      const room = (1 - d.scale) / 2 + 1e-12;
      expect(Math.abs(d.offsetX)).toBeLessThanOrEqual(room);
      expect(Math.abs(d.offsetY)).toBeLessThanOrEqual(room);
      expect(Math.abs(d.brightness)).toBeLessThanOrEqual(0.2 * 255);
      expect(Math.abs(d.contrastFactor - 1)).toBeLessThanOrEqual(0.3);
    }
    expect(flips).toBeGreaterThan(900);
    expect(flips).toBeLessThan(1100);
    expect(drawAugmentation({ ...all, flip: false }, mulberry32(1)).flipped).toBe(false);
  });

  it('changes brightness within ±brightness and keeps a flat image flat', () => {
    const flat: RgbImage = { width: 8, height: 8, data: new Uint8Array(8 * 8 * 3).fill(100) };
    for (let seed = 0; seed < 20; seed++) {
      const out = renderAugmented(
        flat,
        8,
        { ...noAugmentation, brightness: 0.2, rotation: 45, zoom: 0.2 },
        mulberry32(seed),
      );
      const v = out[0]!;
      expect(out.every((x) => x === v)).toBe(true);
      expect(Math.abs(v - 100)).toBeLessThanOrEqual(51);
    }
  });

  it('adds Gaussian noise of the asked standard deviation', () => {
    const flat: RgbImage = { width: 32, height: 32, data: new Uint8Array(32 * 32 * 3).fill(128) };
    const out = renderAugmented(flat, 32, { ...noAugmentation, noise: 0.1 }, mulberry32(3));
    const mean = out.reduce((s, v) => s + v, 0) / out.length;
    const sd = Math.sqrt(out.reduce((s, v) => s + (v - mean) ** 2, 0) / out.length);
    expect(Math.abs(mean - 128)).toBeLessThan(2);
    expect(sd).toBeGreaterThan(22);
    expect(sd).toBeLessThan(29);
  });
});

describe('previewAugmentations', () => {
  it('renders N reproducible PNG variants of one image', async () => {
    const png = await rawPng(12, 12, src.data);
    const a = await previewAugmentations(png, all, 24, 4, 9);
    const b = await previewAugmentations(png, all, 24, 4, 9);
    expect(a).toHaveLength(4);
    expect(a.map((x) => x.toString('base64'))).toEqual(b.map((x) => x.toString('base64')));
    expect(new Set(a.map((x) => x.toString('base64'))).size).toBe(4);
    const meta = await sharp(a[0]!).metadata();
    expect([meta.format, meta.width, meta.height, meta.channels]).toEqual(['png', 24, 24, 3]);
    await expect(previewAugmentations(png, { ...all, rotation: 999 }, 24, 4, 9)).rejects.toMatchObject({
      code: 'AUGMENT_INVALID',
    });
  });
});
