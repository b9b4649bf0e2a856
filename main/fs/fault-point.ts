import { writeSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

/**
 * Crash-testing hook: the steps of a run's commit path (checkpoint files, renames, run.json,
 * metrics.jsonl) call `faultPoint(name)`. With `XLAB_FAULT_KILL=<thread>:<n>` (`main` or
 * `worker`) the process kills itself with SIGKILL at that thread's n-th step, as a power cut
 * or `kill -9` would; with `XLAB_FAULT_TRACE=1` each step is printed to stderr. Unset (always,
 * outside the fault tests) it only counts.
 */
const thread = isMainThread ? 'main' : 'worker';
const trace = process.env.XLAB_FAULT_TRACE === '1';
const killAt = parseKill(process.env.XLAB_FAULT_KILL);
let steps = 0;

function parseKill(value: string | undefined): number | undefined {
  const match = /^(main|worker):(\d+)$/.exec(value ?? '');
  return match && match[1] === thread ? Number(match[2]) : undefined;
}

export function faultPoint(name: string): void {
  steps++;
  if (trace) writeSync(2, `xlab-fault ${thread} ${steps} ${name}\n`);
  if (steps === killAt) process.kill(process.pid, 'SIGKILL');
}
