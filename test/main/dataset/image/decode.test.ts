import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import sharp from 'sharp';
import { decodeImage, decodeSource } from '../../../../main/dataset/image/decode';
import { pixel, put, rawPng, solidPng, tempDir, type Rgb } from '../fixtures';

/** Every pixel of a size×size×3 image within `tolerance` of `rgb`. */
function expectAll(data: Uint8Array, rgb: Rgb, tolerance = 0): void {
  for (let i = 0; i < data.length; i += 3) {
    for (let c = 0; c < 3; c++) {
      if (Math.abs(data[i + c]! - rgb[c]!) > tolerance) {
        throw new Error(
          `pixel ${i / 3}: ${[data[i], data[i + 1], data[i + 2]].join(',')} is not ${rgb.join(',')} ± ${tolerance}`,
        );
      }
    }
  }
}

const close = (actual: Rgb, expected: Rgb, tolerance: number) =>
  expect(
    actual.every((v, i) => Math.abs(v - expected[i]!) <= tolerance),
    `${actual} ≈ ${expected}`,
  ).toBe(true);

describe('decodeImage', () => {
  it('returns size×size×3 8-bit RGB from a PNG file', async () => {
    const dir = await tempDir('decode');
    const file = await put(join(dir, 'a.png'), await solidPng(20, 10, [10, 200, 30]));
    const data = await decodeImage(file, 16);
    expect(data).toBeInstanceOf(Uint8Array);
    expect(data.length).toBe(16 * 16 * 3);
    expectAll(data, [10, 200, 30]);
  });

  it('flattens alpha onto white', async () => {
    // Fully transparent pixels storing black, and one half-transparent red pixel row.
    const rgba = new Uint8Array(8 * 8 * 4); // all 0: transparent black
    for (let x = 0; x < 8; x++) rgba.set([255, 0, 0, 128], (7 * 8 + x) * 4);
    const data = await decodeImage(await rawPng(8, 8, rgba, 4), 8);
    expect(pixel(data, 8, 0, 0)).toEqual([255, 255, 255]);
    close(pixel(data, 8, 3, 7), [255, 127, 127], 2);
  });

  it('converts grayscale, 16-bit and CMYK to 8-bit RGB', async () => {
    const gray = await sharp(new Uint8Array(12 * 12).fill(90), { raw: { width: 12, height: 12, channels: 1 } })
      .toColourspace('b-w')
      .png()
      .toBuffer();
    expect((await sharp(gray).metadata()).channels).toBe(1);
    expectAll(await decodeImage(gray, 12), [90, 90, 90]);

    const deep = new Uint16Array(12 * 12 * 3);
    for (let i = 0; i < deep.length; i += 3) deep.set([65535, 32896, 0], i);
    const png16 = await sharp(deep, { raw: { width: 12, height: 12, channels: 3 } })
      .toColourspace('rgb16')
      .png()
      .toBuffer();
    expect((await sharp(png16).metadata()).depth).toBe('ushort');
    expectAll(await decodeImage(png16, 12), [255, 128, 0]);

    const cmyk = await sharp({ create: { width: 12, height: 12, channels: 3, background: { r: 0, g: 0, b: 255 } } })
      .toColourspace('cmyk')
      .jpeg({ quality: 100 })
      .toBuffer();
    expect((await sharp(cmyk).metadata()).space).toBe('cmyk');
    const rgb = await decodeImage(cmyk, 12);
    expect(rgb.length).toBe(12 * 12 * 3);
    const [r, g, b] = pixel(rgb, 12, 6, 6);
    expect(b).toBeGreaterThan(r + 60); // still blue (the CMYK round trip is not exact)
    expect(b).toBeGreaterThan(g + 60);
  });

  it('takes the first frame of an animated GIF', async () => {
    const frame = (background: Rgb) => solidPng(8, 8, background);
    const gif = await sharp([await frame([255, 0, 0]), await frame([0, 0, 255])], { join: { animated: true } })
      .gif()
      .toBuffer();
    expect((await sharp(gif).metadata()).pages).toBe(2);
    expectAll(await decodeImage(gif, 8), [255, 0, 0], 8);
  });

  it('applies EXIF orientation 6 (rotate 90° clockwise)', async () => {
    // Stored 8×4: left half red, right half blue. Displayed 4×8: red on top, blue below.
    const raw = new Uint8Array(8 * 4 * 3);
    for (let y = 0; y < 4; y++) for (let x = 0; x < 8; x++) raw.set(x < 4 ? [255, 0, 0] : [0, 0, 255], (y * 8 + x) * 3);
    const png = await sharp(raw, { raw: { width: 8, height: 4, channels: 3 } })
      .png()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    expect((await sharp(png).metadata()).orientation).toBe(6);
    const source = await decodeSource(png, 8);
    expect([source.width, source.height]).toEqual([4, 8]);
    const data = await decodeImage(png, 8);
    expect(pixel(data, 8, 0, 0)).toEqual([255, 0, 0]);
    expect(pixel(data, 8, 7, 0)).toEqual([255, 0, 0]);
    expect(pixel(data, 8, 0, 7)).toEqual([0, 0, 255]);
  });

  it('resize policy: stretch (default), cover crops the centre, contain pads with white', async () => {
    // 12×4: red | green | blue thirds.
    const raw = new Uint8Array(12 * 4 * 3);
    for (let y = 0; y < 4; y++)
      for (let x = 0; x < 12; x++) raw.set(x < 4 ? [255, 0, 0] : x < 8 ? [0, 255, 0] : [0, 0, 255], (y * 12 + x) * 3);
    const png = await rawPng(12, 4, raw);

    const stretch = await decodeImage(png, 12);
    expect(pixel(stretch, 12, 0, 11)).toEqual([255, 0, 0]);
    expect(pixel(stretch, 12, 11, 0)).toEqual([0, 0, 255]);

    const cover = await decodeImage(png, 12, 'cover');
    expectAll(cover, [0, 255, 0]); // only the green middle square is left

    const contain = await decodeImage(png, 12, 'contain');
    expect(pixel(contain, 12, 0, 0)).toEqual([255, 255, 255]);
    expect(pixel(contain, 12, 6, 6)).toEqual([0, 255, 0]);
    expect(pixel(contain, 12, 0, 6)).toEqual([255, 0, 0]);
    expect(pixel(contain, 12, 6, 11)).toEqual([255, 255, 255]);
  });

  it('keeps small images at their own size in the working image and shrinks large ones with sharp', async () => {
    const small = await decodeSource(await solidPng(10, 6, [1, 2, 3]), 32);
    expect([small.width, small.height, small.data.length]).toEqual([10, 6, 10 * 6 * 3]);
    const large = await decodeSource(await solidPng(64, 40, [1, 2, 3]), 16);
    expect([large.width, large.height]).toEqual([16, 16]);
    const covered = await decodeSource(await solidPng(64, 40, [1, 2, 3]), 16, 'cover');
    expect([covered.width, covered.height]).toEqual([16, 16]);
    const smallCover = await decodeSource(await solidPng(10, 6, [1, 2, 3]), 32, 'cover');
    expect([smallCover.width, smallCover.height]).toEqual([6, 6]);
  });

  it('names the file in a LabError when it cannot be decoded', async () => {
    const dir = await tempDir('decode');
    const file = await put(join(dir, 'broken.png'), 'not an image at all');
    await expect(decodeImage(file, 16)).rejects.toMatchObject({
      code: 'IMAGE_UNREADABLE',
      message: expect.stringContaining(file),
    });
    await expect(decodeImage(join(dir, 'missing.png'), 16)).rejects.toMatchObject({ code: 'IMAGE_UNREADABLE' });
    await expect(decodeImage(file, 3)).rejects.toMatchObject({ code: 'SIZE_INVALID' });
  });
});
