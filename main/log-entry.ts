import type { LogEntry } from './contract';

/** A line for the app's log, stamped now. */
export function logEntry(level: LogEntry['level'], message: string, now: Date = new Date()): LogEntry {
  return { level, message, time: now.toISOString() };
}
