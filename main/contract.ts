/**
 * The one contract between the lab's engine and every front end.
 *
 * Every call the renderer can make (`LabApi`) and every event the engine pushes (`LabEvents`)
 * is declared here once. The preload bridge, the Electron IPC handlers, the browser-mode
 * WebSocket transport and the renderer's client are all built from `labMethods` / `labEvents`,
 * and the compile-time checks at the bottom make a call that is declared but not listed (or
 * listed but not declared) a type error. This file has no imports on purpose: it is shared by
 * Node, the preload and the browser.
 */

/** Which training library really runs. */
export type EngineName = 'tfjs-node-gpu' | 'tfjs-node' | 'tfjs';

/** What the training worker loaded, on which device, and why that one. */
export interface EngineInfo {
  name: EngineName;
  device: 'gpu' | 'cpu';
  /** One sentence a user can read: why this engine and not a faster one. */
  reason: string;
  /** The tfjs backend name (`tensorflow` for native, `cpu` for pure JS). */
  backend: string;
  /** Version of the loaded tfjs package. */
  version: string;
}

export interface AppInfo {
  name: string;
  version: string;
  /** Where runs, caches and settings live. */
  dataDir: string;
  platform: string;
  arch: string;
  versions: { node: string; electron?: string; chrome?: string };
}

export type ThemeSetting = 'system' | 'light' | 'dark';

export interface Settings {
  theme: ThemeSetting;
}

/** A small dataset shipped inside the app so a new user can train at once. */
export interface SampleDataset {
  id: string;
  name: string;
  description: string;
  /** Absolute folder path, usable wherever a dataset path is accepted. */
  path: string;
  classes: { name: string; images: number }[];
  images: number;
  license: string;
}

/** A model preset: a starting point whose every field stays editable. */
export interface ModelPresetInfo {
  id: string;
  title: string;
  description: string;
  suggestedSizes: { min: number; max: number };
  /** The preset's full config (every field filled in). */
  config: Record<string, unknown>;
}

/** What the UI sends to describe a model: a preset id plus the fields the user changed. */
export interface ModelRequest {
  preset?: string;
  [field: string]: unknown;
}

/** A problem with one field of a model config or training settings, shown next to that field. */
export interface FieldIssue {
  /** The field name (`classes`, `widthMultiplier`, …), `preset`, or `config` for the whole. */
  field: string;
  message: string;
}

export interface ModelSummaryRow {
  name: string;
  type: string;
  /** Batch first; `null` = any batch size. */
  outputShape: (number | null)[];
  params: number;
  connectedTo: string[];
}

/** Everything the Model page shows about a valid config, computed from the real model. */
export interface ModelDescription {
  /** The resolved config, every field filled in. */
  config: Record<string, unknown>;
  summary: {
    name: string;
    rows: ModelSummaryRow[];
    totals: { params: number; trainableParams: number; nonTrainableParams: number };
  };
  cost: {
    batchSize: number;
    /** 2 × multiply-adds per image. */
    flopsPerImage: number;
    /** float32 bytes of every layer's output for one batch. */
    activationBytes: number;
    params: number;
    paramBytes: number;
    layers: { name: string; flops: number; activationBytes: number }[];
  };
  /** Entry / Middle / Exit, their blocks and each block's layers, for the flow diagram. */
  flows: { flow: 'entry' | 'middle' | 'exit'; blocks: { block: string; layers: string[] }[] }[];
}

export type DescribeModelResult = { ok: true; model: ModelDescription } | { ok: false; issues: FieldIssue[] };

export type TrainingSettingsResult = { ok: true; settings: Record<string, unknown> } | { ok: false; issues: FieldIssue[] };

/** A model config and its training settings saved under a name. */
export interface NamedConfig {
  name: string;
  model: ModelRequest;
  training: Record<string, unknown>;
  savedAt: string;
}

/** Every call a front end can make. All calls are async; errors arrive as `WireError`. */
export interface LabApi {
  getAppInfo(): Promise<AppInfo>;
  getEngine(): Promise<EngineInfo>;
  getSettings(): Promise<Settings>;
  updateSettings(patch: Partial<Settings>): Promise<Settings>;
  listSamples(): Promise<SampleDataset[]>;
  /** The recent log (engine messages, warnings), oldest first; new entries arrive as `log` events. */
  getLog(): Promise<LogEntry[]>;

