/**
 * The WebAssembly SIMD (f32x4) inner loops of the fast kernels, with no dependency: each is
 * assembled here, byte by byte, into one small module (about 1 KB) on first use. The kernels
 * copy their operands into the module's memory (`heap`), call these loops, and copy the result
 * out. Every function takes i32 arguments only: byte addresses in the heap, byte strides,
 * counts. Where SIMD is missing (`simd()` undefined) the kernels use their JS loops.
 */

// ---- a minimal WebAssembly assembler ----
const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
};
const sleb = (n: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) return [...out, byte];
    out.push(byte | 0x80);
  }
};
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const utf8 = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];

type Code = number[];
const I32 = 0x7f;
const V128 = 0x7b;
const get = (i: number): Code => [0x20, ...uleb(i)];
const set = (i: number): Code => [0x21, ...uleb(i)];
const i32 = (n: number): Code => [0x41, ...sleb(n)];
const ADD = 0x6a;
const MUL = 0x6c;
const GE_U = 0x4f;
/** local[i] += step (an i32 constant or another local's code). */
const bump = (i: number, step: Code): Code => [...get(i), ...step, ADD, ...set(i)];
const op = (code: number, ...immediates: number[]): Code => [0xfd, ...uleb(code), ...immediates];
const memarg = (alignLog2: number, offset: number): number[] => [...uleb(alignLog2), ...uleb(offset)];
const load = (offset = 0): Code => op(0x00, ...memarg(4, offset));
const store = (offset = 0): Code => op(0x0b, ...memarg(4, offset));
const loadSplat = (offset = 0): Code => op(0x09, ...memarg(2, offset)); // v128.load32_splat
const f32x4 = (value: number): Code =>
  op(0x0c, ...new Uint8Array(new Float32Array([value, value, value, value]).buffer));
const load64Splat = (offset = 0): Code => op(0x0a, ...memarg(3, offset));
const store64Lane0 = (offset = 0): Code => op(0x5b, ...memarg(3, offset), 0);
const SHUFFLE_HIGH_HALF = op(0x0d, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7); // i8x16.shuffle
const F32X4_NE = op(0x42);
const F32X4_GT = op(0x44);
const BITSELECT = op(0x52);
const F32X4_ADD = op(0xe4);
const F32X4_SUB = op(0xe5);
const F32X4_MUL = op(0xe6);
const F32X4_DIV = op(0xe7);
const F32X4_MAX = op(0xe9);
const F32X4_SQRT = op(0xe3);
const F32X4_DEMOTE = op(0x5e); // f32x4.demote_f64x2_zero
const F64X2_PROMOTE = op(0x5f); // f64x2.promote_low_f32x4
const F64X2_ADD = op(0xf0);
const F64X2_SUB = op(0xf1);
const F64X2_MUL = op(0xf2);
const F64X2_DIV = op(0xf3);
/** `while (!(local[counter] >= limit)) { body; local[counter] += step }`, counter starting at `from`. */
const forRange = (counter: number, from: Code, limit: Code, step: Code, ...body: Code[]): Code => [
  ...from,
  ...set(counter),
  0x02,
  0x40,
  0x03,
  0x40, // block, loop
  ...get(counter),
  ...limit,
  GE_U,
  0x0d,
  1, // br_if out of the block
  ...body.flat(),
  ...bump(counter, step),
  0x0c,
  0,
  0x0b,
  0x0b, // br to the loop; end loop; end block
];

/**
 * For each of `rows` rows (counter `row`): `perItem` over the row's `width` bytes in steps of
 * `step` bytes (counter `col`), then each pointer local in `advance` moves on by `width`.
 */
const rowsLoop = (
  row: number,
  rows: number,
  col: number,
  width: number,
  step: number,
  perItem: Code,
  advance: number[],
): Code =>
  forRange(
    row,
    i32(0),
    get(rows),
    i32(1),
    forRange(col, i32(0), get(width), i32(step), perItem),
    ...advance.map((pointer) => bump(pointer, get(width))),
  );

interface WasmFunction {
  name: string;
  params: number;
  i32Locals: number;
  v128Locals: number;
  body: Code;
}

