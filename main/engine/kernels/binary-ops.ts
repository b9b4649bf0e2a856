import { float32Values, output, sizeOf, unpack, type FastKernel, type Tf } from './cpu-backend';
import { BLOCK_FLOATS, simd } from './simd';

/**
 * Add, Sub, Multiply, RealDiv on float32 tensors — the bulk of batch-norm gradients and Adam.
 * The stock kernels call the operation through one shared closure per element (a megamorphic
 * call V8 cannot inline) and, whenever one side is broadcast, rebuild index arrays for every
 * element. Here every broadcast the network uses (same shape, a scalar, a per-channel vector, a
 * per-row column) is one [outer × inner] loop with a stride of 0, 1 or `inner` on each side, on
 * f32x4 vectors of the SIMD module when the shapes allow, else in JS. Results are bit-identical:
 * each is one float32 rounding of the same operation.
 */

/**
 * out[i·inner + j] = a[i·as0 + j·as1] ∘ b[i·bs0 + j·bs1]; `out` has outer·inner elements. An
 * operand with as many elements as `out` is not broadcast, so it is read linearly; a one-element
 * operand is a scalar. Only the rest (per-channel vectors…) takes the strided loop.
 */
type Loop2D = (
  outer: number,
  inner: number,
  a: Float32Array,
  as0: number,
  as1: number,
  b: Float32Array,
  bs0: number,
  bs1: number,
  out: Float32Array,
) => void;

const addLoop: Loop2D = (outer, inner, a, as0, as1, b, bs0, bs1, out) => {
  const n = out.length;
  if (a.length === n && b.length === n) {
    for (let i = 0; i < n; i++) out[i] = a[i]! + b[i]!;
  } else if (a.length === 1) {
    const s = a[0]!;
    for (let i = 0; i < n; i++) out[i] = s + b[i]!;
  } else if (b.length === 1) {
    const s = b[0]!;
    for (let i = 0; i < n; i++) out[i] = a[i]! + s;
  } else {
    let o = 0;
    for (let i = 0; i < outer; i++) {
      let ia = i * as0;
      let ib = i * bs0;
      for (let j = 0; j < inner; j++, ia += as1, ib += bs1) out[o++] = a[ia]! + b[ib]!;
    }
  }
};
const subLoop: Loop2D = (outer, inner, a, as0, as1, b, bs0, bs1, out) => {
  const n = out.length;
  if (a.length === n && b.length === n) {
    for (let i = 0; i < n; i++) out[i] = a[i]! - b[i]!;
  } else if (a.length === 1) {
    const s = a[0]!;
    for (let i = 0; i < n; i++) out[i] = s - b[i]!;
  } else if (b.length === 1) {
    const s = b[0]!;
    for (let i = 0; i < n; i++) out[i] = a[i]! - s;
  } else {
    let o = 0;
    for (let i = 0; i < outer; i++) {
      let ia = i * as0;
      let ib = i * bs0;
      for (let j = 0; j < inner; j++, ia += as1, ib += bs1) out[o++] = a[ia]! - b[ib]!;
    }
  }
};
const mulLoop: Loop2D = (outer, inner, a, as0, as1, b, bs0, bs1, out) => {
  const n = out.length;
  if (a.length === n && b.length === n) {
    for (let i = 0; i < n; i++) out[i] = a[i]! * b[i]!;
  } else if (a.length === 1) {
    const s = a[0]!;
    for (let i = 0; i < n; i++) out[i] = s * b[i]!;
  } else if (b.length === 1) {
    const s = b[0]!;
    for (let i = 0; i < n; i++) out[i] = a[i]! * s;
  } else {
    let o = 0;
    for (let i = 0; i < outer; i++) {
      let ia = i * as0;
      let ib = i * bs0;
      for (let j = 0; j < inner; j++, ia += as1, ib += bs1) out[o++] = a[ia]! * b[ib]!;
    }
  }
};
const divLoop: Loop2D = (outer, inner, a, as0, as1, b, bs0, bs1, out) => {
  const n = out.length;
  if (a.length === n && b.length === n) {
    for (let i = 0; i < n; i++) out[i] = a[i]! / b[i]!;
  } else if (a.length === 1) {
    const s = a[0]!;
    for (let i = 0; i < n; i++) out[i] = s / b[i]!;
  } else if (b.length === 1) {
    const s = b[0]!;
    for (let i = 0; i < n; i++) out[i] = a[i]! / s;
  } else {
    let o = 0;
    for (let i = 0; i < outer; i++) {
      let ia = i * as0;
      let ib = i * bs0;
      for (let j = 0; j < inner; j++, ia += as1, ib += bs1) out[o++] = a[ia]! / b[ib]!;
    }
  }
};

export interface Broadcast2D {
  outer: number;
  inner: number;
  as0: number;
  as1: number;
  bs0: number;
  bs1: number;
}

/**
 * Expresses broadcasting `aShape` against `bShape` (to `outShape`) as an [outer × inner] loop,
 * or undefined when it needs more than two levels (e.g. [n,1,c] ∘ [1,h,1]).
 */
