// The Add / Edit / Remove backend dialogs: the form's state, Test connection and saving through the
// control API (backendConfig, addBackend, updateBackend, removeBackend, testBackend). One store per
// dashboard (backendEditStore), made on first use so the dashboard's assembly stays as it is.
import { createStore, type StoreApi } from 'zustand/vanilla';
import {
  type BackendSpecInput,
  type BackendTestResult,
  type EditableTransport,
} from '../../../common/control/backend-edit.js';
import { BridgeError, errorMessage, type Bridge } from '../bridge/bridge.js';
import { NAME_PATTERN_TEXT, BACKEND_NAME_RE } from './backend-edit-rules.js';
import type { UiStore } from './ui.js';

export interface KeyValueRow {
  key: string;
  value: string;
}

export interface BackendForm {
  name: string;
  kind: 'url' | 'command';
  url: string;
  transport: EditableTransport;
  command: string;
  args: string[];
  headers: KeyValueRow[];
  env: KeyValueRow[];
  timeout: string;
}

/** Which control a message belongs to: `name`, `url`, `command`, `timeout`, `headers`, `env`… */
export type FieldErrors = Partial<Record<string, string>>;

export type EditDialog = { mode: 'add' } | { mode: 'edit'; name: string } | { mode: 'remove'; name: string };

export interface BackendEditState {
  dialog: EditDialog | null;
  form: BackendForm;
  loading: boolean;
  saving: boolean;
  testing: boolean;
  test: BackendTestResult | null;
  /** A message for the whole form (a refusal not tied to one field). */
  error: string | null;
  fieldErrors: FieldErrors;
  /** Counts attempts refused with field errors (the view focuses the first invalid field). */
  refusals: number;
  openAdd(): void;
  openEdit(name: string): Promise<void>;
  openRemove(name: string): void;
  close(): void;
  update(patch: Partial<BackendForm>): void;
  testConnection(): Promise<void>;
  /** True when saved (the dialog closes). */
  save(): Promise<boolean>;
  remove(): Promise<boolean>;
}

export const emptyForm = (): BackendForm => ({
  name: '',
  kind: 'url',
  url: '',
  transport: 'streamable-http',
  command: '',
  args: [],
  headers: [],
  env: [],
  timeout: '',
});

const rows = (map: Record<string, string> | undefined): KeyValueRow[] =>
  Object.entries(map ?? {}).map(([key, value]) => ({ key, value }));
const toMap = (list: KeyValueRow[]) =>
  Object.fromEntries(list.filter((r) => r.key.trim() !== '').map((r) => [r.key.trim(), r.value]));

/** The form as the control API takes it. */
export function specOf(form: BackendForm): BackendSpecInput {
  const timeout = form.timeout.trim();
  const common = timeout ? { timeout: /^\d+$/.test(timeout) ? Number(timeout) : timeout } : {};
  if (form.kind === 'url')
    return {
      url: form.url.trim(),
      transport: form.transport === 'stdio' ? 'streamable-http' : form.transport,
      headers: toMap(form.headers),
      ...common,
    };
  return {
    command: form.command.trim(),
    args: form.args.filter((a) => a !== ''),
    transport: 'stdio',
    env: toMap(form.env),
    ...common,
  };
}

/** What the form can tell before asking the engine. */
export function checkForm(form: BackendForm, adding: boolean): FieldErrors {
  const errors: FieldErrors = {};
  if (adding && !form.name.trim()) errors.name = 'A name is required.';
  else if (adding && !BACKEND_NAME_RE.test(form.name.trim())) errors.name = NAME_PATTERN_TEXT;
  if (form.kind === 'url') {
    if (!form.url.trim()) errors.url = 'A URL is required (http:// or https://).';
    else if (!/^https?:\/\/\S+$/i.test(form.url.trim())) errors.url = 'Use an http:// or https:// URL.';
  } else if (!form.command.trim()) errors.command = 'A command is required.';
  const keys = (form.kind === 'url' ? form.headers : form.env).map((r) => r.key.trim()).filter(Boolean);
  if (new Set(keys).size !== keys.length)
    errors[form.kind === 'url' ? 'headers' : 'env'] = 'Each name may appear once.';
  return errors;
}

