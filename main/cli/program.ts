import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { LabError } from '../errors';
import { resolveDataDir } from '../fs/data-dir';
import { appVersion } from '../version';
import { doctor } from './doctor';
import { modelCommand } from './model';
import { trainCommands } from './train';
import { evalCommand } from './eval';
import { predictCommand } from './predict';
import { exportCommand } from './export';
import { kerasCommands, setupKerasCommand } from './keras';
import { reportCommand } from './report';
import { baselineCommand } from './baseline';
import { scanCommand } from './scan';
import { terminalSafeIo, type CliIo } from './io';
import { serve } from './serve';
import { engineCommand } from './engine';

/** Exit codes: 0 ok, 1 the command failed, 2 the command line was wrong. */
export const exitCodes = { ok: 0, failure: 1, usage: 2 } as const;

export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new InvalidArgumentError(`"${value}" is not a port: use a whole number from 0 (any free port) to 65535.`);
  }
  return port;
}

interface GlobalOptions {
  dataDir?: string;
}

export function createProgram(io: CliIo, extraCommands: Command[] = []): Command {
  const program = new Command('xlab')
    .description('Xception Lab: train and compare Xception-family image classifiers.')
    .version(appVersion(), '-v, --version', 'print the version')
    .option('--data-dir <dir>', "data folder for runs, caches and settings (default: the app's; or $XLAB_HOME)")
    .showSuggestionAfterError()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride();

  const dataDirOf = (cmd: Command): string =>
    resolveDataDir(cmd.optsWithGlobals<GlobalOptions>().dataDir, {
      platform: process.platform,
      env: io.env,
      home: io.env.HOME ?? io.env.USERPROFILE ?? '',
    });

  program
    .command('doctor')
    .description('show which training engine runs here, why, and how to get a faster one')
    .option('--json', 'machine-readable output on stdout')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      await doctor(io, { dataDir: dataDirOf(cmd), json: Boolean(opts.json) });
    });

  program
    .command('serve')
    .description('serve the lab to a web browser (for headless or remote machines)')
    .addOption(new Option('--port <port>', 'port to listen on (0: any free port)').argParser(parsePort).default(5170))
    .option('--host <host>', 'address to listen on; anything but loopback is reachable by others', '127.0.0.1')
    .option('--no-open', 'do not open a browser')
    .option('--json', 'print {url, host, port, token} as JSON on stdout')
    .action(async (opts: { port: number; host: string; open: boolean; json?: boolean }, cmd: Command) => {
      await serve(io, {
        dataDir: dataDirOf(cmd),
        host: opts.host,
        port: opts.port,
        portExplicit: cmd.getOptionValueSource('port') !== 'default',
        open: opts.open,
        json: Boolean(opts.json),
      });
    });

  program.addCommand(scanCommand(io));
  program.addCommand(modelCommand(io));
  for (const command of trainCommands(io, dataDirOf)) program.addCommand(command);
  program.addCommand(evalCommand(io, dataDirOf));
  program.addCommand(predictCommand(io, dataDirOf));
  program.addCommand(exportCommand(io, dataDirOf));
  program.addCommand(reportCommand(io, dataDirOf));
  program.addCommand(engineCommand(io, dataDirOf).addCommand(setupKerasCommand(io, dataDirOf)));
  for (const command of kerasCommands(io, dataDirOf)) program.addCommand(command);
  program.addCommand(baselineCommand(io, dataDirOf));
  for (const command of extraCommands) program.addCommand(command);
  const configure = (command: Command): void => {
    command.configureOutput({ writeOut: io.stdout, writeErr: io.stderr }).exitOverride();
    command.commands.forEach(configure);
  };
  program.commands.forEach(configure);
  return program;
}

/** Runs the CLI and returns its exit code; every error is one sentence on stderr. */
export async function runCli(argv: string[], rawIo: CliIo, extraCommands: Command[] = []): Promise<number> {
  // User text (run and class names, paths, messages quoting them) reaches the terminal only cleaned.
  const io = terminalSafeIo(rawIo);
  const program = createProgram(io, extraCommands);
  if (argv.length === 0) {
    program.outputHelp();
    return exitCodes.usage;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCodes.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed the message (or the help / version).
      return error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`xlab: ${message}\n`);
    if (!(error instanceof LabError) && io.env.XLAB_DEBUG && error instanceof Error) io.stderr(`${error.stack}\n`);
    // A flag value a command could not parse is a usage error, like commander's own.
    return error instanceof LabError && error.code === 'INVALID_OPTION' ? exitCodes.usage : exitCodes.failure;
  }
}
