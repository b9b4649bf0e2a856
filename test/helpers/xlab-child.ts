/** `xlab` in a child process, as a user's terminal runs it: its output, exit, and waiting for a line. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from './built';

export const xlabBin = join(repoRoot, 'bin', 'xlab.js');

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface XlabChild {
  child: ChildProcess;
  done: Promise<Finished>;
  /** Resolves once stderr matches (rejects if xlab exits first). */
  stderrUntil(pattern: RegExp): Promise<RegExpExecArray>;
}

export function startXlab(args: string[], env: NodeJS.ProcessEnv = {}): XlabChild {
  const child = spawn(process.execPath, [xlabBin, ...args], {
    cwd: repoRoot,
    env: { ...process.env, XLAB_BACKEND: 'js', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: { pattern: RegExp; resolve: (m: RegExpExecArray) => void }[] = [];
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    for (const w of [...waiters]) {
      const match = w.pattern.exec(stderr);
      if (match) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(match);
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
      new Promise((resolve, reject) => {
        const match = pattern.exec(stderr);
        if (match) return resolve(match);
        waiters.push({ pattern, resolve });
        void done.then(() => reject(new Error(`xlab exited before printing ${pattern}:\n${stderr}`)));
      }),
  };
}

export const runXlab = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<Finished> => startXlab(args, env).done;

/** The metrics of a run's epoch lines that training determines (not times or speeds). */
export interface Curve {
  epoch: number;
  loss: number | null;
  acc: number | null;
  val_loss: number | null;
  val_acc: number | null;
}

export async function epochCurve(dataDir: string, runId: string): Promise<Curve[]> {
  const text = await readFile(join(dataDir, 'runs', runId, 'metrics.jsonl'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Curve & { type: string })
    .filter((l) => l.type === 'epoch')
    .map(({ epoch, loss, acc, val_loss, val_acc }) => ({ epoch, loss, acc, val_loss, val_acc }));
}
