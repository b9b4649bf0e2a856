export {
  AppState,
  isPageId,
  nextTheme,
  pages,
  type EngineStatus,
  type PageId,
  type ResolvedTheme,
} from './app-state.svelte';
export { connectLab } from './connect';
export { createLabClient, bridgeTransport, unwrap, LabClientError, type LabClient } from './lab-client';
export type { ConnectionState } from './transport';
