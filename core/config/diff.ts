// Which edits of the config a running engine cannot apply: the listening socket, the token, the
// container engine link, the audit writer and the backend response cap are set up once at start.
// Everything else (backends, aggregation, sessions, request limits) is applied live.
import type { SwitchyardConfig } from './schema.js';

const RESTART_ONLY: readonly (readonly string[])[] = [
  ['server', 'host'],
  ['server', 'port'],
  ['auth', 'token'],
  ['discovery', 'docker', 'enabled'],
  ['discovery', 'docker', 'host'],
  ['discovery', 'docker', 'group'],
  ['audit', 'enabled'],
  ['audit', 'retentionDays'],
  ['audit', 'recordPayloads'],
  ['audit', 'maxPayloadBytes'],
  ['audit', 'maxRows'],
  ['limits', 'backendResponse'],
];

function at(config: SwitchyardConfig, path: readonly string[]): unknown {
  let value: unknown = config;
  for (const key of path) value = (value as Record<string, unknown> | undefined)?.[key];
  return value;
}

/** The key paths (e.g. `server.port`) whose value differs and only applies after a restart. */
export function restartOnlyChanges(previous: SwitchyardConfig, next: SwitchyardConfig): string[] {
  return RESTART_ONLY.filter(
    (path) => JSON.stringify(at(previous, path)) !== JSON.stringify(at(next, path)),
  ).map((path) => path.join('.'));
}
