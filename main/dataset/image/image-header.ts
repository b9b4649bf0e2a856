/**
 * Width, height and EXIF orientation read from the first bytes of PNG, JPEG, GIF and WebP files
 * in plain JS: a header scan of 60,000 small images is limited by file reads, and asking sharp
 * for `metadata()` doubled its time. Anything unusual (a JPEG whose height is in a DNL marker,
 * a WebP with an EXIF chunk, TIFF, AVIF, SVG) returns `undefined` and the caller asks sharp.
 * The tests check these values against sharp's `metadata()` for every fixture.
 */
import type { ImageFormat } from './detect-format';
import { exifOrientation } from './tiff-ifd';

export interface HeaderSize {
  /** As stored, before EXIF orientation. */
  width: number;
  height: number;
  /** EXIF orientation 1–8 (1 = as stored). */
  orientation: number;
}

const u16be = (b: Uint8Array, at: number): number => (b[at]! << 8) | b[at + 1]!;
const u16le = (b: Uint8Array, at: number): number => b[at]! | (b[at + 1]! << 8);
const u24le = (b: Uint8Array, at: number): number => b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16);
const u32be = (b: Uint8Array, at: number): number =>
  ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
const tag = (b: Uint8Array, at: number): string => String.fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!);
const EXIF_PREFIX = 'Exif\0\0';

function png(b: Uint8Array): HeaderSize | undefined {
  if (b.length < 33 || tag(b, 12) !== 'IHDR') return undefined;
  const width = u32be(b, 16);
  const height = u32be(b, 20);
  let orientation = 1;
  // An eXIf chunk before the image data may rotate it (libvips applies it, so must we).
  for (let at = 33; at + 8 <= b.length;) {
    const length = u32be(b, at);
    const type = tag(b, at + 4);
    if (type === 'IDAT' || type === 'IEND') break;
    if (type === 'eXIf' && at + 8 + length <= b.length) {
      const start = at + 8;
      orientation = exifOrientation(
        b,
        String.fromCharCode(...b.subarray(start, start + 6)) === EXIF_PREFIX ? start + 6 : start,
      );
      break;
    }
    at += 12 + length;
  }
  return { width, height, orientation };
}

const isSof = (marker: number): boolean =>
  marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;

function jpeg(b: Uint8Array): HeaderSize | undefined {
  let orientation: number | undefined;
  let at = 2;
  while (at + 4 <= b.length) {
    if (b[at] !== 0xff) return undefined;
    const marker = b[at + 1]!;
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2;
      continue;
    }
    const length = u16be(b, at + 2);
    if (length < 2) return undefined;
    const start = at + 4;
    if (
      marker === 0xe1 &&
      orientation === undefined &&
      start + 6 <= b.length &&
      String.fromCharCode(...b.subarray(start, start + 6)) === EXIF_PREFIX
    ) {
      orientation = exifOrientation(b, start + 6);
    }
    if (isSof(marker)) {
      if (start + 5 > b.length) return undefined;
      const height = u16be(b, start + 1);
      const width = u16be(b, start + 3);
      // Height 0: defined later by a DNL marker; leave it to libvips.
      return height === 0 || width === 0 ? undefined : { width, height, orientation: orientation ?? 1 };
    }
    if (marker === 0xda || marker === 0xd9) return undefined;
    at += 2 + length;
  }
  return undefined;
}

function gif(b: Uint8Array): HeaderSize | undefined {
  if (b.length < 10) return undefined;
  return { width: u16le(b, 6), height: u16le(b, 8), orientation: 1 };
}

function webp(b: Uint8Array): HeaderSize | undefined {
  if (b.length < 30) return undefined;
  const chunk = tag(b, 12);
  if (chunk === 'VP8 ') {
    if (b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a) return undefined;
    return { width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff, orientation: 1 };
  }
  if (chunk === 'VP8L') {
    if (b[20] !== 0x2f) return undefined;
    const bits = (b[21]! | (b[22]! << 8) | (b[23]! << 16) | (b[24]! << 24)) >>> 0;
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1, orientation: 1 };
  }
  if (chunk === 'VP8X') {
    const flags = b[20]!;
    if (flags & 0x08) return undefined; // EXIF chunk: may carry an orientation
    return { width: u24le(b, 24) + 1, height: u24le(b, 27) + 1, orientation: 1 };
  }
  return undefined;
}

/** The header size of a PNG, JPEG, GIF or WebP file, or `undefined` when sharp should be asked. */
export function readHeaderSize(format: ImageFormat, bytes: Uint8Array): HeaderSize | undefined {
  const size =
    format === 'png'
      ? png(bytes)
      : format === 'jpeg'
        ? jpeg(bytes)
        : format === 'gif'
          ? gif(bytes)
          : format === 'webp'
            ? webp(bytes)
            : undefined;
  return size && size.width > 0 && size.height > 0 ? size : undefined;
}

/** Width and height as displayed: orientations 5–8 turn the image by 90°. */
export function orientedSize(size: HeaderSize): { width: number; height: number } {
  return size.orientation >= 5
    ? { width: size.height, height: size.width }
    : { width: size.width, height: size.height };
}
