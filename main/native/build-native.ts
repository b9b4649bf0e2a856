/**
 * `xlab engine build-native`: builds tfjs-node (or tfjs-node-gpu) offline from a TensorFlow pip
 * wheel. The wheel's C API libraries are unpacked once into a shared folder (815 MB; every project
 * links to the same copy), the package's deps/ becomes a link to it, and the binding is compiled
 * with the package's own node-pre-gyp and npm's node-gyp against the Node headers that ship with
 * Node. Every step is skipped when its result is already there.
 */
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { LabError } from '../errors';
import {
  cudaRequirements,
  cudaWheelTarget,
  libraryLinks,
  manifestName,
  buildStampName,
  nativePackage,
  parseWheelName,
  pickWheel,
  requiredFiles,
  requirementProject,
  skipDownloadMarker,
  tensorflowWheelTarget,
  tfjsNodeVersion,
  unpackedFolderName,
  wheelProject,
  type NativeFlavor,
  type NativeManifest,
} from './layout';
import { extractWheel, readWheelMetadata } from './wheel';
import { librariesToPin, RTLD_NODELETE } from '../engine/native-pin';
import { constants } from 'node:os';

export interface RunResult {
  code: number;
  /** stdout and stderr together. */
  output: string;
}

/** What the build runs and reports through; injected so each step is testable. */
export interface NativeTools {
  run(command: string, args: string[], options?: { cwd?: string; env?: NodeJS.ProcessEnv }): Promise<RunResult>;
  progress(line: string): void;
}

export interface BuildNativeOptions {
  /** The Xception Lab folder (its package.json and node_modules). */
  projectRoot: string;
  /** Where unpacked copies and downloaded wheels live: `<data folder>/native` or --dir. */
  libRoot: string;
  flavor: NativeFlavor;
  /** A TensorFlow wheel the user already has. */
  wheel?: string;
  /** Node's install prefix (its headers are in include/node). */
  nodePrefix: string;
  nodeExecPath: string;
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  arch: string;
}

export interface BuildNativeResult {
  package: string;
  packageDir: string;
  /** The shared unpacked copy deps/ links to. */
  libraries: string;
  wheel: string;
  /** TensorFlow's version as the built binding reports it (TF_Version). */
  tensorflow: string;
  /** TensorFlow found a usable GPU (only ever true for --gpu on a machine with one). */
  gpu: boolean;
  /** What this run did; all false when everything was already in place. */
  installedPackage: boolean;
  unpacked: boolean;
  compiled: boolean;
}

export const nodeHeadersOf = (prefix: string): string => join(prefix, 'include', 'node', 'node_api.h');

const lastLine = (text: string): string =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^(gyp|npm) (info|http|timing|verb|sill)/.test(l))
    .pop() ?? 'no output';

/** npm's own folder: from npm_execpath when run through npm/npx, else next to Node. */
export function npmDir(env: NodeJS.ProcessEnv, nodePrefix: string): string {
  const exec = env.npm_execpath;
  if (exec && /(npm|npx)-cli\.js$/.test(exec)) return dirname(dirname(exec));
  return join(nodePrefix, 'lib', 'node_modules', 'npm');
}

