/** A strided view of a matrix: element (i, j) is `data[offset + i * rowStride + j * colStride]`. */
export interface MatrixView {
  data: Float32Array;
  offset: number;
  rowStride: number;
  colStride: number;
}

export function view(data: Float32Array, offset: number, rowStride: number, colStride: number): MatrixView {
  return { data, offset, rowStride, colStride };
}
