import type { EngineInfo, LogEntry, WireError } from '../contract';
import type { ModelConfig } from '../models/model-config';
import type { ModelSummary } from '../models/model-summary';
import type { BestEpoch, EpochMetrics, TrainJob, TrainOutcome, TrainProgress } from '../training/trainer';
import type {
  EvaluateRequest,
  EvaluateResponse,
  ExportRequest,
  ExportResponse,
  PredictAnswer,
  PredictRequest,
} from '../evaluation/inference';

/** Data the host gives the training worker at start. */
export interface WorkerStartData {
  /** Raw `XLAB_BACKEND` value (validated in the worker, which owns the choice). */
  force?: string;
}

/** Work the host asks of the worker, each with its answer's type. */
export interface WorkerRequests {
  /** Build the model (never trained) and summarise it, Keras-style, from the real layers. */
  summarizeModel: { request: { config: ModelConfig }; response: ModelSummary };
  /** Train one run; answers when it ends. Its progress arrives as `train-event` messages. */
  train: { request: { job: TrainJob }; response: TrainOutcome };
  /** Run a checkpoint on labelled images (a split): each image's top-5 and its true class's probability. */
  evaluate: { request: EvaluateRequest; response: EvaluateResponse };
  /** Top-5 of a checkpoint for files or bytes; per input, an answer or why it is not an image. */
  predict: { request: PredictRequest; response: PredictAnswer[] };
  /** Write a checkpoint's model (no optimizer state) as model.json + weights.bin into a new folder. */
  exportModel: { request: ExportRequest; response: ExportResponse };
}

/** What a training run reports while it runs. */
export type TrainEvent =
  | { kind: 'progress'; progress: TrainProgress }
  | { kind: 'epoch'; metrics: EpochMetrics; best?: BestEpoch }
  | { kind: 'estimate'; secondsPerEpoch: number }
  | { kind: 'params'; count: number }
  | { kind: 'log'; level: 'info' | 'warn' | 'error'; message: string };

export type WorkerRequestKind = keyof WorkerRequests;

export type WorkerRequest = { [K in WorkerRequestKind]: { kind: K } & WorkerRequests[K]['request'] }[WorkerRequestKind];

/** Messages from the training worker to its host. */
export type WorkerMessage =
  | { type: 'ready'; engine: EngineInfo }
  | { type: 'failed'; error: WireError }
  | { type: 'log'; entry: LogEntry }
  | { type: 'response'; id: number; ok: true; value: unknown }
  | { type: 'response'; id: number; ok: false; error: WireError }
  | { type: 'train-event'; runId: string; event: TrainEvent };

/** Messages from the host to the training worker. */
export type HostMessage =
  | { type: 'shutdown' }
  | { type: 'request'; id: number; request: WorkerRequest }
  /** Finish the current batch, save, and end the run as stopped. */
  | { type: 'stop-training'; runId: string };
