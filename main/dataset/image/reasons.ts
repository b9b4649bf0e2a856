/**
 * Why a file is not usable, in the words the health report uses: "empty file", "not an image",
 * "unsupported format (BMP)", "truncated JPEG", "damaged PNG (…)", "image too large: 30000×30000
 * exceeds the 268-megapixel limit", "unreadable: permission denied", "broken symbolic link", …
 */
import { formatNames, type ImageFormat } from './detect-format';

/** sharp's default `limitInputPixels` (16383 × 16383): larger images are refused by the decoder. */
export const PIXEL_LIMIT = 268_402_689;
const LIMIT_TEXT = `the ${Math.round(PIXEL_LIMIT / 1e6)}-megapixel limit`;

export const tooLargeReason = (size: { width: number; height: number }): string =>
  `image too large: ${size.width}×${size.height} exceeds ${LIMIT_TEXT}`;

/** A file-system error in words. */
export function unreadableReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'unreadable: permission denied';
    case 'ENOENT':
      return 'unreadable: it disappeared during the scan';
    case 'EIO':
      return 'unreadable: input/output error (a failing disk or network drive?)';
    case 'EAGAIN':
    case 'EWOULDBLOCK':
    case 'ENXIO':
      return 'not a regular file';
    case 'ELOOP':
      return 'symbolic link loop';
    default:
      return `unreadable: ${code ?? (error instanceof Error ? error.message : String(error))}`;
  }
}

// What libjpeg, libpng, libnsgif, libtiff, libwebp and libheif say when the data stops early.
const TRUNCATION =
  /premature end|unexpected end|truncat|end of (file|data|stream|input)|bad seek|short read|not enough data|\bEOF\b/i;
// Prefixes that name libvips internals rather than the damage.
const NOISE =
  /^(Input (buffer|file) has corrupt header: |Input (buffer|file) contains |Vips\w*: |vips\w*: |\w+2vips: |\w+load(_\w+)?: |heif: )/;

/** A decoder error (sharp's, or the pipeline's `IMAGE_UNREADABLE` wrapping it) in words. */
export function decodeReason(format: ImageFormat, error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const text = cause instanceof Error ? cause.message : String(cause);
  const name = formatNames[format];
  if (/pixel limit/i.test(text)) return `image too large: it exceeds ${LIMIT_TEXT}`;
  if (TRUNCATION.test(text)) return `truncated ${name}`;
  let line = text.split('\n', 1)[0]!.trim();
  for (let previous = ''; previous !== line;) {
    previous = line;
    line = line.replace(NOISE, '');
  }
  return `damaged ${name} (${line || 'the decoder cannot read it'})`;
}
