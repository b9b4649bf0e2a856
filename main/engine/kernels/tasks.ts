import { Scratch } from './cpu-backend';
import { gemm, view } from './gemm';
import { blockRows, col2imAdd, im2col, isPointwise, tapCount, type ConvGeometry } from './im2col';
import { depthwiseFilterImages, depthwiseForwardImages, depthwiseInputImages } from './depthwise-images';
import { maxPoolGradImages, maxPoolImages } from './max-pool-images';

/**
 * The work the kernel pool splits across threads (issue 17), as functions any thread can run:
 * each takes its arrays, a few numbers, and a range of work units [u0, u1). A unit is a fixed
 * piece of the output — a block of output rows, one image, one chunk of a reduction — fixed by
 * the shapes alone, never by the thread count, and every unit is computed the same way whoever
 * runs it. Reductions across units (filter gradients) write one partial per unit, summed in unit
 * order afterwards. So the results are bit for bit the same on 1, 2 or 16 threads.
 */

/** Conv geometry as numbers (13 of them), first in every convolution task's parameters. */
export const GEOMETRY_LENGTH = 13;

export function geometryParams(g: ConvGeometry): number[] {
  return [
    g.batchSize,
    g.inHeight,
    g.inWidth,
    g.inChannels,
    g.outHeight,
    g.outWidth,
    g.outChannels,
    g.filterHeight,
    g.filterWidth,
    g.strideHeight,
    g.strideWidth,
    g.padInfo.top,
    g.padInfo.left,
  ];
}

export function geometryFrom(p: ArrayLike<number>): ConvGeometry {
  return {
    batchSize: p[0]!,
    inHeight: p[1]!,
    inWidth: p[2]!,
    inChannels: p[3]!,
    outHeight: p[4]!,
    outWidth: p[5]!,
    outChannels: p[6]!,
    filterHeight: p[7]!,
    filterWidth: p[8]!,
    strideHeight: p[9]!,
    strideWidth: p[10]!,
    padInfo: { top: p[11]!, left: p[12]! },
  };
}

/** Output rows (pixels) of all images. */
export const outputRows = (g: ConvGeometry): number => g.batchSize * g.outHeight * g.outWidth;

/** Rows per unit of the row-split tasks: the im2col block, or 256 rows of a 1×1 convolution. */
export function rowBlock(g: ConvGeometry): number {
  return isPointwise(g) ? 256 : blockRows(g);
}

/**
 * Rows per partial of a filter gradient: about an eighth of the rows, at least 64, at most four
 * im2col blocks; a multiple of 4.
 */
export function filterChunk(g: ConvGeometry): number {
  const rows = outputRows(g);
  const most = blockRows(g) * 4;
  return Math.max(4, Math.min(most, Math.max(64, Math.ceil(rows / 8 / 4) * 4)));
}

/** Units of each task for a geometry. */
export const convForwardUnits = (g: ConvGeometry): number => Math.ceil(outputRows(g) / rowBlock(g));
export const convInputUnits = (g: ConvGeometry): number => (isPointwise(g) ? convForwardUnits(g) : g.batchSize);
export const convFilterUnits = (g: ConvGeometry): number => Math.ceil(outputRows(g) / filterChunk(g));

const colScratch = new Scratch();

/** y = conv(x, w), output rows of units u0…u1. Arrays: x, w, y. */
function convForward(arrays: Float32Array[], p: ArrayLike<number>, u0: number, u1: number): void {
  const [x, w, y] = arrays as [Float32Array, Float32Array, Float32Array];
  const g = geometryFrom(p);
  const total = outputRows(g);
  const co = g.outChannels;
  const taps = tapCount(g);
  const block = rowBlock(g);
  const filter = view(w, 0, co, 1);
  const pointwise = isPointwise(g);
  const col = pointwise ? undefined : colScratch.get(block * taps);
  for (let u = u0; u < u1; u++) {
    const p0 = u * block;
    const rows = Math.min(block, total - p0);
    if (col) im2col(x, g, p0, rows, col);
    gemm(rows, co, taps, col ? view(col, 0, taps, 1) : view(x, p0 * taps, taps, 1), filter, y, p0 * co, co, false);
  }
}

/**
 * dx = col2im(dy · Wᵀ): a 1×1 convolution's rows of units u0…u1, or whole images u0…u1 (their
 * windows overlap inside one image only). Arrays: dy, w, dx; dx is written whole, zeros included.
 */
