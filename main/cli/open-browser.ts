import { spawn } from 'node:child_process';

/** Opens a URL in the user's browser; failures (no desktop, no opener) are reported, not thrown. */
export function openInBrowser(url: string, onError: (message: string) => void): void {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(command, args as string[], { stdio: 'ignore', detached: true });
    child.on('error', () => onError(`Could not open a browser (${command} not available); open the URL yourself.`));
    child.unref();
  } catch {
    onError(`Could not open a browser; open the URL yourself.`);
  }
}
