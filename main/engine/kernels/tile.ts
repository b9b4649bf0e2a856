import type { TileAttrs } from '@tensorflow/tfjs';
import { float32Values, output, sizeOf, unpack, type FastKernel } from './cpu-backend';

/**
 * Tile of a float32 tensor (the batch-norm gradient tiles 1/σ to the activation's shape). Copies
 * whole rows of the last axis instead of one TensorBuffer index round trip per element.
 */
export const tile: FastKernel = {
  kernelName: 'Tile',
  create: (_tf, stock) => (args) => {
    const { backend, attrs } = unpack<TileAttrs>(args);
    const { x } = args.inputs;
    const xv = float32Values(backend, x);
    const reps = attrs.reps;
    if (!x || !xv || !Array.isArray(reps) || reps.length !== x.shape.length || x.shape.length === 0) return stock(args);

    const shape = x.shape;
    const rank = shape.length;
    const outShape = shape.map((d, i) => d * reps[i]!);
    const out = output(backend, sizeOf(outShape));
    if (out.length === 0) return backend.makeTensorInfo(outShape, 'float32', out);
    const rowLength = shape[rank - 1]!;
    const rowReps = reps[rank - 1]!;
    const outRows = out.length / (rowLength * rowReps);
    // Odometer over the output's leading axes; `src` is the matching input row.
    const index = new Array<number>(rank - 1).fill(0);
    // Input stride of each leading axis: a row of the last axis for the one before it, and so on.
    const inStrides = new Array<number>(rank - 1).fill(rowLength);
    for (let d = rank - 3; d >= 0; d--) inStrides[d] = inStrides[d + 1]! * shape[d + 1]!;
    let dst = 0;
    for (let row = 0; row < outRows; row++) {
      let src = 0;
      for (let d = 0; d < rank - 1; d++) src += (index[d]! % shape[d]!) * inStrides[d]!;
      for (let r = 0; r < rowReps; r++) {
        for (let j = 0; j < rowLength; j++) out[dst++] = xv[src + j]!;
      }
      for (let d = rank - 2; d >= 0; d--) {
        if (++index[d]! < outShape[d]!) break;
        index[d] = 0;
      }
    }
    return backend.makeTensorInfo(outShape, 'float32', out);
  },
};
