export { default as ConfirmDialog } from './ConfirmDialog.svelte';
export { default as ModelExport } from './ModelExport.svelte';
export { default as RunDetailsPanel } from './RunDetailsPanel.svelte';
export { default as RunsTable } from './RunsTable.svelte';
export { default as StatusBadge } from './StatusBadge.svelte';
export * from './runs-table';
