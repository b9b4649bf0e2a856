/**
 * Is a file cut short? Read from its structure alone, without decoding, so even a headers-only
 * scan catches the usual damage (an interrupted copy or download):
 * - PNG: a chunk runs past the end, or the file ends before IEND;
 * - JPEG: no end-of-image marker (FFD9) after the first start-of-scan (entropy-coded data never
 *   contains FFD9, and an EXIF thumbnail's own FFD9 comes before it);
 * - GIF: the file ends inside a block (a missing trailer alone is tolerated, as browsers do);
 * - WebP: the RIFF size says more bytes than there are;
 * - TIFF: the first IFD, one of its values (tables, strip lists) or one of its strips or tiles
 *   lies past the end (classic TIFF only);
 * - AVIF: a top-level box runs past the end.
 * `false` means "looks complete": damage inside the data still needs a decode (`validate: 'full'`).
 */
import type { ImageFormat } from './detect-format';
import { tiffHeader, TiffView } from './tiff-ifd';

const u32be = (b: Uint8Array, at: number): number =>
  ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
const u32le = (b: Uint8Array, at: number): number =>
  ((b[at + 3]! << 24) | (b[at + 2]! << 16) | (b[at + 1]! << 8) | b[at]!) >>> 0;
const tag = (b: Uint8Array, at: number): string => String.fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!);
const asBuffer = (b: Uint8Array): Buffer =>
  Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);

function pngTruncated(b: Uint8Array): boolean {
  let at = 8;
  while (at < b.length) {
    if (at + 12 > b.length) return true;
    const end = at + 12 + u32be(b, at);
    if (end > b.length) return true;
    if (tag(b, at + 4) === 'IEND') return false;
    at = end;
  }
  return true; // no IEND
}

const EOI = Buffer.from([0xff, 0xd9]);

function jpegTruncated(b: Uint8Array): boolean {
  let at = 2;
  while (at + 4 <= b.length) {
    if (b[at] !== 0xff) return false; // malformed, not short: the decoder will say what it is
    const marker = b[at + 1]!;
    if (marker === 0xff) {
      at++;
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2;
      continue;
    }
    if (marker === 0xd9) return false;
    const end = at + 2 + ((b[at + 2]! << 8) | b[at + 3]!);
    if (marker === 0xda) return end > b.length || asBuffer(b).indexOf(EOI, end) < 0;
    at = end;
  }
  return true; // ended before the image data
}

function gifTruncated(b: Uint8Array): boolean {
  if (b.length < 13) return true;
  let at = 13;
  if (b[10]! & 0x80) at += 3 * 2 ** ((b[10]! & 7) + 1);
  /** Skips data sub-blocks; the position after the terminator, or -1 past the end. */
  const subBlocks = (from: number): number => {
    let p = from;
    while (p < b.length) {
      const size = b[p]!;
      if (size === 0) return p + 1;
      p += 1 + size;
    }
    return -1;
  };
  let images = 0;
  while (at < b.length) {
    const block = b[at]!;
    if (block === 0x3b) return false;
    if (block === 0x21) {
      if (at + 2 > b.length) return true;
      at = subBlocks(at + 2);
    } else if (block === 0x2c) {
      if (at + 10 > b.length) return true;
      const flags = b[at + 9]!;
      at += 10 + (flags & 0x80 ? 3 * 2 ** ((flags & 7) + 1) : 0) + 1; // + LZW minimum code size
      if (at > b.length) return true;
      at = subBlocks(at);
      if (at >= 0) images++;
    } else {
      return false; // not a block start: damaged, not short
    }
    if (at < 0) return true;
  }
  return images === 0;
}

function webpTruncated(b: Uint8Array): boolean {
  return b.length < 12 || 8 + u32le(b, 4) > b.length;
}

/** Bytes per value of each TIFF field type (TIFF 6.0 §2, plus 13 = IFD). */
const TIFF_TYPE_SIZES: Record<number, number> = {
  1: 1,
  2: 1,
  3: 2,
  4: 4,
  5: 8,
  6: 1,
  7: 1,
  8: 2,
  9: 4,
  10: 8,
  11: 4,
  12: 8,
  13: 4,
};

function tiffTruncated(b: Uint8Array): boolean {
  const header = tiffHeader(b);
  if (!header || header.big) return false;
  const view = new TiffView(b, 0, header.little);
  const count = view.u16(header.firstIfd);
  if (count === undefined) return true; // the first IFD lies past the end
  const ifd = view.ifd(header.firstIfd);
  if (!ifd) return count > 0; // its entries run past the end
  // Values too big for the entry (tables, rationals, strip lists) are stored elsewhere.
  for (const entry of ifd.entries) {
    const size = (TIFF_TYPE_SIZES[entry.type] ?? 0) * entry.count;
    if (size <= 4) continue;
    const offset = view.u32(entry.field);
    if (offset === undefined || offset + size > b.length) return true;
  }
  const find = (id: number) => ifd.entries.find((e) => e.tag === id);
  for (const [offsetsTag, countsTag] of [
    [273, 279],
    [324, 325],
  ] as const) {
    const offsetsEntry = find(offsetsTag);
    const countsEntry = find(countsTag);
    if (!offsetsEntry || !countsEntry) continue;
    const offsets = view.values(offsetsEntry);
    const counts = view.values(countsEntry);
    if (!offsets || !counts) return true;
    if (offsets.some((offset, i) => offset + (counts[i] ?? 0) > b.length)) return true;
  }
  return false;
}

function isoTruncated(b: Uint8Array): boolean {
  let at = 0;
  while (at < b.length) {
    if (at + 8 > b.length) return true;
    let size = u32be(b, at);
    if (size === 0) return false; // extends to the end of the file
    if (size === 1) {
      if (at + 16 > b.length) return true;
      size = u32be(b, at + 8) * 2 ** 32 + u32be(b, at + 12);
    }
    if (size < 8) return false; // malformed
    if (at + size > b.length) return true;
    at += size;
  }
  return false;
}

/** True when the file's structure shows it was cut short (see the module comment). */
export function isTruncated(format: ImageFormat, bytes: Uint8Array): boolean {
  switch (format) {
    case 'png':
      return pngTruncated(bytes);
    case 'jpeg':
      return jpegTruncated(bytes);
    case 'gif':
      return gifTruncated(bytes);
    case 'webp':
      return webpTruncated(bytes);
    case 'tiff':
      return tiffTruncated(bytes);
    case 'avif':
      return isoTruncated(bytes);
    case 'svg':
      return false;
  }
}