async function checkToolchain(o: BuildNativeOptions, tools: NativeTools): Promise<{ npmCli: string; nodeGyp: string }> {
  if (o.platform !== 'linux' || o.arch !== 'x64') {
    throw new LabError(
      'NATIVE_UNSUPPORTED',
      `build-native builds from TensorFlow's Linux x86-64 wheels; on ${o.platform}-${o.arch} install ${nativePackage[o.flavor]} with "npm install ${nativePackage[o.flavor]}", which downloads its own libraries.`,
    );
  }
  const headers = nodeHeadersOf(o.nodePrefix);
  if (!existsSync(headers)) {
    throw new LabError(
      'NATIVE_NO_NODE_HEADERS',
      `Node's C headers are missing (${headers}): install Node.js from nodejs.org (its archive has include/node), or your distribution's Node headers package (Debian/Ubuntu: libnode-dev).`,
    );
  }
  const cxx = o.env.CXX || 'c++';
  if ((await tools.run(cxx, ['--version']).catch(() => ({ code: -1, output: '' }))).code !== 0) {
    throw new LabError(
      'NATIVE_NO_COMPILER',
      `No C++ compiler ("${cxx}" did not run): install one with make (Debian/Ubuntu: sudo apt-get install g++ make; Fedora: sudo dnf install gcc-c++ make).`,
    );
  }
  if ((await tools.run('make', ['--version']).catch(() => ({ code: -1, output: '' }))).code !== 0) {
    throw new LabError(
      'NATIVE_NO_COMPILER',
      'No "make": install it with the C++ compiler (Debian/Ubuntu: sudo apt-get install g++ make).',
    );
  }
  const python = o.env.PYTHON || 'python3';
  if ((await tools.run(python, ['--version']).catch(() => ({ code: -1, output: '' }))).code !== 0) {
    throw new LabError(
      'NATIVE_NO_PYTHON',
      `node-gyp needs Python 3 and "${python}" did not run: install Python 3 (Debian/Ubuntu: sudo apt-get install python3).`,
    );
  }
  const npm = npmDir(o.env, o.nodePrefix);
  const npmCli = join(npm, 'bin', 'npm-cli.js');
  const nodeGyp = join(npm, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  if (!existsSync(npmCli) || !existsSync(nodeGyp)) {
    throw new LabError(
      'NATIVE_NO_NPM',
      `npm and its node-gyp were not found in ${npm}: install npm (it comes with Node.js) or run this through "npx xlab".`,
    );
  }
  return { npmCli, nodeGyp };
}

/** The package's folder, installing it (without its downloading install script) when absent. */
async function ensurePackage(
  o: BuildNativeOptions,
  npmCli: string,
  tools: NativeTools,
): Promise<{ dir: string; installed: boolean }> {
  const name = nativePackage[o.flavor];
  const find = (): string | undefined => {
    try {
      return dirname(createRequire(join(o.projectRoot, 'package.json')).resolve(`${name}/package.json`));
    } catch {
      return undefined;
    }
  };
  const present = find();
  if (present) return { dir: present, installed: false };
  const others = Object.values(nativePackage).filter(
    (p) => p !== name && !existsSync(join(o.projectRoot, 'node_modules', p)),
  );
  tools.progress(
    `Installing ${name}@${tfjsNodeVersion} (without its install script, which would download libtensorflow)…`,
  );
  // npm install (not npm pack) so the lockfile's exact dependency tree comes along: node-pre-gyp,
  // adm-zip, google-protobuf… from the user's registry, mirror or offline cache.
  const result = await tools.run(
    o.nodeExecPath,
    [npmCli, 'install', '--no-save', '--ignore-scripts', '--no-audit', '--no-fund', `${name}@${tfjsNodeVersion}`],
    { cwd: o.projectRoot, env: o.env },
  );
  const dir = find();
  if (result.code !== 0 || !dir) {
    throw new LabError(
      'NATIVE_NO_PACKAGE',
      `${name} is not installed and npm could not install it (${lastLine(result.output)}): check npm's registry or mirror ("npm config get registry"), then run "npm install --ignore-scripts ${name}@${tfjsNodeVersion}".`,
    );
  }
  // npm also fetched the other native package (an optional dependency too) without a binding:
  // left there, the engine would try it first and report it as broken.
  for (const other of others) {
    const otherDir = join(o.projectRoot, 'node_modules', other);
    if (existsSync(otherDir) && !hasBinding(otherDir)) await rm(otherDir, { recursive: true, force: true });
  }
  return { dir, installed: true };
}

export function bindingPath(packageDir: string): string | undefined {
  const lib = join(packageDir, 'lib');
  if (!existsSync(lib)) return undefined;
  for (const d of readdirSync(lib)) {
    const file = join(lib, d, 'tfjs_binding.node');
    if (d.startsWith('napi-v') && existsSync(file)) return file;
  }
  return undefined;
}
const hasBinding = (packageDir: string): boolean => bindingPath(packageDir) !== undefined;

async function pipCommand(tools: NativeTools, env: NodeJS.ProcessEnv): Promise<string[] | undefined> {
  const candidates = [[env.PYTHON || 'python3', '-m', 'pip'], ['pip3'], ['pip']];
  for (const c of candidates) {
    const r = await tools.run(c[0]!, [...c.slice(1), '--version'], { env }).catch(() => undefined);
    if (r?.code === 0) return c;
  }
  return undefined;
}

/** `pip download --no-deps SPEC -d DIR` with the user's own pip and index. */
async function pipDownload(
  spec: string,
  dir: string,
  o: BuildNativeOptions,
  tools: NativeTools,
  orElse: string,
): Promise<void> {
  const pip = await pipCommand(tools, o.env);
  if (!pip) {
    throw new LabError(
      'NATIVE_NO_PIP',
      `${orElse} and pip is not installed to fetch ${spec}: install pip (Debian/Ubuntu: sudo apt-get install python3-pip), or pass --wheel FILE.`,
    );
  }
  await mkdir(dir, { recursive: true });
  tools.progress(`Downloading ${spec} with pip into ${dir}…`);
  const r = await tools.run(
    pip[0]!,
    [...pip.slice(1), 'download', '--no-deps', '--only-binary=:all:', spec, '-d', dir],
    { env: o.env },
  );
  if (r.code !== 0) {
    throw new LabError(
      'NATIVE_NO_WHEEL',
      `pip could not download ${spec} (${lastLine(r.output)}): check pip's index ("pip config list"), or pass --wheel FILE.`,
    );
  }
}

const listWheels = (dir: string): string[] =>
  existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.whl')) : [];

async function findWheel(o: BuildNativeOptions, tools: NativeTools): Promise<string> {
  const accepted = o.flavor === 'gpu' ? [wheelProject.gpu] : [wheelProject.cpu, wheelProject.gpu];
  if (o.wheel) {
    const file = resolve(o.wheel);
    if (!existsSync(file)) {
      throw new LabError(
        'NATIVE_NO_WHEEL',
        `No wheel at ${file}: fetch one with "pip download --no-deps ${wheelProject[o.flavor]} -d DIR" where pip has an index, and pass that file.`,
      );
    }
    const name = parseWheelName(file);
    if (!name || !accepted.includes(name.project) || !/manylinux.*x86_64/.test(name.platform)) {
      throw new LabError(
        'NATIVE_WRONG_WHEEL',
        `${basename(file)} is not a ${accepted.join(' or ')} wheel for Linux x86-64: ${o.flavor === 'gpu' ? 'the GPU engine needs the "tensorflow" wheel' : 'use a tensorflow-cpu wheel'} (manylinux, x86_64).`,
      );
    }
    return file;
  }
  const cache = join(o.libRoot, 'wheels');
  const cached = pickWheel(listWheels(cache), o.flavor);
  if (cached) return join(cache, cached);
  await pipDownload(wheelProject[o.flavor], cache, o, tools, 'No --wheel given');
  const fetched = pickWheel(listWheels(cache), o.flavor);
  if (!fetched)
    throw new LabError(
      'NATIVE_NO_WHEEL',
      `pip downloaded no ${wheelProject[o.flavor]} wheel for Linux x86-64 into ${cache}: pass --wheel FILE.`,
    );
  return join(cache, fetched);
}

export function readManifest(dir: string): NativeManifest | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, manifestName), 'utf8')) as NativeManifest;
  } catch {
    return undefined;
  }
}

