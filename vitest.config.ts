import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  resolve: {
    // electron/ code is unit-tested against one shared stand-in; the binary never runs in tests.
    alias: { electron: fileURLToPath(new URL('./test/mocks/electron.ts', import.meta.url)) },
  },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // Generous: on a shared 2-core machine (load 4–10) a tiny training run that takes 5 s idle
    // can take a minute. Speed is checked by `npm run bench`, never by a test's timeout.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // Each test file in its own child process with fresh modules: tfjs keeps its engine and
    // backend in process-wide state, so a file whose test failed or timed out mid-training
    // cannot leave a half-disposed backend to the next file. (Vitest 4's defaults, pinned.)
    pool: 'forks',
    isolate: true,
    // Two cores: the engine tests start a worker that loads tfjs, the e2e test a browser.
    maxWorkers: 2,
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    // Tests that load pure-JS tfjs themselves get its "Hi, looks like you are running TensorFlow.js
    // in Node.js" banner on their first tensor (the engine skips it: skipNodeGreeting); not worth
    // a screenful per file.
    onConsoleLog: (log) => !log.includes('looks like you are running TensorFlow.js in Node.js'),
  },
});
