import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { detectFormat } from '../../../../main/dataset/image/detect-format';
import { orientedSize, readHeaderSize } from '../../../../main/dataset/image/image-header';
import { alphaPng, base, cmykJpeg, gif, jpeg, png, png16, rotatedJpeg, webp } from '../scan-fixtures';

/** The header size from our parser and from sharp's metadata(), both after orientation. */
async function both(
  bytes: Buffer,
): Promise<{ ours: { width: number; height: number } | undefined; sharp: { width: number; height: number } }> {
  const detected = detectFormat(bytes);
  if (detected.kind !== 'image') throw new Error('not an image');
  const header = readHeaderSize(detected.format, bytes);
  const meta = await sharp(bytes).metadata();
  return {
    ours: header && orientedSize(header),
    sharp: { width: meta.autoOrient.width, height: meta.autoOrient.height },
  };
}

describe('readHeaderSize agrees with sharp metadata()', () => {
  it.each([
    ['JPEG', () => jpeg(13, 7)],
    ['progressive JPEG', () => base(13, 7).jpeg({ progressive: true }).toBuffer()],
    ['CMYK JPEG', cmykJpeg],
    ['JPEG with EXIF orientation 6 (width and height swapped)', rotatedJpeg],
    ['JPEG with EXIF orientation 8', () => base(12, 6).jpeg().withMetadata({ orientation: 8 }).toBuffer()],
    [
      'JPEG with EXIF orientation 3 (not swapped)',
      () => base(12, 6).jpeg().withMetadata({ orientation: 3 }).toBuffer(),
    ],
    ['PNG', () => png(13, 7)],
    ['16-bit PNG', png16],
    ['PNG with alpha', alphaPng],
    ['PNG with an eXIf orientation 6', () => base(12, 6).png().withMetadata({ orientation: 6 }).toBuffer()],
    ['GIF', () => gif(13, 7)],
    ['lossy WebP', () => webp(13, 7)],
    ['lossless WebP', () => base(13, 7).webp({ lossless: true }).toBuffer()],
    ['WebP with alpha (VP8X)', () => base(13, 7, 4).webp().toBuffer()],
  ])('%s', async (_, make) => {
    const { ours, sharp: theirs } = await both(await make());
    expect(ours).toEqual(theirs);
  });

  it('orientation 6 swaps width and height; WebP with EXIF is left to sharp', async () => {
    expect((await both(await rotatedJpeg())).ours).toEqual({ width: 6, height: 12 });
    const exifWebp = await base(12, 6).webp().withMetadata({ orientation: 6 }).toBuffer();
    expect(readHeaderSize('webp', exifWebp)).toBeUndefined();
  });

  it('gives up (undefined) on short or malformed headers instead of guessing', () => {
    expect(readHeaderSize('png', Buffer.from([0x89, 0x50, 0x4e, 0x47]))).toBeUndefined();
    expect(readHeaderSize('jpeg', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16]))).toBeUndefined();
    expect(readHeaderSize('tiff', Buffer.alloc(64))).toBeUndefined();
  });
});
