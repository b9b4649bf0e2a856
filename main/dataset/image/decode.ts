/**
 * Decode any image the scanner accepts into 8-bit RGB at the model's input size.
 *
 * What every image goes through (sharp/libvips):
 * - EXIF orientation applied (`autoOrient`, the same as `rotate()` without an angle);
 * - GIF/WebP animations: the first frame (sharp's default `pages: 1`);
 * - grayscale, CMYK (through its ICC profile, else sharp's default CMYK profile), 16-bit and
 *   palette images converted to 8-bit sRGB, 3 channels;
 * - alpha flattened onto WHITE. Transparent pixels usually store black (or garbage) colour
 *   under alpha 0: simply dropping alpha, as PIL's `convert('RGB')` in Keras does, turns a
 *   product shot or an icon on a transparent background into one on black, which is not what
 *   anyone saw in a browser or a file manager. White is what those images were made to be
 *   shown on. Half-transparent pixels are blended, so edges stay smooth.
 *
 * Resize policy (`fit`, default `'stretch'`):
 * - `'stretch'`: the whole image squeezed to size×size, aspect ratio distorted. This is the
 *   default of Keras `image_dataset_from_directory` (`crop_to_aspect_ratio=False`), so a model
 *   trained here sees what the same model trained in Keras sees, and nothing is cut off.
 * - `'cover'`: the largest centred square, then resized (Keras `crop_to_aspect_ratio=True`).
 * - `'contain'`: the whole image, padded to a square with white (Keras `pad_to_aspect_ratio`
 *   pads with black; white matches the alpha background, so "empty" is one colour).
 *
 * Shrinking is done by sharp (antialiased, JPEG shrink-on-load). Enlarging — 28-px
 * Fashion-MNIST to 299 px — is bilinear in JS (`warp.ts`): measured ~0.8 CPU-ms per 299-px
 * image, straight into normalised floats, against ~3 ms for libvips' resize to raw bytes alone;
 * and the cache keeps the small original (2 KB instead of 268 KB at 299 px). So
 * `decodeSource` returns the "working image": size×size when the source is larger, else the
 * source (cropped or padded by `fit`, never resampled) at its own resolution (≤ size);
 * `decodeImage` is that, resized to exactly size×size.
 */
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { LabError } from '../../errors';
import { resizeRgb, type RgbImage } from './warp';

export type ResizeFit = 'stretch' | 'cover' | 'contain';
export const resizeFits = ['stretch', 'cover', 'contain'] as const satisfies readonly ResizeFit[];
export const DEFAULT_FIT: ResizeFit = 'stretch';

/** Where alpha is flattened and `contain` pads. */
export const BACKGROUND = { r: 255, g: 255, b: 255 } as const;

export const MIN_SIZE = 8;
export const MAX_SIZE = 2048;

export function checkSize(size: number): void {
  if (!Number.isInteger(size) || size < MIN_SIZE || size > MAX_SIZE) {
    throw new LabError(
      'SIZE_INVALID',
      `The image size must be a whole number of pixels from ${MIN_SIZE} to ${MAX_SIZE}; got ${size}.`,
    );
  }
}

export function checkFit(fit: string): asserts fit is ResizeFit {
  if (!(resizeFits as readonly string[]).includes(fit)) {
    throw new LabError('FIT_INVALID', `The resize mode must be one of ${resizeFits.join(', ')}; got "${fit}".`);
  }
}

/**
 * The working image of `input` (a file path or the file's bytes) for input size `size`:
 * at most size×size, 8-bit RGB, oriented, alpha on white. Throws `IMAGE_UNREADABLE` naming
 * the file when it cannot be decoded.
 */
export async function decodeSource(
  input: string | Uint8Array,
  size: number,
  fit: ResizeFit = DEFAULT_FIT,
): Promise<RgbImage> {
  checkSize(size);
  checkFit(fit);
  const name = typeof input === 'string' ? input : 'image';
  try {
    // One read: the header and the pixels come from the same bytes.
    const bytes = typeof input === 'string' ? await readFile(input) : input;
    const meta = await sharp(bytes).metadata();
    const width = meta.autoOrient?.width ?? meta.width;
    const height = meta.autoOrient?.height ?? meta.height;
    if (!width || !height) throw new Error('no image dimensions');
    let image = sharp(bytes).autoOrient().flatten({ background: BACKGROUND });
    if (fit === 'stretch') {
      if (width > size || height > size) image = image.resize(size, size, { fit: 'fill' });
    } else if (fit === 'cover') {
      const side = Math.min(width, height);
      if (side > size) image = image.resize(size, size, { fit: 'cover', position: 'centre' });
      else if (width !== height) {
        image = image.extract({ left: (width - side) >> 1, top: (height - side) >> 1, width: side, height: side });
      }
    } else {
      const side = Math.max(width, height);
      if (side > size) image = image.resize(size, size, { fit: 'contain', background: BACKGROUND });
      else if (width !== height) {
        const left = (side - width) >> 1;
        const top = (side - height) >> 1;
        image = image.extend({
          left,
          right: side - width - left,
          top,
          bottom: side - height - top,
          background: BACKGROUND,
        });
      }
    }
    const { data, info } = await image
      .toColourspace('srgb')
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || data.length !== info.width * info.height * 3) {
      throw new Error(`decoded to ${info.channels} channels, expected 3`);
    }
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  } catch (error) {
    if (error instanceof LabError) throw error;
    const why = error instanceof Error ? error.message.split('\n', 1)[0] : String(error);
    throw new LabError(
      'IMAGE_UNREADABLE',
      `Cannot decode ${name}: ${why}. Scan the dataset again to see its problems.`,
      { cause: error },
    );
  }
}

/** `input` decoded to exactly size×size×3 8-bit RGB (see the module comment for the policy). */
export async function decodeImage(
  input: string | Uint8Array,
  size: number,
  fit: ResizeFit = DEFAULT_FIT,
): Promise<Uint8Array> {
  return resizeRgb(await decodeSource(input, size, fit), size);
}
