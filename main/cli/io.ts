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

/**
 * Text made harmless for a terminal, whatever user text it carries: control characters other
 * than newline and tab (ESC, CSI, BEL, DEL, C1…) and bidirectional overrides become `\uXXXX`,
 * which is also what they would be in JSON, so `--json` output stays valid and lossless.
 * Names shown inside a line should also go through `printable`, which escapes newlines too.
 */
export function terminalSafe(text: string): string {
  return text.replace(
    /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** The same io with everything it prints passed through `terminalSafe`. */
export function terminalSafeIo(io: CliIo): CliIo {
  return { ...io, stdout: (text) => io.stdout(terminalSafe(text)), stderr: (text) => io.stderr(terminalSafe(text)) };
}
