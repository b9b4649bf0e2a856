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
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: the engine tests start a worker that loads tfjs, the e2e test a browser.
    maxWorkers: 2,
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    // Tests that load pure-JS tfjs themselves get its "Hi, looks like you are running TensorFlow.js
    // in Node.js" banner on their first tensor (the engine skips it: skipNodeGreeting); not worth
    // a screenful per file.
    onConsoleLog: (log) => !log.includes('looks like you are running TensorFlow.js in Node.js'),
  },
});