/** An engine refusal "field: message" (400) tied to its field; others are the form's. */
function fieldOf(message: string): { field: string; message: string } | undefined {
  const m = /^(name|url|command|args|transport|timeout|headers|env)(?:[.[][^:]*)?: (.*)$/s.exec(message);
  return m ? { field: m[1]!, message: m[2]! } : undefined;
}

export function createBackendEditStore(deps: { bridge: Bridge; ui: UiStore }) {
  const { bridge, ui } = deps;
  return createStore<BackendEditState>()((set, get) => {
    const refused = (error: unknown) => {
      const message = errorMessage(error);
      const status = error instanceof BridgeError ? error.status : undefined;
      const tied = status === 400 || status === undefined ? fieldOf(message) : undefined;
      if (tied)
        set({ fieldErrors: { [tied.field]: tied.message }, error: null, refusals: get().refusals + 1 });
      else set({ error: message, fieldErrors: {} });
    };
    const mode = () => get().dialog?.mode;
    return {
      dialog: null,
      form: emptyForm(),
      loading: false,
      saving: false,
      testing: false,
      test: null,
      error: null,
      fieldErrors: {},
      refusals: 0,
      openAdd: () =>
        set({ dialog: { mode: 'add' }, form: emptyForm(), test: null, error: null, fieldErrors: {} }),
      async openEdit(name) {
        set({ dialog: { mode: 'edit', name }, loading: true, test: null, error: null, fieldErrors: {} });
        try {
          const view = await bridge.backendConfig(name);
          set({
            form: {
              ...emptyForm(),
              name,
              kind: view.command !== undefined ? 'command' : 'url',
              url: view.url ?? '',
              transport: view.transport,
              command: view.command ?? '',
              args: view.args ?? [],
              headers: rows(view.headers),
              env: rows(view.env),
              timeout: view.timeout !== undefined ? String(view.timeout) : '',
            },
          });
        } catch (error) {
          set({ error: errorMessage(error) });
        } finally {
          set({ loading: false });
        }
      },
      openRemove: (name) => set({ dialog: { mode: 'remove', name }, error: null, fieldErrors: {} }),
      close: () =>
        set({ dialog: null, test: null, error: null, fieldErrors: {}, saving: false, testing: false }),
      update: (patch) => {
        const fieldErrors = { ...get().fieldErrors };
        for (const key of Object.keys(patch)) delete fieldErrors[key];
        set({ form: { ...get().form, ...patch }, fieldErrors, test: null });
      },
      async testConnection() {
        const { form } = get();
        const errors = checkForm(form, mode() === 'add');
        delete errors.name; // a test needs no final name
        if (Object.keys(errors).length) return set({ fieldErrors: errors, refusals: get().refusals + 1 });
        set({ testing: true, test: null, error: null });
        try {
          const test = await bridge.testBackend({ name: form.name.trim() || 'test', ...specOf(form) });
          set({ test });
        } catch (error) {
          refused(error);
        } finally {
          set({ testing: false });
        }
      },
      async save() {
        const { form, dialog } = get();
        if (!dialog || dialog.mode === 'remove') return false;
        const errors = checkForm(form, dialog.mode === 'add');
        if (Object.keys(errors).length) {
          set({ fieldErrors: errors, refusals: get().refusals + 1 });
          return false;
        }
        set({ saving: true, error: null, fieldErrors: {} });
        try {
          if (dialog.mode === 'add') await bridge.addBackend({ name: form.name.trim(), ...specOf(form) });
          else await bridge.updateBackend(dialog.name, specOf(form));
          ui.getState().notify(
            dialog.mode === 'add'
              ? `Backend ${form.name.trim()} added to the config file`
              : `Backend ${dialog.name} saved; it reconnects with the new settings`,
            { kind: 'success' },
          );
          get().close();
          return true;
        } catch (error) {
          refused(error);
          return false;
        } finally {
          set({ saving: false });
        }
      },
      async remove() {
        const dialog = get().dialog;
        if (dialog?.mode !== 'remove') return false;
        set({ saving: true, error: null });
        try {
          await bridge.removeBackend(dialog.name);
          ui.getState().notify(`Backend ${dialog.name} removed from the config file`, { kind: 'success' });
          get().close();
          return true;
        } catch (error) {
          set({ error: errorMessage(error) });
          return false;
        } finally {
          set({ saving: false });
        }
      },
    };
  });
}

export type BackendEditStore = StoreApi<BackendEditState>;

const stores = new WeakMap<Bridge, BackendEditStore>();
/** The dashboard's edit store, made on first use. */
export function backendEditStore(deps: { bridge: Bridge; ui: UiStore }): BackendEditStore {
  let store = stores.get(deps.bridge);
  if (!store) stores.set(deps.bridge, (store = createBackendEditStore(deps)));
  return store;
}
