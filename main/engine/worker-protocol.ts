import type { EngineInfo, LogEntry, WireError } from '../contract';

/** Data the host gives the training worker at start. */
export interface WorkerStartData {
  /** Raw `XLAB_BACKEND` value (validated in the worker, which owns the choice). */
  force?: string;
}

/** Messages from the training worker to its host. */
export type WorkerMessage =
  | { type: 'ready'; engine: EngineInfo }
  | { type: 'failed'; error: WireError }
  | { type: 'log'; entry: LogEntry };

/** Messages from the host to the training worker. */
export type HostMessage = { type: 'shutdown' };
