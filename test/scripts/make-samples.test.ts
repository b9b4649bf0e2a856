// The committed sample dataset (assets/samples/fashion-mini, made by `npm run samples`)
// and the IDX parser that script uses.
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { parseIdx } from '../../scripts/idx.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const sampleDir = join(root, 'assets', 'samples', 'fashion-mini');
const CLASSES = [
  'T-shirt_top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle_boot',
];

/** A well-formed IDX buffer: magic 0x0000 0x08 ndims, big-endian uint32 dims, then the bytes. */
function idx(dims: number[], data: number[], type = 0x08): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.set([0, 0, type, dims.length]);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(data)]);
}

describe('parseIdx', () => {
  it('reads the dimensions and the data of a ubyte file', () => {
    const parsed = parseIdx(idx([2, 2, 3], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255]), 'tiny-idx3');
    expect(parsed.dims).toEqual([2, 2, 3]);
    expect([...parsed.data]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255]);
  });

  it('reads a 1-d label file, and works on a Uint8Array view with an offset', () => {
    const bytes = Buffer.concat([Buffer.from([9, 9, 9]), idx([4], [3, 1, 4, 1])]);
    const parsed = parseIdx(new Uint8Array(bytes.buffer, bytes.byteOffset + 3, bytes.length - 3), 'labels');
    expect(parsed.dims).toEqual([4]);
    expect([...parsed.data]).toEqual([3, 1, 4, 1]);
  });

  it.each([
    ['empty', Buffer.alloc(0), /shorter than the 4-byte magic/],
    [
      'bad magic',
      Buffer.from([0x12, 0x34, 0x08, 0x01, 0, 0, 0, 0]),
      /magic number 0x12340801 does not start with 0x0000/,
    ],
    ['unknown type', idx([1], [0], 0x42), /unknown element type 0x42/],
    ['unsupported type', idx([1], [0, 0, 0, 0], 0x0c), /int32 .* not supported/],
    ['no dimensions', Buffer.from([0, 0, 8, 0]), /0 dimensions/],
    ['short header', Buffer.from([0, 0, 8, 3, 0, 0, 0, 2]), /header needs 16 bytes/],
    ['truncated data', idx([2, 3], [1, 2, 3, 4, 5]), /2×3 ubyte needs 6 data bytes but the file has 5 \(truncated\)/],
    ['trailing data', idx([2], [1, 2, 3]), /trailing bytes/],
    ['still gzipped', Buffer.from([0x1f, 0x8b, 8, 0, 0, 0]), /gzip-compressed/],
  ])('rejects %s, naming the file', (_case, bytes, message) => {
    expect(() => parseIdx(bytes, 'broken.idx')).toThrow(/^broken\.idx: /);
    expect(() => parseIdx(bytes, 'broken.idx')).toThrow(message);
  });
});

describe('assets/samples/fashion-mini', () => {
  it('has sample.json whose classes are the class folders', async () => {
    const meta = JSON.parse(await readFile(join(sampleDir, 'sample.json'), 'utf8')) as Record<string, unknown>;
    expect(meta).toMatchObject({ id: 'fashion-mini', name: 'Fashion-MNIST mini', license: 'MIT' });
    expect(meta.description).toEqual(expect.any(String));
    expect(meta.source).toMatch(/Fashion-MNIST/);
    expect(meta.classes).toEqual(CLASSES);
    const folders = (await readdir(sampleDir, { withFileTypes: true }))
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    expect(folders.sort()).toEqual([...CLASSES].sort());
  });

  it('has 30 grayscale 28×28 PNGs in each of the 10 classes', async () => {
    for (const name of CLASSES) {
      const files = await readdir(join(sampleDir, name));
      expect(files, name).toHaveLength(30);
      for (const file of files) {
        expect(file).toMatch(/^t10k-\d{5}\.png$/);
        const meta = await sharp(join(sampleDir, name, file)).metadata();
        expect({ file, format: meta.format, width: meta.width, height: meta.height, channels: meta.channels }).toEqual({
          file,
          format: 'png',
          width: 28,
          height: 28,
          channels: 1,
        });
      }
    }
  });

  it('ships the MIT licence with Zalando’s copyright', async () => {
    const license = await readFile(join(sampleDir, 'LICENSE'), 'utf8');
    expect(license).toMatch(/^Copyright \(c\) 2017, Zalando SE/m);
    expect(license).toContain('Permission is hereby granted, free of charge');
    expect(license).toContain('THE SOFTWARE IS PROVIDED "AS IS"');
  });

  it('is under 2 MB', async () => {
    let total = 0;
    for (const entry of await readdir(sampleDir, { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
    }
    expect(total).toBeLessThan(2 * 1024 * 1024);
  });

  // Needs Debian's dataset-fashion-mnist; regenerates into a temp folder and compares, writing nothing.
  it.skipIf(!existsSync('/usr/share/datasets/fashion-mnist'))(
    'is exactly what `npm run samples` generates',
    async () => {
      const run = promisify(execFile);
      const { stdout } = await run(process.execPath, [join(root, 'scripts', 'make-samples.mjs'), '--check'], {
        cwd: root,
      });
      expect(stdout).toMatch(/up to date/);
    },
  );
});
