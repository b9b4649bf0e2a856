import { describe, expect, it } from 'vitest';
import { pathToFileURL } from 'node:url';
import { packedPath, packedUrl, unpackedPath, unpackedUrl } from '../../../main/fs/asar';

describe('paths inside a packaged app', () => {
  it('maps a file in app.asar to its unpacked copy and back (POSIX)', () => {
    const packed = '/opt/Xception Lab/resources/app.asar/out/training-worker.mjs';
    const unpacked = '/opt/Xception Lab/resources/app.asar.unpacked/out/training-worker.mjs';
    expect(unpackedPath(packed)).toBe(unpacked);
    expect(packedPath(unpacked)).toBe(packed);
    expect(unpackedPath('/tmp/.mount_XceptiAbc/resources/app.asar')).toBe(
      '/tmp/.mount_XceptiAbc/resources/app.asar.unpacked',
    );
  });

  it('maps Windows paths with backslashes', () => {
    expect(unpackedPath('C:\\Program Files\\Xception Lab\\resources\\app.asar\\assets\\samples')).toBe(
      'C:\\Program Files\\Xception Lab\\resources\\app.asar.unpacked\\assets\\samples',
    );
    expect(packedPath('C:\\X\\resources\\app.asar.unpacked\\out\\training-worker.mjs')).toBe(
      'C:\\X\\resources\\app.asar\\out\\training-worker.mjs',
    );
  });

  it('leaves everything else alone: unpacked paths, look-alike names, development checkouts', () => {
    const unpacked = '/r/app.asar.unpacked/out/training-worker.mjs';
    expect(unpackedPath(unpacked)).toBe(unpacked);
    expect(packedPath('/r/app.asar/out/x.js')).toBe('/r/app.asar/out/x.js');
    for (const path of [
      '/home/u/xception-lab/out/training-worker.mjs',
      '/r/myapp.asar/x',
      '/r/app.asarx/x',
      '/r/app.asar.bak/x',
    ]) {
      expect(unpackedPath(path)).toBe(path);
      expect(packedPath(path)).toBe(path);
    }
  });

  it('maps file: URLs, spaces included', () => {
    const url = pathToFileURL('/opt/Xception Lab/resources/app.asar/out/training-worker.mjs');
    expect(unpackedUrl(url).href).toBe(
      pathToFileURL('/opt/Xception Lab/resources/app.asar.unpacked/out/training-worker.mjs').href,
    );
    expect(packedUrl(unpackedUrl(url)).href).toBe(url.href);
  });
});