  listModelPresets(): Promise<ModelPresetInfo[]>;
  /** Validates a model request; when valid, builds it (in the training worker) and describes it. */
  describeModel(request: ModelRequest, batchSize?: number): Promise<DescribeModelResult>;
  /** Validates training settings and fills in defaults (`{}` gives all the defaults). */
  checkTrainingSettings(settings: Record<string, unknown>): Promise<TrainingSettingsResult>;
  listConfigs(): Promise<{ configs: NamedConfig[]; problems: string[] }>;
  /** Saves a named config; an existing one is replaced only with `overwrite: true`. */
  saveConfig(config: { name: string; model: ModelRequest; training: Record<string, unknown> }, overwrite: boolean): Promise<NamedConfig>;
  deleteConfig(name: string): Promise<void>;
}

export interface LogEntry {
  level: 'info' | 'warn' | 'error';
  message: string;
  /** ISO 8601 time. */
  time: string;
}

/** Commands from the native menu (Electron only), delivered to the renderer. */
export type MenuCommand = 'open-dataset' | 'export-report' | 'toggle-dark-mode';

export interface MenuEvent {
  command: MenuCommand;
  /** For `open-dataset`: the folder the user picked in the native dialog. */
  path?: string;
}

/** Every event the back end pushes, with its payload. */
export interface LabEvents {
  engine: EngineInfo;
  log: LogEntry;
  menu: MenuEvent;
  /** Settings after any change, so every window and tab follows (e.g. the theme). */
  settings: Settings;
}

export type LabMethod = keyof LabApi;
export type LabEvent = keyof LabEvents;

/** The list every transport is built from. Adding a call means adding it here and in `LabApi`. */
export const labMethods = [
  'getAppInfo',
  'getEngine',
  'getSettings',
  'updateSettings',
  'listSamples',
  'getLog',
  'listModelPresets',
  'describeModel',
  'checkTrainingSettings',
  'listConfigs',
  'saveConfig',
  'deleteConfig',
] as const satisfies readonly LabMethod[];

export const labEvents = ['engine', 'log', 'menu', 'settings'] as const satisfies readonly LabEvent[];

/** A typed error as it crosses a process or network boundary. `message` is for the user. */
export interface WireError {
  code: string;
  message: string;
}

/** What every transport returns for a call: the value, or an error the UI can show as is. */
export type CallResult<T> = { ok: true; value: T } | { ok: false; error: WireError };

export type LabArgs<M extends LabMethod> = Parameters<LabApi[M]>;
export type LabResult<M extends LabMethod> = Awaited<ReturnType<LabApi[M]>>;

/**
 * What the Electron preload exposes as `window.lab`: each call returns its `CallResult`
 * (errors keep their code across the context bridge); `on` returns an unsubscribe.
 */
export type LabBridge = {
  [M in LabMethod]: (...args: LabArgs<M>) => Promise<CallResult<LabResult<M>>>;
} & {
  on<E extends LabEvent>(event: E, listener: (payload: LabEvents[E]) => void): () => void;
  /** The absolute path of a file or folder dropped on the window. */
  pathForFile(file: File): string;
};

/** Browser-mode WebSocket messages. */
export type ClientMessage = { type: 'call'; id: number; method: string; args: unknown[] };
export type ServerMessage =
  | { type: 'result'; id: number; result: CallResult<unknown> }
  | { type: 'event'; event: LabEvent; payload: unknown };

/** IPC channel names, derived from the lists so both sides agree. */
export const callChannel = (method: LabMethod): string => `lab:call:${method}`;
export const eventChannel = (event: LabEvent): string => `lab:event:${event}`;

// Compile-time completeness: a method or event missing from its list fails to type-check here.
type Unlisted<All, Listed> = Exclude<All, Listed>;
const everyMethodListed: [Unlisted<LabMethod, (typeof labMethods)[number]>] extends [never] ? true : never = true;
const everyEventListed: [Unlisted<LabEvent, (typeof labEvents)[number]>] extends [never] ? true : never = true;
void everyMethodListed;
void everyEventListed;
