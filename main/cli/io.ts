/** Where a CLI command writes: machine output on stdout, human progress on stderr. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: NodeJS.ProcessEnv;
  /** The bundled training worker the engine starts. */
  workerUrl: URL;
}

export const processIo: Omit<CliIo, 'workerUrl'> = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
};

export const printJson = (io: CliIo, value: unknown): void => io.stdout(`${JSON.stringify(value, null, 2)}\n`);
