import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createLab } from '../lab';
import { LabError } from '../errors';
import { isLoopbackHost } from '../server/auth';
import { startServer, type RunningServer } from '../server/server';
import { appRoot } from '../version';
import type { CliIo } from './io';
import { openInBrowser } from './open-browser';
import { printable } from './scan';

export interface ServeCliOptions {
  dataDir: string;
  host: string;
  port: number;
  /** The user named the port: don't move to another one when it is taken. */
  portExplicit: boolean;
  open: boolean;
  json: boolean;
  /** Resolves when the server should stop (Ctrl+C); injected for tests. */
  until?: Promise<unknown>;
}

const portAttempts = 20;

export async function serve(io: CliIo, options: ServeCliOptions): Promise<void> {
  const staticDir = join(appRoot(), 'out', 'renderer');
  if (!existsSync(join(staticDir, 'index.html'))) {
    throw new LabError('UI_NOT_BUILT', `The UI is not built (${staticDir} is missing): run "npm run build" first.`);
  }
  if (!isLoopbackHost(options.host)) {
    io.stderr(
      `Warning: listening on ${options.host}, not only this machine. Anyone who can reach it and knows the token ` +
        `can use the lab and read its files; prefer the default 127.0.0.1 with an SSH tunnel.\n`,
    );
  }
  const lab = await createLab({ dataDir: options.dataDir, env: io.env, workerUrl: io.workerUrl });
  lab.events.on('log', (entry) => {
    if (entry.level !== 'info') io.stderr(`[${entry.level}] ${printable(entry.message)}\n`);
  });
  let server: RunningServer | undefined;
  try {
    server = await listen(io, lab, staticDir, options);
  } catch (error) {
    await lab.close();
    throw error;
  }
  if (options.json)
    io.stdout(`${JSON.stringify({ url: server.url, host: server.host, port: server.port, token: server.token })}\n`);
  else io.stdout(`${server.url}\n`);
  io.stderr(`Xception Lab is running in browser mode. Open the URL above; press Ctrl+C to stop.\n`);
  if (options.open) openInBrowser(server.url, (message) => io.stderr(`${message}\n`));

  await (options.until ?? untilSignal());
  io.stderr('Stopping…\n');
  await server.close();
  await lab.close();
}

async function listen(
  io: CliIo,
  lab: Awaited<ReturnType<typeof createLab>>,
  staticDir: string,
  options: ServeCliOptions,
): Promise<RunningServer> {
  const attempts = options.portExplicit || options.port === 0 ? 1 : portAttempts;
  for (let i = 0; ; i++) {
    try {
      return await startServer({
        lab,
        staticDir,
        host: options.host,
        port: options.port + i,
        onError: (message) => io.stderr(`${message}\n`),
      });
    } catch (error) {
      if (!(error instanceof LabError && error.code === 'PORT_IN_USE') || i + 1 >= attempts) throw error;
    }
  }
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