/** Unpacks the wheel (and, for the GPU, the CUDA wheels) into `<libRoot>/<wheel>` unless already done. */
async function ensureUnpacked(
  wheel: string,
  o: BuildNativeOptions,
  tools: NativeTools,
): Promise<{ dir: string; unpacked: boolean }> {
  const name = parseWheelName(wheel)!;
  const dir = join(o.libRoot, unpackedFolderName(name));
  const existing = readManifest(dir);
  if (existing && (o.flavor === 'cpu' || existing.flavor === 'gpu')) return { dir, unpacked: false };

  const partial = `${dir}.partial-${process.pid}`;
  await rm(partial, { recursive: true, force: true });
  tools.progress(
    `Unpacking TensorFlow's C API from ${basename(wheel)} into ${dir} (about 815 MB, shared by every project)…`,
  );
  const written = await extractWheel(wheel, partial, tensorflowWheelTarget);
  const missing = requiredFiles.filter((f) => !written.includes(f));
  if (missing.length > 0) {
    await rm(partial, { recursive: true, force: true });
    throw new LabError(
      'NATIVE_NO_C_API',
      `${basename(wheel)} has no TensorFlow C API (no ${missing.join(', ')}): use a TensorFlow 2.x wheel for Linux x86-64 ("pip download --no-deps ${wheelProject[o.flavor]}").`,
    );
  }
  for (const link of libraryLinks) await symlink(link.target, join(partial, 'lib', link.name));
  await writeFile(join(partial, 'lib', skipDownloadMarker), '');
  const manifest: NativeManifest = { flavor: o.flavor, wheel: basename(wheel), tensorflow: name.version, cuda: [] };
  if (o.flavor === 'gpu') manifest.cuda = await unpackCuda(wheel, partial, o, tools);
  await writeFile(join(partial, manifestName), `${JSON.stringify(manifest, null, 2)}\n`);
  await rm(dir, { recursive: true, force: true });
  await rename(partial, dir);
  return { dir, unpacked: true };
}