function assemble(functions: readonly WasmFunction[]): Uint8Array {
  const types = functions.map((f) => [0x60, ...vec(new Array<number[]>(f.params).fill([I32])), 0]);
  const codes = functions.map((f) => {
    const code = [
      ...vec([
        [...uleb(f.i32Locals), I32],
        [...uleb(f.v128Locals), V128],
      ]),
      ...f.body,
      0x0b,
    ];
    return [...uleb(code.length), ...code];
  });
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vec(types)),
    ...section(3, vec(functions.map((_, i) => uleb(i)))),
    ...section(5, vec([[0x00, ...uleb(1)]])),
    ...section(7, vec([[...utf8('memory'), 0x02, 0], ...functions.map((f, i) => [...utf8(f.name), 0x00, ...uleb(i)])])),
    ...section(10, vec(codes)),
  ]);
}

// ---- the functions ----

/** Rows of A and columns of B per GEMM micro-kernel block. */
export const GEMM_MR = 4;
export const GEMM_NR = 8;

/**
 * gemm(pa, pb, pc, kc, rowPanels, colPanels, ldc): for each 4-row panel of packed A (kc groups
 * of 4 floats, panel after panel) and each 8-column panel of packed B (kc groups of 8), adds the
 * 4×8 product into C at pc (row stride ldc bytes), keeping the block in eight f32x4 registers.
 */
function gemmKernel(): WasmFunction {
  const [PA, PB, PC, KC, ROWS, COLS, LDC] = [0, 1, 2, 3, 4, 5, 6];
  const [RP, CP, A, B, END, C] = [7, 8, 9, 10, 11, 12];
  const ACC = 13;
  const acc = (r: number, h: number): number => ACC + r * 2 + h;
  const BV = ACC + GEMM_MR * 2;
  const S = BV + 2;
  const step = [
    ...[0, 1].flatMap((h) => [...get(B), ...load(h * 16), ...set(BV + h)]),
    ...Array.from({ length: GEMM_MR }, (_, r) => [
      ...get(A),
      ...loadSplat(r * 4),
      ...set(S),
      ...[0, 1].flatMap((h) => [
        ...get(acc(r, h)),
        ...get(S),
        ...get(BV + h),
        ...F32X4_MUL,
        ...F32X4_ADD,
        ...set(acc(r, h)),
      ]),
    ]).flat(),
    ...bump(B, i32(GEMM_NR * 4)),
  ];
  const storeBlock = Array.from({ length: GEMM_MR }, (_, r) => [
    ...[0, 1].flatMap((h) => [
      ...get(C),
      ...get(C),
      ...load(h * 16),
      ...get(acc(r, h)),
      ...F32X4_ADD,
      ...store(h * 16),
    ]),
    ...bump(C, get(LDC)),
  ]).flat();
  const block = [
    ...Array.from({ length: GEMM_MR * 2 }, (_, i) => [...f32x4(0), ...set(ACC + i)]).flat(),
    // b = pb + cp·kc·32; a runs over the row panel, from pa + rp·kc·16 to end = a + kc·16
    ...get(PB),
    ...get(CP),
    ...get(KC),
    MUL,
    ...i32(GEMM_NR * 4),
    MUL,
    ADD,
    ...set(B),
    ...get(PA),
    ...get(RP),
    ...get(KC),
    MUL,
    ...i32(GEMM_MR * 4),
    MUL,
    ADD,
    ...set(A),
    ...get(A),
    ...get(KC),
    ...i32(GEMM_MR * 4),
    MUL,
    ADD,
    ...set(END),
    ...forRange(A, get(A), get(END), i32(GEMM_MR * 4), step),
    // c = pc + rp·4·ldc + cp·32
    ...get(PC),
    ...get(RP),
    ...i32(GEMM_MR),
    MUL,
    ...get(LDC),
    MUL,
    ADD,
    ...get(CP),
    ...i32(GEMM_NR * 4),
    MUL,
    ADD,
    ...set(C),
    ...storeBlock,
  ];
  return {
    name: 'gemm',
    params: 7,
    i32Locals: 6,
    v128Locals: GEMM_MR * 2 + 3,
    body: forRange(RP, i32(0), get(ROWS), i32(1), forRange(CP, i32(0), get(COLS), i32(1), block)),
  };
}

