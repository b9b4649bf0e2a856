// ESLint: typescript-eslint and eslint-plugin-svelte's recommended rules, plus the import
// boundaries that keep the rooms apart (README "Layout"): only electron/ imports electron; the
// renderer reaches into main/ only for the contract and a few pure shared modules; main/ never
// imports the renderer. Formatting is Prettier's job (eslint-config-prettier turns style rules off).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';

/** What renderer code may import from main/: declarations and pure helpers, no Node APIs. */
const rendererMayImport = [
  'contract',
  'contract-schemas',
  'dataset/image/augment-ranges',
  'events',
  'format',
  'models/limits',
  'models/config-diff',
  'models/monitor',
  'reports/baseline-delta',
];

/** Where any renderer file may not reach. */
const rendererPatterns = [
  {
    regex: `^(\\.\\./)+main/(?!(${rendererMayImport.join('|')})$)`,
    message: `The renderer imports from main/ only ${rendererMayImport.join(', ')}: everything else runs behind the contract.`,
  },
  { regex: '^node:', message: 'The renderer runs in a browser: no Node built-ins.' },
];

const noElectron = {
  name: 'electron',
  message: 'Only electron/ imports electron: main/ stays plain Node and the renderer talks through the contract.',
};

export default ts.config(
  { ignores: ['out/', 'dist/', 'node_modules/', 'release/', 'coverage/', '**/*.d.ts', 'assets/'] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  prettier,
  ...svelte.configs.prettier,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // `typeof import('@tensorflow/tfjs')` names the engine's type without loading it.
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      'no-restricted-imports': ['error', { paths: [noElectron] }],
      // Terminal and file-name cleaning match control characters on purpose.
      'no-control-regex': 'off',
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'] } },
    rules: {
      // State classes replace collections ($state.raw style: a new Set/Map is built and assigned),
      // they never mutate one in place, so the reactive SvelteSet/SvelteMap would only cost.
      'svelte/prefer-svelte-reactivity': 'off',
    },
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectron],
          patterns: rendererPatterns,
        },
      ],
    },
  },
  {
    // lib/ is the app-wide layer (connection, client, app state) under every feature folder.
    files: ['renderer/src/lib/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectron],
          patterns: [
            ...rendererPatterns,
            {
              regex: '(^|/)components/',
              message: 'lib/ never imports components/: a feature state lives in its components folder.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['main/**', 'bin/**', 'scripts/**', 'bench/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectron],
          patterns: [{ regex: '(^|/)renderer/', message: 'main/ never imports the renderer.' }],
        },
      ],
    },
  },
  {
    files: ['electron/**', 'test/electron/**', 'test/mocks/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
