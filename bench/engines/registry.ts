/**
 * The engines `npm run bench -- engines` compares. Each entry says whether it can run here and
 * measures training images/s of the same Xception model on one case (preset, size, batch, steps).
 * To add an engine, append an entry to `benchEngines`: nothing else changes.
 */
import { spawnSync } from 'node:child_process';
import { kerasEngine } from './keras';

export interface BenchCase {
  /** Short label printed in the table, e.g. "mini@32". */
  label: string;
  preset: 'mini' | 'seed';
  /** Overrides the preset's block style. */
  blockStyle?: 'keras' | 'seed';
  inputSize: number;
  batchSize: number;
  /** Timed batches, after one untimed warm-up batch. */
  steps: number;
  classes: number;
}

export interface BenchEngine {
  /** Printed in the table and the last line. */
  name: string;
  /** Undefined when it can run here, else why not (one line). */
  unavailable(): string | undefined | Promise<string | undefined>;
  /** Train images/s of `steps` batches of the case's model, after a warm-up batch. */
  measure(c: BenchCase): Promise<number>;
}

export interface BenchContext {
  /** The bundled bench script (it measures one tfjs engine when run with --measure). */
  script: string;
  repo: string;
}

/** A tfjs engine, measured in a fresh Node process so engines never share a tfjs registry. */
export function tfjsEngine(ctx: BenchContext, name: 'tfjs' | 'tfjs-node', backend: 'js' | 'cpu'): BenchEngine {
  const child = (args: string[]) =>
    spawnSync(process.execPath, [ctx.script, '--measure', backend, ...args], {
      cwd: ctx.repo,
      encoding: 'utf8',
      env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' },
      maxBuffer: 16 * 1024 * 1024,
    });
  let probed: string | undefined | null = null;
  return {
    name,
    unavailable() {
      if (probed !== null) return probed;
      const r = child(['probe']);
      probed = r.status === 0 ? undefined : (r.stdout + r.stderr).trim().split('\n').pop() || `exit ${r.status}`;
      return probed;
    },
    async measure(c) {
      const r = child([JSON.stringify(c)]);
      const m = /^imagesPerSec=([\d.]+)$/m.exec(r.stdout);
      if (r.status !== 0 || !m)
        throw new Error(
          `${name} failed on ${c.label} (exit ${r.status}): ${(r.stderr || r.stdout).trim().split('\n').pop()}`,
        );
      return Number(m[1]);
    },
  };
}

export function benchEngines(ctx: BenchContext): BenchEngine[] {
  return [tfjsEngine(ctx, 'tfjs', 'js'), tfjsEngine(ctx, 'tfjs-node', 'cpu'), kerasEngine()];
}
