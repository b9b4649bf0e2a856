export { default as ComparePanel } from './ComparePanel.svelte';
export { default as CompareTable } from './CompareTable.svelte';
export { default as ConfigDiff } from './ConfigDiff.svelte';
export * from './compare-view';