/**
 * rowMulAdd(out, outStep, in, inStep, w, count, width): for t < count,
 * out[t·outStep + c] += in[t·inStep + c] · w[c] over `width` bytes (a multiple of 16).
 * A depthwise-convolution row (forward: out = y, in = x; input gradient: out = dx, in = dy).
 */
function rowMulAdd(): WasmFunction {
  const [OUT, OUT_STEP, IN, IN_STEP, W, COUNT, WIDTH] = [0, 1, 2, 3, 4, 5, 6];
  const [T, C] = [7, 8];
  const inner = [
    ...get(OUT),
    ...get(C),
    ADD,
    ...get(OUT),
    ...get(C),
    ADD,
    ...load(),
    ...get(IN),
    ...get(C),
    ADD,
    ...load(),
    ...get(W),
    ...get(C),
    ADD,
    ...load(),
    ...F32X4_MUL,
    ...F32X4_ADD,
    ...store(),
  ];
  return {
    name: 'rowMulAdd',
    params: 7,
    i32Locals: 2,
    v128Locals: 0,
    body: forRange(
      T,
      i32(0),
      get(COUNT),
      i32(1),
      forRange(C, i32(0), get(WIDTH), i32(16), inner),
      bump(OUT, get(OUT_STEP)),
      bump(IN, get(IN_STEP)),
    ),
  };
}

/**
 * rowDot(acc, a, aStep, b, bStep, count, width): acc[c] += Σ_t a[t·aStep + c] · b[t·bStep + c]
 * over `width` bytes — a depthwise filter gradient row, summed in a register per 4 channels.
 */
function rowDot(): WasmFunction {
  const [ACC, A, A_STEP, B, B_STEP, COUNT, WIDTH] = [0, 1, 2, 3, 4, 5, 6];
  const [C, T, PA, PB] = [7, 8, 9, 10];
  const SUM = 11;
  const perLane = [
    ...get(ACC),
    ...get(C),
    ADD,
    ...load(),
    ...set(SUM),
    ...get(A),
    ...get(C),
    ADD,
    ...set(PA),
    ...get(B),
    ...get(C),
    ADD,
    ...set(PB),
    ...forRange(
      T,
      i32(0),
      get(COUNT),
      i32(1),
      [...get(SUM), ...get(PA), ...load(), ...get(PB), ...load(), ...F32X4_MUL, ...F32X4_ADD, ...set(SUM)],
      bump(PA, get(A_STEP)),
      bump(PB, get(B_STEP)),
    ),
    ...get(ACC),
    ...get(C),
    ADD,
    ...get(SUM),
    ...store(),
  ];
  return {
    name: 'rowDot',
    params: 7,
    i32Locals: 4,
    v128Locals: 1,
    body: forRange(C, i32(0), get(WIDTH), i32(16), perLane),
  };
}

/**
 * {add,sub,mul,div}(a, aRow, aCol, b, bRow, bCol, out, rows, cols): for r < rows, c < cols
 * (in vectors of 4), out[(r·cols + c)·16] = a[r·aRow + c·aCol] ∘ b[r·bRow + c·bCol]; steps are in
 * bytes, 0 for a broadcast operand (a scalar is stored splatted).
 */
function binary(name: string, operation: Code): WasmFunction {
  const [A, A_ROW, A_COL, B, B_ROW, B_COL, OUT, ROWS, COLS] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [R, C, PA, PB] = [9, 10, 11, 12];
  const row = [
    ...get(A),
    ...get(R),
    ...get(A_ROW),
    MUL,
    ADD,
    ...set(PA),
    ...get(B),
    ...get(R),
    ...get(B_ROW),
    MUL,
    ADD,
    ...set(PB),
    ...forRange(
      C,
      i32(0),
      get(COLS),
      i32(1),
      [...get(OUT), ...get(PA), ...load(), ...get(PB), ...load(), ...operation, ...store()],
      bump(PA, get(A_COL)),
      bump(PB, get(B_COL)),
      bump(OUT, i32(16)),
    ),
  ];
  return { name, params: 9, i32Locals: 4, v128Locals: 0, body: forRange(R, i32(0), get(ROWS), i32(1), row) };
}

