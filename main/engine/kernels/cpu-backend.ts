import type { BackendValues, DataId, DataType, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { recyclerFor } from './recycle';

/**
 * The tfjs module the worker loaded (`require('@tensorflow/tfjs')`). Kernels take everything
 * from it instead of importing tfjs, so they always act on the engine that runs the model.
 */
export type Tf = typeof import('@tensorflow/tfjs');

/** The part of tfjs-backend-cpu's `MathBackendCPU` a kernel needs: its tensors' typed arrays. */
export interface CpuBackend {
  data: { get(dataId: DataId): { values?: BackendValues } };
  makeTensorInfo(shape: number[], dtype: DataType, values?: BackendValues): TensorInfo;
}

/** One replacement kernel for the cpu backend. */
export interface FastKernel {
  kernelName: string;
  /**
   * Builds the kernel function. `stock` is tfjs-backend-cpu's own function for the same kernel:
   * the replacement calls it for whatever it does not handle (NCHW, dilations, other dtypes…).
   */
  create(tf: Tf, stock: KernelFunc): KernelFunc;
}

/** The float32 values of `t`, or undefined when `t` is not a plain float32 tensor. */
export function float32Values(backend: CpuBackend, t: TensorInfo | undefined | null): Float32Array | undefined {
  if (!t || t.dtype !== 'float32') return undefined;
  const values = backend.data.get(t.dataId).values;
  return values instanceof Float32Array ? values : undefined;
}

/** An output buffer of `size` floats for a kernel that writes every element (recycled: contents undefined). */
export function output(backend: CpuBackend, size: number): Float32Array {
  return recyclerFor(backend).take(size);
}

/** An output buffer of `size` zeros, for a kernel that adds into its output. */
export function zeroedOutput(backend: CpuBackend, size: number): Float32Array {
  return recyclerFor(backend).takeZeroed(size);
}

export function sizeOf(shape: readonly number[]): number {
  let size = 1;
  for (const d of shape) size *= d;
  return size;
}

/** True when every entry of a stride/dilation attribute (a number or a pair) is 1. */
export function allOnes(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === 'number') return value === 1;
  return Array.isArray(value) && value.every((v) => v === 1);
}

/** A reusable scratch buffer: kernels run one at a time, so each kind needs only one. */
export class Scratch {
  private buffer = new Float32Array(0);

  get(size: number): Float32Array {
    if (this.buffer.length < size) this.buffer = new Float32Array(Math.max(size, this.buffer.length * 2));
    return this.buffer;
  }
}

export type KernelArgs = Parameters<KernelFunc>[0];

/** The backend and the attributes of a kernel call, typed as the kernel expects them. */
export function unpack<Attrs>(args: KernelArgs): { backend: CpuBackend; attrs: Attrs } {
  return { backend: args.backend as CpuBackend, attrs: (args.attrs ?? {}) as unknown as Attrs };
}

export type Shape4 = [number, number, number, number];

export function isShape4(shape: readonly number[] | undefined): shape is Readonly<Shape4> {
  return shape?.length === 4;
}
