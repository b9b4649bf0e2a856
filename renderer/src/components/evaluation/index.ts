export { default as ConfusionMatrix } from './ConfusionMatrix.svelte';
export { default as EvaluationPanel } from './EvaluationPanel.svelte';
export { default as ImageGallery } from './ImageGallery.svelte';
export * from './eval-view';
