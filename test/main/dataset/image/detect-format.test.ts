import { describe, expect, it } from 'vitest';
import { detectFormat } from '../../../../main/dataset/image/detect-format';
import { avif, bmp, gif, jpeg, png, tiff, webp } from '../scan-fixtures';

const ascii = (text: string): Buffer => Buffer.from(text, 'latin1');

describe('detectFormat (magic bytes, never the extension)', () => {
  it('recognises every format sharp decodes here', async () => {
    expect(detectFormat(await jpeg())).toEqual({ kind: 'image', format: 'jpeg' });
    expect(detectFormat(await png())).toEqual({ kind: 'image', format: 'png' });
    expect(detectFormat(await webp())).toEqual({ kind: 'image', format: 'webp' });
    expect(detectFormat(await gif())).toEqual({ kind: 'image', format: 'gif' });
    expect(detectFormat(await tiff())).toEqual({ kind: 'image', format: 'tiff' });
    expect(detectFormat(await avif())).toEqual({ kind: 'image', format: 'avif' });
    expect(
      detectFormat(ascii('\xef\xbb\xbf<?xml version="1.0"?>\n<!-- x -->\n<svg xmlns="http://www.w3.org/2000/svg"/>')),
    ).toEqual({ kind: 'image', format: 'svg' });
  });

  it('names image formats sharp cannot read', () => {
    expect(detectFormat(bmp())).toEqual({ kind: 'unsupported', name: 'BMP' });
    const heic = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), ascii('ftypheic\0\0\0\0mif1heic')]);
    expect(detectFormat(heic)).toEqual({ kind: 'unsupported', name: 'HEIC' });
    expect(detectFormat(ascii('8BPS\0\x01'))).toEqual({ kind: 'unsupported', name: 'PSD' });
    expect(detectFormat(Buffer.from([0, 0, 1, 0, 1, 0, 16, 16]))).toEqual({ kind: 'unsupported', name: 'ICO' });
  });

  it('calls everything else not an image: text, a CSV, an MP4, "BM" text, a lone JPEG SOI', () => {
    expect(detectFormat(ascii('hello, world\n'))).toEqual({ kind: 'not-image' });
    expect(detectFormat(ascii('path,label\na.jpg,cat\n'))).toEqual({ kind: 'not-image' });
    expect(detectFormat(Buffer.concat([Buffer.from([0, 0, 0, 0x18]), ascii('ftypisom\0\0\0\0isomiso2')]))).toEqual({
      kind: 'not-image',
    });
    expect(detectFormat(ascii('BMW service history, 2019-2024'))).toEqual({ kind: 'not-image' });
    expect(detectFormat(ascii('<html><body>not svg</body></html>'))).toEqual({ kind: 'not-image' });
    expect(detectFormat(ascii('<!DOCTYPE html><html><body><svg width="1"></svg></body></html>'))).toEqual({
      kind: 'not-image',
    });
    expect(detectFormat(Buffer.from([0xff, 0xd8]))).toEqual({ kind: 'not-image' });
    expect(detectFormat(Buffer.alloc(0))).toEqual({ kind: 'not-image' });
  });
});
