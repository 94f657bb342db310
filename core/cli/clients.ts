// `switchyard clients [--json]`: each known client, whether it is installed, connected, and when it
// was last seen by a running Switchyard (from the sessions' clientInfo; best effort).
import { parseArgs } from 'node:util';
import { ClientsService } from '../clients/service.js';
import { currentEnvironment } from '../clients/platform.js';
import type { Snapshot } from '../../common/control/snapshot.js';
import { clientToken, dataDirFrom, type Io } from './common.js';
import { resolveTarget } from './connect.js';

async function runningSessions(
  url: string,
  token: string | undefined,
): Promise<Snapshot['sessions'] | undefined> {
  try {
    const response = await fetch(new URL('/api/status', url), {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      signal: AbortSignal.timeout(1500),
    });
    if (!response.ok) return undefined;
    return ((await response.json()) as Snapshot).sessions;
  } catch {
    return undefined;
  }
}

function ago(ms: number, now: number): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)}m ago`;
  if (s < 86400) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86400)}d ago`;
}

export async function clients(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: 'boolean' },
      url: { type: 'string' },
      'data-dir': { type: 'string' },
      config: { type: 'string' },
    },
    strict: true,
  });
  const target = await resolveTarget(values, io.env, { createToken: false });
  const token = await clientToken(undefined, dataDirFrom(values['data-dir'], io.env), io.env);
  const sessions = await runningSessions(target.url, target.token ?? token);
  const rows = await new ClientsService({
    target: () => target,
    sessions: () => sessions ?? [],
    environment: currentEnvironment(io.env),
  }).list();
  if (values.json) {
    io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  const now = Date.now();
  io.stdout.write(
    `${'CLIENT'.padEnd(16)}${'INSTALLED'.padEnd(11)}${'CONNECTED'.padEnd(20)}${'LAST SEEN'.padEnd(12)}FILE\n`,
  );
  for (const r of rows) {
    const connected = r.error
      ? 'unreadable'
      : r.connected
        ? r.current === false
          ? 'yes (outdated)'
          : 'yes'
        : 'no';
    io.stdout.write(
      `${r.id.padEnd(16)}${(r.installed ? 'yes' : 'no').padEnd(11)}${connected.padEnd(20)}${(r.lastSeen ? ago(r.lastSeen, now) : sessions ? 'never' : '-').padEnd(12)}${r.file}\n`,
    );
  }
  if (!sessions)
    io.stdout.write(`\n(last seen: Switchyard is not running at ${target.url}, so it is unknown)\n`);
  if (rows.some((r) => r.current === false))
    io.stdout.write(
      '\n"outdated": the entry points at another port or token; run `switchyard connect CLIENT` again.\n',
    );
  return 0;
}
