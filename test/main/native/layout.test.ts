import { describe, expect, it } from 'vitest';
import {
  checkCudaLibraries,
  cudaRequirements,
  cudaWheelTarget,
  missingCudaAdvice,
  parseLdconfig,
  parseWheelName,
  pickWheel,
  requirementProject,
  tensorflowWheelTarget,
  unpackedFolderName,
} from '../../../main/native/layout';

const cpuWheel = 'tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl';

describe('TensorFlow wheel layout', () => {
  it('takes the two C API libraries into lib/ and only the C headers into include/', () => {
    expect(tensorflowWheelTarget('tensorflow/libtensorflow_cc.so.2')).toBe('lib/libtensorflow_cc.so.2');
    expect(tensorflowWheelTarget('tensorflow/libtensorflow_framework.so.2')).toBe('lib/libtensorflow_framework.so.2');
    expect(tensorflowWheelTarget('tensorflow/include/tensorflow/c/eager/c_api.h')).toBe(
      'include/tensorflow/c/eager/c_api.h',
    );
    expect(tensorflowWheelTarget('tensorflow/include/tensorflow/core/platform/ctstring_internal.h')).toBe(
      'include/tensorflow/core/platform/ctstring_internal.h',
    );
    expect(tensorflowWheelTarget('tensorflow/include/tsl/platform/ctstring.h')).toBe('include/tsl/platform/ctstring.h');
    expect(tensorflowWheelTarget('tensorflow/include/xla/tsl/c/tsl_status.h')).toBe('include/xla/tsl/c/tsl_status.h');
    // C++ headers for Python extensions, Python modules and other libraries stay in the wheel.
    expect(tensorflowWheelTarget('tensorflow/include/tensorflow/core/framework/tensor.h')).toBeUndefined();
    expect(tensorflowWheelTarget('tensorflow/include/Eigen/Core')).toBeUndefined();
    expect(tensorflowWheelTarget('tensorflow/python/_pywrap_tensorflow_internal.so')).toBeUndefined();
    expect(tensorflowWheelTarget('tensorflow/include/tensorflow/c/')).toBeUndefined();
  });

  it('puts every NVIDIA wheel library into one flat cuda/lib', () => {
    expect(cudaWheelTarget('nvidia/cudnn/lib/libcudnn.so.9')).toBe('cuda/lib/libcudnn.so.9');
    expect(cudaWheelTarget('nvidia/cuda_runtime/lib/libcudart.so.12')).toBe('cuda/lib/libcudart.so.12');
    expect(cudaWheelTarget('nvidia/cudnn/include/cudnn.h')).toBeUndefined();
    expect(cudaWheelTarget('nvidia/__init__.py')).toBeUndefined();
  });

  it('reads wheel names and picks the newest usable wheel of the right project', () => {
    expect(parseWheelName(`/x/${cpuWheel}`)).toEqual({
      project: 'tensorflow-cpu',
      version: '2.21.0',
      python: 'cp311',
      abi: 'cp311',
      platform: 'manylinux_2_27_x86_64',
    });
    expect(parseWheelName('notes.txt')).toBeUndefined();
    expect(unpackedFolderName(parseWheelName(cpuWheel)!)).toBe('tensorflow-cpu-2.21.0-manylinux_2_27_x86_64');
    const files = [
      'tensorflow_cpu-2.9.0-cp310-cp310-manylinux_2_17_x86_64.whl',
      cpuWheel,
      'tensorflow_cpu-2.22.0-cp311-cp311-macosx_12_0_arm64.whl',
      'tensorflow-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl',
    ];
    expect(pickWheel(files, 'cpu')).toBe(cpuWheel);
    expect(pickWheel(files, 'gpu')).toBe('tensorflow-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl');
    expect(pickWheel(['keras-3.0.0-py3-none-any.whl'], 'cpu')).toBeUndefined();
  });

  it('lists the CUDA wheels of the "and-cuda" extra from METADATA', () => {
    const metadata = [
      'Requires-Dist: numpy>=1.26.0',
      'Requires-Dist: nvidia-cublas-cu12<13.0,>=12.5.3.2; extra == "and-cuda"',
      'Requires-Dist: nvidia-cudnn-cu12 (<10.0,>=9.3.0.75) ; extra == "and-cuda"',
      'Requires-Dist: tensorflow-io-gcs-filesystem>=0.23.1; extra == "gcs-filesystem"',
    ].join('\n');
    expect(cudaRequirements(metadata)).toEqual([
      'nvidia-cublas-cu12<13.0,>=12.5.3.2',
      'nvidia-cudnn-cu12<10.0,>=9.3.0.75',
    ]);
    expect(requirementProject('nvidia-cudnn-cu12<10.0,>=9.3.0.75')).toBe('nvidia-cudnn-cu12');
    expect(cudaRequirements('Requires-Dist: numpy')).toEqual([]);
  });
});

describe('CUDA library check', () => {
  const system = parseLdconfig(
    [
      "1234 libs found in cache `/etc/ld.so.cache'",
      '\tlibcuda.so.1 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcuda.so.1',
      '\tlibcudart.so.12 (libc6) => /usr/lib32/libcudart.so.12',
      '\tlibcufft.so.11 (libc6,x86-64) => /usr/local/cuda/lib64/libcufft.so.11',
    ].join('\n'),
  );

  it('parses 64-bit entries of ldconfig -p', () => {
    expect(system.get('libcuda.so.1')).toBe('/usr/lib/x86_64-linux-gnu/libcuda.so.1');
    expect(system.has('libcudart.so.12')).toBe(false);
  });

  it('finds bundled libraries with their wheel versions, then system ones, and names what is missing', () => {
    const checks = checkCudaLibraries({
      bundled: ['libcudart.so.12', 'libcudnn.so.9', 'libcudnn_graph.so.9'],
      bundledDir: '/libs/cuda/lib',
      manifest: {
        flavor: 'gpu',
        wheel: 'w',
        tensorflow: '2.21.0',
        cuda: [{ wheel: 'x.whl', project: 'nvidia-cudnn-cu12', version: '9.3.0.75' }],
      },
      system,
    });
    const by = new Map(checks.map((c) => [c.soname, c]));
    expect(by.get('libcudnn.so.9')).toEqual({
      soname: 'libcudnn.so.9',
      what: 'cuDNN 9',
      path: '/libs/cuda/lib/libcudnn.so.9',
      version: '9.3.0.75',
    });
    expect(by.get('libcufft.so.11')!.path).toBe('/usr/local/cuda/lib64/libcufft.so.11');
    expect(by.get('libcuda.so.1')!.path).toBe('/usr/lib/x86_64-linux-gnu/libcuda.so.1');
    expect(by.get('libcublas.so.12')!.path).toBeUndefined();
    const advice = missingCudaAdvice(checks);
    expect(advice).toContain('libcublas.so.12 (cuBLAS) is missing: it comes with the nvidia-cublas-cu12 wheel.');
    expect(advice.at(-1)).toMatch(
      /^Put nvidia-nvjitlink-cu12, nvidia-cublas-cu12, .* wheels next to the TensorFlow wheel/,
    );
    expect(advice.some((a) => a.includes('libcufft'))).toBe(false);
  });

  it('asks for the NVIDIA driver when libcuda.so.1 is missing', () => {
    const checks = checkCudaLibraries({ bundled: [], bundledDir: '/l', system: new Map() });
    expect(missingCudaAdvice(checks)).toContain(
      'libcuda.so.1 is missing: install the NVIDIA driver (525 or newer for CUDA 12).',
    );
  });
});
