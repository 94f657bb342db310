// `switchyard add NAME (URL | -- COMMAND ARGS…)`: a backend added to the config file in place
// (comments and order kept); a running serve applies it through its watcher.
import { parseArgs } from 'node:util';
import { addBackend, type NewBackend } from '../config/edit.js';
import { UsageError, type Io } from './common.js';
import { CONFIG_FILE_FLAGS, editConfigFile } from './config-edit.js';
import { ADD_USAGE } from './usage.js';

const HELP = `Usage: ${ADD_USAGE}

Adds a backend to the config file, keeping its comments and order. A running
\`switchyard serve\` applies the change within seconds; connected clients get list_changed.

  switchyard add github https://api.example.com/mcp --header "Authorization=Bearer \${env:GH_TOKEN}"
  switchyard add legacy http://127.0.0.1:3001/sse --transport sse
  switchyard add memory -- npx -y @modelcontextprotocol/server-memory
`;

/** `K=V` pairs into a map; the value may itself contain "=". */
function pairs(flag: string, values: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const value of values ?? []) {
    const at = value.indexOf('=');
    if (at <= 0) throw new UsageError(`${flag} takes KEY=VALUE, got "${value}"`);
    out[value.slice(0, at)] = value.slice(at + 1);
  }
  return out;
}

export async function addCommand(argv: string[], io: Io): Promise<number> {
  const dashDash = argv.indexOf('--');
  const own = dashDash >= 0 ? argv.slice(0, dashDash) : argv;
  const command = dashDash >= 0 ? argv.slice(dashDash + 1) : [];
  const { values, positionals } = parseArgs({
    args: own,
    options: {
      transport: { type: 'string' },
      header: { type: 'string', multiple: true },
      env: { type: 'string', multiple: true },
      ...CONFIG_FILE_FLAGS,
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  const [name, url, ...extra] = positionals;
  if (!name) throw new UsageError('add needs a NAME');
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
  if (url !== undefined && command.length) throw new UsageError('give a URL or "-- COMMAND", not both');
  if (url === undefined && !command.length) throw new UsageError('add needs a URL or "-- COMMAND [ARGS…]"');
  const transport = values.transport;
  if (transport !== undefined && transport !== 'sse' && transport !== 'streamable-http')
    throw new UsageError(`--transport is "sse" or "streamable-http", got "${transport}"`);

  let backend: NewBackend;
  if (url !== undefined) {
    if (values.env?.length) throw new UsageError('--env is for a command backend (after "--")');
    backend = {
      name,
      url,
      ...(transport ? { transport } : {}),
      headers: pairs('--header', values.header),
    };
  } else {
    if (transport) throw new UsageError('--transport is for a URL backend (a command speaks stdio)');
    if (values.header?.length) throw new UsageError('--header is for a URL backend');
    backend = { name, command: command[0]!, args: command.slice(1), env: pairs('--env', values.env) };
  }
  return editConfigFile('add', values, io, async (file) => {
    await addBackend(file, backend, io.env);
    return `Added backend "${name}" to ${file} (a running serve applies it within seconds)`;
  });
}
