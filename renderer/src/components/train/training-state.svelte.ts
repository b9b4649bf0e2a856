import type {
  EngineInfo,
  KerasEngineStatus,
  ModelPresetInfo,
  NamedConfig,
  RunDetails,
  RunInfo,
  SampleDataset,
  ScanReport,
  WireError,
} from '../../../../main/contract';
import {
  applyLiveEvents,
  emptySnapshot,
  mergeDetails,
  trainingElsewhere,
  type LiveEvent,
  type LiveSnapshot,
} from './live';
import {
  buildTrainRequest,
  fieldOfServerError,
  initialValues,
  knobsFromConfig,
  knobsFromDefaults,
  knobsFromPreset,
  type FieldErrors,
  type TrainField,
  type TrainFormValues,
} from './train-form';
import type { AppState } from '../../lib/app-state.svelte';
import { isDisconnected, LabClientError, type LabClient } from '../../lib/lab-client';
import { onePerSession } from '../../lib/session-lived.svelte';
import { datasetStateFor } from '../datasets/dataset-state.svelte';
import { messageOf } from '../../lib/message-of';

const wireOf = (error: unknown): WireError =>
  error instanceof LabClientError
    ? { code: error.code, message: error.message }
    : { code: 'INTERNAL', message: messageOf(error) };

/** Runs a callback before the next paint (injectable, so the queue can be driven by hand). */
export type Schedule = (callback: () => void) => void;

const nextFrame: Schedule = (callback) => {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => callback());
  else setTimeout(callback, 16);
};

/**
 * The Train page: the form (dataset, model, knobs), starting a run, and the live view of the
 * run being trained — or the last one trained in this session. One instance per app session
 * (`trainingStateFor`), subscribed to the training events from its first `init` on, so the
 * history is complete when the user comes back to the page.
 *
 * Events are not applied as they arrive: they are queued and applied together once per
 * animation frame, so a burst of progress messages costs one render.
 */
export class TrainingState {
  readonly lab: LabClient;
  readonly #app: AppState;
  readonly #schedule: Schedule;

  samples = $state.raw<SampleDataset[]>([]);
  presets = $state.raw<ModelPresetInfo[]>([]);
  configs = $state.raw<NamedConfig[]>([]);
  loadError = $state<string | null>(null);
  ready = $state(false);

  values = $state<TrainFormValues>(initialValues());
  /** Problems found in the form before sending it. */
  formErrors = $state.raw<FieldErrors>({});
  starting = $state(false);
  /** Why the engine refused to start the run (its code and message), and the field it names. */
  startError = $state.raw<(WireError & { field?: TrainField }) | null>(null);

  /** The run shown in the live view, its curves, progress and log. */
  live = $state.raw<LiveSnapshot | null>(null);
  stopping = $state(false);
  resuming = $state(false);
  /** A stop or resume that failed, said for the user. */
  actionError = $state<string | null>(null);
  /** The Keras engine's availability (null: still asking the Python, which takes seconds). */
  keras = $state.raw<KerasEngineStatus | null>(null);
  kerasError = $state<string | null>(null);
  checkingKeras = $state(false);

  /** Field errors shown: the form's own, else the one the engine named. */
  errors: FieldErrors = $derived(
    Object.keys(this.formErrors).length > 0
      ? this.formErrors
      : this.startError?.field
        ? { [this.startError.field]: this.startError.message }
        : {},
  );
  run: RunInfo | null = $derived(this.live?.run ?? null);
  running = $derived(this.run?.status === 'running');
  presetInfo = $derived(this.presets.find((p) => p.id === this.values.preset));

  #pending: LiveEvent[] = [];
  #frameQueued = false;
  #stops: (() => void)[] = [];
  #started = false;
  #initialising: Promise<void> | null = null;

  constructor(app: AppState, options: { schedule?: Schedule } = {}) {
    this.#app = app;
    this.lab = app.lab;
    this.#schedule = options.schedule ?? nextFrame;
  }

  /** The running tfjs engine (the "Built-in" choice), once known. */
  get builtinEngine(): EngineInfo | null {
    return this.#app.engine.state === 'ready' ? this.#app.engine.info : null;
  }

  /** The dataset folder chosen on the Datasets page ("Train on this dataset"), if any. */
  get chosenDataset(): string | null {
    return this.#app.datasetPath;
  }

