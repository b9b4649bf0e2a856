import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import type { CheckpointKind } from '../contract';
import { createLab } from '../lab';
import { printJson, type CliIo } from './io';
import { printable } from './scan';

/**
 * `xlab export RUN_ID [--checkpoint best|last] [--out DIR] [--json]`: the model as tfjs Layers
 * files with labels.json and a README, in a new folder inside DIR (never over existing files).
 */
export function exportCommand(io: CliIo, dataDirOf: (cmd: Command) => string): Command {
  return new Command('export')
    .description("export a run's model (tfjs Layers format, labels.json, README) into a new folder")
    .argument('<run-id>', 'the run to export (see "xlab runs")')
    .addOption(
      new Option('--checkpoint <kind>', "the best epoch's weights or the last epoch's")
        .choices(['best', 'last'])
        .default('best'),
    )
    .option('--out <dir>', 'the folder to create the export in (default: the exports folder in the data folder)')
    .option('--json', 'print { "files": [...] } on stdout')
    .action(async (runId: string, opts: { checkpoint: CheckpointKind; out?: string; json?: boolean }, cmd: Command) => {
      const lab = await createLab({ dataDir: dataDirOf(cmd), env: io.env, workerUrl: io.workerUrl });
      try {
        const exported = await lab.exportModel(
          runId,
          opts.checkpoint,
          opts.out === undefined ? undefined : resolve(opts.out),
        );
        if (opts.json) return printJson(io, exported);
        io.stderr(`Exported the ${opts.checkpoint} checkpoint of run ${runId}:\n`);
        io.stdout(`${exported.files.map(printable).join('\n')}\n`);
      } finally {
        await lab.close();
      }
    });
}
