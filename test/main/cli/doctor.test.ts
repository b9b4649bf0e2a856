import { describe, expect, it } from 'vitest';
import type { EngineInfo } from '../../../main/contract';
import { formatDoctor, suggestionsFor } from '../../../main/cli/doctor';

const engine = (over: Partial<EngineInfo>): EngineInfo => ({ name: 'tfjs', device: 'cpu', reason: '', backend: 'cpu', version: '4.22.0', ...over });

describe('suggestionsFor', () => {
  it('suggests native CPU then GPU on the pure-JS engine', () => {
    const s = suggestionsFor(engine({}), 'linux');
    expect(s[0]).toContain('npm install @tensorflow/tfjs-node"');
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
    const text = formatDoctor({ version: '0.1.0', dataDir: '/d', node: '20', platform: 'linux-x64', engine: engine({ reason: 'why' }), suggestions: ['x'] });
    expect(text).toContain('Engine:      tfjs 4.22.0 on CPU');
    expect(text).toContain('Why:         why');
    expect(text).toContain('  - x');
  });
});