  /** The health report of the folder in the form, when the Datasets page scanned it this session. */
  get datasetReport(): ScanReport | null {
    const report = datasetStateFor(this.#app).report;
    if (!report || this.values.datasetSource !== 'path') return null;
    const path = this.values.path.trim().replace(/[\\/]+$/, '');
    return path === report.root ? report : null;
  }

  /** The chosen dataset the form last switched to, so a new choice is taken once. */
  #appliedChoice: string | null = null;

  /** Puts a newly chosen dataset in the form (called on each visit to the page). */
  takeChosenDataset(): void {
    const chosen = this.chosenDataset;
    if (!chosen || chosen === this.#appliedChoice) return;
    this.#appliedChoice = chosen;
    this.values.datasetSource = 'path';
    this.values.path = chosen;
    this.edited('dataset');
    this.#rememberFolder(chosen);
  }

  /** Saves the form's dataset folder (null: a sample) in the settings, so a reload shows it again. */
  #rememberFolder(folder: string | null): void {
    this.lab.updateSettings({ trainFolder: folder }).catch((error: unknown) => {
      if (!isDisconnected(error))
        this.#app.notice = `Could not remember the dataset folder for the next visit: ${messageOf(error)}`;
    });
  }

  /** Subscribes (once) and loads what the form offers and the run training now, if any. */
  init(): Promise<void> {
    if (!this.#started) {
      this.#started = true;
      const lab = this.lab;
      this.#stops.push(
        lab.on('trainProgress', (payload) => this.#queue({ type: 'progress', payload })),
        lab.on('trainEpoch', (payload) => this.#queue({ type: 'epoch', payload })),
        lab.on('trainEstimate', (payload) => this.#queue({ type: 'estimate', payload })),
        lab.on('trainLog', (payload) => this.#queue({ type: 'log', payload, time: new Date().toISOString() })),
        lab.on('runUpdated', (payload) => this.#queue({ type: 'run', payload })),
        lab.onConnectionChange((state) => {
          // Events sent while the socket was down are lost: fetch the run's record again.
          if (state === 'connected' && this.live) void this.#loadDetails(this.live.runId);
        }),
      );
    }
    if (!this.ready || this.loadError) this.#initialising ??= this.#load().finally(() => (this.#initialising = null));
    return this.#initialising ?? Promise.resolve();
  }

  dispose(): void {
    for (const stop of this.#stops.splice(0)) stop();
    this.#started = false;
  }

  /** Asks (once per session, or again with `refresh`) whether the Keras engine can train. */
  async checkKeras(refresh = false): Promise<void> {
    if (this.checkingKeras) return;
    this.checkingKeras = true;
    this.kerasError = null;
    try {
      this.keras = await this.lab.getKerasEngine(refresh);
      if (!this.keras.found && this.values.engine === 'keras') this.values.engine = 'builtin';
    } catch (error) {
      this.kerasError = `Could not check the Keras engine: ${messageOf(error)}`;
    } finally {
      this.checkingKeras = false;
    }
  }

  async #load(): Promise<void> {
    this.loadError = null;
    if (!this.keras) void this.checkKeras();
    try {
      const [samples, presets, configs, defaults, runs, settings] = await Promise.all([
        this.lab.listSamples(),
        this.lab.listModelPresets(),
        this.lab.listConfigs(),
        this.lab.checkTrainingSettings({}),
        this.lab.listRuns(),
        this.lab.getSettings(),
      ]);
      this.samples = samples;
      this.presets = presets;
      this.configs = configs.configs;
      if (!this.ready) {
        const values: TrainFormValues = {
          ...this.values,
          ...(defaults.ok ? knobsFromDefaults(defaults.settings) : {}),
        };
        values.sampleId = samples[0]?.id ?? '';
        if (samples.length === 0) values.datasetSource = 'path';
        // The folder of the last visit (a dataset chosen in this session, below, comes first).
        if (settings.trainFolder) Object.assign(values, { datasetSource: 'path', path: settings.trainFolder });
        if (!presets.some((p) => p.id === values.preset)) values.preset = presets[0]?.id ?? '';
        Object.assign(values, knobsFromPreset(presets.find((p) => p.id === values.preset)));
        this.values = values;
        this.takeChosenDataset();
      }
      this.ready = true;
      const running = runs.find(
        (entry): entry is { id: string; run: RunInfo } => 'run' in entry && entry.run.status === 'running',
      );
      if (running && this.live?.runId !== running.id) this.#show(running.run);
    } catch (error) {
      this.loadError = `Could not load what training needs: ${messageOf(error)}`;
    }
  }

  /** Configs saved on the Model page since the form loaded. */
  async reloadConfigs(): Promise<void> {
    try {
      this.configs = (await this.lab.listConfigs()).configs;
    } catch (error) {
      if (!isDisconnected(error)) this.loadError = `Could not list the saved configs: ${messageOf(error)}`;
    }
  }

  choosePreset(id: string): void {
    this.values.modelSource = 'preset';
    this.values.preset = id;
    Object.assign(this.values, knobsFromPreset(this.presets.find((p) => p.id === id)));
    this.#clearError('model');
  }

  chooseConfig(name: string): void {
    this.values.modelSource = 'config';
    this.values.configName = name;
    Object.assign(this.values, knobsFromConfig(this.configs.find((c) => c.name === name)));
    this.#clearError('model');
  }

  /** A field was edited: its error no longer applies. */
  edited(field: TrainField): void {
    this.#clearError(field);
  }

  #clearError(field: TrainField): void {
    if (this.formErrors[field]) {
      const { [field]: _gone, ...rest } = this.formErrors;
      this.formErrors = rest;
    }
    if (this.startError?.field === field) this.startError = null;
  }

  /** Checks the form and starts the run; the engine's refusal lands in `startError`. */
  async train(): Promise<boolean> {
    const built = buildTrainRequest(this.values, { samples: this.samples, configs: this.configs });
    this.startError = null;
    if (!built.ok) {
      this.formErrors = built.errors;
      return false;
    }
    this.formErrors = {};
    this.starting = true;
    try {
      // The augmentation chosen (and previewed) on the Datasets page trains the run; it is
      // recorded in the run's config.
      const augment = $state.snapshot(datasetStateFor(this.#app).augment);
      const run = await this.lab.startTraining({ ...built.request, augment });
      this.#rememberFolder(this.values.datasetSource === 'path' ? built.request.dataset : null);
      this.actionError = null;
      this.#show(run);
      return true;
    } catch (error) {
      const wire = wireOf(error);
      const field = fieldOfServerError(wire.code, wire.message);
      this.startError = field ? { ...wire, field } : wire;
      return false;
    } finally {
      this.starting = false;
    }
  }

  async stop(): Promise<void> {
    const run = this.run;
    if (!run) return;
    this.stopping = true;
    this.actionError = null;
    try {
      await this.lab.stopTraining(run.id);
    } catch (error) {
      this.stopping = false;
      this.actionError = `Could not stop the run: ${messageOf(error)}`;
    }
    // `stopping` ends when the run's record says it is no longer running.
  }

  async resume(runId = this.run?.id): Promise<void> {
    if (!runId) return;
    this.resuming = true;
    this.actionError = null;
    try {
      const run = await this.lab.resumeRun(runId);
      this.#show(run);
    } catch (error) {
      this.actionError = `Could not resume the run: ${messageOf(error)}`;
    } finally {
      this.resuming = false;
    }
  }

  /** Shows `run` in the live view: a different run starts a fresh view and fetches its history. */
  #show(run: RunInfo): void {
    if (this.live?.runId === run.id) {
      // Resumed: the last session's progress no longer applies.
      const restarted = run.status === 'running' && this.live.run?.status !== 'running';
      if (!this.live.run || this.live.run.updatedAt <= run.updatedAt)
        this.live = { ...this.live, run, ...(restarted ? { progress: null } : {}) };
    } else {
      this.live = emptySnapshot(run.id, run);
      this.stopping = false;
    }
    void this.#loadDetails(run.id);
  }

  async #loadDetails(runId: string): Promise<void> {
    try {
      const details: RunDetails = await this.lab.getRun(runId);
      if (this.live?.runId === runId) this.live = mergeDetails(this.live, details);
    } catch (error) {
      if (!isDisconnected(error) && this.live?.runId === runId)
        this.actionError = `Could not read the run's history: ${messageOf(error)}`;
    }
  }

  #queue(event: LiveEvent): void {
    this.#pending.push(event);
    if (this.#frameQueued) return;
    this.#frameQueued = true;
    this.#schedule(() => this.flush());
  }

  /** Applies the queued events (once per animation frame; tests call it directly). */
  flush(): void {
    this.#frameQueued = false;
    const events = this.#pending.splice(0);
    if (events.length === 0) return;
    const other = trainingElsewhere(this.live?.runId, events);
    if (other) {
      this.live = emptySnapshot(other.runId, other.run);
      this.stopping = false;
    }
    if (!this.live) return;
    this.live = applyLiveEvents(this.live, events);
    if (other) void this.#loadDetails(this.live.runId);
    if (this.live.run && this.live.run.status !== 'running') this.stopping = false;
    const deleted = events.some((e) => e.type === 'run' && e.payload.deleted && e.payload.runId === this.live?.runId);
    if (deleted) this.live = null;
  }
}

/** The app session's one Train page state. */
export const trainingStateFor = onePerSession((app) => new TrainingState(app));
