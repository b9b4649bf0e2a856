// `npm start`: launches the Electron app. Where Electron cannot run — its binary was not
// downloaded (offline install) or there is no display — it says so in one line and starts
// browser mode instead, which serves the same UI and prints its URL.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

function electronBinary() {
  try {
    return { path: require('electron') };
  } catch (error) {
    const missing = error?.code === 'MODULE_NOT_FOUND';
    return {
      why: missing ? 'Electron is not installed (its binary could not be downloaded)' : "Electron's binary is missing",
    };
  }
}

function run(command, args) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
}

const electron = electronBinary();
const headless = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
if (electron.path && !headless) {
  run(electron.path, ['.', ...process.argv.slice(2)]);
} else {
  const why = electron.why ?? 'There is no display to open a window on';
  console.error(`${why} — starting browser mode instead.`);
  run(process.execPath, [join(root, 'bin', 'xlab.js'), 'serve', ...process.argv.slice(2)]);
}
