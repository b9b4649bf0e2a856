import type { RunInfo, TrainRequest } from '../contract';
import { trainerBusy } from '../errors';
import type { KerasRunner } from '../keras/keras-run';
import type { RunStore } from '../runs/run-store';
import type { TrainingService } from './training-service';

/** The engines a run trains on, as one: one run at a time across them, each run on its own engine. */
export interface RunTrainers {
  /** The run training in this app, on any engine. */
  readonly active: string | undefined;
  start(request: TrainRequest): Promise<RunInfo>;
  resume(runId: string): Promise<RunInfo>;
  stop(runId: string): Promise<void>;
}

export function createRunTrainers(training: TrainingService, keras: KerasRunner, runs: RunStore): RunTrainers {
  const anyActive = (): string | undefined => training.active ?? keras.active;
  const notBusy = (): void => {
    const busy = anyActive();
    if (busy) throw trainerBusy(busy);
  };
  return {
    get active() {
      return anyActive();
    },
    async start(request) {
      notBusy();
      return request.engine === 'keras' ? keras.start(request) : training.start(request);
    },
    async resume(runId) {
      notBusy();
      const record = await runs.get(runId);
      return record.engine?.name === 'keras' ? keras.resume(record) : training.resume(runId);
    },
    async stop(runId) {
      if (keras.active === runId) return keras.stop(runId);
      return training.stop(runId);
    },
  };
}
