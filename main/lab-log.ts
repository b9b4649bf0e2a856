import type { LogEntry } from './contract';
import { logEntry } from './log-entry';

/** The app's log: each entry is sent as it comes, and the last ones are kept for a front end that opens later. */
export interface LabLog {
  add(entry: LogEntry): void;
  warn(message: string): void;
  error(message: string): void;
  /** The entries kept, oldest first. */
  entries(): LogEntry[];
}

export function createLabLog(emit: (entry: LogEntry) => void, maxEntries = 500): LabLog {
  const logs: LogEntry[] = [];
  const add = (entry: LogEntry): void => {
    logs.push(entry);
    if (logs.length > maxEntries) logs.shift();
    emit(entry);
  };
  return {
    add,
    warn: (message) => add(logEntry('warn', message)),
    error: (message) => add(logEntry('error', message)),
    entries: () => [...logs],
  };
}
