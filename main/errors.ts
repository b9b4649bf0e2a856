/** A typed error as it crosses a process or network boundary. `message` is for the user. */
export interface WireError {
  code: string;
  message: string;
}

/**
 * An error whose message is written for the user: what is wrong and what to do.
 * `code` is stable and machine-readable; it crosses IPC and WebSocket unchanged.
 */
export class LabError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LabError';
    this.code = code;
  }
}

/** The one trainer at a time is busy with `runId`: what a second start or resume gets, whatever the engine. */
export function trainerBusy(runId: string): LabError {
  return new LabError('BUSY', `Run ${runId} is training: stop it, or wait for it to finish, before starting another.`);
}

/** Turns anything thrown into a `WireError`; unexpected errors keep their message under code `INTERNAL`. */
export function toWireError(error: unknown): WireError {
  if (error instanceof LabError) return { code: error.code, message: error.message };
  if (error instanceof Error) return { code: 'INTERNAL', message: error.message };
  return { code: 'INTERNAL', message: String(error) };
}

/** The first line of an error's message, for one-line reasons. */
export function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n', 1)[0]!.trim();
}
