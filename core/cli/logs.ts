// `switchyard logs BACKEND [--follow]`: a backend's stderr and connection history (connected, down,
// process started/exited, idle sessions closed), oldest first, read from the running engine's
// bounded ring over the control API (GET /api/backends/:name/log). `--help` is answered by main.ts.
import { parseArgs } from 'node:util';
import { httpRequestFor } from '../../common/control/http.js';
import type { BackendLogEntry, BackendLogPage } from '../../common/domain/backend-log.js';
import { clientToken, dataDirFrom, DEFAULT_URL, UsageError, type Io } from './common.js';

/** How often `--follow` asks for new entries. */
const FOLLOW_INTERVAL_MS = 500;

export interface LogsOptions {
  /** Ends `--follow` (tests; Ctrl-C ends the process otherwise). */
  signal?: AbortSignal;
}

export async function logsCommand(argv: string[], io: Io, options: LogsOptions = {}): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      follow: { type: 'boolean', short: 'f' },
      json: { type: 'boolean' },
      url: { type: 'string' },
      token: { type: 'string' },
      'data-dir': { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  const [backend, ...extra] = positionals;
  if (!backend || extra.length) throw new UsageError('logs takes one backend name');
  const base = new URL(values.url ?? DEFAULT_URL);
  const token = await clientToken(values.token, dataDirFrom(values['data-dir'], io.env), io.env);

  const fetchPage = async (after: number): Promise<BackendLogPage | number> => {
    const { path } = httpRequestFor('backendLog', [backend, after ? { after } : {}]);
    let response: Response;
    try {
      response = await fetch(new URL(path, base), {
        headers: token ? { authorization: `Bearer ${token}` } : {},
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      if (options.signal?.aborted) return 0;
      io.stderr.write(`Switchyard is not running at ${base.href} (nothing answered): ${String(error)}\n`);
      return 1;
    }
    if (response.ok) return (await response.json()) as BackendLogPage;
    const body = (await response.json().catch(() => ({}))) as { error?: string };
    io.stderr.write(
      response.status === 401
        ? 'Switchyard answered 401: pass --token or set SWITCHYARD_TOKEN (or use the same --data-dir as serve)\n'
        : `Switchyard answered HTTP ${response.status}${body.error ? `: ${body.error}` : ''}\n`,
    );
    return 1;
  };

  const print = (page: BackendLogPage) => {
    if (page.skipped > 0 && !values.json)
      io.stdout.write(`… ${page.skipped} earlier entr${page.skipped === 1 ? 'y' : 'ies'} not kept\n`);
    for (const entry of page.entries)
      io.stdout.write(values.json ? `${JSON.stringify(entry)}\n` : formatEntry(entry));
  };

  let page = await fetchPage(0);
  if (typeof page === 'number') return page;
  print(page);
  if (!values.follow) return 0;
  let after = page.lastSeq;
  while (!options.signal?.aborted) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, FOLLOW_INTERVAL_MS);
      options.signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });
    if (options.signal?.aborted) break;
    page = await fetchPage(after);
    if (typeof page === 'number') return options.signal?.aborted ? 0 : page;
    // The engine restarted (its ring starts over): print from its beginning.
    if (page.lastSeq < after) page = await fetchPage(0);
    if (typeof page === 'number') return page;
    print(page);
    after = page.lastSeq;
  }
  return 0;
}

/** `2026-12-07 19:50:31.123 stderr [pid 4242] the line`. */
export function formatEntry(entry: BackendLogEntry): string {
  const at = new Date(entry.at);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const time = `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}.${pad(at.getMilliseconds(), 3)}`;
  const pid = entry.pid !== undefined ? ` [pid ${entry.pid}]` : '';
  return `${time} ${entry.kind.padEnd(12)}${pid} ${entry.text}\n`;
}
