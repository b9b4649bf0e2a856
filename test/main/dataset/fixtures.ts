/** Tiny images made on the fly for the dataset tests (no files are checked in). */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import sharp from 'sharp';

export type Rgb = [number, number, number];

export const tempDir = (prefix: string): Promise<string> => mkdtemp(join(tmpdir(), `xlab-${prefix}-`));

/** A width×height image of one colour, as PNG bytes. */
export function solidPng(width: number, height: number, [r, g, b]: Rgb): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r, g, b } } })
    .png()
    .toBuffer();
}

/** Raw RGB pixels → PNG bytes. */
export function rawPng(width: number, height: number, pixels: Uint8Array, channels: 1 | 3 | 4 = 3): Promise<Buffer> {
  return sharp(pixels, { raw: { width, height, channels } }).png().toBuffer();
}

/** Writes `bytes` to `path`, creating folders. */
export async function put(path: string, bytes: Uint8Array | string): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, bytes);
  return path;
}

/** The RGB triple at (x, y) of a size-wide interleaved image. */
export function pixel(data: ArrayLike<number>, size: number, x: number, y: number): Rgb {
  const i = (y * size + x) * 3;
  return [data[i]!, data[i + 1]!, data[i + 2]!];
}

/** A deterministic pattern: every pixel different, so flips and shifts show. */
export function pattern(width: number, height: number): Uint8Array {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      data[i] = (x * 255) / Math.max(1, width - 1);
      data[i + 1] = (y * 255) / Math.max(1, height - 1);
      data[i + 2] = (x * 37 + y * 91) % 256;
    }
  }
  return data;
}
