/**
 * Whether the Keras engine can train here, for the Train page: the Python found, or every
 * candidate tried with its problem and the one-line fix. Asking imports TensorFlow (seconds),
 * so the answer is kept for the session until a refresh ("Check again").
 */
import type { KerasEngineStatus } from '../contract';
import type { PythonProbe } from './python-env';

export const kerasFix =
  'Run "npx xlab engine setup-keras" (it installs TensorFlow, Keras and Pillow), then check again.';

export type FindPython = () => Promise<{ found?: PythonProbe; tried: PythonProbe[] }>;

/** The status call: probes once, shares the answer; `refresh` probes again; a failed probe is not kept. */
export function createKerasStatus(find: FindPython): (refresh?: boolean) => Promise<KerasEngineStatus> {
  let cached: Promise<KerasEngineStatus> | undefined;
  return (refresh = false) => {
    if (!cached || refresh) {
      const asked = find().then(({ found, tried }) => ({ ...(found ? { found } : {}), tried, fix: kerasFix }));
      cached = asked;
      asked.catch(() => {
        if (cached === asked) cached = undefined;
      });
    }
    return cached;
  };
}
