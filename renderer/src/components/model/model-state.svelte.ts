import type {
  FieldIssue,
  ModelDescription,
  ModelPresetInfo,
  ModelRequest,
  NamedConfig,
} from '../../../../main/contract';
import {
  configDifferences,
  extraModelFields,
  formValues,
  isShown,
  modelFields,
  modelRequest,
  trainingFields,
  trainingRequest,
  type FormValues,
} from './model-form';
import { followedClasses, startingPreset, startingTraining, type FollowedDataset } from '../../lib/form-defaults';
import { LabClientError, type LabClient } from '../../lib/lab-client';
import { onePerSession } from '../../lib/session-lived.svelte';
import { messageOf } from '../../lib/message-of';

/** The compare picker's entry for the form as it is now (not saved). */
export const CURRENT_FORM = '\u0000current';

export interface ConfigNotice {
  tone: 'ok' | 'error';
  text: string;
}

/** A preset switch that replaced edited fields, so it can be undone. */
interface PresetUndo {
  preset: string;
  values: FormValues;
  extra: Record<string, unknown>;
  /** Title of the preset switched to. */
  to: string;
}

/**
 * The Model page's state: the form (a preset plus every field as typed), the last valid model
 * the engine described, field issues, and named configs. One instance lives for the app's
 * session (`modelStateFor`), so edits survive moving to another page and back.
 *
 * Requests are made by the page (debounced in an effect); `describe` and `checkTraining` drop
 * answers that arrive after a newer request was sent.
 */
export class ModelState {
  readonly lab: LabClient;

  presets = $state.raw<ModelPresetInfo[]>([]);
  trainingDefaults = $state.raw<Record<string, unknown> | null>(null);
  /** Why the presets or defaults could not be loaded. */
  loadError = $state<string | null>(null);

  preset = $state(startingPreset);
  /** The dataset opened on the Datasets page: the classes field follows its class count. */
  dataset = $state.raw<FollowedDataset | null>(null);
  modelValues = $state<FormValues>({});
  /** Fields of a loaded config that the form does not show (e.g. `includeTop`). */
  extraModel = $state.raw<Record<string, unknown>>({});
  trainingValues = $state<FormValues>({});
  presetUndo = $state.raw<PresetUndo | null>(null);

  /** The last model the engine described: kept while the current input is invalid. */
  model = $state.raw<ModelDescription | null>(null);
  modelIssues = $state.raw<FieldIssue[]>([]);
  describing = $state(false);
  /** The describe call itself failed (connection, engine), not the config. */
  describeError = $state<string | null>(null);
  trainingIssues = $state.raw<FieldIssue[]>([]);
  trainingError = $state<string | null>(null);

  configs = $state.raw<NamedConfig[]>([]);
  configProblems = $state.raw<string[]>([]);
  configName = $state('');
  /** A save hit an existing name: waiting for "Replace?". */
  replaceName = $state<string | null>(null);
  /** A delete waiting for confirmation. */
  deleteName = $state<string | null>(null);
  configNotice = $state.raw<ConfigNotice | null>(null);
  saving = $state(false);
  compareA = $state('');
  compareB = $state('');

  /** The request last sent (or answered), as a key: the page sends again only when it changes. */
  describedKey: string | null = null;
  checkedKey: string | null = null;
  #describeSeq = 0;
  #checkSeq = 0;
  #initialized = false;

  constructor(lab: LabClient) {
    this.lab = lab;
  }

  get ready(): boolean {
    return this.presets.length > 0 && this.trainingDefaults !== null && Object.keys(this.modelValues).length > 0;
  }

  get presetInfo(): ModelPresetInfo | undefined {
    return this.presets.find((p) => p.id === this.preset);
  }

  /** What `describeModel` gets: the preset plus the fields that differ from it. */
  get modelRequest(): ModelRequest {
    const preset = this.presetInfo;
    return preset ? modelRequest(preset, this.modelValues, this.extraModel) : { preset: this.preset };
  }

  get trainingRequest(): Record<string, unknown> {
    return trainingRequest(this.trainingValues);
  }

  /** The batch size for the activation memory: the one typed if it is valid, else the last valid one. */
  get batchSize(): number {
    const typed = this.trainingRequest.batchSize;
    if (typeof typed === 'number' && Number.isInteger(typed) && typed >= 1 && typed <= 4096) return typed;
    return this.model?.cost.batchSize ?? 32;
  }

  /** The form differs from its preset (something to lose on a preset switch). */
  get edited(): boolean {
    return Object.keys(this.modelRequest).some((field) => field !== 'preset');
  }

  /** The page shows an older model than the fields describe. */
  get showingLastValid(): boolean {
    return this.model !== null && this.modelIssues.length > 0;
  }

