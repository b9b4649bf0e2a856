/**
 * Turning dropped or chosen images into `predictImages` calls: paths under Electron, the files'
 * bytes in a browser, in requests small enough for the connection. Pure, so unit-tested.
 */
import type { PredictInput, PredictionResult } from '../../../../main/contract';

/** The image formats the lab reads (by file name; the engine has the last word). */
const imageName = /\.(jpe?g|png|webp|gif|tiff?|avif|svg|bmp)$/i;

export const isImageName = (name: string): boolean => imageName.test(name);

/** Bytes as base64, in slices so a big image does not overflow the call stack. */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  const slice = 0x8000;
  for (let i = 0; i < bytes.length; i += slice) binary += String.fromCharCode(...bytes.subarray(i, i + slice));
  return btoa(binary);
}

/** `1.2 MB`, `340 kB`, `12 B`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${Math.round(bytes / 1000)} kB`;
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/** What one request may carry: the browser connection takes messages up to 4 MB. */
export interface RequestLimits {
  /** Characters of base64 per request. */
  bytes: number;
  /** Inputs per request (the contract's limit is 500). */
  inputs: number;
}

export const browserLimits: RequestLimits = { bytes: 3_000_000, inputs: 100 };
export const desktopLimits: RequestLimits = { bytes: 30_000_000, inputs: 500 };

const sizeOf = (input: PredictInput): number =>
  ('base64' in input ? input.base64.length + input.name.length : input.path.length) + 32;

/**
 * Splits the inputs into requests within `limits`, in order. An input too big to send at all is
 * not sent: it comes back in `tooBig` with the reason, for the page to show beside that file.
 */
export function batchInputs(
  inputs: readonly PredictInput[],
  limits: RequestLimits,
): { batches: PredictInput[][]; tooBig: PredictionResult[] } {
  const batches: PredictInput[][] = [];
  const tooBig: PredictionResult[] = [];
  let current: PredictInput[] = [];
  let size = 0;
  for (const input of inputs) {
    const bytes = sizeOf(input);
    if (bytes > limits.bytes) {
      const name = 'name' in input ? input.name : input.path;
      tooBig.push({
        file: name,
        error: `Too big to send from the browser (${formatBytes(Math.round((bytes * 3) / 4))}; at most about ${formatBytes(Math.floor((limits.bytes * 3) / 4))} an image). Use a smaller image, or the desktop app.`,
      });
      continue;
    }
    if (current.length > 0 && (size + bytes > limits.bytes || current.length >= limits.inputs)) {
      batches.push(current);
      current = [];
      size = 0;
    }
    current.push(input);
    size += bytes;
  }
  if (current.length > 0) batches.push(current);
  return { batches, tooBig };
}

/** `0.8734` → `87.3%`. */
export const formatProb = (prob: number): string => (Number.isFinite(prob) ? `${(prob * 100).toFixed(1)}%` : '—');

/** The file's last path part, for either separator. */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]+/).filter(Boolean);
  return parts[parts.length - 1] ?? path;
}
