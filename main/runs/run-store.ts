import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { writeFileAtomic } from '../fs/atomic-write';
import { LabError } from '../errors';
import { appendMetrics, readMetrics, type MetricsLine, type MetricsRead } from './metrics-log';
import { recoverDir } from './checkpoint-dir';
import { isRunId, makeRunId, runRecordSchema, type RunRecord } from './run-record';

/** Where one run keeps its files. */
export interface RunPaths {
  dir: string;
  record: string;
  metrics: string;
  log: string;
  owner: string;
  checkpoints: { last: string; best: string };
}

/** A run as listed: its record, or why its record could not be read (the rest still load). */
export type ListedRun = { id: string; record: RunRecord } | { id: string; error: string };

/** Who is training a run right now; a run marked running whose owner is gone was interrupted. */
interface Owner {
  pid: number;
  host: string;
  startedAt: string;
}

export type NewRun = Omit<RunRecord, 'formatVersion' | 'id' | 'status' | 'createdAt' | 'updatedAt' | 'durationMs' | 'epochsDone' | 'versions'> &
  Partial<Pick<RunRecord, 'versions'>>;

export interface RunStore {
  readonly runsDir: string;
  paths(id: string): RunPaths;
  create(run: NewRun, now?: Date): Promise<RunRecord>;
  get(id: string): Promise<RunRecord>;
  /** Applies `change` to the current record and writes it atomically. */
  update(id: string, change: (record: RunRecord) => Partial<RunRecord>): Promise<RunRecord>;
  list(): Promise<ListedRun[]>;
  rename(id: string, name: string): Promise<RunRecord>;
  /** Deletes the run folder; only ever on the user's explicit request. */
  remove(id: string): Promise<void>;
  appendMetrics(id: string, lines: readonly MetricsLine[]): Promise<void>;
  readMetrics(id: string): Promise<MetricsRead>;
  appendLog(id: string, line: string): Promise<void>;
  /** The last `count` lines of train.log (none when there is no log yet). */
  readLog(id: string, count: number): Promise<string[]>;
  /** Marks this process as the run's owner while it trains. */
  claim(id: string): Promise<void>;
  release(id: string): Promise<void>;
  /** At start: runs left `running` by a process that is gone become `interrupted`; torn checkpoints are repaired. */
  recoverInterrupted(): Promise<string[]>;
}

export function createRunStore(dataDir: string, isProcessAlive: (pid: number) => boolean = processAlive): RunStore {
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
      throw new LabError('RUN_CORRUPT', `${file} is not valid JSON (${(error as Error).message}); the run's other files are untouched.`);
    }
    const parsed = runRecordSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new LabError('RUN_CORRUPT', `${file} has a bad field "${issue?.path.join('.')}": ${issue?.message}; the run's other files are untouched.`);
    }
    return parsed.data;
  };

  return {
    runsDir,
    paths,
    async create(run, now = new Date()) {
      await mkdir(runsDir, { recursive: true });
      for (;;) {
        const id = makeRunId(now, run.name, randomBytes(2).toString('hex'));
        try {
          await mkdir(paths(id).dir); // fails if taken: never reuse another run's folder
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
          throw error;
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
        await write(record);
        return record;
      }
    },
    get,
    async update(id, change) {
      const current = await get(id);
      const next = runRecordSchema.parse({ ...current, ...change(current), id, updatedAt: new Date().toISOString() });
      await write(next);
      return next;
    },
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
      await rm(dir, { recursive: true, force: true });
    },
    appendMetrics: (id, lines) => appendMetrics(paths(id).metrics, lines),
    readMetrics: (id) => readMetrics(paths(id).metrics),
    async appendLog(id, line) {
      await writeFile(paths(id).log, `${new Date().toISOString()} ${line}\n`, { flag: 'a' });
    },
    async readLog(id, count) {
      const text = await readFile(paths(id).log, 'utf8').catch(() => '');
      return text.split('\n').filter(Boolean).slice(-count);
    },
    async claim(id) {
      const owner: Owner = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
      await writeFileAtomic(paths(id).owner, JSON.stringify(owner));
    },
    async release(id) {
      await rm(paths(id).owner, { force: true });
    },
    async recoverInterrupted() {
      const recovered: string[] = [];
      for (const listed of await this.list()) {
        if (!('record' in listed) || listed.record.status !== 'running') continue;
        const { owner, checkpoints } = paths(listed.id);
        const who = await readOwner(owner);
        if (who && who.host === hostname() && isProcessAlive(who.pid)) continue; // still training elsewhere
        await recoverDir(checkpoints.last);
        await recoverDir(checkpoints.best);
        await this.update(listed.id, () => ({
          status: 'interrupted',
          endedAt: new Date().toISOString(),
          error: { code: 'INTERRUPTED', message: 'The app or training process stopped while this run was training. Resume it to continue from its last checkpoint.' },
        }));
        await rm(owner, { force: true });
        recovered.push(listed.id);
      }
      return recovered;
    },
  };
}

async function readOwner(file: string): Promise<Owner | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Owner;
  } catch {
    return undefined;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
