import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { LabError } from '../errors';
import { experimentFromConfig, experimentFromRun, exportKeras, loadTfjs } from '../keras/keras-export';
import { importKerasProject } from '../keras/keras-import';
import { setupKeras } from '../keras/setup-keras';
import { createRunStore } from '../runs/run-store';
import { appVersion } from '../version';
import { printJson, type CliIo } from './io';

/**
 * `xlab export-keras (RUN_ID | --config FILE DATASET) --out DIR` and `xlab import-keras DIR`:
 * the experiment as a Keras project, and its results back as a run.
 */
export function kerasCommands(io: CliIo, dataDirOf: (cmd: Command) => string): Command[] {
  const exportCommand = new Command('export-keras')
    .description(
      'write a run (or a config on a dataset) as a self-contained Keras 3 project: model.py, data.py, train.py',
    )
    .argument('[run-id-or-dataset]', 'the run to export; with --config, the dataset folder')
    .option(
      '--config <file>',
      'a model config (or saved config with training settings) to export with a dataset instead of a run',
    )
    .requiredOption('--out <dir>', 'a new or empty folder for the project')
    .option('--json', 'print { "dir", "files" } on stdout')
    .action(
      async (target: string | undefined, opts: { config?: string; out: string; json?: boolean }, cmd: Command) => {
        if (!target) {
          throw new LabError(
            'INVALID_OPTION',
            opts.config
              ? '--config needs the dataset folder: xlab export-keras --config FILE DATASET --out DIR.'
              : 'Name a run to export (see "xlab runs"), or use --config FILE DATASET.',
          );
        }
        const dataDir = dataDirOf(cmd);
        const experiment = opts.config
          ? await experimentFromConfig(dataDir, resolve(opts.config), target)
          : await experimentFromRun(dataDir, target);
        const dir = resolve(opts.out);
        const files = await exportKeras(experiment, dir);
        if (opts.json) return printJson(io, { dir, files });
        io.stderr(
          `Exported ${experiment.source} as a Keras project. Train it with:\n  cd ${dir} && python train.py\nthen bring the results back with: xlab import-keras ${dir}\n`,
        );
        io.stdout(`${files.join('\n')}\n`);
      },
    );

  const importCommand = new Command('import-keras')
    .description('turn a Keras project trained by its train.py into a run')
    .argument('<dir>', 'the project folder (made by "xlab export-keras")')
    .option('--results <dir>', "train.py's output folder (default: DIR/output)")
    .option('--dataset <dir>', 'the dataset folder on this machine, if it moved since the export')
    .option('--json', 'print the new run as JSON on stdout')
    .action(async (dir: string, opts: { results?: string; dataset?: string; json?: boolean }, cmd: Command) => {
      const dataDir = dataDirOf(cmd);
      const runs = createRunStore(dataDir);
      const run = await importKerasProject(runs, dataDir, {
        dir,
        ...(opts.results ? { results: opts.results } : {}),
        ...(opts.dataset ? { dataset: opts.dataset } : {}),
        tf: await loadTfjs(),
        versions: { app: appVersion(), node: process.versions.node },
      });
      if (opts.json) return printJson(io, run);
      io.stderr(
        `Imported ${run.epochsDone} epochs (${run.status}) trained with Keras on ${run.engine?.device ?? 'unknown'}.\n`,
      );
      io.stdout(`${run.id}\n`);
    });

  return [exportCommand, importCommand];
}

/** `xlab engine setup-keras`: the Keras engine's environment (a sub-command of `xlab engine`). */
export function setupKerasCommand(io: CliIo, dataDirOf: (cmd: Command) => string): Command {
  return new Command('setup-keras')
    .description('make a Python environment in the data folder with TensorFlow, Keras 3 and Pillow (the Keras engine)')
    .option('--python <path>', 'the Python that creates the environment (default: python3)')
    .option('--from <dir>', "a folder of wheels to install from instead of pip's index")
    .addOption(
      new Option('--package <name>', 'TensorFlow package')
        .choices(['tensorflow-cpu', 'tensorflow'])
        .default('tensorflow-cpu'),
    )
    .action(
      async (opts: { python?: string; from?: string; package: 'tensorflow-cpu' | 'tensorflow' }, cmd: Command) => {
        const probe = await setupKeras({
          dataDir: dataDirOf(cmd),
          ...(opts.python ? { python: opts.python } : {}),
          ...(opts.from ? { from: resolve(opts.from) } : {}),
          tensorflowPackage: opts.package,
          env: io.env,
          log: io.stderr,
        });
        io.stderr(
          `The Keras engine is ready: TensorFlow ${probe.tensorflow}, Keras ${probe.keras} on ${probe.devices?.join(', ') ?? 'CPU'}.\nTrain with: xlab train DATASET --engine keras\n`,
        );
        io.stdout(`${probe.python}\n`);
      },
    )
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride();
}
