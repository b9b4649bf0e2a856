import { describe, expect, it } from 'vitest';
import { parseBackendPreference, selectBackend, type TfLike } from '../../../main/engine/backend-select';
import { LabError } from '../../../main/errors';

function fakeTf(
  backendName: string,
  extra: { isUsingGpuDevice?: boolean; version?: Record<string, string> } = {},
): TfLike & { backendSet?: string } {
  const tf = {
    backendSet: undefined as string | undefined,
    async ready() {},
    async setBackend(name: string) {
      tf.backendSet = name;
      return true;
    },
    getBackend: () => tf.backendSet ?? backendName,
    backend: () => ({ isUsingGpuDevice: extra.isUsingGpuDevice }),
    version: extra.version ?? { 'tfjs-core': '4.22.0', tfjs: '4.22.0' },
  };
  return tf;
}

const notInstalled = (name: string) =>
  Object.assign(new Error(`Cannot find module '${name}'\nRequire stack:\n- x`), { code: 'MODULE_NOT_FOUND' });

/** A loader whose packages are present, missing, or broken, as the test says. */
function loader(available: Record<string, TfLike | Error | undefined>) {
  const asked: string[] = [];
  const load = (name: string): TfLike => {
    asked.push(name);
    const found = available[name];
    if (found === undefined) throw notInstalled(name);
    if (found instanceof Error) throw found;
    return found;
  };
  return { load, asked };
}

describe('selectBackend', () => {
  it("a native engine reports the TensorFlow version inside (its binding's TF_Version); the JS engine none", async () => {
    const node = fakeTf('tensorflow', { version: { 'tfjs-node': '4.22.0' } });
    node.backend = () => ({ isUsingGpuDevice: false, binding: { TF_Version: '2.21.0' } });
    const { info } = await selectBackend({ load: loader({ '@tensorflow/tfjs-node': node }).load });
    expect(info).toMatchObject({ name: 'tfjs-node', tensorflow: '2.21.0' });
    const js = await selectBackend({ load: loader({ '@tensorflow/tfjs': fakeTf('cpu') }).load });
    expect(js.info.tensorflow).toBeUndefined();
  });

  it('uses tfjs-node-gpu on the GPU when it loads and a GPU device is in use', async () => {
    const { load } = loader({
      '@tensorflow/tfjs-node-gpu': fakeTf('tensorflow', {
        isUsingGpuDevice: true,
        version: { 'tfjs-node-gpu': '4.22.0' },
      }),
    });
    const { info } = await selectBackend({ load });
    expect(info).toMatchObject({ name: 'tfjs-node-gpu', device: 'gpu', backend: 'tensorflow', version: '4.22.0' });
  });

  it('tells the truth when tfjs-node-gpu loads but runs on the CPU (getBackend says tensorflow either way)', async () => {
    const { load, asked } = loader({ '@tensorflow/tfjs-node-gpu': fakeTf('tensorflow', { isUsingGpuDevice: false }) });
    const { info } = await selectBackend({ load });
    expect(info).toMatchObject({ name: 'tfjs-node-gpu', device: 'cpu' });
    expect(info.reason).toMatch(/CUDA 11\.2.*cuDNN 8\.1.*CPU/);
    // Loading tfjs-node too would clash with the native binding already loaded.
    expect(asked).toEqual(['@tensorflow/tfjs-node-gpu']);
  });

  it('falls back to tfjs-node when tfjs-node-gpu is missing', async () => {
    const { load } = loader({ '@tensorflow/tfjs-node': fakeTf('tensorflow') });
    const { info } = await selectBackend({ load });
    expect(info).toMatchObject({ name: 'tfjs-node', device: 'cpu', backend: 'tensorflow' });
    expect(info.reason).toContain('tfjs-node-gpu is not installed');
  });

  it('falls back to pure JS when both native packages are missing, and selects the cpu backend', async () => {
    const tf = fakeTf('webgl');
    const { load } = loader({ '@tensorflow/tfjs': tf });
    const { info } = await selectBackend({ load });
    expect(info).toMatchObject({ name: 'tfjs', device: 'cpu', backend: 'cpu' });
    expect(info.reason).toBe(
      'tfjs-node-gpu is not installed; tfjs-node is not installed — pure-JS engine on the CPU (slower than native TensorFlow)',
    );
  });

  it('explains a native package that is installed but broken (e.g. missing CUDA libraries)', async () => {
    const { load } = loader({
      '@tensorflow/tfjs-node-gpu': new Error(
        'libcudart.so.11.0: cannot open shared object file: No such file or directory',
      ),
      '@tensorflow/tfjs-node': new Error('libtensorflow.so.2: cannot open shared object file'),
      '@tensorflow/tfjs': fakeTf('cpu'),
    });
    const { info } = await selectBackend({ load });
    expect(info.name).toBe('tfjs');
    expect(info.reason).toContain('tfjs-node-gpu could not load the CUDA 11.2 / cuDNN 8.1 libraries');
    expect(info.reason).toContain('tfjs-node is installed but failed to load (libtensorflow.so.2');
  });

  it('forces one engine with XLAB_BACKEND and never tries the others', async () => {
    const { load, asked } = loader({
      '@tensorflow/tfjs-node-gpu': fakeTf('tensorflow'),
      '@tensorflow/tfjs': fakeTf('cpu'),
    });
    const { info } = await selectBackend({ load, force: 'js' });
    expect(info.name).toBe('tfjs');
    expect(info.reason).toContain('forced by XLAB_BACKEND=js');
    expect(asked).toEqual(['@tensorflow/tfjs']);
  });

  it('gives a clear error when the forced engine cannot load', async () => {
    const { load } = loader({ '@tensorflow/tfjs': fakeTf('cpu') });
    const error = await selectBackend({ load, force: 'cpu' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LabError);
    expect((error as LabError).code).toBe('ENGINE_UNAVAILABLE');
    expect((error as LabError).message).toBe(
      'XLAB_BACKEND=cpu asks for @tensorflow/tfjs-node: tfjs-node is not installed. Install it with "npm install @tensorflow/tfjs-node", or unset XLAB_BACKEND to use the fastest engine that loads.',
    );
  });

  it('fails with every reason when nothing loads', async () => {
    const { load } = loader({});
    await expect(selectBackend({ load })).rejects.toThrow(
      /No training engine could be loaded \(tfjs-node-gpu is not installed; tfjs-node is not installed; tfjs is not installed\)/,
    );
  });
});

describe('parseBackendPreference', () => {
  it('accepts gpu, cpu, js in any case and treats empty as unset', () => {
    expect(parseBackendPreference('GPU')).toBe('gpu');
    expect(parseBackendPreference(' js ')).toBe('js');
    expect(parseBackendPreference('')).toBeUndefined();
    expect(parseBackendPreference(undefined)).toBeUndefined();
  });
  it('rejects anything else naming the variable', () => {
    expect(() => parseBackendPreference('cuda')).toThrow('XLAB_BACKEND=cuda is not an engine: use gpu, cpu or js');
  });
});
