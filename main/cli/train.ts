import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import type { LabEvents, RunInfo, RunListEntry, TrainRequest, Baseline } from '../contract';
import { createLab, type Lab } from '../lab';
import { LabError } from '../errors';
import { bestMeaning, monitorOf, monitors, type Monitor } from '../models/monitor';
import { freezableFlows, type FreezableFlow } from '../models/training-settings';
import { printJson, type CliIo } from './io';
import { noValue } from '../format';
import { printable } from './scan';

/** `xlab runs --json`: one object per run (a run whose run.json is unreadable shows its error). */
export interface RunsJsonEntry {
  id: string;
  name?: string;
  status?: string;
  epochsDone?: number;
  epochs?: number;
  params?: number | null;
  engine?: string | null;
  /** The run's best epoch, as its monitor picks it (1-based `epoch`). */
  best?: { val_acc: number | null; val_loss: number | null; epoch: number; monitor: Monitor } | null;
  /** Set when the run is pinned as a baseline. */
  baseline?: { label: string } | null;
  error?: string;
}

export function runsJson(entries: readonly RunListEntry[], baselines: readonly Baseline[] = []): RunsJsonEntry[] {
  const labels = new Map(baselines.map((b) => [b.runId, b.label]));
  return entries.map((entry) => {
    const label = labels.get(entry.id);
    const baseline = label === undefined ? null : { label };
    if (!('run' in entry)) return { id: entry.id, error: entry.error, baseline };
    const { run } = entry;
    return {
      id: run.id,
      name: run.name,
      status: run.status,
      epochsDone: run.epochsDone,
      epochs: run.epochs,
      params: run.params ?? null,
      engine: run.engine ? `${run.engine.name} (${run.engine.device})` : null,
      best: run.best
        ? {
            val_acc: run.best.val_acc,
            val_loss: run.best.val_loss,
            epoch: run.best.epoch + 1,
            monitor: monitorOf(run.training),
          }
        : null,
      baseline,
    };
  });
}

/**
 * `--fine-tune-after N --unfreeze FLOWS --fine-tune-lr X` → `training.fineTune`; the three go
 * together. Whether they fit the other settings (weights, freeze, epochs) the settings' own
 * validation says, naming the field.
 */
export function fineTuneOption(opts: Record<string, string | boolean | undefined>): Record<string, unknown> {
  const given = (['fineTuneAfter', 'unfreeze', 'fineTuneLr'] as const).filter((k) => typeof opts[k] === 'string');
  if (given.length === 0) return {};
  if (given.length < 3)
    throw new LabError(
      'INVALID_OPTION',
      '--fine-tune-after, --unfreeze and --fine-tune-lr go together: e.g. --fine-tune-after 5 --unfreeze middle,exit --fine-tune-lr 1e-5.',
    );
  const rate = Number(opts.fineTuneLr);
  if (!/^\s*[0-9.eE+-]+\s*$/.test(opts.fineTuneLr as string) || !Number.isFinite(rate))
    throw new LabError(
      'INVALID_OPTION',
      `--fine-tune-lr must be a number, e.g. 1e-5 (got ${JSON.stringify(opts.fineTuneLr)}).`,
    );
  return {
    fineTune: {
      afterEpoch: wholeNumber('--fine-tune-after', opts.fineTuneAfter as string),
      unfreeze: freezeList(opts.unfreeze as string, '--unfreeze'),
      learningRate: rate,
    },
  };
}

function wholeNumber(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\s*\d+\s*$/.test(value))
    throw new LabError('INVALID_OPTION', `${flag} must be a whole number (got ${JSON.stringify(value)}).`);
  return Number(value);
}

/** `--freeze entry,middle` → `['entry', 'middle']`; an unknown flow is a usage error naming the choices. */
export function freezeList(value: string, flag = '--freeze'): FreezableFlow[] {
  const flows = value
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  const unknown = flows.filter((f) => !(freezableFlows as readonly string[]).includes(f));
  if (flows.length === 0 || unknown.length > 0) {
    throw new LabError(
      'INVALID_OPTION',
      `${flag} takes flows separated by commas from ${freezableFlows.join(', ')} (got ${JSON.stringify(value)}).`,
    );
  }
  return [...new Set(flows)] as FreezableFlow[];
}

const pct = (v: number | null | undefined): string => (v == null ? noValue : `${(v * 100).toFixed(1)}%`);
const num = (v: number | null | undefined): string => (v == null ? noValue : v.toFixed(4));

/**
 * Follows a run until it ends: progress and epochs on stderr, Ctrl+C stops it gracefully (the
 * current batch finishes and a checkpoint is saved); a second Ctrl+C leaves at once.
 */