/** relu(x, out, bytes): out = max(x, 0), NaN kept, −0 → +0 (Math.max(0, x)). */
function relu(): WasmFunction {
  const [X, OUT, BYTES, I] = [0, 1, 2, 3];
  return {
    name: 'relu',
    params: 3,
    i32Locals: 1,
    v128Locals: 0,
    body: forRange(I, i32(0), get(BYTES), i32(16), [
      ...get(OUT),
      ...get(I),
      ADD,
      ...get(X),
      ...get(I),
      ADD,
      ...load(),
      ...f32x4(0),
      ...F32X4_MAX,
      ...store(),
    ]),
  };
}

/** The step of the vector in local `v`: 1 where v > 0, v itself where NaN, else `alpha` (a vector's code). */
const stepOf = (v: number, alpha: Code): Code => [
  ...get(v), // kept where v is NaN
  ...f32x4(1),
  ...alpha,
  ...get(v),
  ...f32x4(0),
  ...F32X4_GT,
  ...BITSELECT,
  ...get(v),
  ...get(v),
  ...F32X4_NE,
  ...BITSELECT,
];

/** step(x, out, bytes, alpha): out = x > 0 ? 1 : alpha, NaN kept; alpha is 4 floats at `alpha`. */
function step(): WasmFunction {
  const [X, OUT, BYTES, ALPHA, I] = [0, 1, 2, 3, 4];
  const V = 5;
  const body = [
    ...get(X),
    ...get(I),
    ADD,
    ...load(),
    ...set(V),
    ...get(OUT),
    ...get(I),
    ADD,
    ...stepOf(V, [...get(ALPHA), ...load()]),
    ...store(),
  ];
  return { name: 'step', params: 4, i32Locals: 1, v128Locals: 1, body: forRange(I, i32(0), get(BYTES), i32(16), body) };
}

/** reluGrad(dy, x, out, bytes): out = dy · step(x) (1 where x > 0, NaN where x is NaN, else 0), as tfjs' Relu gradient. */
function reluGrad(): WasmFunction {
  const [DY, X, OUT, BYTES, I] = [0, 1, 2, 3, 4];
  const V = 5;
  const body = [
    ...get(X),
    ...get(I),
    ADD,
    ...load(),
    ...set(V),
    ...get(OUT),
    ...get(I),
    ADD,
    ...get(DY),
    ...get(I),
    ADD,
    ...load(),
    ...stepOf(V, f32x4(0)),
    ...F32X4_MUL,
    ...store(),
  ];
  return {
    name: 'reluGrad',
    params: 4,
    i32Locals: 1,
    v128Locals: 1,
    body: forRange(I, i32(0), get(BYTES), i32(16), body),
  };
}

/** {square,sqrt}(x, out, bytes): out = x·x or √x, each one float32 rounding as in the stock kernels. */
function unary(name: string, operation: (v: Code) => Code): WasmFunction {
  const [X, OUT, BYTES, I] = [0, 1, 2, 3];
  const v = [...get(X), ...get(I), ADD, ...load()];
  return {
    name,
    params: 3,
    i32Locals: 1,
    v128Locals: 0,
    body: forRange(I, i32(0), get(BYTES), i32(16), [...get(OUT), ...get(I), ADD, ...operation(v), ...store()]),
  };
}

/**
 * columnSums(x, rows, width, acc, divisor): acc[c] += Σ_r f32(x[r][c] / divisor) in doubles
 * (f64x2 lanes), row by row — the stock Sum's order (and Mean's: x / n rounded to float32,
 * then summed), so the same results. `width` bytes per row (a multiple of 16); acc holds
 * width / 4 doubles; the divisor is 4 floats at `divisor`.
 *
 * centeredSquareSums(x, rows, width, acc, divisor, mean): the same over f32(f32(x − mean[c])²),
 * tf.moments' variance as the stock Sub, Square and Mean round it; `mean` holds width / 4 floats.
 */
