import { describe, expect, it } from 'vitest';
import type { ImageFormat } from '../../../../main/dataset/image/detect-format';
import { isTruncated } from '../../../../main/dataset/image/truncation';
import { avif, base, cut, gif, jpeg, png, tiff, webp } from '../scan-fixtures';

const makers: [ImageFormat, () => Promise<Buffer>][] = [
  ['jpeg', () => jpeg(32, 24)],
  ['png', () => png(32, 24)],
  ['gif', () => gif(32, 24)],
  ['webp', () => webp(32, 24)],
  ['tiff', () => tiff(32, 24)],
  ['avif', () => avif(32, 24)],
];

describe('isTruncated (structure only, no decode)', () => {
  for (const [format, make] of makers) {
    it(`${format}: complete is fine; cut to 10, 50 or 90 percent, or without its last bytes, is truncated`, async () => {
      const bytes = await make();
      expect(isTruncated(format, bytes)).toBe(false);
      for (const fraction of [0.1, 0.5, 0.9]) expect(isTruncated(format, cut(bytes, fraction))).toBe(true);
      // A GIF may lack its 1-byte trailer (see below): cut one more byte.
      expect(isTruncated(format, bytes.subarray(0, bytes.length - (format === 'gif' ? 2 : 1)))).toBe(true);
    });
  }

  it('tolerates what decoders accept: data after a JPEG, a GIF without its trailer, a multi-strip TIFF', async () => {
    expect(isTruncated('jpeg', Buffer.concat([await jpeg(), Buffer.from('trailing camera data')]))).toBe(false);
    const g = await gif();
    expect(g[g.length - 1]).toBe(0x3b);
    expect(isTruncated('gif', g.subarray(0, g.length - 1))).toBe(false);
    const strips = await base(16, 64).tiff({ compression: 'lzw' }).toBuffer();
    expect(isTruncated('tiff', strips)).toBe(false);
    expect(isTruncated('tiff', cut(strips, 0.8))).toBe(true);
  });

  it('a JPEG whose only end marker is in its EXIF thumbnail is still truncated', async () => {
    const withExif = await base(64, 48).jpeg().withMetadata({ orientation: 1 }).toBuffer();
    expect(isTruncated('jpeg', withExif)).toBe(false);
    expect(isTruncated('jpeg', withExif.subarray(0, withExif.length - 2))).toBe(true);
  });
});
