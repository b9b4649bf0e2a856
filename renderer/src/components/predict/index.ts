export { default as PredictPanel } from './PredictPanel.svelte';
export * from './collect-files';
export * from './predict-view';
