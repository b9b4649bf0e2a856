import { LabError } from '../../errors';

/** The error a cancelled scan rejects with (code `CANCELLED`). */
export const cancelledError = (): LabError => new LabError('CANCELLED', 'The dataset scan was cancelled.');

export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelledError();
}

/** `work`, or a `CANCELLED` rejection as soon as `signal` aborts (the work is left to finish alone). */
export function raceCancel<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) {
    work.catch(() => {});
    return Promise.reject(cancelledError());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(cancelledError());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
