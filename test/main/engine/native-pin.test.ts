import { describe, expect, it } from 'vitest';
import { librariesToPin, pinNativeLibraries, RTLD_NODELETE } from '../../../main/engine/native-pin';

const listing: Record<string, string[]> = {
  '/p/deps/lib': [
    'libtensorflow.so',
    'libtensorflow_cc.so.2',
    'libtensorflow_framework.so',
    'libtensorflow_framework.so.2',
    'libtensorflow.so.2.9.1',
  ],
  '/p/deps/cuda/lib': ['libcudnn.so.9', 'libcudnn_graph.so.9', 'libcudart.so.12', 'libcublas.so.12'],
};
const list = (dir: string): string[] => listing[dir] ?? [];

describe('native libraries pinned for the life of the process', () => {
  it('opens CUDA first (dependencies first), then libtensorflow_framework before libtensorflow_cc; not the link names or the marker', () => {
    expect(librariesToPin('/p', list)).toEqual([
      '/p/deps/cuda/lib/libcudart.so.12',
      '/p/deps/cuda/lib/libcublas.so.12',
      '/p/deps/cuda/lib/libcudnn.so.9',
      '/p/deps/lib/libtensorflow_framework.so.2',
      '/p/deps/lib/libtensorflow_cc.so.2',
    ]);
  });

  it('an npm-downloaded libtensorflow 2.9.1 is pinned too', () => {
    const npm = (dir: string): string[] =>
      dir === '/p/deps/lib'
        ? ['libtensorflow.so', 'libtensorflow.so.2', 'libtensorflow.so.2.9.1', 'libtensorflow_framework.so.2']
        : [];
    expect(librariesToPin('/p', npm)).toEqual([
      '/p/deps/lib/libtensorflow_framework.so.2',
      '/p/deps/lib/libtensorflow.so.2',
    ]);
  });

  it('opens with RTLD_NODELETE; "did not self-register" means loaded, other failures are reported', () => {
    const flags: number[] = [];
    const results = pinNativeLibraries('/p', {
      platform: 'linux',
      list,
      dlopen: (file, f) => {
        flags.push(f);
        if (file.endsWith('libcublas.so.12'))
          throw new Error('libcublasLt.so.12: cannot open shared object file: No such file or directory');
        throw new Error(`Module did not self-register: '${file}'.`);
      },
    });
    expect(flags.every((f) => (f & RTLD_NODELETE) !== 0)).toBe(true);
    expect(results.filter((r) => r.error)).toEqual([
      {
        file: '/p/deps/cuda/lib/libcublas.so.12',
        error: 'libcublasLt.so.12: cannot open shared object file: No such file or directory',
      },
    ]);
  });

  it('nothing to do off Linux', () => {
    expect(
      pinNativeLibraries('/p', {
        platform: 'darwin',
        list,
        dlopen: () => {
          throw new Error('not called');
        },
      }),
    ).toEqual([]);
  });
});
