import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectImage } from '../../../../main/dataset/image/inspect-image';
import { put, tempDir } from '../fixtures';
import { base, cut, jpeg, png, rotatedJpeg } from '../scan-fixtures';

let dir: string;

beforeAll(async () => {
  dir = await tempDir('inspect');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('inspectImage', () => {
  it('a good image: format, oriented size, byte count and SHA-256', async () => {
    const bytes = await rotatedJpeg();
    const path = await put(join(dir, 'r.jpg'), bytes);
    expect(await inspectImage(path, 'full')).toEqual({
      ok: true,
      format: 'jpeg',
      width: 6,
      height: 12,
      bytes: bytes.length,
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  it('a JPEG libjpeg repairs (extraneous bytes) passes the header check but not the decode the pipeline does', async () => {
    const good = await jpeg(16, 16);
    const at = good.indexOf(Buffer.from([0xff, 0xc4]));
    const path = await put(
      join(dir, 'junk.jpg'),
      Buffer.concat([good.subarray(0, at), Buffer.from([1, 2, 3]), good.subarray(at)]),
    );
    expect(await inspectImage(path, 'headers')).toMatchObject({ ok: true });
    expect(await inspectImage(path, 'full')).toEqual({
      ok: false,
      reason: 'damaged JPEG (Corrupt JPEG data: 3 extraneous bytes before marker 0xc4)',
      imageContent: true,
    });
  });

  it('a large image is decoded shrunk, and a truncated one is still caught (by structure, and by the decoder when streamed)', async () => {
    const big = await base(300, 200).jpeg().toBuffer();
    const path = await put(join(dir, 'big.jpg'), big);
    expect(await inspectImage(path, 'full')).toMatchObject({ ok: true, width: 300, height: 200 });
    const short = await put(join(dir, 'short.jpg'), cut(big, 0.7));
    expect(await inspectImage(short, 'full')).toEqual({ ok: false, reason: 'truncated JPEG', imageContent: true });
    // Files above the whole-read limit are streamed: no structure check, the decoder decides.
    expect(await inspectImage(short, 'headers', 1024)).toMatchObject({ ok: true, width: 300, height: 200 });
    expect(await inspectImage(short, 'full', 1024)).toEqual({
      ok: false,
      reason: 'truncated JPEG',
      imageContent: true,
    });
  });

  it('a streamed file has the same hash as one read whole', async () => {
    const path = await put(join(dir, 'p.png'), await png(64, 64));
    const whole = await inspectImage(path, 'full');
    const streamed = await inspectImage(path, 'full', 100);
    expect(streamed).toEqual(whole);
  });

  it('a missing file is unreadable, never a throw', async () => {
    expect(await inspectImage(join(dir, 'gone.png'), 'full')).toEqual({
      ok: false,
      reason: 'unreadable: it disappeared during the scan',
      imageContent: false,
    });
  });
});
