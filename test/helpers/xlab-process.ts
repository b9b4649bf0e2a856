/** Runs the built `xlab` CLI in a child process, like a user's terminal, and watches its stderr. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './built';

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface XlabProcess {
  child: ChildProcess;
  done: Promise<Finished>;
  /** Resolves once stderr matches; rejects if the process ends first. */
  stderrUntil(pattern: RegExp): Promise<void>;
}

export function startXlab(args: string[], env: NodeJS.ProcessEnv): XlabProcess {
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'xlab.js'), ...args], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    for (const w of [...waiters]) {
      if (w.pattern.test(stderr)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  const done = new Promise<Finished>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return {
    child,
    done,
    stderrUntil: (pattern) =>
      new Promise<void>((resolve, reject) => {
        if (pattern.test(stderr)) return resolve();
        waiters.push({ pattern, resolve });
        void done.then(() => reject(new Error(`xlab exited before printing ${pattern}:\n${stderr}`)));
      }),
  };
}
