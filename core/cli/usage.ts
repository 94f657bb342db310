// The usage lines of the commands, apart from the commands themselves: `switchyard --help` prints
// them all without loading every command's module (main.ts loads only the command it runs).

import { CLIENT_IDS } from '../../common/domain/client.js';

export const SERVE_USAGE = `switchyard serve [--config FILE] [--host 127.0.0.1] [--port 4750] [--data-dir DIR]
                 [--token TOKEN | --no-auth] [--no-docker] [--docker-host URL] [--log-level info]
                 (--token is visible to every local user in the process list: prefer the
                 SWITCHYARD_TOKEN environment variable, or the token file kept in the data dir)`;

export const ADD_USAGE = `switchyard add NAME (URL | -- COMMAND [ARGS…]) [--transport sse] [--header K=V]… [--env K=V]…
                 [--config FILE] [--data-dir DIR]`;

export const REMOVE_USAGE = 'switchyard remove NAME [--config FILE] [--data-dir DIR]';

export const AUDIT_USAGE = `switchyard audit [--since 1h] [--backend B] [--tool T] [--outcome O] [--json] [--follow]
                 [--until TIME] [--session ID] [--client NAME] [--method M] [--text TEXT] [--limit 50]
                 [--data-dir DIR]`;

export const CONNECT_USAGE = `switchyard connect CLIENT [--profile NAME] [--dry-run] [--url URL] [--data-dir DIR] [--config FILE]
switchyard disconnect CLIENT
  CLIENT: ${CLIENT_IDS.join(', ')}`;

export const CLIENTS_USAGE = 'switchyard clients [--json]';

export const LOGS_USAGE =
  'switchyard logs BACKEND [--follow] [--json] [--url URL] [--token T] [--data-dir DIR]';

export const CHANGES_USAGE = 'switchyard changes [--json] | changes approve|reject ID [--url URL]';
