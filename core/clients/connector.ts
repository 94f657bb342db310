// connect / disconnect / state of one client's file. Rules (docs/clients.md, "How connect edits"):
// - a backup `<file>.switchyard-backup` is written once, before the first change of a file that
//   existed, and never overwritten (it is the file as it was before Switchyard);
// - only our entry is added, replaced or removed; running connect twice changes nothing;
// - disconnect removes our entry only while it still points at Switchyard (a loopback /mcp URL or
//   `switchyard bridge`): an entry the user repointed elsewhere under our name is left alone. A
//   server map connect had to create goes with it, and a file connect created is deleted when
//   nothing else is in it;
// - a file we cannot parse is never written.
import { randomBytes } from 'node:crypto';
import {
  chmod,
  copyFile,
  mkdir,
  readdir,
  readFile,
  realpath,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import {
  CLIENTS,
  isSwitchyardEntry,
  profileOf,
  switchyardEndpoint,
  type ClientSpec,
  type ConnectTarget,
} from './catalogue.js';
import { ClientFileError, type EntryEditor } from './editor.js';
import type { ClientState } from '../../common/domain/client.js';
import { jsonEditor } from './json-editor.js';
import { exists, onPath, type ClientEnvironment } from './platform.js';
import { tomlEditor } from './toml-editor.js';
import { yamlListEditor, yamlMapEditor } from './yaml-editor.js';

export type { ClientState };

export const BACKUP_SUFFIX = '.switchyard-backup';
/** Client files are small; anything bigger is not one we should rewrite. */
const MAX_FILE_BYTES = 16 * 1024 * 1024;

export function editorFor(spec: ClientSpec): EntryEditor {
  const container = spec.container[0]!;
  switch (spec.format) {
    case 'json':
      return jsonEditor(container);
    case 'toml':
      return tomlEditor(container);
    case 'yaml-map':
      return yamlMapEditor(container);
    case 'yaml-list':
      return yamlListEditor(container, spec.skeleton ?? '');
  }
}

async function readText(file: string): Promise<string | undefined> {
  try {
    const info = await stat(file);
    if (info.size > MAX_FILE_BYTES) throw new Error(`${file} is larger than ${MAX_FILE_BYTES} bytes`);
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Replaces `file`'s content through a temporary file and a rename, so a crash never leaves half a
 * config. A symlinked file (dotfile managers) is written where the link points; the file keeps its
 * mode, and a new file (it will hold a token) is readable by the user only.
 */
async function writeText(file: string, text: string): Promise<void> {
  const real = await realpath(file).catch(() => file);
  const mode = await stat(real).then(
    (s) => s.mode & 0o777,
    () => 0o600,
  );
  await mkdir(path.dirname(real), { recursive: true });
  const temp = `${real}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, text, { mode, flag: 'wx' });
    await chmod(temp, mode);
    await rename(temp, real);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

export interface ConnectResult {
  id: string;
  file: string;
  action: 'added' | 'updated' | 'unchanged';
  /** Written now, or already there from an earlier connect. */
  backup?: string;
  createdFile: boolean;
  dryRun: boolean;
}

export async function connectClient(
  spec: ClientSpec,
  target: ConnectTarget,
  e: ClientEnvironment,
  { dryRun = false } = {},
): Promise<ConnectResult> {
  const file = spec.file(e);
  const editor = editorFor(spec);
  const before = await readText(file);
  const value = spec.entry(target);
  const current = before === undefined ? undefined : editor.read(before);
  const backupFile = file + BACKUP_SUFFIX;
  const hasBackup = await exists(backupFile);
  const base = { id: spec.id, file, createdFile: before === undefined, dryRun };
  if (current !== undefined && !isSwitchyardEntry(current))
    throw new ClientFileError(
      `it already has a server named "switchyard" that points elsewhere; rename or remove that entry first`,
    );
  if (current !== undefined && isDeepStrictEqual(current, value)) {
    return { ...base, action: 'unchanged', createdFile: false, ...(hasBackup ? { backup: backupFile } : {}) };
  }
  const after = editor.write(before ?? '', value);
  const action = current === undefined ? 'added' : 'updated';
  if (dryRun) return { ...base, action };
  if (before !== undefined && !hasBackup) {
    await copyFile(file, backupFile);
    await chmod(backupFile, 0o600);
  }
  await writeText(file, after);
  return { ...base, action, ...(before !== undefined ? { backup: backupFile } : {}) };
}

export interface DisconnectResult {
  id: string;
  file: string;
  /** `foreign`: an entry under our name that points elsewhere, left as it is. */
  action: 'removed' | 'absent' | 'foreign';
  deletedFile: boolean;
}

export async function disconnectClient(spec: ClientSpec, e: ClientEnvironment): Promise<DisconnectResult> {
  const file = spec.file(e);
  const editor = editorFor(spec);
  const text = await readText(file);
  const base = { id: spec.id, file, deletedFile: false };
  const current = text === undefined ? undefined : editor.read(text);
  if (text === undefined || current === undefined) return { ...base, action: 'absent' };
  if (!isSwitchyardEntry(current)) return { ...base, action: 'foreign' };
  const backup = await readText(file + BACKUP_SUFFIX);
  // The server map goes too when connect created it: the file had none before Switchyard.
  const createdContainer = backup === undefined || !editor.hasContainer(backup);
  const after = editor.remove(text, createdContainer);
  if (backup === undefined && editor.isEmptyShell(after)) {
    await rm(file);
    return { ...base, action: 'removed', deletedFile: true };
  }
  await writeText(file, after);
  return { ...base, action: 'removed' };
}

/**
 * Paths connect itself may create: every client's file, its backup, and the folders above them.
 * A folder holding only these is no sign that a client is installed.
 */
function pathsConnectCreates(e: ClientEnvironment): Set<string> {
  const out = new Set<string>();
  for (const spec of CLIENTS) {
    const file = spec.file(e);
    out.add(file);
    out.add(file + BACKUP_SUFFIX);
    for (let dir = path.dirname(file); dir !== path.dirname(dir) && dir !== e.home; dir = path.dirname(dir))
      out.add(dir);
  }
  return out;
}

/** A client is installed when its executable is on PATH or its folder holds anything of its own. */
export async function isInstalled(spec: ClientSpec, e: ClientEnvironment): Promise<boolean> {
  const hints = spec.installed(e);
  for (const bin of hints.binaries) if (await onPath(e, bin)) return true;
  const ours = pathsConnectCreates(e);
  for (const dir of hints.dirs) {
    const entries = await readdir(dir).catch(() => [] as string[]);
    if (entries.some((name) => !ours.has(path.join(dir, name)))) return true;
  }
  return false;
}

export async function clientState(
  spec: ClientSpec,
  e: ClientEnvironment,
  target?: ConnectTarget,
): Promise<ClientState> {
  const file = spec.file(e);
  const installed = await isInstalled(spec, e);
  const state: ClientState = {
    id: spec.id,
    name: spec.name,
    file,
    transport: spec.transport,
    installed,
    connected: false,
  };
  try {
    const text = await readText(file);
    const entry = text === undefined ? undefined : editorFor(spec).read(text);
    const endpoint = entry === undefined ? undefined : switchyardEndpoint(entry);
    state.connected = endpoint !== undefined;
    if (endpoint) Object.assign(state, { endpoint, profile: profileOf(endpoint) });
    if (state.connected && target) state.current = isDeepStrictEqual(entry, spec.entry(target));
  } catch (error) {
    state.error = error instanceof Error ? error.message : String(error);
  }
  return state;
}