/**
 * CUDA 12 / cuDNN 9 from NVIDIA's pip wheels, the ones the TensorFlow wheel names for its
 * `and-cuda` extra: taken from the folder of --wheel or the wheel cache, else fetched with pip.
 */
async function unpackCuda(
  wheel: string,
  dest: string,
  o: BuildNativeOptions,
  tools: NativeTools,
): Promise<NativeManifest['cuda']> {
  const metadata = (await readWheelMetadata(wheel)) ?? '';
  const requirements = cudaRequirements(metadata);
  if (requirements.length === 0) {
    throw new LabError(
      'NATIVE_NO_CUDA_LIST',
      `${basename(wheel)} names no NVIDIA CUDA wheels (no "and-cuda" extra): the GPU engine needs a TensorFlow 2.15 or newer "tensorflow" wheel.`,
    );
  }
  const cache = join(o.libRoot, 'wheels');
  const folders = [...new Set([dirname(wheel), cache])];
  const out: NativeManifest['cuda'] = [];
  for (const requirement of requirements) {
    const project = requirementProject(requirement);
    const find = (): string | undefined => {
      for (const folder of folders) {
        const f = listWheels(folder).find(
          (w) => parseWheelName(w)?.project === project && /x86_64|any/.test(parseWheelName(w)!.platform),
        );
        if (f) return join(folder, f);
      }
      return undefined;
    };
    let file = find();
    if (!file) {
      await pipDownload(requirement, cache, o, tools, `${project} is not next to the TensorFlow wheel`);
      file = find();
    }
    if (!file)
      throw new LabError(
        'NATIVE_NO_WHEEL',
        `pip downloaded no ${project} wheel: put it next to the TensorFlow wheel and run again.`,
      );
    tools.progress(`Unpacking ${basename(file)}…`);
    await extractWheel(file, dest, cudaWheelTarget);
    out.push({ wheel: basename(file), project, version: parseWheelName(file)!.version });
  }
  return out;
}

/** Points the package's deps/ at the shared copy (an npm-downloaded deps/ is set aside, not lost). */
async function linkDeps(packageDir: string, libraries: string): Promise<void> {
  const deps = join(packageDir, 'deps');
  let stat;
  try {
    stat = lstatSync(deps);
  } catch {
    stat = undefined;
  }
  if (stat?.isSymbolicLink()) {
    if ((await readlink(deps)) === libraries) return;
    await rm(deps);
  } else if (stat) {
    const aside = `${deps}.downloaded`;
    await rm(aside, { recursive: true, force: true });
    await rename(deps, aside);
  }
  await symlink(libraries, deps, 'dir');
}

interface BuildStamp {
  libraries: string;
  tensorflow: string;
}