function columnSums(centered: boolean): WasmFunction {
  const [X, ROWS, WIDTH, ACC, DIVISOR, MEAN] = [0, 1, 2, 3, 4, 5];
  const params = centered ? 6 : 5;
  const [R, C, A] = [params, params + 1, params + 2];
  const [V, N] = [params + 3, params + 4];
  const addHalf = (offset: number, half: Code): Code => [
    ...get(A),
    ...get(A),
    ...load(offset),
    ...half,
    ...F64X2_PROMOTE,
    ...F64X2_ADD,
    ...store(offset),
  ];
  const x = [...get(X), ...get(C), ADD, ...load()];
  const value = centered
    ? [...x, ...get(MEAN), ...get(C), ADD, ...load(), ...F32X4_SUB, ...set(V), ...get(V), ...get(V), ...F32X4_MUL]
    : x;
  const perVector = [
    ...value,
    ...get(N),
    ...F32X4_DIV,
    ...set(V),
    // acc + 2·c bytes: two f64x2 accumulators per 4 floats
    ...get(ACC),
    ...get(C),
    ...i32(2),
    MUL,
    ADD,
    ...set(A),
    ...addHalf(0, get(V)),
    ...addHalf(16, [...get(V), ...get(V), ...SHUFFLE_HIGH_HALF]),
  ];
  return {
    name: centered ? 'centeredSquareSums' : 'columnSums',
    params,
    i32Locals: 3,
    v128Locals: 2,
    body: [...get(DIVISOR), ...load(), ...set(N), ...rowsLoop(R, ROWS, C, WIDTH, 16, perVector, [X])],
  };
}

/**
 * batchNorm(x, out, rows, width, mean, scale, root, offset): out = offset + (x − mean)·scale / root
 * per channel, in doubles (f64x2) as the stock kernel computes it, rounded once to float32. The
 * four parameter vectors are width / 4 doubles each; `width` bytes per row (a multiple of 8).
 */
function batchNorm(): WasmFunction {
  const [X, OUT, ROWS, WIDTH, MEAN, SCALE, ROOT, OFFSET] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [R, C, P] = [8, 9, 10];
  const param = (base: number): Code => [...get(base), ...get(P), ADD, ...load()];
  const perPair = [
    ...get(C),
    ...i32(2),
    MUL,
    ...set(P),
    ...get(OUT),
    ...get(C),
    ADD,
    ...param(OFFSET),
    ...get(X),
    ...get(C),
    ADD,
    ...load64Splat(),
    ...F64X2_PROMOTE,
    ...param(MEAN),
    ...F64X2_SUB,
    ...param(SCALE),
    ...F64X2_MUL,
    ...param(ROOT),
    ...F64X2_DIV,
    ...F64X2_ADD,
    ...F32X4_DEMOTE,
    ...store64Lane0(),
  ];
  return {
    name: 'batchNorm',
    params: 8,
    i32Locals: 3,
    v128Locals: 0,
    body: rowsLoop(R, ROWS, C, WIDTH, 8, perPair, [X, OUT]),
  };
}

/**
 * batchNormGradSums(dy, x, rows, width, mean, accDy, accDyX): per channel, in doubles (f64x2),
 * row by row, accDy += dy and accDyX += dy·(x − mean). `mean`, accDy and accDyX hold width / 4
 * doubles each; `width` bytes per row (a multiple of 8).
 */
function batchNormGradSums(): WasmFunction {
  const [DY, X, ROWS, WIDTH, MEAN, ACC_DY, ACC_DYX] = [0, 1, 2, 3, 4, 5, 6];
  const [R, C, P] = [7, 8, 9];
  const D = 10;
  const pair = (base: number): Code => [...get(base), ...get(C), ADD, ...load64Splat(), ...F64X2_PROMOTE];
  const at = (base: number): Code => [...get(base), ...get(P), ADD];
  const perPair = [
    ...get(C),
    ...i32(2),
    MUL,
    ...set(P),
    ...pair(DY),
    ...set(D),
    ...at(ACC_DY),
    ...at(ACC_DY),
    ...load(),
    ...get(D),
    ...F64X2_ADD,
    ...store(),
    ...at(ACC_DYX),
    ...at(ACC_DYX),
    ...load(),
    ...get(D),
    ...pair(X),
    ...at(MEAN),
    ...load(),
    ...F64X2_SUB,
    ...F64X2_MUL,
    ...F64X2_ADD,
    ...store(),
  ];
  return {
    name: 'batchNormGradSums',
    params: 7,
    i32Locals: 3,
    v128Locals: 1,
    body: rowsLoop(R, ROWS, C, WIDTH, 8, perPair, [DY, X]),
  };
}