export function broadcast2D(
  aShape: readonly number[],
  bShape: readonly number[],
  outShape: readonly number[],
): Broadcast2D | undefined {
  const rank = outShape.length;
  // Per output axis: does a / b run along it (size > 1)? Axes of size 1 in the output drop out.
  const groups: { a: boolean; b: boolean; size: number }[] = [];
  for (let d = 0; d < rank; d++) {
    const size = outShape[d]!;
    if (size === 1) continue;
    const aDim = aShape[d - (rank - aShape.length)] ?? 1;
    const bDim = bShape[d - (rank - bShape.length)] ?? 1;
    const a = aDim !== 1;
    const b = bDim !== 1;
    const last = groups[groups.length - 1];
    if (last && last.a === a && last.b === b) last.size *= size;
    else groups.push({ a, b, size });
  }
  if (groups.length > 2) return undefined;
  const outerGroup = groups.length === 2 ? groups[0] : undefined;
  const innerGroup = groups[groups.length - 1] ?? { a: true, b: true, size: 1 };
  const outer = outerGroup?.size ?? 1;
  const inner = innerGroup.size;
  const stride0 = (has: boolean, hasInner: boolean): number => (has ? (hasInner ? inner : 1) : 0);
  return {
    outer,
    inner,
    as1: innerGroup.a ? 1 : 0,
    bs1: innerGroup.b ? 1 : 0,
    as0: outerGroup ? stride0(outerGroup.a, innerGroup.a) : 0,
    bs0: outerGroup ? stride0(outerGroup.b, innerGroup.b) : 0,
  };
}

type SimdBinary = 'add' | 'sub' | 'mul' | 'div';

/** How an operand enters the SIMD loop: read along, one value splatted, or one vector per row. */
type OperandKind = 'full' | 'scalar' | 'channel';

function operandKind(
  v: Float32Array,
  s0: number,
  s1: number,
  plan: Broadcast2D,
  size: number,
): OperandKind | undefined {
  if (v.length === size) return 'full';
  if (v.length === 1) return 'scalar';
  if (s0 === 0 && s1 === 1 && v.length === plan.inner && plan.inner % 4 === 0) return 'channel';
  return undefined;
}

/**
 * The SIMD path, a block of rows at a time: operands copied into the module's memory (a scalar
 * splatted to a vector, a per-channel vector once), one pass of f32x4 operations, the block
 * copied out. Covers same shapes, scalars and per-channel vectors whose length is a multiple of
 * 4; undefined for the rest.
 */
function simdBinary(
  name: SimdBinary,
  av: Float32Array,
  bv: Float32Array,
  plan: Broadcast2D,
  size: number,
  take: (size: number) => Float32Array,
): Float32Array | undefined {
  const s = simd();
  const a = s && operandKind(av, plan.as0, plan.as1, plan, size);
  const b = s && operandKind(bv, plan.bs0, plan.bs1, plan, size);
  if (!s || !a || !b) return undefined;
  // Rows of `inner` floats when an operand is per-channel, else rows of one vector.
  const perChannel = a === 'channel' || b === 'channel';
  const rowFloats = perChannel ? plan.inner : 4;
  const rowsTotal = Math.ceil(size / rowFloats);
  const blockRows = Math.max(1, Math.floor(BLOCK_FLOATS / rowFloats));
  const blockFloats = blockRows * rowFloats;
  const floats = (kind: OperandKind): number => (kind === 'full' ? blockFloats : kind === 'channel' ? plan.inner : 4);
  const rowStep = (kind: OperandKind): number => (kind === 'full' ? rowFloats * 4 : 0);
  const colStep = (kind: OperandKind): number => (kind === 'scalar' ? 0 : 16);
  // [a | b | out]
  const pa = 0;
  const pb = pa + floats(a);
  const po = pb + floats(b);
  const heap = s.heap(po + blockFloats);
  if (a === 'scalar') heap.fill(av[0]!, pa, pa + 4);
  if (a === 'channel') heap.set(av, pa);
  if (b === 'scalar') heap.fill(bv[0]!, pb, pb + 4);
  if (b === 'channel') heap.set(bv, pb);
  const out = take(size);
  for (let r0 = 0; r0 < rowsTotal; r0 += blockRows) {
    const start = r0 * rowFloats;
    const end = Math.min(size, start + blockFloats);
    if (a === 'full') heap.set(av.subarray(start, end), pa);
    if (b === 'full') heap.set(bv.subarray(start, end), pb);
    s.fn[name](
      pa * 4,
      rowStep(a),
      colStep(a),
      pb * 4,
      rowStep(b),
      colStep(b),
      po * 4,
      Math.min(blockRows, rowsTotal - r0),
      rowFloats / 4,
    );
    out.set(heap.subarray(po, po + end - start), start);
  }
  return out;
}

function binaryKernel(kernelName: string, loop: Loop2D, simdName: SimdBinary): FastKernel {
  return {
    kernelName,
    create: (tf: Tf, stock) => (args) => {
      const { backend } = unpack<unknown>(args);
      const { a, b } = args.inputs;
      const av = float32Values(backend, a);
      const bv = float32Values(backend, b);
      if (!a || !b || !av || !bv) return stock(args);
      const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
      const plan = broadcast2D(a.shape, b.shape, outShape);
      if (!plan) return stock(args);
      const size = sizeOf(outShape);
      const fast =
        size >= SIMD_MIN_SIZE ? simdBinary(simdName, av, bv, plan, size, (n) => output(backend, n)) : undefined;
      if (fast) return backend.makeTensorInfo(outShape, 'float32', fast);
      const out = output(backend, size);
      loop(plan.outer, plan.inner, av, plan.as0, plan.as1, bv, plan.bs0, plan.bs1, out);
      return backend.makeTensorInfo(outShape, 'float32', out);
    },
  };
}

/** Below this many elements the copies cost more than they save. */
const SIMD_MIN_SIZE = 64;

export const add = binaryKernel('Add', addLoop, 'add');
export const sub = binaryKernel('Sub', subLoop, 'sub');
export const multiply = binaryKernel('Multiply', mulLoop, 'mul');
export const realDiv = binaryKernel('RealDiv', divLoop, 'div');
