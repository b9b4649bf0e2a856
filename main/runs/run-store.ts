import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { atomicTempPattern, tempWriterPid, writeFileAtomic } from '../fs/atomic-write';
import { rethrowDiskFull } from '../fs/disk-full';
import {
  describeHolder,
  holderAlive,
  isThisProcess,
  processAlive,
  readLock,
  releaseLock,
  takeLock,
  thisProcess,
  type IsAlive,
  type LockHolder,
} from '../fs/pid-lock';
import { LabError } from '../errors';
import { appendMetrics, readMetrics, type MetricsLine, type MetricsRead } from './metrics-log';
import { reconcileRun, type Reconciled } from './reconcile-run';
import type { RunPaths } from './run-paths';
import { isRunId, makeRunId, runRecordSchema, type RunRecord } from './run-record';

/** A run as listed: its record, or why its record could not be read (the rest still load). */
export type ListedRun = { id: string; record: RunRecord } | { id: string; error: string };

export type NewRun = Omit<
  RunRecord,
  'formatVersion' | 'id' | 'status' | 'createdAt' | 'updatedAt' | 'durationMs' | 'epochsDone' | 'versions'
> &
  Partial<Pick<RunRecord, 'versions'>>;

export interface RunStore {
  readonly runsDir: string;
  paths(id: string): RunPaths;
  /** Creates the run's folder and run.json, locked by this process (`lock`); a failure leaves no folder. */
  create(run: NewRun, now?: Date): Promise<RunRecord>;
  get(id: string): Promise<RunRecord>;
  /** Applies `change` to the current record and writes it atomically. */
  update(id: string, change: (record: RunRecord) => Partial<RunRecord>): Promise<RunRecord>;
  list(): Promise<ListedRun[]>;
  rename(id: string, name: string): Promise<RunRecord>;
  /** Deletes the run folder; only ever on the user's explicit request, and never while a process trains it (`RUN_BUSY`). */
  remove(id: string): Promise<void>;
  appendMetrics(id: string, lines: readonly MetricsLine[]): Promise<void>;
  readMetrics(id: string): Promise<MetricsRead>;
  appendLog(id: string, line: string): Promise<void>;
  /** The last `count` lines of train.log (none when there is no log yet). */
  readLog(id: string, count: number): Promise<string[]>;
  /**
   * Makes this process the only one training the run (owner.json: pid, host, start time), taking
   * over a lock whose process is gone; `RUN_BUSY` naming the holder otherwise.
   */
  lock(id: string): Promise<void>;
  unlock(id: string): Promise<void>;
  /** The live process training the run, when it is not this one. */
  trainedElsewhere(id: string): Promise<LockHolder | undefined>;
  /**
   * Asks the process training the run to stop it: a stop.request file in the run folder, which
   * the trainer's process checks every second (`takeStopRequest`).
   */
  requestStop(id: string): Promise<void>;
  /** True (and the request removed) when another process asked this run to stop. */
  takeStopRequest(id: string): Promise<boolean>;
  /**
   * Brings metrics.jsonl and run.json back to what the last checkpoint committed (see
   * `reconcile-run.ts`) and returns the updated record. Call with the run's lock held.
   */
  reconcile(
    id: string,
    change?: (record: RunRecord, reconciled: Reconciled) => Partial<RunRecord>,
  ): Promise<{ record: RunRecord; reconciled: Reconciled }>;
  /**
   * At start: runs left `running` by a process that is gone become `interrupted`, reconciled to
   * their last checkpoint. Returns their ids; a run that cannot be recovered now is passed to
   * `onProblem` and left as it is.
   */
  recoverInterrupted(onProblem?: (id: string, error: unknown) => void): Promise<string[]>;
}