  /** The message for one field, or undefined. */
  issueFor(field: string): string | undefined {
    const messages = [...this.modelIssues, ...this.trainingIssues]
      .filter((i) => i.field === field)
      .map((i) => i.message);
    return messages.length > 0 ? messages.join(' ') : undefined;
  }

  /** Issues no visible field can show (`preset`, `config`, or a field hidden by the current settings). */
  get otherIssues(): FieldIssue[] {
    const shown = new Set<string>([
      ...modelFields.map((spec) => spec.name),
      ...trainingFields
        .filter((spec) => isShown(spec, this.trainingValues))
        .map((spec) => spec.issueField ?? spec.name),
    ]);
    return [...this.modelIssues, ...this.trainingIssues].filter((issue) => !shown.has(issue.field));
  }

  get hasIssues(): boolean {
    return this.modelIssues.length > 0 || this.trainingIssues.length > 0;
  }

  /** Loads presets and training defaults once, the saved configs every time the page opens. */
  async init(): Promise<void> {
    const configs = this.loadConfigs();
    if (this.#initialized && this.ready) return configs;
    this.loadError = null;
    try {
      const [presets, defaults] = await Promise.all([this.lab.listModelPresets(), this.lab.checkTrainingSettings({})]);
      if (!defaults.ok) throw new Error(defaults.issues.map((i) => i.message).join(' '));
      this.trainingDefaults = defaults.settings;
      this.presets = presets;
      if (!this.#initialized) {
        this.#initialized = true;
        const first = presets.find((p) => p.id === this.preset) ?? presets[0];
        if (first) this.#showPreset(first);
        this.trainingValues = formValues(trainingFields, startingTraining(defaults.settings));
      }
    } catch (error) {
      this.loadError = `Could not load the model presets: ${messageOf(error)}`;
    }
    await configs;
  }

  #showPreset(preset: ModelPresetInfo): void {
    this.preset = preset.id;
    this.modelValues = formValues(modelFields, this.#withDataset(preset.config));
    this.extraModel = {};
  }

  /** A preset's config with the followed dataset's class count. */
  #withDataset(config: ModelPresetInfo['config']): ModelPresetInfo['config'] {
    return this.dataset ? { ...config, classes: this.dataset.classes } : config;
  }

  /**
   * Follows the dataset opened on the Datasets page (or none): the classes field takes its class
   * count, unless it holds a count the user typed.
   */
  followDataset(dataset: FollowedDataset | null): void {
    const before = this.dataset;
    if (before?.name === dataset?.name && before?.classes === dataset?.classes) return;
    this.dataset = dataset;
    const presetClasses = this.presetInfo?.config.classes;
    const typed = this.modelValues.classes;
    if (typeof presetClasses !== 'number' || typeof typed !== 'string') return;
    this.modelValues = { ...this.modelValues, classes: followedClasses(typed, presetClasses, before, dataset) };
  }

  /** The classes field shows the followed dataset's count. */
  get followsDataset(): boolean {
    return this.dataset !== null && this.modelValues.classes === String(this.dataset.classes);
  }

  /** Shows the preset's values in every model field; edits can be brought back with `undoPreset`. */
  choosePreset(id: string): void {
    const preset = this.presets.find((p) => p.id === id);
    if (!preset || id === this.preset) return;
    this.presetUndo = this.edited
      ? { preset: this.preset, values: $state.snapshot(this.modelValues), extra: this.extraModel, to: preset.title }
      : null;
    this.#showPreset(preset);
  }

  undoPreset(): void {
    const undo = this.presetUndo;
    if (!undo) return;
    this.presetUndo = null;
    this.preset = undo.preset;
    this.modelValues = undo.values;
    this.extraModel = undo.extra;
  }

  /** Back to the preset's own values. */
  resetToPreset(): void {
    const preset = this.presetInfo;
    if (preset) this.#showPreset(preset);
    this.presetUndo = null;
  }

