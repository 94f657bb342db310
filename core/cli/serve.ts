// `switchyard serve`: the headless engine on one loopback port.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildApp, type App } from '../app.js';
import { ensureConfigFile } from '../config/default-file.js';
import { ConfigFileError, loadConfigFile } from '../config/load.js';
import type { SwitchyardConfig } from '../config/schema.js';
import type { LogLevel } from '../domain/runtime.js';
import { createLogger, isLogLevel } from '../support/logger.js';
import { createStaticHandler } from '../gateway/static-files.js';
import { PACKAGE_ROOT } from '../version.js';
import { dataDirFrom, DEFAULT_URL, UsageError, type Io } from './common.js';
import { defaultDataDir } from '../store/data-dir.js';

export const SERVE_USAGE = `switchyard serve [--config FILE] [--host 127.0.0.1] [--port 4750] [--data-dir DIR]
                 [--token TOKEN | --no-auth] [--no-docker] [--docker-host URL] [--log-level info]

  --token TOKEN is visible to every local user (ps, /proc/PID/cmdline): prefer the
  SWITCHYARD_TOKEN environment variable, or the token file the data dir keeps by default.`;

export interface ServeOptions {
  /** How the bridge for stdio-only clients is launched here (the desktop app passes its own). */
  bridgeCommand?: { command: string; args: string[] };
}

export interface ServeHandle {
  app: App;
  url: string;
  stop(): Promise<void>;
}

/** Parses flags, loads the config, starts the engine. The caller decides what stops it. */
export async function startServe(argv: string[], io: Io, options: ServeOptions = {}): Promise<ServeHandle> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      token: { type: 'string' },
      'no-auth': { type: 'boolean' },
      'no-docker': { type: 'boolean' },
      'docker-host': { type: 'string' },
      'log-level': { type: 'string' },
      'log-json': { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.token !== undefined && values['no-auth'])
    throw new UsageError('--token and --no-auth cannot be used together');
  const level = values['log-level'] ?? 'info';
  if (!isLogLevel(level)) throw new UsageError(`--log-level must be one of debug, info, warn, error`);
  const port = values.port !== undefined ? Number(values.port) : undefined;
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    throw new UsageError(`--port must be a port number, got "${values.port}"`);
  }

  const dataDir = dataDirFrom(values['data-dir'], io.env);
  let configFile = values.config ?? io.env.SWITCHYARD_CONFIG;
  let created = false;
  if (!configFile) {
    configFile = path.join(dataDir, 'config.yaml');
    created = await ensureConfigFile(configFile);
  }
  const loaded = await loadConfigFile(configFile, io.env);
  const config = applyOverrides(loaded, {
    host: values.host,
    port,
    token: values.token ?? (values['no-auth'] ? 'off' : io.env.SWITCHYARD_TOKEN),
    docker: values['no-docker'] ? false : undefined,
    dockerHost: values['docker-host'],
  });

  const logger = createLogger({
    level: level as LogLevel,
    stream: io.stderr,
    json: Boolean(values['log-json']),
  });
  if (created) logger.info('wrote a default config file', { file: configFile });
  logger.info('config loaded', { file: configFile, backends: config.backends.length });
  const app = buildApp(config, {
    dataDir,
    configFile: path.resolve(configFile),
    logger,
    dashboard: createStaticHandler(path.join(PACKAGE_ROOT, 'dist', 'renderer')),
    bridgeCommand: options.bridgeCommand ?? bridgeCommand(config, dataDir, io.env),
  });
  const started = await app.start();
  io.stdout.write(`Switchyard listening on ${started.url}\n`);
  // Never the token itself: stdout ends up in terminals' scrollback and service logs. The dashboard
  // link carries a one-time code, useless once opened (or after 10 minutes).
  if (started.loginUrl) io.stdout.write(`Dashboard: ${started.loginUrl} (one-time link, valid 10 minutes)\n`);
  else io.stdout.write(`Dashboard: ${new URL('/', started.url).href}\n`);
  if (started.token.source === 'file')
    io.stdout.write(`Token stored in ${started.token.file} (send it as "Authorization: Bearer <token>")\n`);
  else if (started.token.source === 'config')
    io.stdout.write(
      `Token taken from ${
        values.token !== undefined
          ? '--token (visible to local users; prefer SWITCHYARD_TOKEN)'
          : io.env.SWITCHYARD_TOKEN !== undefined
            ? 'SWITCHYARD_TOKEN'
            : `the config file (auth.token in ${configFile})`
      }\n`,
    );
  else io.stdout.write('Authentication is off (--no-auth): any local process can use this endpoint\n');
  if (config.backends.length === 0) {
    logger.info('no backends configured yet: add some to the config file', { file: configFile });
  }
  return { app, url: started.url, stop: () => app.stop() };
}

/**
 * How this very installation's `bridge` reaches this gateway (shown in the dashboard for Claude
 * Desktop): the same Node and script, plus --url / --data-dir when they are not the defaults.
 */
function bridgeCommand(
  config: SwitchyardConfig,
  dataDir: string,
  env: NodeJS.ProcessEnv,
): { command: string; args: string[] } {
  const script = process.argv[1]
    ? path.resolve(process.argv[1])
    : path.join(PACKAGE_ROOT, 'dist/core/cli/main.js');
  const viaTsx = script.endsWith('.ts');
  const url = `http://${config.server.host}:${config.server.port}/mcp`;
  return {
    command: process.execPath,
    args: [
      ...(viaTsx ? ['--import', 'tsx'] : []),
      script,
      'bridge',
      ...(url !== DEFAULT_URL && config.server.port !== 0 ? ['--url', url] : []),
      ...(dataDir !== defaultDataDir(env) ? ['--data-dir', dataDir] : []),
    ],
  };
}

function applyOverrides(
  config: SwitchyardConfig,
  o: {
    host?: string | undefined;
    port?: number | undefined;
    token?: string | undefined;
    docker?: boolean | undefined;
    dockerHost?: string | undefined;
  },
): SwitchyardConfig {
  return {
    ...config,
    server: { host: o.host ?? config.server.host, port: o.port ?? config.server.port },
    auth: { token: o.token ?? config.auth.token },
    discovery: {
      docker: {
        ...config.discovery.docker,
        ...(o.docker !== undefined ? { enabled: o.docker } : {}),
        ...(o.dockerHost !== undefined ? { host: o.dockerHost } : {}),
      },
    },
  };
}

/** Runs until SIGINT/SIGTERM, then stops cleanly (backends closed, data flushed). */
export async function serve(argv: string[], io: Io): Promise<number> {
  let handle: ServeHandle;
  try {
    handle = await startServe(argv, io);
  } catch (error) {
    if (error instanceof ConfigFileError) {
      io.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        io.stderr.write(`${signal} again: exiting now\n`);
        process.exit(130);
      }
      stopping = true;
      io.stderr.write(`${signal}: stopping Switchyard (closing backends)…\n`);
      handle.stop().then(resolve, (error: unknown) => {
        io.stderr.write(`error while stopping: ${String(error)}\n`);
        resolve();
      });
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  return 0;
}