async function ensureBinding(
  packageDir: string,
  libraries: string,
  manifest: NativeManifest,
  nodeGyp: string,
  o: BuildNativeOptions,
  tools: NativeTools,
): Promise<boolean> {
  const stampFile = join(packageDir, buildStampName);
  const stamp = existsSync(stampFile) ? (JSON.parse(await readFile(stampFile, 'utf8')) as BuildStamp) : undefined;
  if (stamp?.libraries === libraries && stamp.tensorflow === manifest.tensorflow && hasBinding(packageDir))
    return false;

  let preGyp: string;
  try {
    preGyp = createRequire(join(packageDir, 'package.json')).resolve('@mapbox/node-pre-gyp/bin/node-pre-gyp');
  } catch {
    throw new LabError(
      'NATIVE_NO_PACKAGE',
      `${basename(packageDir)}'s build tool @mapbox/node-pre-gyp is missing: run "npm install --ignore-scripts ${nativePackage[o.flavor]}@${tfjsNodeVersion}".`,
    );
  }
  tools.progress(
    `Compiling ${nativePackage[o.flavor]}'s binding against TensorFlow ${manifest.tensorflow} (about a minute)…`,
  );
  await rm(stampFile, { force: true });
  const result = await tools.run(
    o.nodeExecPath,
    [preGyp, 'rebuild', '--build-from-source', '--build-latest-napi-version-only', `--nodedir=${o.nodePrefix}`],
    { cwd: packageDir, env: { ...o.env, npm_config_node_gyp: nodeGyp } },
  );
  if (result.code !== 0 || !hasBinding(packageDir)) {
    const log = join(o.libRoot, 'build-native.log');
    await mkdir(o.libRoot, { recursive: true });
    await writeFile(log, result.output);
    throw new LabError(
      'NATIVE_BUILD_FAILED',
      `Compiling the binding failed (${lastLine(result.output)}); the full log is in ${log}.`,
    );
  }
  await writeFile(
    stampFile,
    `${JSON.stringify({ libraries, tensorflow: manifest.tensorflow } satisfies BuildStamp, null, 2)}\n`,
  );
  return true;
}

/**
 * Loads the built package in a fresh Node (main thread), with the libraries preloaded as the lab
 * does (native-pin.ts), and returns TensorFlow's version and whether it found a GPU.
 */
async function verify(
  o: BuildNativeOptions,
  packageDir: string,
  tools: NativeTools,
): Promise<{ tensorflow: string; gpu: boolean }> {
  const name = nativePackage[o.flavor];
  const preload = JSON.stringify(librariesToPin(packageDir));
  const script =
    `for (const f of ${preload}) { try { process.dlopen({ exports: {} }, f, ${constants.dlopen.RTLD_NOW! | RTLD_NODELETE}); } catch {} }\n` +
    `const tf = require(${JSON.stringify(name)});\n` +
    `process.stdout.write('\\nTF_Version=' + tf.backend().binding.TF_Version + ' GPU=' + (tf.backend().isUsingGpuDevice === true) + '\\n');`;
  const r = await tools.run(o.nodeExecPath, ['-e', script], {
    cwd: o.projectRoot,
    env: { ...o.env, TF_CPP_MIN_LOG_LEVEL: '2' },
  });
  const m = /TF_Version=(\S+) GPU=(\w+)/.exec(r.output);
  if (r.code !== 0 || !m) {
    throw new LabError(
      'NATIVE_BUILD_FAILED',
      `The built ${name} does not load (${lastLine(r.output)}): run "xlab engine build-native${o.flavor === 'gpu' ? ' --gpu' : ''}" again; if it fails again, report this line.`,
    );
  }
  return { tensorflow: m[1]!, gpu: m[2] === 'true' };
}

export async function buildNative(o: BuildNativeOptions, tools: NativeTools): Promise<BuildNativeResult> {
  const { npmCli, nodeGyp } = await checkToolchain(o, tools);
  const wheel = await findWheel(o, tools);
  const pkg = await ensurePackage(o, npmCli, tools);
  const { dir, unpacked } = await ensureUnpacked(wheel, o, tools);
  const manifest = readManifest(dir)!;
  await linkDeps(pkg.dir, dir);
  const compiled = await ensureBinding(pkg.dir, dir, manifest, nodeGyp, o, tools);
  const { tensorflow, gpu } = await verify(o, pkg.dir, tools);
  return {
    package: nativePackage[o.flavor],
    packageDir: pkg.dir,
    libraries: dir,
    wheel,
    tensorflow,
    gpu,
    installedPackage: pkg.installed,
    unpacked,
    compiled,
  };
}
