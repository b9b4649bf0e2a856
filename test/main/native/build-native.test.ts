import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  buildNative,
  type BuildNativeOptions,
  type NativeTools,
  type RunResult,
} from '../../../main/native/build-native';
import { writeZip } from './zip-fixture';

const cpuWheel = 'tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl';
const gpuWheel = 'tensorflow-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl';
const capi = {
  'tensorflow/libtensorflow_cc.so.2': 'cc',
  'tensorflow/libtensorflow_framework.so.2': 'fw',
  'tensorflow/include/tensorflow/c/c_api.h': '// c api',
  'tensorflow/include/tensorflow/c/eager/c_api.h': '// eager',
  'tensorflow/include/tensorflow/core/framework/tensor.h': '// not needed',
  'tensorflow/python/x.py': '',
};

const touch = (file: string, text = ''): void => {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
};

let root = '';
const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

interface Fake {
  options: BuildNativeOptions;
  calls: string[][];
  tools: NativeTools;
  packageDir: string;
}

/** A project, Node prefix and npm laid out in a temp folder; the tools record what would run. */
function fakeMachine(over: { missing?: string[]; packageInstalled?: boolean; flavor?: 'cpu' | 'gpu' } = {}): Fake {
  root = mkdtempSync(join(tmpdir(), 'xlab-native-'));
  roots.push(root);
  const project = join(root, 'project');
  const prefix = join(root, 'node');
  const npm = join(prefix, 'lib', 'node_modules', 'npm');
  touch(join(project, 'package.json'), '{"name":"xception-lab"}');
  touch(join(prefix, 'include', 'node', 'node_api.h'));
  touch(join(npm, 'bin', 'npm-cli.js'));
  touch(join(npm, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  touch(join(project, 'node_modules', '@mapbox', 'node-pre-gyp', 'bin', 'node-pre-gyp'));
  const pkgName = over.flavor === 'gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
  const packageDir = join(project, 'node_modules', pkgName);
  const installPackage = (): void => touch(join(packageDir, 'package.json'), `{"name":"${pkgName}"}`);
  if (over.packageInstalled !== false) installPackage();
  const calls: string[][] = [];
  const missing = new Set(over.missing ?? []);
  const tools: NativeTools = {
    progress: () => {},
    async run(command, args, opts): Promise<RunResult> {
      calls.push([command, ...args]);
      const tool = command === 'node' ? args[0]!.split('/').pop()! : command;
      if (missing.has(tool)) throw Object.assign(new Error(`spawn ${command} ENOENT`), { code: 'ENOENT' });
      if (tool === 'npm-cli.js') {
        installPackage();
        // npm also brings the other optional native package, unbuilt.
        touch(join(project, 'node_modules', '@tensorflow', 'tfjs-node-gpu', 'package.json'));
        return { code: 0, output: 'added 38 packages' };
      }
      if (tool === 'node-pre-gyp') {
        expect(opts?.env?.npm_config_node_gyp).toBe(join(npm, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
        touch(join(packageDir, 'lib', 'napi-v8', 'tfjs_binding.node'));
        return { code: 0, output: 'gyp info ok' };
      }
      if (tool === '-e') return { code: 0, output: 'I0000 oneDNN\nTF_Version=2.21.0 GPU=false\n' };
      return { code: 0, output: 'version 1' };
    },
  };
  const options: BuildNativeOptions = {
    projectRoot: project,
    libRoot: join(root, 'data', 'native'),
    flavor: over.flavor ?? 'cpu',
    nodePrefix: prefix,
    nodeExecPath: 'node',
    env: { PATH: '' },
    platform: 'linux',
    arch: 'x64',
  };
  return { options, calls, tools, packageDir };
}

describe('buildNative', () => {
  it('unpacks the C API once, links deps/ to it, compiles, and does nothing the second time', async () => {
    const m = fakeMachine();
    const wheel = join(root, cpuWheel);
    writeZip(wheel, capi);
    const first = await buildNative({ ...m.options, wheel }, m.tools);
    const shared = join(m.options.libRoot, 'tensorflow-cpu-2.21.0-manylinux_2_27_x86_64');
    expect(first).toMatchObject({
      tensorflow: '2.21.0',
      libraries: shared,
      unpacked: true,
      compiled: true,
      installedPackage: false,
    });
    expect(readlinkSync(join(m.packageDir, 'deps'))).toBe(shared);
    expect(readlinkSync(join(shared, 'lib', 'libtensorflow.so'))).toBe('libtensorflow_cc.so.2');
    expect(readlinkSync(join(shared, 'lib', 'libtensorflow_framework.so'))).toBe('libtensorflow_framework.so.2');
    expect(existsSync(join(shared, 'lib', 'libtensorflow.so.2.9.1'))).toBe(true);
    expect(readFileSync(join(shared, 'include', 'tensorflow', 'c', 'c_api.h'), 'utf8')).toBe('// c api');
    expect(existsSync(join(shared, 'include', 'tensorflow', 'core', 'framework'))).toBe(false);
    const build = m.calls.find((c) => c[1]!.endsWith('node-pre-gyp'))!;
    expect(build.slice(2)).toEqual([
      'rebuild',
      '--build-from-source',
      '--build-latest-napi-version-only',
      `--nodedir=${m.options.nodePrefix}`,
    ]);

    m.calls.length = 0;
    const second = await buildNative({ ...m.options, wheel }, m.tools);
    expect(second).toMatchObject({ unpacked: false, compiled: false, installedPackage: false });
    expect(m.calls.some((c) => c[1]?.endsWith('node-pre-gyp'))).toBe(false);
  });

  it('a second project reuses the shared copy and only compiles its own binding', async () => {
    const m = fakeMachine();
    const wheel = join(root, cpuWheel);
    writeZip(wheel, capi);
    await buildNative({ ...m.options, wheel }, m.tools);
    // Another clone: same data folder, its own node_modules.
    rmSync(join(m.packageDir, 'deps'));
    rmSync(join(m.packageDir, 'lib'), { recursive: true });
    rmSync(join(m.packageDir, 'xlab-native-build.json'));
    const again = await buildNative({ ...m.options, wheel }, m.tools);
    expect(again).toMatchObject({ unpacked: false, compiled: true });
  });

  it('installs the package without its install script when npm ci dropped it, and removes the unbuilt GPU twin', async () => {
    const m = fakeMachine({ packageInstalled: false });
    const wheel = join(root, cpuWheel);
    writeZip(wheel, capi);
    const result = await buildNative({ ...m.options, wheel }, m.tools);
    expect(result.installedPackage).toBe(true);
    const npm = m.calls.find((c) => c[1]!.endsWith('npm-cli.js'))!;
    expect(npm.slice(2)).toEqual([
      'install',
      '--no-save',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      '@tensorflow/tfjs-node@4.22.0',
    ]);
    expect(existsSync(join(m.options.projectRoot, 'node_modules', '@tensorflow', 'tfjs-node-gpu'))).toBe(false);
  });

  it('sets an npm-downloaded deps/ aside instead of deleting it', async () => {
    const m = fakeMachine();
    const wheel = join(root, cpuWheel);
    writeZip(wheel, capi);
    touch(join(m.packageDir, 'deps', 'lib', 'libtensorflow.so.2.9.1'), 'old');
    await buildNative({ ...m.options, wheel }, m.tools);
    expect(lstatSync(join(m.packageDir, 'deps')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(m.packageDir, 'deps.downloaded', 'lib', 'libtensorflow.so.2.9.1'), 'utf8')).toBe('old');
  });

  it('fetches the wheel with pip when none is given, into the wheel cache', async () => {
    const m = fakeMachine();
    const run = m.tools.run;
    m.tools.run = async (command, args, opts) => {
      if (args.includes('download')) {
        writeZip(join(args[args.indexOf('-d') + 1]!, cpuWheel), capi);
        m.calls.push([command, ...args]);
        return { code: 0, output: 'Saved' };
      }
      return run(command, args, opts);
    };
    const result = await buildNative(m.options, m.tools);
    expect(result.wheel).toBe(join(m.options.libRoot, 'wheels', cpuWheel));
    const pip = m.calls.find((c) => c.includes('download'))!;
    expect(pip).toEqual([
      'python3',
      '-m',
      'pip',
      'download',
      '--no-deps',
      '--only-binary=:all:',
      'tensorflow-cpu',
      '-d',
      join(m.options.libRoot, 'wheels'),
    ]);
  });

  it('GPU: unpacks the CUDA 12 / cuDNN 9 wheels the TensorFlow wheel names into cuda/lib', async () => {
    const m = fakeMachine({ flavor: 'gpu' });
    const wheels = join(root, 'wheels');
    mkdirSync(wheels);
    writeZip(join(wheels, gpuWheel), {
      ...capi,
      'tensorflow-2.21.0.dist-info/METADATA': [
        'Name: tensorflow',
        'Requires-Dist: nvidia-cuda-runtime-cu12<13.0,>=12.5.82; extra == "and-cuda"',
        'Requires-Dist: nvidia-cudnn-cu12<10.0,>=9.3.0.75; extra == "and-cuda"',
      ].join('\n'),
    });
    writeZip(join(wheels, 'nvidia_cuda_runtime_cu12-12.5.82-py3-none-manylinux2014_x86_64.whl'), {
      'nvidia/cuda_runtime/lib/libcudart.so.12': 'rt',
      'nvidia/cuda_runtime/include/cuda.h': '',
    });
    writeZip(join(wheels, 'nvidia_cudnn_cu12-9.3.0.75-py3-none-manylinux2014_x86_64.whl'), {
      'nvidia/cudnn/lib/libcudnn.so.9': 'dnn',
      'nvidia/cudnn/lib/libcudnn_graph.so.9': 'graph',
    });
    const result = await buildNative({ ...m.options, wheel: join(wheels, gpuWheel) }, m.tools);
    expect(result.package).toBe('@tensorflow/tfjs-node-gpu');
    const cuda = join(result.libraries, 'cuda', 'lib');
    expect(readFileSync(join(cuda, 'libcudnn_graph.so.9'), 'utf8')).toBe('graph');
    expect(readFileSync(join(cuda, 'libcudart.so.12'), 'utf8')).toBe('rt');
    const manifest = JSON.parse(readFileSync(join(result.libraries, 'xlab-native.json'), 'utf8'));
    expect(manifest.cuda.map((c: { project: string; version: string }) => `${c.project} ${c.version}`)).toEqual([
      'nvidia-cuda-runtime-cu12 12.5.82',
      'nvidia-cudnn-cu12 9.3.0.75',
    ]);
    expect(m.calls.some((c) => c.includes('download'))).toBe(false);
  });

  describe('one clear error per missing piece', () => {
    const attempt = async (m: Fake, over: Partial<BuildNativeOptions> = {}): Promise<string> => {
      try {
        await buildNative({ ...m.options, ...over }, m.tools);
      } catch (error) {
        expect((error as Error).message.split('\n')).toHaveLength(1);
        return `${(error as { code: string }).code}: ${(error as Error).message}`;
      }
      throw new Error('expected an error');
    };

    it('no compiler, no make, no Python, no Node headers', async () => {
      expect(await attempt(fakeMachine({ missing: ['c++'] }))).toMatch(
        /^NATIVE_NO_COMPILER: No C\+\+ compiler .*apt-get install g\+\+ make/,
      );
      expect(await attempt(fakeMachine({ missing: ['make'] }))).toMatch(/^NATIVE_NO_COMPILER: No "make"/);
      expect(await attempt(fakeMachine({ missing: ['python3'] }))).toMatch(
        /^NATIVE_NO_PYTHON: node-gyp needs Python 3/,
      );
      const m = fakeMachine();
      rmSync(join(m.options.nodePrefix, 'include'), { recursive: true });
      expect(await attempt(m)).toMatch(/^NATIVE_NO_NODE_HEADERS: Node's C headers are missing .*node_api\.h/);
    });

    it('no wheel and no pip; a wheel file that is not there; a wheel of the wrong kind', async () => {
      expect(await attempt(withoutPip(fakeMachine()))).toMatch(
        /^NATIVE_NO_PIP: No --wheel given and pip is not installed to fetch tensorflow-cpu: install pip .*or pass --wheel FILE/,
      );
      expect(await attempt(fakeMachine(), { wheel: '/nowhere/x.whl' })).toMatch(
        /^NATIVE_NO_WHEEL: No wheel at \/nowhere\/x\.whl: fetch one with "pip download --no-deps tensorflow-cpu/,
      );
      const m = fakeMachine({ flavor: 'gpu' });
      const wheel = join(root, cpuWheel);
      writeZip(wheel, capi);
      expect(await attempt(m, { wheel })).toMatch(
        /^NATIVE_WRONG_WHEEL: .* the GPU engine needs the "tensorflow" wheel/,
      );
    });

    it('a wheel without the C API', async () => {
      const m = fakeMachine();
      const wheel = join(root, cpuWheel);
      writeZip(wheel, { 'tensorflow/python/x.py': '' });
      expect(await attempt(m, { wheel })).toMatch(
        /^NATIVE_NO_C_API: .* has no TensorFlow C API \(no lib\/libtensorflow_cc\.so\.2/,
      );
      expect(existsSync(join(m.options.libRoot, 'tensorflow-cpu-2.21.0-manylinux_2_27_x86_64'))).toBe(false);
    });

    it('the package cannot be installed', async () => {
      const m = fakeMachine({ packageInstalled: false, missing: [] });
      const wheel = join(root, cpuWheel);
      writeZip(wheel, capi);
      m.tools.run = async (command, args) =>
        args[0]?.endsWith('npm-cli.js')
          ? { code: 1, output: 'npm error code ENOTFOUND\nnpm error network request failed' }
          : { code: 0, output: '' };
      expect(await attempt(m, { wheel })).toMatch(
        /^NATIVE_NO_PACKAGE: @tensorflow\/tfjs-node is not installed and npm could not install it \(npm error network request failed\)/,
      );
    });

    it('the compile fails: the log is kept', async () => {
      const m = fakeMachine();
      const wheel = join(root, cpuWheel);
      writeZip(wheel, capi);
      const run = m.tools.run;
      m.tools.run = async (command, args, opts) =>
        args[0]?.endsWith('node-pre-gyp')
          ? { code: 1, output: 'tfjs_backend.cc:1: error: tensorflow/c/c_api.h: No such file\ngyp ERR! not ok' }
          : run(command, args, opts);
      const message = await attempt(m, { wheel });
      expect(message).toMatch(
        /^NATIVE_BUILD_FAILED: Compiling the binding failed \(gyp ERR! not ok\); the full log is in .*build-native\.log/,
      );
      expect(readFileSync(join(m.options.libRoot, 'build-native.log'), 'utf8')).toContain('No such file');
    });

    it('not Linux x86-64', async () => {
      expect(await attempt(fakeMachine(), { platform: 'darwin', arch: 'arm64' })).toMatch(
        /^NATIVE_UNSUPPORTED: .*on darwin-arm64 install @tensorflow\/tfjs-node with "npm install/,
      );
    });
  });
});

/** python3 runs (node-gyp needs it) but has no pip module; no pip3/pip commands either. */
function withoutPip(m: Fake): Fake {
  const run = m.tools.run;
  m.tools.run = async (command, args, opts) => {
    if ((command === 'python3' && args[0] === '-m') || command === 'pip3' || command === 'pip')
      return { code: 1, output: 'No module named pip' };
    return run(command, args, opts);
  };
  return m;
}
