/**
 * The training engines the engine suite runs on here: the pure-JS engine always; native
 * TensorFlow (tfjs-node) when it is built in this checkout ("xlab engine build-native", which
 * .ci/run does when pip's index has a TensorFlow wheel).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './built';

export interface TestEngine {
  /** XLAB_BACKEND value. */
  backend: 'js' | 'cpu';
  /** EngineInfo.name it loads. */
  name: 'tfjs' | 'tfjs-node';
}

function nativeBuilt(): boolean {
  const lib = join(repoRoot, 'node_modules', '@tensorflow', 'tfjs-node', 'lib');
  return existsSync(lib) && readdirSync(lib).some((d) => existsSync(join(lib, d, 'tfjs_binding.node')));
}

/** Why the native engine tests are skipped here, or undefined when they run. */
export const nativeSkipReason: string | undefined = nativeBuilt()
  ? undefined
  : 'native engine tests skipped: tfjs-node is not built here (run "npx xlab engine build-native"; .ci/run does when pip can fetch a TensorFlow wheel)';

export const nativeAvailable = nativeSkipReason === undefined;

export const testEngines: TestEngine[] = [
  { backend: 'js', name: 'tfjs' },
  ...(nativeAvailable ? [{ backend: 'cpu' as const, name: 'tfjs-node' as const }] : []),
];

/** The engine a lab picks with XLAB_BACKEND unset. */
export const defaultEngine: TestEngine = testEngines.at(-1)!;

let announced = false;
/** Prints the skip reason once per test file (one line, in the CI log). */
export function announceNativeSkip(): void {
  if (nativeSkipReason && !announced) {
    announced = true;
    console.warn(nativeSkipReason);
  }
}