async function follow(io: CliIo, lab: Lab, run: RunInfo, json: boolean): Promise<RunInfo> {
  const runId = run.id;
  let lastLine = 0;
  const offs = [
    lab.events.on('trainProgress', (p: LabEvents['trainProgress']) => {
      if (p.runId !== runId || json) return;
      const now = Date.now();
      if (now - lastLine < 1000 && p.batch + 1 !== p.batchesPerEpoch) return;
      lastLine = now;
      io.stderr(
        `epoch ${p.epoch + 1}/${p.epochs}  batch ${p.batch + 1}/${p.batchesPerEpoch}  loss ${p.loss.toFixed(4)}  ${p.imagesPerSec.toFixed(1)} img/s  ETA ${Math.ceil(p.etaMs / 1000)} s\n`,
      );
    }),
    lab.events.on('trainEpoch', ({ runId: id, metrics: m }) => {
      if (id !== runId) return;
      io.stderr(
        `epoch ${m.epoch + 1}${m.phase ? ` [${m.phase === 1 ? 'head' : 'fine-tuning'}]` : ''}: loss ${num(m.loss)}  acc ${pct(m.acc)}  val_loss ${num(m.val_loss)}  val_acc ${pct(m.val_acc)}  (${((m.epochTimeMs ?? 0) / 1000).toFixed(1)} s)\n`,
      );
    }),
    lab.events.on('trainEstimate', ({ runId: id, secondsPerEpoch, warning }) => {
      if (id !== runId) return;
      io.stderr(
        `≈ ${secondsPerEpoch < 90 ? `${Math.ceil(secondsPerEpoch)} s` : `${Math.ceil(secondsPerEpoch / 60)} min`} per epoch\n`,
      );
      if (warning) io.stderr(`Warning: ${printable(warning)}\n`);
    }),
    lab.events.on('trainLog', ({ runId: id, level, message }) => {
      // The run's own failure is printed once, as the command's error.
      if (id !== runId || /^Run (failed|interrupted): /.test(message)) return;
      // Of the info lines, what the user chose about weights shows: frozen flows, the phases, the feature cache.
      if (level !== 'info' || /^(Started from|Frozen:|Feature cache:|Fine-tuning from)/.test(message))
        io.stderr(`[${level}] ${printable(message)}
`);
    }),
  ];
  let interrupts = 0;
  const onSignal = (): void => {
    interrupts++;
    if (interrupts === 1) {
      io.stderr('Stopping after the current batch (Ctrl+C again to leave at once)…\n');
      void lab.stopTraining(runId).catch(() => {});
    } else {
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  try {
    return await new Promise<RunInfo>((resolve) => {
      offs.push(
        lab.events.on('runUpdated', (update) => {
          if (update.runId === runId && update.run && update.run.status !== 'running') resolve(update.run);
        }),
      );
    });
  } finally {
    process.off('SIGINT', onSignal);
    offs.forEach((off) => off());
  }
}

function report(io: CliIo, run: RunInfo, json: boolean): void {
  if (json) return printJson(io, run);
  const best = run.best
    ? `best epoch ${run.best.epoch + 1} (${bestMeaning(monitorOf(run.training))}): val_acc ${pct(run.best.val_acc)}, val_loss ${num(run.best.val_loss)}`
    : 'no validated epoch';
  io.stdout(`Run ${run.id} ${run.status}: ${run.epochsDone}/${run.epochs} epochs, ${best}.\n`);
  // A failure's message is the command's error (stderr); other endings keep theirs here.
  if (run.error && run.status !== 'failed')
    io.stdout(`${printable(run.error.message)}
`);
}

type DataDirOf = (cmd: Command) => string;

function kerasEngine(value: string): 'keras' {
  if (value === 'keras') return value;
  throw new LabError(
    'INVALID_OPTION',
    `--engine must be keras (got ${JSON.stringify(value)}); leave it out for the built-in tfjs engine.`,
  );
}

export function trainCommands(io: CliIo, dataDirOf: DataDirOf): Command[] {
  const train = new Command('train')
    .description('train a model on a dataset folder and record the run')
    .argument('<dataset>', 'dataset folder: one sub-folder per class, or train/val/test folders of classes')
    .option('--preset <id>', 'model preset: xception, seed, mini, micro, xception-imagenet', 'mini')
    .option('--config <file>', 'a saved config (JSON with "model" and "training") to start from')
    .option('--epochs <n>', 'epochs to train')
    .option('--batch <n>', 'batch size')
    .option('--size <px>', 'input size in pixels')
    .option('--seed <n>', 'seed for the split, shuffling and initial weights')
    .addOption(
      new Option(
        '--monitor <metric>',
        'what picks the best epoch (best checkpoint, early stopping): lowest val_loss or highest val_accuracy',
      ).choices(monitors),
    )
    .option('--name <text>', 'a name for the run')
    .option(
      '--engine <name>',
      'keras: train with Keras/TensorFlow in Python (see "xlab engine setup-keras"); default: the tfjs engine',
    )
    .option(
      '--weights <file>',
      "start from these weights: Keras' Xception .h5, a Keras 3 .weights.h5, or a run's checkpoint folder (never downloaded)",
    )
    .option(
      '--freeze <flows>',
      `keep these flows as loaded, comma-separated: ${freezableFlows.join(',')} (needs --weights)`,
    )
    .option('--fine-tune-after <n>', 'two phases in one run: after N epochs, unfreeze the --unfreeze flows')
    .option('--unfreeze <flows>', 'the frozen flows fine-tuning unfreezes, comma-separated (with --fine-tune-after)')
    .option('--fine-tune-lr <rate>', 'the learning rate once flows are unfrozen, e.g. 1e-5 (with --fine-tune-after)')
    .option('--json', 'print the finished run as JSON on stdout')
    .action(async (dataset: string, opts: Record<string, string | boolean | undefined>, cmd: Command) => {
      let base: { model: Record<string, unknown>; training: Record<string, unknown> } = { model: {}, training: {} };
      if (typeof opts.config === 'string') {
        try {
          const raw = JSON.parse(await readFile(opts.config, 'utf8')) as {
            model?: Record<string, unknown>;
            training?: Record<string, unknown>;
          };
          base = { model: raw.model ?? {}, training: raw.training ?? {} };
        } catch (error) {
          throw new LabError(
            'CONFIG_UNREADABLE',
            `Cannot read the config ${opts.config}: ${(error as Error).message}.`,
          );
        }
      }
      const presetGiven = cmd.getOptionValueSource('preset') !== 'default';
      const request: TrainRequest = {
        dataset: resolve(dataset),
        model: {
          ...base.model,
          ...(presetGiven || !base.model.preset ? { preset: opts.preset as string } : {}),
          ...(opts.size !== undefined ? { inputSize: wholeNumber('--size', opts.size as string) } : {}),
        },
        training: {
          ...base.training,
          ...(opts.epochs !== undefined ? { epochs: wholeNumber('--epochs', opts.epochs as string) } : {}),
          ...(opts.batch !== undefined ? { batchSize: wholeNumber('--batch', opts.batch as string) } : {}),
          ...(opts.seed !== undefined ? { seed: wholeNumber('--seed', opts.seed as string) } : {}),
          ...(typeof opts.monitor === 'string' ? { monitor: opts.monitor } : {}),
          ...(typeof opts.weights === 'string' ? { weightsFile: resolve(opts.weights) } : {}),
          ...(typeof opts.freeze === 'string' ? { freeze: freezeList(opts.freeze) } : {}),
          ...fineTuneOption(opts),
        },
        ...(typeof opts.name === 'string' ? { name: opts.name } : {}),
        ...(opts.engine !== undefined ? { engine: kerasEngine(opts.engine as string) } : {}),
      };
      const lab = await createLab({ dataDir: dataDirOf(cmd), env: io.env, workerUrl: io.workerUrl });
      try {
        const started = await lab.startTraining(request);
        io.stderr(
          `Run ${started.id} started on ${started.engine?.name ?? 'the engine'} (${started.engine?.device ?? '?'}).\n`,
        );
        const finished = await follow(io, lab, started, Boolean(opts.json));
        report(io, finished, Boolean(opts.json));
        if (finished.status === 'failed')
          throw new LabError(finished.error?.code ?? 'RUN_FAILED', finished.error?.message ?? 'The run failed.');
      } finally {
        await lab.close();
      }
    });

  const resume = new Command('resume')
    .description('continue a stopped or interrupted run from its last checkpoint')
    .argument('<run-id>', 'the run to resume (see "xlab runs")')
    .option('--json', 'print the finished run as JSON on stdout')
    .action(async (runId: string, opts: { json?: boolean }, cmd: Command) => {
      const lab = await createLab({ dataDir: dataDirOf(cmd), env: io.env, workerUrl: io.workerUrl });
      try {
        const started = await lab.resumeRun(runId);
        io.stderr(`Run ${runId} resumed at epoch ${started.epochsDone + 1} of ${started.epochs}.\n`);
        const finished = await follow(io, lab, started, Boolean(opts.json));
        report(io, finished, Boolean(opts.json));
        if (finished.status === 'failed')
          throw new LabError(finished.error?.code ?? 'RUN_FAILED', finished.error?.message ?? 'The run failed.');
      } finally {
        await lab.close();
      }
    });

  const runs = new Command('runs')
    .description('list the recorded runs, newest first')
    .option('--json', 'machine-readable output on stdout')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const lab = await createLab({ dataDir: dataDirOf(cmd), env: io.env, workerUrl: io.workerUrl, lazyEngine: true });
      try {
        const pinned = await lab.listBaselines();
        for (const notice of pinned.notices) io.stderr(`${notice}\n`);
        const entries = runsJson(await lab.listRuns(), pinned.baselines);
        if (opts.json) return printJson(io, entries);
        if (entries.length === 0) return io.stdout('No runs yet: train one with "xlab train DATASET".\n');
        for (const e of entries) {
          if (e.error) io.stdout(`${e.id}  unreadable: ${printable(e.error)}\n`);
          else {
            const best = e.best
              ? `val_acc ${pct(e.best.val_acc)} at best epoch ${e.best.epoch} (${bestMeaning(e.best.monitor)})`
              : 'no best epoch yet';
            const pin = e.baseline ? `  [baseline: ${printable(e.baseline.label)}]` : '';
            io.stdout(
              `${e.id}  ${e.status?.padEnd(11)} ${e.epochsDone}/${e.epochs} epochs  ${best}  ${printable(e.name ?? '')}${pin}\n`,
            );
          }
        }
      } finally {
        await lab.close();
      }
    });

  return [train, resume, runs];
}
