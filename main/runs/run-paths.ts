/** Where one run keeps its files. */
export interface RunPaths {
  dir: string;
  record: string;
  metrics: string;
  log: string;
  owner: string;
  /** Written by another process to ask the run's trainer to stop (see `requestStop`). */
  stopRequest: string;
  checkpoints: { last: string; best: string };
}
