import { describe, expect, it } from 'vitest';
import type { EngineInfo } from '../../../main/contract';
import { formatDoctor, suggestionsFor } from '../../../main/cli/doctor';
import type { NativeStatus } from '../../../main/native/native-status';

const engine = (over: Partial<EngineInfo>): EngineInfo => ({
  name: 'tfjs',
  device: 'cpu',
  reason: '',
  backend: 'cpu',
  version: '4.22.0',
  ...over,
});

describe('suggestionsFor', () => {
  it('suggests native CPU then GPU on the pure-JS engine', () => {
    const s = suggestionsFor(engine({}), 'linux');
    expect(s[0]).toContain('npm install @tensorflow/tfjs-node"');
    expect(s[0]).toContain('"xlab engine build-native" builds it from a TensorFlow pip wheel');
    expect(s[1]).toContain('"xlab engine build-native --gpu"');
    expect(s[1]).toContain('CUDA 11.2 and cuDNN 8.1');
  });
  it('no GPU suggestion on macOS (tfjs-node-gpu has no macOS build)', () => {
    expect(suggestionsFor(engine({}), 'darwin')).toHaveLength(1);
  });
  it('explains CUDA when tfjs-node-gpu runs on the CPU, nothing when on the GPU', () => {
    expect(suggestionsFor(engine({ name: 'tfjs-node-gpu' }), 'linux')[0]).toContain('libcudnn.so.8');
    expect(suggestionsFor(engine({ name: 'tfjs-node-gpu', device: 'gpu' }), 'linux')).toEqual([]);
  });
  it('formats a readable report', () => {
    const text = formatDoctor({
      version: '0.1.0',
      dataDir: '/d',
      node: '20',
      platform: 'linux-x64',
      engine: engine({ reason: 'why' }),
      native: [],
      suggestions: ['x'],
    });
    expect(text).toContain('Engine:      tfjs 4.22.0 on CPU');
    expect(text).toContain('Why:         why');
    expect(text).toContain('  - x');
  });

  it('a GPU engine built here: no CUDA 11.2 advice, exactly the CUDA libraries that are missing', () => {
    const native: NativeStatus[] = [
      {
        package: '@tensorflow/tfjs-node-gpu',
        flavor: 'gpu',
        builtHere: true,
        binding: true,
        tensorflow: '2.21.0',
        wheel: 'tensorflow-2.21.0.whl',
        libraries: '/l/lib',
        cuda: [
          { soname: 'libcudnn.so.9', what: 'cuDNN 9', path: '/l/cuda/lib/libcudnn.so.9', version: '9.3.0.75' },
          { soname: 'libcuda.so.1', what: 'NVIDIA driver' },
        ],
        advice: ['libcuda.so.1 is missing: install the NVIDIA driver (525 or newer for CUDA 12).'],
      },
    ];
    const s = suggestionsFor(engine({ name: 'tfjs-node-gpu' }), 'linux', native);
    expect(s).toEqual(['libcuda.so.1 is missing: install the NVIDIA driver (525 or newer for CUDA 12).']);
    const text = formatDoctor({
      version: '0.1.0',
      dataDir: '/d',
      node: '20',
      platform: 'linux-x64',
      engine: engine({ name: 'tfjs-node-gpu', tensorflow: '2.21.0', libraries: '/l/lib' }),
      native,
      suggestions: s,
    });
    expect(text).toContain('TensorFlow:  2.21.0 (libraries in /l/lib)');
    expect(text).toContain(
      'Native:      @tensorflow/tfjs-node-gpu (TensorFlow 2.21.0), built here from tensorflow-2.21.0.whl',
    );
    expect(text).toContain('ok      libcudnn.so.9 (cuDNN 9 9.3.0.75) /l/cuda/lib');
    expect(text).toContain('MISSING libcuda.so.1 (NVIDIA driver)');
  });

  it('a native package installed but not built says to build it', () => {
    const native: NativeStatus[] = [
      {
        package: '@tensorflow/tfjs-node',
        flavor: 'cpu',
        builtHere: false,
        binding: false,
        advice: ['@tensorflow/tfjs-node is installed but not built: run "xlab engine build-native".'],
      },
    ];
    expect(suggestionsFor(engine({}), 'linux', native).at(-1)).toContain('run "xlab engine build-native"');
  });
});
