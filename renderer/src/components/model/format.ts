/**
 * How the Model page writes numbers, shapes, FLOPs and bytes. Pure, no DOM: unit-tested in
 * test/renderer/model-format.test.ts.
 */

import { formatCount } from '../../../../main/format';

export { formatCount };

/** A Keras output shape, batch first: `[null, 16, 16, 32]` → "(None, 16, 16, 32)"; one dimension keeps Python's comma. */
export function formatShape(shape: readonly (number | null)[]): string {
  const dims = shape.map((d) => (d === null ? 'None' : String(d)));
  return `(${dims.join(', ')}${dims.length === 1 ? ',' : ''})`;
}

/** The per-image part of a shape: `[null, 74, 74, 128]` → "74 × 74 × 128". */
export function formatFeatureShape(shape: readonly (number | null)[]): string {
  const dims = shape[0] === null ? shape.slice(1) : shape;
  return dims.map((d) => (d === null ? '?' : String(d))).join(' × ');
}

/** Three significant digits, without a trailing ".0" for whole hundreds: 16.7, 1.10, 643. */
function threeDigits(x: number): string {
  if (x >= 100) return Math.round(x).toString();
  return x.toPrecision(3);
}

const flopUnits = [
  { size: 1e12, unit: 'TFLOPs' },
  { size: 1e9, unit: 'GFLOPs' },
  { size: 1e6, unit: 'MFLOPs' },
  { size: 1e3, unit: 'kFLOPs' },
] as const;

/** 16714806992 → "16.7 GFLOPs", 1101272 → "1.10 MFLOPs" (decimal prefixes, as FLOPs are usually quoted). */
export function formatFlops(flops: number): string {
  for (const { size, unit } of flopUnits) {
    // Round first so 999,999 reads "1.00 MFLOPs", not "1000 kFLOPs".
    if (Number(threeDigits(flops / size)) >= 1) return `${threeDigits(flops / size)} ${unit}`;
  }
  return `${Math.round(flops)} FLOPs`;
}

const byteUnits = [
  { size: 1024 ** 4, unit: 'TB' },
  { size: 1024 ** 3, unit: 'GB' },
  { size: 1024 ** 2, unit: 'MB' },
  { size: 1024, unit: 'KB' },
] as const;

/**
 * Memory in binary units as Keras' `model.summary()` writes them (1 MB = 1024² bytes):
 * 84263520 → "80.4 MB", 8061678976 → "7.51 GB".
 */
export function formatBytes(bytes: number): string {
  for (const { size, unit } of byteUnits) {
    if (Number(threeDigits(bytes / size)) >= 1) return `${threeDigits(bytes / size)} ${unit}`;
  }
  return `${Math.round(bytes)} B`;
}

/** Keras' totals line: "21,066,380 (80.36 MB)" — two decimals, like `model.summary()`. */
export function formatParamsWithSize(params: number, bytesPerParam = 4): string {
  const bytes = params * bytesPerParam;
  const unit = byteUnits.find((u) => bytes >= u.size) ?? { size: 1, unit: 'B' };
  return `${formatCount(params)} (${(bytes / unit.size).toFixed(2)} ${unit.unit})`;
}