  /** Asks the engine about `request`; an answer to an older request is dropped. */
  async describe(request: ModelRequest, batchSize: number, key: string): Promise<void> {
    const seq = ++this.#describeSeq;
    this.describedKey = key;
    this.describing = true;
    try {
      const result = await this.lab.describeModel(request, batchSize);
      if (seq !== this.#describeSeq) return;
      this.describeError = null;
      if (result.ok) {
        this.model = result.model;
        this.modelIssues = [];
      } else {
        this.modelIssues = result.issues;
      }
    } catch (error) {
      if (seq !== this.#describeSeq) return;
      this.describedKey = null;
      this.describeError = `Could not describe the model: ${messageOf(error)}`;
    } finally {
      if (seq === this.#describeSeq) this.describing = false;
    }
  }

  async checkTraining(settings: Record<string, unknown>, key: string): Promise<void> {
    const seq = ++this.#checkSeq;
    this.checkedKey = key;
    try {
      const result = await this.lab.checkTrainingSettings(settings);
      if (seq !== this.#checkSeq) return;
      this.trainingError = null;
      this.trainingIssues = result.ok ? [] : result.issues;
    } catch (error) {
      if (seq !== this.#checkSeq) return;
      this.checkedKey = null;
      this.trainingError = `Could not check the training settings: ${messageOf(error)}`;
    }
  }

  async loadConfigs(): Promise<void> {
    try {
      const { configs, problems } = await this.lab.listConfigs();
      this.configs = configs;
      this.configProblems = problems;
      const names = new Set(configs.map((c) => c.name));
      if (this.compareA && this.compareA !== CURRENT_FORM && !names.has(this.compareA)) this.compareA = '';
      if (this.compareB && this.compareB !== CURRENT_FORM && !names.has(this.compareB)) this.compareB = '';
    } catch (error) {
      this.configNotice = { tone: 'error', text: `Could not list the saved configs: ${messageOf(error)}` };
    }
  }

  /** Saves the form under `configName`; an existing name asks first (`replaceName`), then `save(true)`. */
  async save(overwrite = false): Promise<void> {
    const name = this.configName.trim();
    this.deleteName = null;
    if (!name) {
      this.configNotice = { tone: 'error', text: 'Enter a name for this config.' };
      return;
    }
    if (this.hasIssues) {
      this.replaceName = null;
      this.configNotice = { tone: 'error', text: 'Fix the fields marked in red before saving.' };
      return;
    }
    this.saving = true;
    try {
      const saved = await this.lab.saveConfig(
        { name, model: this.modelRequest, training: this.trainingRequest },
        overwrite,
      );
      this.replaceName = null;
      this.configName = saved.name;
      this.configNotice = { tone: 'ok', text: `${overwrite ? 'Replaced' : 'Saved'} “${saved.name}”.` };
      await this.loadConfigs();
    } catch (error) {
      if (error instanceof LabClientError && error.code === 'CONFIG_EXISTS' && !overwrite) {
        this.replaceName = name;
        this.configNotice = null;
      } else {
        this.replaceName = null;
        this.configNotice = { tone: 'error', text: messageOf(error) };
      }
    } finally {
      this.saving = false;
    }
  }

  cancelReplace(): void {
    this.replaceName = null;
    this.configNotice = { tone: 'ok', text: 'Not saved: the existing config was kept.' };
  }

  /** Puts a saved config into the form. */
  load(config: NamedConfig): void {
    const { preset: id = 'xception' } = config.model;
    const preset = this.presets.find((p) => p.id === id);
    if (!preset || !this.trainingDefaults) {
      this.configNotice = {
        tone: 'error',
        text: `“${config.name}” uses the unknown preset "${id}"; it was not loaded.`,
      };
      return;
    }
    const given = Object.fromEntries(Object.entries(config.model).filter(([, v]) => v !== undefined));
    this.preset = preset.id;
    this.modelValues = formValues(modelFields, { ...preset.config, ...given });
    this.extraModel = extraModelFields(config.model);
    this.trainingValues = formValues(trainingFields, { ...this.trainingDefaults, ...config.training });
    this.presetUndo = null;
    this.replaceName = null;
    this.deleteName = null;
    this.configName = config.name;
    this.configNotice = { tone: 'ok', text: `Loaded “${config.name}”.` };
  }

  async remove(name: string): Promise<void> {
    this.deleteName = null;
    let failure: unknown;
    try {
      await this.lab.deleteConfig(name);
    } catch (error) {
      failure = error;
    }
    await this.loadConfigs();
    // A call that resolves to nothing reaches browser mode as `{ ok: true }` without a `value`,
    // which the socket client reports as BAD_RESPONSE; the list tells whether the delete happened.
    const gone = !this.configs.some((c) => c.name === name);
    if (failure && !(failure instanceof LabClientError && failure.code === 'BAD_RESPONSE' && gone)) {
      this.configNotice = { tone: 'error', text: `Could not delete “${name}”: ${messageOf(failure)}` };
    } else {
      this.configNotice = { tone: 'ok', text: `Deleted “${name}”.` };
    }
  }

  #comparable(choice: string): Pick<NamedConfig, 'model' | 'training'> | undefined {
    if (choice === CURRENT_FORM) return { model: this.modelRequest, training: this.trainingRequest };
    return this.configs.find((c) => c.name === choice);
  }

  /** The lines that differ between the two picked configs, or undefined until both are picked. */
  get differences(): string[] | undefined {
    const a = this.#comparable(this.compareA);
    const b = this.#comparable(this.compareB);
    if (!a || !b || !this.trainingDefaults) return undefined;
    return configDifferences(a, b, this.presets, this.trainingDefaults);
  }
}

/** The Model page's state for this app session (created on first use). */
export const modelStateFor = onePerSession((app) => new ModelState(app.lab));
