/** Types for scripts/idx.mjs (plain JavaScript so `node scripts/make-samples.mjs` runs without a build). */
export interface Idx {
  /** Dimension sizes, outermost first, e.g. [10000, 28, 28] for an image file. */
  dims: number[];
  /** The element bytes, row-major. */
  data: Uint8Array;
}

/** Parses an (already gunzipped) unsigned-byte IDX buffer; errors start with `name`. */
export function parseIdx(buffer: Uint8Array, name: string): Idx;
