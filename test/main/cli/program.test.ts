import { describe, expect, it } from 'vitest';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../main/cli/program';
import { builtWorkerUrl } from '../../helpers/built';
import { defaultEngine } from '../../helpers/engines';

async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    env: { ...process.env, XLAB_BACKEND: '', ...env },
    workerUrl: builtWorkerUrl(),
  });
  return { code, stdout, stderr };
}

describe('xlab', () => {
  it('--help lists the commands and exits 0', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('doctor');
    expect(stdout).toContain('serve');
  });

  it('--version prints the package version', async () => {
    const { code, stdout } = await run(['--version']);
    expect(code).toBe(0);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('exits 2 on a usage error, with one line saying what is wrong', async () => {
    const unknown = await run(['fly']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'fly'");
    const port = await run(['serve', '--port', 'abc']);
    expect(port.code).toBe(2);
    expect(port.stderr).toContain('"abc" is not a port');
  });

  it('model prints the summary of a preset; a non-numeric flag is a usage error (exit 2) naming the flag', async () => {
    const ok = await run(['model', '--preset', 'micro', '--classes', '3', '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ params: expect.any(Number), layers: expect.any(Array) });
    const bad = await run(['model', '--classes', 'abc']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('xlab: --classes must be a whole number (got "abc").\n');
    const invalid = await run(['model', '--preset', 'mini', '--classes', '1']);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('classes');
  });

  it('doctor --json prints the engine object on stdout only', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'xlab-cli-'));
    const { code, stdout } = await run(['doctor', '--json', '--data-dir', dataDir]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.dataDir).toBe(dataDir);
    if (defaultEngine.name === 'tfjs') {
      expect(report.engine).toMatchObject({ name: 'tfjs', device: 'cpu', backend: 'cpu' });
      expect(report.engine.reason).toContain('tfjs-node is not installed');
      expect(report.suggestions.join(' ')).toContain('@tensorflow/tfjs-node');
    } else {
      expect(report.engine).toMatchObject({
        name: 'tfjs-node',
        device: 'cpu',
        backend: 'tensorflow',
        tensorflow: expect.stringMatching(/^2\./),
      });
      expect(report.native).toEqual([expect.objectContaining({ package: '@tensorflow/tfjs-node', binding: true })]);
    }
  });

  it('doctor exits 1 with the reason when a forced engine is missing', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'xlab-cli-'));
    // tfjs-node-gpu is never installed here (no GPU); tfjs-node may be built.
    const { code, stdout, stderr } = await run(['doctor', '--data-dir', dataDir], { XLAB_BACKEND: 'gpu' });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(
      /^xlab: XLAB_BACKEND=gpu asks for @tensorflow\/tfjs-node-gpu: tfjs-node-gpu is not installed\./,
    );
  });
});
