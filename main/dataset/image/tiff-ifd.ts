/**
 * A minimal reader of classic TIFF structures (TIFF 6.0 §2: header, IFD entries), shared by the
 * TIFF completeness check and the EXIF orientation in JPEG, PNG and WebP headers (EXIF is a TIFF
 * structure). Offsets are relative to `base`, where the `II`/`MM` header starts. Every read is
 * bounds-checked: a short or malformed structure gives `undefined`, never an exception.
 */

export interface TiffHeader {
  little: boolean;
  /** BigTIFF (version 43): 64-bit offsets, which this reader does not follow. */
  big: boolean;
  firstIfd: number;
}

export interface IfdEntry {
  tag: number;
  type: number;
  count: number;
  /** Absolute position of the entry's 4-byte value/offset field. */
  field: number;
}

export class TiffView {
  constructor(
    readonly bytes: Uint8Array,
    readonly base: number,
    readonly little: boolean,
  ) {}

  u16(at: number): number | undefined {
    const p = this.base + at;
    if (p < 0 || p + 2 > this.bytes.length) return undefined;
    const [a, b] = [this.bytes[p]!, this.bytes[p + 1]!];
    return this.little ? a | (b << 8) : (a << 8) | b;
  }

  u32(at: number): number | undefined {
    const p = this.base + at;
    if (p < 0 || p + 4 > this.bytes.length) return undefined;
    const [a, b, c, d] = [this.bytes[p]!, this.bytes[p + 1]!, this.bytes[p + 2]!, this.bytes[p + 3]!];
    return (this.little ? (d << 24) | (c << 16) | (b << 8) | a : (a << 24) | (b << 16) | (c << 8) | d) >>> 0;
  }

  /** The entries of the IFD at `offset` (relative to base), or `undefined` when it does not fit. */
  ifd(offset: number): { entries: IfdEntry[]; end: number } | undefined {
    const count = this.u16(offset);
    if (count === undefined || count === 0) return undefined;
    const end = offset + 2 + count * 12 + 4;
    if (this.base + end > this.bytes.length) return undefined;
    const entries: IfdEntry[] = [];
    for (let i = 0; i < count; i++) {
      const at = offset + 2 + i * 12;
      entries.push({
        tag: this.u16(at)!,
        type: this.u16(at + 2)!,
        count: this.u32(at + 4)!,
        field: this.base + at + 8,
      });
    }
    return { entries, end };
  }

  /** The SHORT (3) or LONG (4) values of an entry, inline or at its offset; `undefined` when out of bounds. */
  values(entry: IfdEntry, limit = 1 << 20): number[] | undefined {
    const size = entry.type === 3 ? 2 : entry.type === 4 ? 4 : 0;
    if (size === 0 || entry.count > limit) return undefined;
    const inline = size * entry.count <= 4;
    const start = inline ? entry.field - this.base : this.u32(entry.field - this.base);
    if (start === undefined) return undefined;
    const out: number[] = [];
    for (let i = 0; i < entry.count; i++) {
      const value = size === 2 ? this.u16(start + i * 2) : this.u32(start + i * 4);
      if (value === undefined) return undefined;
      out.push(value);
    }
    return out;
  }
}

/** The TIFF header at `base`, or `undefined` when there is none. */
export function tiffHeader(bytes: Uint8Array, base = 0): TiffHeader | undefined {
  if (base + 8 > bytes.length) return undefined;
  const order = String.fromCharCode(bytes[base]!, bytes[base + 1]!);
  if (order !== 'II' && order !== 'MM') return undefined;
  const view = new TiffView(bytes, base, order === 'II');
  const version = view.u16(2);
  if (version !== 42 && version !== 43) return undefined;
  return { little: view.little, big: version === 43, firstIfd: version === 42 ? view.u32(4)! : 0 };
}

const ORIENTATION = 0x0112;

/** The EXIF orientation (1–8) in a TIFF/EXIF structure at `base`; 1 when absent or unreadable. */
export function exifOrientation(bytes: Uint8Array, base = 0): number {
  const header = tiffHeader(bytes, base);
  if (!header || header.big) return 1;
  const view = new TiffView(bytes, base, header.little);
  const entry = view.ifd(header.firstIfd)?.entries.find((e) => e.tag === ORIENTATION);
  const value = entry ? view.values(entry)?.[0] : undefined;
  return value !== undefined && value >= 1 && value <= 8 ? value : 1;
}