/**
 * batchNormGradDx(dy, x, out, rows, width, params): out = k·((dy − a) − (x − mean)·b) per channel
 * in doubles (f64x2), rounded once to float32; `params` holds four vectors of width / 4 doubles:
 * mean, k, a, b. `width` bytes per row (a multiple of 8).
 */
function batchNormGradDx(): WasmFunction {
  const [DY, X, OUT, ROWS, WIDTH, PARAMS] = [0, 1, 2, 3, 4, 5];
  const [R, C, P] = [6, 7, 8];
  const pair = (base: number): Code => [...get(base), ...get(C), ADD, ...load64Splat(), ...F64X2_PROMOTE];
  // The parameter vectors are width·2 bytes each: mean at 0, k at 2·width, a at 4·width, b at 6·width.
  const param = (index: number): Code => [
    ...get(PARAMS),
    ...get(P),
    ADD,
    ...get(WIDTH),
    ...i32(2 * index),
    MUL,
    ADD,
    ...load(),
  ];
  const perPair = [
    ...get(C),
    ...i32(2),
    MUL,
    ...set(P),
    ...get(OUT),
    ...get(C),
    ADD,
    ...param(1),
    ...pair(DY),
    ...param(2),
    ...F64X2_SUB,
    ...pair(X),
    ...param(0),
    ...F64X2_SUB,
    ...param(3),
    ...F64X2_MUL,
    ...F64X2_SUB,
    ...F64X2_MUL,
    ...F32X4_DEMOTE,
    ...store64Lane0(),
  ];
  return {
    name: 'batchNormGradDx',
    params: 6,
    i32Locals: 3,
    v128Locals: 0,
    body: rowsLoop(R, ROWS, C, WIDTH, 8, perPair, [DY, X, OUT]),
  };
}

export interface SimdExports {
  gemm(pa: number, pb: number, pc: number, kc: number, rowPanels: number, colPanels: number, ldcBytes: number): void;
  rowMulAdd(
    out: number,
    outStep: number,
    input: number,
    inStep: number,
    w: number,
    count: number,
    widthBytes: number,
  ): void;
  rowDot(acc: number, a: number, aStep: number, b: number, bStep: number, count: number, widthBytes: number): void;
  add(
    a: number,
    aRow: number,
    aCol: number,
    b: number,
    bRow: number,
    bCol: number,
    out: number,
    rows: number,
    cols: number,
  ): void;
  sub(
    a: number,
    aRow: number,
    aCol: number,
    b: number,
    bRow: number,
    bCol: number,
    out: number,
    rows: number,
    cols: number,
  ): void;
  mul(
    a: number,
    aRow: number,
    aCol: number,
    b: number,
    bRow: number,
    bCol: number,
    out: number,
    rows: number,
    cols: number,
  ): void;
  div(
    a: number,
    aRow: number,
    aCol: number,
    b: number,
    bRow: number,
    bCol: number,
    out: number,
    rows: number,
    cols: number,
  ): void;
  relu(x: number, out: number, bytes: number): void;
  step(x: number, out: number, bytes: number, alpha: number): void;
  square(x: number, out: number, bytes: number): void;
  sqrt(x: number, out: number, bytes: number): void;
  columnSums(x: number, rows: number, widthBytes: number, acc: number, divisor: number): void;
  batchNorm(
    x: number,
    out: number,
    rows: number,
    widthBytes: number,
    mean: number,
    scale: number,
    root: number,
    offset: number,
  ): void;
  reluGrad(dy: number, x: number, out: number, bytes: number): void;
  centeredSquareSums(x: number, rows: number, widthBytes: number, acc: number, divisor: number, mean: number): void;
  batchNormGradSums(
    dy: number,
    x: number,
    rows: number,
    widthBytes: number,
    mean: number,
    accDy: number,
    accDyX: number,
  ): void;
  batchNormGradDx(dy: number, x: number, out: number, rows: number, widthBytes: number, params: number): void;
}

