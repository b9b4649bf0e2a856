import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';

// The renderer: one Vite build used by Electron (loaded from the app:// protocol) and by
// browser mode (served by `xlab serve`). Relative asset URLs (`base: './'`) work for both.
export default defineConfig({
  root: fileURLToPath(new URL('./renderer', import.meta.url)),
  base: './',
  // The root is renderer/, so point the plugin at the repo's svelte.config.js explicitly.
  plugins: [svelte({ configFile: fileURLToPath(new URL('./svelte.config.js', import.meta.url)) })],
  build: {
    outDir: fileURLToPath(new URL('./out/renderer', import.meta.url)),
    emptyOutDir: true,
    // Electron 40 and current browsers: no legacy transforms needed.
    target: 'es2022',
    sourcemap: true,
    // No inline <script> or data: module preloads: the CSP is `script-src 'self'`.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    // Rolldown's "[PLUGIN_TIMINGS] JavaScript callbacks ran for …" block on every build: Svelte's
    // compiler is the plugin, and it is expected to take the time. `npm run bench` measures speed.
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
  server: {
    // The renderer imports main/contract.ts from outside its root.
    fs: { allow: [fileURLToPath(new URL('.', import.meta.url))] },
  },
});