export function createRunStore(dataDir: string, isProcessAlive: IsAlive = processAlive): RunStore {
  const runsDir = join(dataDir, 'runs');

  const paths = (id: string): RunPaths => {
    if (!isRunId(id)) throw new LabError('BAD_RUN_ID', `"${id}" is not a run id: list runs with "xlab runs".`);
    const dir = join(runsDir, id);
    return {
      dir,
      record: join(dir, 'run.json'),
      metrics: join(dir, 'metrics.jsonl'),
      log: join(dir, 'train.log'),
      owner: join(dir, 'owner.json'),
      stopRequest: join(dir, 'stop.request'),
      checkpoints: { last: join(dir, 'checkpoints', 'last'), best: join(dir, 'checkpoints', 'best') },
    };
  };

  const write = (record: RunRecord): Promise<void> =>
    writeFileAtomic(paths(record.id).record, `${JSON.stringify(record, null, 2)}\n`);

  const get = async (id: string): Promise<RunRecord> => {
    const file = paths(id).record;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new LabError('RUN_NOT_FOUND', `There is no run "${id}" in ${runsDir}: list runs with "xlab runs".`);
      }
      throw error;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new LabError(
        'RUN_CORRUPT',
        `${file} is not valid JSON (${(error as Error).message}); the run's other files are untouched.`,
      );
    }
    const parsed = runRecordSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new LabError(
        'RUN_CORRUPT',
        `${file} has a bad field "${issue?.path.join('.')}": ${issue?.message}; the run's other files are untouched.`,
      );
    }
    return parsed.data;
  };

  const lock = async (id: string): Promise<void> => {
    const attempt = await takeLock(paths(id).owner, isProcessAlive);
    if (attempt.taken) return;
    const { holder } = attempt;
    throw new LabError(
      'RUN_BUSY',
      isThisProcess(holder)
        ? `Run ${id} is already training in this app.`
        : `Run ${id} is being trained by ${describeHolder(holder)}: wait for it to finish or stop it there. If that process is gone from another machine, delete ${paths(id).owner}.`,
    );
  };

  const update = async (id: string, change: (record: RunRecord) => Partial<RunRecord>): Promise<RunRecord> => {
    const current = await get(id);
    const next = runRecordSchema.parse({ ...current, ...change(current), id, updatedAt: new Date().toISOString() });
    await write(next);
    return next;
  };

  /**
   * A run folder that a process died creating (its lock and perhaps a temp file, no run.json
   * yet) holds nothing of the user's: it is removed once its creator is gone.
   */
  const removeHalfMade = async (id: string): Promise<void> => {
    const { dir, owner, record } = paths(id);
    const names = await readdir(dir);
    if (
      names.includes(basename(record)) ||
      names.some((name) => name !== basename(owner) && !atomicTempPattern.test(name))
    )
      return;
    if (!(await takeLock(owner, isProcessAlive)).taken) return;
    await rm(dir, { recursive: true, force: true });
  };

  /** Temp files of writes whose process is gone (any run, e.g. an eval.json write cut short). */
  const removeDeadTemps = async (id: string): Promise<void> => {
    const { dir } = paths(id);
    for (const name of await readdir(dir)) {
      const pid = tempWriterPid(name);
      if (pid !== undefined && !isProcessAlive(pid)) await rm(join(dir, name), { force: true });
    }
  };

  return {
    runsDir,
    paths,
    async create(run, now = new Date()) {
      try {
        await mkdir(runsDir, { recursive: true });
      } catch (error) {
        await rethrowDiskFull(error, runsDir, 'a new run');
      }
      for (;;) {
        const id = makeRunId(now, run.name, randomBytes(2).toString('hex'));
        try {
          await mkdir(paths(id).dir); // fails if taken: never reuse another run's folder
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
          await rethrowDiskFull(error, runsDir, 'a new run');
        }
        const time = now.toISOString();
        const record: RunRecord = runRecordSchema.parse({
          ...run,
          formatVersion: 1,
          id,
          status: 'running',
          createdAt: time,
          updatedAt: time,
          durationMs: 0,
          epochsDone: 0,
          versions: run.versions ?? {},
        });
        try {
          // Locked before run.json exists: no other process can take it for an abandoned run.
          await lock(id);
          await write(record);
        } catch (error) {
          // Nothing of the user's is in the folder yet: leave no empty or half-made run behind.
          await rm(paths(id).dir, { recursive: true, force: true });
          throw error;
        }
        return record;
      }
    },
    get,
    update,
    async list() {
      let ids: string[];
      try {
        ids = (await readdir(runsDir)).filter(isRunId);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
      ids.sort().reverse(); // newest first: ids start with their UTC time
      return Promise.all(
        ids.map(async (id): Promise<ListedRun> => {
          try {
            return { id, record: await get(id) };
          } catch (error) {
            return { id, error: (error as Error).message };
          }
        }),
      );
    },
    async rename(id, name) {
      const trimmed = name.trim();
      if (!trimmed) throw new LabError('INVALID_ARGUMENT', 'A run name cannot be empty.');
      if (trimmed.length > 200) throw new LabError('INVALID_ARGUMENT', 'A run name can be at most 200 characters.');
      return this.update(id, () => ({ name: trimmed }));
    },
    async remove(id) {
      const { dir } = paths(id);
      await stat(dir).catch(() => {
        throw new LabError('RUN_NOT_FOUND', `There is no run "${id}" in ${runsDir}.`);
      });
      await lock(id); // never delete a run another process is training
      await rm(dir, { recursive: true, force: true });
    },
    appendMetrics: (id, lines) => appendMetrics(paths(id).metrics, lines),
    readMetrics: (id) => readMetrics(paths(id).metrics),
    async appendLog(id, line) {
      const file = paths(id).log;
      await writeFile(file, `${new Date().toISOString()} ${line}\n`, { flag: 'a' }).catch((error: unknown) =>
        rethrowDiskFull(error, paths(id).dir, 'train.log'),
      );
    },
    async readLog(id, count) {
      const text = await readFile(paths(id).log, 'utf8').catch(() => '');
      return text.split('\n').filter(Boolean).slice(-count);
    },
    lock,
    unlock: (id) => releaseLock(paths(id).owner),
    async trainedElsewhere(id) {
      const holder = await readLock(paths(id).owner);
      return holder && !isThisProcess(holder) && holderAlive(holder, isProcessAlive) ? holder : undefined;
    },
    async requestStop(id) {
      await writeFileAtomic(
        paths(id).stopRequest,
        `${JSON.stringify({ ...thisProcess(), requestedAt: new Date().toISOString() })}\n`,
      );
    },
    async takeStopRequest(id) {
      try {
        await rm(paths(id).stopRequest);
        return true;
      } catch {
        return false;
      }
    },
    async reconcile(id, change) {
      // Every engine commits epochs the same way (a Keras run's train.py too: main/keras).
      const reconciled = await reconcileRun(paths(id), await get(id));
      const record = await update(id, (latest) => ({ ...reconciled.patch, ...change?.(latest, reconciled) }));
      if (reconciled.repairs.length > 0)
        await this.appendLog(id, `Brought in line with the last checkpoint: ${reconciled.repairs.join('; ')}.`).catch(
          () => {},
        );
      return { record, reconciled };
    },
    async recoverInterrupted(onProblem) {
      const recovered: string[] = [];
      for (const listed of await this.list()) {
        if (!('record' in listed)) {
          await removeHalfMade(listed.id).catch((error: unknown) => onProblem?.(listed.id, error));
          continue;
        }
        await removeDeadTemps(listed.id).catch(() => {});
        if (listed.record.status !== 'running') continue;
        const attempt = await takeLock(paths(listed.id).owner, isProcessAlive).catch(() => undefined);
        if (!attempt?.taken) continue; // still training elsewhere (or its folder is read-only)
        try {
          await this.reconcile(listed.id, () => ({
            status: 'interrupted',
            endedAt: new Date().toISOString(),
            error: {
              code: 'INTERRUPTED',
              message:
                'The app or training process stopped while this run was training. Resume it to continue from its last checkpoint.',
            },
          }));
          recovered.push(listed.id);
        } catch (error) {
          onProblem?.(listed.id, error);
        } finally {
          await releaseLock(paths(listed.id).owner);
        }
      }
      return recovered;
    },
  };
}
