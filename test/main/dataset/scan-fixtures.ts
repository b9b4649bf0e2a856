/** Tiny image files of every kind the scanner meets, made on the fly, and a snapshot of a tree. */
import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import sharp, { type Sharp } from 'sharp';

let colour = 0;
/** A different solid colour on every call, so no two fixture images are accidentally identical. */
function nextColour(): { r: number; g: number; b: number } {
  colour++;
  return { r: (colour * 37) % 256, g: (colour * 91) % 256, b: (colour * 53 + 7) % 256 };
}

/** A width×height RGB image with a gradient, so decoders have real data to chew on. */
export function base(width = 8, height = 6, channels: 3 | 4 = 3): Sharp {
  const { r, g, b } = nextColour();
  const data = Buffer.alloc(width * height * channels);
  for (let i = 0; i < width * height; i++) {
    data[i * channels] = (r + i * 5) % 256;
    data[i * channels + 1] = (g + i * 3) % 256;
    data[i * channels + 2] = b;
    if (channels === 4) data[i * channels + 3] = i % 2 ? 255 : 128;
  }
  return sharp(data, { raw: { width, height, channels } });
}

export const jpeg = (width?: number, height?: number): Promise<Buffer> => base(width, height).jpeg().toBuffer();
export const png = (width?: number, height?: number): Promise<Buffer> => base(width, height).png().toBuffer();
export const webp = (width?: number, height?: number): Promise<Buffer> => base(width, height).webp().toBuffer();
export const gif = (width?: number, height?: number): Promise<Buffer> => base(width, height).gif().toBuffer();
export const tiff = (width?: number, height?: number): Promise<Buffer> => base(width, height).tiff().toBuffer();
export const avif = (width?: number, height?: number): Promise<Buffer> => base(width, height).avif().toBuffer();
export const cmykJpeg = (): Promise<Buffer> => base(8, 6).toColourspace('cmyk').jpeg().toBuffer();
export const png16 = (): Promise<Buffer> => base(8, 6).toColourspace('rgb16').png().toBuffer();
export const alphaPng = (): Promise<Buffer> => base(8, 6, 4).png().toBuffer();
/** Stored 12×6 with EXIF orientation 6: displayed 6×12. */
export const rotatedJpeg = (): Promise<Buffer> => base(12, 6).jpeg().withMetadata({ orientation: 6 }).toBuffer();

/** A BMP file (sharp 0.35 cannot read BMP): 2×2, 24-bit. */
export function bmp(): Buffer {
  const b = Buffer.alloc(54 + 16);
  b.write('BM', 0);
  b.writeUInt32LE(b.length, 2);
  b.writeUInt32LE(54, 10);
  b.writeUInt32LE(40, 14);
  b.writeInt32LE(2, 18);
  b.writeInt32LE(2, 22);
  b.writeUInt16LE(1, 26);
  b.writeUInt16LE(24, 28);
  return b;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function crc32(bytes: Buffer): number {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return ~crc >>> 0;
}

/** A valid PNG whose header claims width×height (8-bit grey) with a few rows of data: tiny on disk. */
export function hugePng(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(Buffer.alloc(width + 1))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A PNG whose image data is damaged (not cut short): only a decode notices. */
export async function corruptPng(): Promise<Buffer> {
  const bytes = Buffer.from(await base(16, 16).png({ compressionLevel: 0 }).toBuffer());
  const idat = bytes.indexOf('IDAT');
  for (let i = 10; i < 30; i++) bytes[idat + i] = 0xff - bytes[idat + i]!;
  return bytes;
}

/** The first `fraction` of `bytes`. */
export const cut = (bytes: Buffer, fraction = 0.6): Buffer => bytes.subarray(0, Math.floor(bytes.length * fraction));

export interface TreeEntry {
  type: 'file' | 'dir' | 'link' | 'other';
  mode: number;
  size: number;
  mtimeMs: number;
  /** Files: SHA-256 of the content; links: the target. */
  content?: string;
}

/** Every entry under `root` (links not followed): type, mode, size, mtime and content hash. */
export async function snapshotTree(root: string): Promise<Map<string, TreeEntry>> {
  const out = new Map<string, TreeEntry>();
  const visit = async (dir: string, rel: string): Promise<void> => {
    for (const name of (await readdir(dir)).sort()) {
      const path = join(dir, name);
      const key = rel ? `${rel}/${name}` : name;
      const stats = await lstat(path);
      const entry: TreeEntry = {
        type: stats.isFile() ? 'file' : stats.isDirectory() ? 'dir' : stats.isSymbolicLink() ? 'link' : 'other',
        mode: stats.mode,
        size: stats.size,
        mtimeMs: stats.mtimeMs,
      };
      if (entry.type === 'link') entry.content = await readlink(path);
      if (entry.type === 'file' && stats.mode & 0o444) {
        entry.content = await readFile(path).then(
          (bytes) => createHash('sha256').update(bytes).digest('hex'),
          () => 'unreadable',
        );
      }
      out.set(key, entry);
      if (entry.type === 'dir' && stats.mode & 0o100) await visit(path, key);
    }
  };
  await visit(root, '');
  return out;
}