function convInput(arrays: Float32Array[], p: ArrayLike<number>, u0: number, u1: number): void {
  const [dy, w, dx] = arrays as [Float32Array, Float32Array, Float32Array];
  const g = geometryFrom(p);
  const co = g.outChannels;
  const taps = tapCount(g);
  const filterT = view(w, 0, 1, co);
  if (isPointwise(g)) {
    const total = outputRows(g);
    const block = rowBlock(g);
    for (let u = u0; u < u1; u++) {
      const p0 = u * block;
      gemm(Math.min(block, total - p0), taps, co, view(dy, p0 * co, co, 1), filterT, dx, p0 * taps, taps, false);
    }
    return;
  }
  const block = blockRows(g);
  const col = colScratch.get(block * taps);
  const imageRows = g.outHeight * g.outWidth;
  const imageFloats = g.inHeight * g.inWidth * g.inChannels;
  dx.fill(0, u0 * imageFloats, u1 * imageFloats);
  for (let b = u0; b < u1; b++) {
    const end = (b + 1) * imageRows;
    for (let p0 = b * imageRows; p0 < end; p0 += block) {
      const rows = Math.min(block, end - p0);
      gemm(rows, taps, co, view(dy, p0 * co, co, 1), filterT, col, 0, taps, false);
      col2imAdd(col, g, p0, rows, dx);
    }
  }
}

/** Partial filter gradients im2col(x)ᵀ·dy, one per chunk of rows u0…u1. Arrays: x, dy, partials (taps·co per unit). */
function convFilter(arrays: Float32Array[], p: ArrayLike<number>, u0: number, u1: number): void {
  const [x, dy, partials] = arrays as [Float32Array, Float32Array, Float32Array];
  const g = geometryFrom(p);
  const total = outputRows(g);
  const co = g.outChannels;
  const taps = tapCount(g);
  const chunk = filterChunk(g);
  const pointwise = isPointwise(g);
  const col = pointwise ? undefined : colScratch.get(chunk * taps);
  for (let u = u0; u < u1; u++) {
    const p0 = u * chunk;
    const rows = Math.min(chunk, total - p0);
    if (col) im2col(x, g, p0, rows, col);
    gemm(
      taps,
      co,
      rows,
      col ? view(col, 0, 1, taps) : view(x, p0 * taps, 1, taps),
      view(dy, p0 * co, co, 1),
      partials,
      u * taps * co,
      co,
      false,
    );
  }
}

/** out = Σ partials in unit order (float32 after each addition), over elements u0…u1 of 4096. Arrays: partials, out; p[0] = units. */
function sumPartials(arrays: Float32Array[], p: ArrayLike<number>, u0: number, u1: number): void {
  const [partials, out] = arrays as [Float32Array, Float32Array];
  const units = p[0]!;
  const size = out.length;
  const from = u0 * SUM_BLOCK;
  const to = Math.min(size, u1 * SUM_BLOCK);
  out.set(partials.subarray(from, to), from);
  for (let u = 1; u < units; u++) {
    const base = u * size;
    for (let i = from; i < to; i++) out[i] = out[i]! + partials[base + i]!;
  }
}

export const SUM_BLOCK = 4096;

export type TaskFunction = (arrays: Float32Array[], params: ArrayLike<number>, u0: number, u1: number) => void;

/** Every task, by the number the pool sends. */
export const tasks: readonly TaskFunction[] = [
  convForward,
  convInput,
  convFilter,
  sumPartials,
  (a, p, u0, u1) => depthwiseForwardImages(a[0]!, a[1]!, a[2]!, geometryFrom(p), u0, u1),
  (a, p, u0, u1) => depthwiseInputImages(a[0]!, a[1]!, a[2]!, geometryFrom(p), u0, u1),
  (a, p, u0, u1) => depthwiseFilterImages(a[0]!, a[1]!, a[2]!, geometryFrom(p), u0, u1),
  (a, p, u0, u1) => maxPoolImages(a[0]!, a[1]!, geometryFrom(p), u0, u1),
  (a, p, u0, u1) => maxPoolGradImages(a[0]!, a[1]!, a[2]!, geometryFrom(p), u0, u1),
];

/** Task numbers; every depthwise and pooling task's units are images. */
export const Task = {
  convForward: 0,
  convInput: 1,
  convFilter: 2,
  sumPartials: 3,
  depthwiseForward: 4,
  depthwiseInput: 5,
  depthwiseFilter: 6,
  maxPool: 7,
  maxPoolGrad: 8,
} as const;
export type TaskId = (typeof Task)[keyof typeof Task];
