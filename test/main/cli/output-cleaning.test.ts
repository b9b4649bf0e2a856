import { describe, expect, it } from 'vitest';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { runCli } from '../../../main/cli/program';
import { terminalSafe } from '../../../main/cli/io';
import { createRunStore } from '../../../main/runs/run-store';

/** What a terminal would act on: ESC, BEL, CSI (C1), DEL and the other controls but newline and tab. */
const controls = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
const hostileName = 'evil\u001b[2J\u001b]0;pwned\u0007\u009b31m\u007f\u202eexe.txt\nfake 20990101-000000 completed';

async function run(argv: string[], extraCommands: Command[] = []) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(
    argv,
    {
      stdout: (t) => void (stdout += t),
      stderr: (t) => void (stderr += t),
      env: { ...process.env, XLAB_BACKEND: '' },
      // `runs` never starts the engine.
      workerUrl: new URL('file:///nonexistent/training-worker.js'),
    },
    extraCommands,
  );
  return { code, stdout, stderr };
}

describe('terminal output of user text', () => {
  it('terminalSafe escapes controls and bidi overrides as \\uXXXX, keeping newlines, tabs and other text', () => {
    expect(terminalSafe('a\u001b[31mb\u0007\u009b\u007f\u202e')).toBe('a\\u001b[31mb\\u0007\\u009b\\u007f\\u202e');
    expect(terminalSafe('line 1\n\tline 2 — α 0.5 ✓')).toBe('line 1\n\tline 2 — α 0.5 ✓');
    // What JSON output would carry stays valid JSON meaning the same string.
    const json = JSON.stringify({ name: hostileName });
    expect(JSON.parse(terminalSafe(json))).toEqual({ name: hostileName });
  });

  it('"xlab runs" prints a run name with escape sequences and newlines as visible text on one line', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'xlab-clean-'));
    await createRunStore(dataDir).create({
      name: hostileName,
      epochs: 2,
      model: { preset: 'micro', classes: 2 },
      training: {},
      dataset: { path: '/data/x', fingerprint: 'f', classNames: ['a', 'b'], split: { seed: 1, key: 'k' } },
    });
    const listed = await run(['runs', '--data-dir', dataDir]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).not.toMatch(controls);
    expect(listed.stdout).not.toContain('\u202e');
    expect(listed.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(listed.stdout).toContain('evil\\x1b[2J');

    const json = await run(['runs', '--json', '--data-dir', dataDir]);
    expect(json.stdout).not.toMatch(controls);
    expect((JSON.parse(json.stdout) as { name: string }[])[0]!.name).toBe(hostileName);
  });

  it('whatever a command prints, and any error message, reaches the terminal cleaned', async () => {
    const loud = new Command('loud').action(() => {
      throw new Error(`cannot open ${hostileName}`);
    });
    const result = await run(['loud'], [loud]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('cannot open evil\\u001b[2J');
    expect(result.stderr).not.toMatch(controls);
  });
});
