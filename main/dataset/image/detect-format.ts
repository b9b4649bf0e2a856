/**
 * What a file is, from its first bytes (never its extension): one of the formats the lab
 * decodes, a known image format it cannot decode, or not an image.
 *
 * Decoded (sharp 0.35's prebuilt libvips reads them): JPEG, PNG, WebP, GIF (first frame),
 * TIFF (first page, BigTIFF too), AVIF, and SVG (rendered at its own size). Recognised but not
 * decodable there — reported as "unsupported format (…)": BMP, HEIC/HEIF (HEVC; sharp's prebuilt
 * binaries only decode AV1 images), JPEG XL, JPEG 2000, ICO/CUR, PSD, OpenEXR, QOI.
 */

export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'tiff' | 'avif' | 'svg';

/** How reports name each format. */
export const formatNames: Record<ImageFormat, string> = {
  jpeg: 'JPEG',
  png: 'PNG',
  webp: 'WebP',
  gif: 'GIF',
  tiff: 'TIFF',
  avif: 'AVIF',
  svg: 'SVG',
};

export type DetectedFormat =
  { kind: 'image'; format: ImageFormat } | { kind: 'unsupported'; name: string } | { kind: 'not-image' };

/** Bytes `detectFormat` looks at (an SVG's `<svg` may follow an XML prolog and comments). */
export const SNIFF_BYTES = 1024;

const ascii = (bytes: Uint8Array, start: number, end: number): string =>
  String.fromCharCode(...bytes.subarray(start, Math.min(end, bytes.length)));

const startsWith = (bytes: Uint8Array, magic: readonly number[], at = 0): boolean =>
  bytes.length >= at + magic.length && magic.every((b, i) => bytes[at + i] === b);

const u32be = (b: Uint8Array, at: number): number =>
  ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
const u32le = (b: Uint8Array, at: number): number =>
  ((b[at + 3]! << 24) | (b[at + 2]! << 16) | (b[at + 1]! << 8) | b[at]!) >>> 0;

const image = (format: ImageFormat): DetectedFormat => ({ kind: 'image', format });
const unsupported = (name: string): DetectedFormat => ({ kind: 'unsupported', name });

const HEVC_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs']);

/** An ISO base media file (`ftyp` box): AVIF, HEIC, or something else (a video) that is no image. */
function isoBrand(bytes: Uint8Array): DetectedFormat {
  const boxSize = u32be(bytes, 0);
  const end = Math.min(bytes.length, boxSize >= 16 ? boxSize : 16);
  const brands = [ascii(bytes, 8, 12)];
  for (let at = 16; at + 4 <= end; at += 4) brands.push(ascii(bytes, at, at + 4));
  if (brands.includes('avif') || brands.includes('avis')) return image('avif');
  if (brands.some((brand) => HEVC_BRANDS.has(brand))) return unsupported('HEIC');
  if (brands.includes('mif1') || brands.includes('msf1')) return unsupported('HEIF');
  if (brands.includes('jxl ')) return unsupported('JPEG XL');
  return { kind: 'not-image' };
}

/** An SVG document: optional BOM, XML declaration, comments and doctype, then an `<svg` root element. */
function isSvg(bytes: Uint8Array): boolean {
  let text = ascii(bytes, 0, SNIFF_BYTES);
  if (text.startsWith('\xef\xbb\xbf')) text = text.slice(3);
  for (let previous = ''; previous !== text;) {
    previous = text;
    text = text.trimStart().replace(/^(<\?xml[^>]*\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>]*>)/i, '');
  }
  return /^<svg[\s>/]/.test(text);
}

/** The format of a file from its first bytes (pass at least `SNIFF_BYTES` when the file has them). */
export function detectFormat(bytes: Uint8Array): DetectedFormat {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return image('jpeg');
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return image('png');
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return image('webp');
  if (ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a') return image('gif');
  const tiffMagic = ascii(bytes, 0, 4);
  if (tiffMagic === 'II*\0' || tiffMagic === 'MM\0*' || tiffMagic === 'II+\0' || tiffMagic === 'MM\0+')
    return image('tiff');
  if (bytes.length >= 12 && ascii(bytes, 4, 8) === 'ftyp') return isoBrand(bytes);
  // BMP: "BM", then a known DIB header size at 14 (so a text file starting "BM" is not one).
  if (
    ascii(bytes, 0, 2) === 'BM' &&
    bytes.length >= 18 &&
    [12, 16, 40, 52, 56, 64, 108, 124].includes(u32le(bytes, 14))
  ) {
    return unsupported('BMP');
  }
  if (
    startsWith(bytes, [0xff, 0x0a]) ||
    startsWith(bytes, [0, 0, 0, 0x0c, 0x4a, 0x58, 0x4c, 0x20, 0x0d, 0x0a, 0x87, 0x0a])
  ) {
    return unsupported('JPEG XL');
  }
  if (
    startsWith(bytes, [0, 0, 0, 0x0c, 0x6a, 0x50, 0x20, 0x20, 0x0d, 0x0a, 0x87, 0x0a]) ||
    startsWith(bytes, [0xff, 0x4f, 0xff, 0x51])
  ) {
    return unsupported('JPEG 2000');
  }
  // ICO / CUR: reserved 0, type 1 or 2, at least one image.
  if (
    bytes.length >= 6 &&
    bytes[0] === 0 &&
    bytes[1] === 0 &&
    (bytes[2] === 1 || bytes[2] === 2) &&
    bytes[3] === 0 &&
    bytes[4]! + bytes[5]! > 0
  ) {
    return unsupported(bytes[2] === 1 ? 'ICO' : 'CUR');
  }
  if (ascii(bytes, 0, 4) === '8BPS') return unsupported('PSD');
  if (startsWith(bytes, [0x76, 0x2f, 0x31, 0x01])) return unsupported('OpenEXR');
  if (ascii(bytes, 0, 4) === 'qoif') return unsupported('QOI');
  if (isSvg(bytes)) return image('svg');
  return { kind: 'not-image' };
}

/**
 * File-name extensions of image formats (decodable or not). A file with one of these that cannot
 * be used is a problem of the dataset; any other file that is not an image by its content (a
 * notes.txt, a labels.csv) is ignored and listed as such.
 */
const IMAGE_EXTENSIONS = new Set([
  'jpg',
  'jpeg',
  'jpe',
  'jfif',
  'png',
  'apng',
  'webp',
  'gif',
  'tif',
  'tiff',
  'avif',
  'svg',
  'bmp',
  'dib',
  'heic',
  'heif',
  'jxl',
  'jp2',
  'j2k',
  'jpf',
  'jpx',
  'ico',
  'cur',
  'psd',
  'exr',
  'qoi',
  'pbm',
  'pgm',
  'ppm',
  'pnm',
  'tga',
  'dng',
  'cr2',
  'nef',
  'arw',
  'raw',
]);

/** Whether a file's name ends in an image extension (`.jpg`, `.PNG`, `.tiff`, …). */
export function hasImageExtension(name: string): boolean {
  const dot = name.lastIndexOf('.');
  return dot > name.lastIndexOf('/') && IMAGE_EXTENSIONS.has(name.slice(dot + 1).toLowerCase());
}
