// A small leveled logger writing one line per event to a stream (stderr by default), so stdout
// stays free for the `serve` banner and for `bridge`, which speaks MCP on stdout.
import type { LogLevel, Logger } from '../domain/runtime.js';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LoggerOptions {
  level?: LogLevel;
  stream?: NodeJS.WritableStream;
  json?: boolean;
  fields?: Record<string, unknown>;
}

export function isLogLevel(value: string): value is LogLevel {
  return value in ORDER;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  const stream = options.stream ?? process.stderr;
  const base = options.fields ?? {};
  const write = (at: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (ORDER[at] < ORDER[level]) return;
    const all = { ...base, ...fields };
    if (options.json) {
      stream.write(`${JSON.stringify({ time: new Date().toISOString(), level: at, message, ...all })}\n`);
      return;
    }
    const extras = Object.entries(all)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    stream.write(
      `${new Date().toISOString()} ${at.toUpperCase().padEnd(5)} ${message}${extras ? ` ${extras}` : ''}\n`,
    );
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (fields) => createLogger({ ...options, fields: { ...base, ...fields } }),
  };
}

/** A logger that drops everything (tests that do not read logs). */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
