import { describe, expect, it } from 'vitest';
import { decodeBase64 } from '../../renderer/src/lib/base64';

describe('decodeBase64', () => {
  it('gives the bytes back, including non-ASCII and binary ones', () => {
    const bytes = Uint8Array.from([0, 1, 127, 128, 200, 255, ...Buffer.from('Ünïcode <b>')]);
    expect([...decodeBase64(Buffer.from(bytes).toString('base64'))]).toEqual([...bytes]);
  });
});