/** The part of the WebAssembly JS API used here (the Node typings in use do not declare it). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(deltaPages: number): number;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => WasmInstance;
}
interface WasmInstance {
  exports: Record<string, unknown>;
}

export class Simd {
  readonly fn: SimdExports;
  private readonly memory: WasmMemory;
  private view: Float32Array;

  constructor(instance: WasmInstance) {
    this.fn = instance.exports as unknown as SimdExports;
    this.memory = instance.exports.memory as WasmMemory;
    this.view = new Float32Array(this.memory.buffer);
  }

  /** The module's memory as floats, grown to at least `floats` (the view changes when it grows). */
  heap(floats: number): Float32Array {
    const bytes = floats * 4;
    if (this.memory.buffer.byteLength < bytes) {
      this.memory.grow(Math.ceil((bytes - this.memory.buffer.byteLength) / 65536));
      this.view = new Float32Array(this.memory.buffer);
    }
    return this.view;
  }
}

function instantiate(): Simd | undefined {
  try {
    const bytes = assemble([
      gemmKernel(),
      rowMulAdd(),
      rowDot(),
      binary('add', F32X4_ADD),
      binary('sub', F32X4_SUB),
      binary('mul', F32X4_MUL),
      binary('div', F32X4_DIV),
      relu(),
      step(),
      unary('square', (v) => [...v, ...v, ...F32X4_MUL]),
      unary('sqrt', (v) => [...v, ...F32X4_SQRT]),
      columnSums(false),
      batchNorm(),
      columnSums(true),
      batchNormGradSums(),
      reluGrad(),
      batchNormGradDx(),
    ]);
    const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
    if (!wasm?.validate(bytes)) return undefined;
    return new Simd(new wasm.Instance(new wasm.Module(bytes), {}));
  } catch {
    return undefined;
  }
}

/** Assembled on first use, not at import: the tfjs-node engines never need it. */
let instance: Simd | undefined | null = null;
let enabled = true;

function loaded(): Simd | undefined {
  if (instance === null) instance = instantiate();
  return instance;
}

/** The SIMD module, or undefined where WebAssembly SIMD is missing or `useSimd(false)` turned it off. */
export function simd(): Simd | undefined {
  return enabled ? loaded() : undefined;
}

/** Whether this runtime has WebAssembly SIMD (Node ≥ 16.4, Electron ≥ 14). */
export function simdAvailable(): boolean {
  return loaded() !== undefined;
}

/** Tests and the benchmark compare the SIMD and the plain-JS paths; on by default. */
export function useSimd(on: boolean): void {
  enabled = on;
}

/**
 * Floats staged per call at most (256 KB): operands go through the module's memory a block at a
 * time, so they stay in cache between copy-in, loop and copy-out, and the memory — which a
 * WebAssembly module never gives back — stays small whatever the image size.
 */
export const BLOCK_FLOATS = 1 << 16;

/** Floats rounded up to a whole number of f32x4 vectors. */
export function roundUp4(n: number): number {
  return (n + 3) & ~3;
}

/**
 * Copies `pixels` rows of `channels` floats from `src` into the heap at float offset `at`, each
 * row padded with zeros to `width` (a multiple of 4) so the SIMD loops see whole vectors.
 */
export function stageRows(
  heap: Float32Array,
  at: number,
  src: Float32Array,
  pixels: number,
  channels: number,
  width: number,
): void {
  if (channels === width) {
    heap.set(src.length === pixels * channels ? src : src.subarray(0, pixels * channels), at);
    return;
  }
  let s = 0;
  let o = at;
  for (let p = 0; p < pixels; p++, o += width) {
    for (let c = 0; c < channels; c++) heap[o + c] = src[s++]!;
    for (let c = channels; c < width; c++) heap[o + c] = 0;
  }
}

/** The inverse of stageRows: the first `channels` floats of each padded row, into `dst`. */
export function unstageRows(
  heap: Float32Array,
  at: number,
  dst: Float32Array,
  pixels: number,
  channels: number,
  width: number,
): void {
  if (channels === width) {
    dst.set(heap.subarray(at, at + pixels * channels));
    return;
  }
  let d = 0;
  let o = at;
  for (let p = 0; p < pixels; p++, o += width) {
    for (let c = 0; c < channels; c++) dst[d++] = heap[o + c]!;
  }
}
