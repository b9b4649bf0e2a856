export { default as DatasetsPage } from './DatasetsPage.svelte';
export { default as ModelPage } from './ModelPage.svelte';
export { default as ReportPage } from './ReportPage.svelte';
export { default as RunsPage } from './RunsPage.svelte';
export { default as TrainPage } from './TrainPage.svelte';
