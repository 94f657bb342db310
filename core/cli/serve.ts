// `switchyard serve`: the headless engine on one loopback port.
import { parseArgs } from 'node:util';
import { ConfigFileError } from '../config/load.js';
import { endpointUrl } from '../config/paths.js';
import type { SwitchyardConfig } from '../config/schema.js';
import type { LogLevel } from '../domain/runtime.js';
import { startEngine, type RunningEngine } from '../engine/start.js';
import { createLogger, isLogLevel } from '../support/logger.js';
import { dataDirFrom, DEFAULT_URL, UsageError, type Io } from './common.js';
import { bridgeLaunch } from './connect.js';
import { currentEnvironment } from '../clients/platform.js';

import { defaultDataDir } from '../store/data-dir.js';

export interface ServeOptions {
  /** How the bridge for stdio-only clients is launched here (the desktop app passes its own). */
  bridgeCommand?: { command: string; args: string[] };
}

/** Parses flags and starts the engine (startEngine). The caller decides what stops it. */
export async function startServe(argv: string[], io: Io, options: ServeOptions = {}): Promise<RunningEngine> {
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
  const logger = createLogger({
    level: level as LogLevel,
    stream: io.stderr,
    json: Boolean(values['log-json']),
  });
  const engine = await startEngine({
    dataDir,
    env: io.env,
    logger,
    ...(values.config !== undefined ? { configFile: values.config } : {}),
    overrides: {
      ...(values.host !== undefined ? { host: values.host } : {}),
      ...(port !== undefined ? { port } : {}),
      ...(values.token !== undefined ? { token: values.token } : values['no-auth'] ? { token: 'off' } : {}),
      ...(values['no-docker'] ? { docker: false } : {}),
      ...(values['docker-host'] !== undefined ? { dockerHost: values['docker-host'] } : {}),
    },
    bridgeCommand: (config) => options.bridgeCommand ?? bridgeCommand(config, dataDir, io.env),
    // The Connect view edits the config files of the user running Switchyard.
    app: { clients: currentEnvironment(io.env) },
  });
  printBanner(engine, io, values.token !== undefined);
  if (engine.app.config.backends.length === 0) {
    logger.info('no backends configured yet: add some to the config file (or `switchyard add`)', {
      file: engine.configFile,
    });
  }
  return engine;
}

function printBanner(engine: RunningEngine, io: Io, tokenFlag: boolean): void {
  io.stdout.write(`Switchyard listening on ${engine.url}\n`);
  // Never the token itself: stdout ends up in terminals' scrollback and service logs. The dashboard
  // link carries a one-time code, useless once opened (or after 10 minutes).
  const login = engine.app.issueLoginUrl();
  if (login) io.stdout.write(`Dashboard: ${login} (one-time link, valid 10 minutes)\n`);
  else io.stdout.write(`Dashboard: ${new URL('/', engine.url).href}\n`);
  if (engine.token.source === 'file')
    io.stdout.write(`Token stored in ${engine.token.file} (send it as "Authorization: Bearer <token>")\n`);
  else if (engine.token.source === 'config')
    io.stdout.write(
      `Token taken from ${
        tokenFlag
          ? '--token (visible to local users; prefer SWITCHYARD_TOKEN)'
          : io.env.SWITCHYARD_TOKEN !== undefined
            ? 'SWITCHYARD_TOKEN'
            : `the config file (auth.token in ${engine.configFile})`
      }\n`,
    );
  else io.stdout.write('Authentication is off (--no-auth): any local process can use this endpoint\n');
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
  const launch = bridgeLaunch();
  const url = endpointUrl(config.server.host, config.server.port);
  return {
    command: launch.command,
    args: [
      ...launch.args,
      ...(url !== DEFAULT_URL && config.server.port !== 0 ? ['--url', url] : []),
      ...(dataDir !== defaultDataDir(env) ? ['--data-dir', dataDir] : []),
    ],
  };
}

/**
 * Runs until SIGINT/SIGTERM, then stops cleanly (backends closed, data flushed); a second signal
 * exits at once. SIGHUP re-reads the config file (it never stops serve).
 */
export async function serve(argv: string[], io: Io): Promise<number> {
  let engine: RunningEngine;
  try {
    engine = await startServe(argv, io);
  } catch (error) {
    if (error instanceof ConfigFileError) {
      io.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        io.stderr.write(`${signal} again: exiting now\n`);
        process.exit(130);
      }
      stopping = true;
      io.stderr.write(`${signal}: stopping Switchyard (closing backends)…\n`);
      engine.stop().then(resolve, (error: unknown) => {
        io.stderr.write(`error while stopping: ${String(error)}\n`);
        resolve();
      });
    };
    const hangup = () => {
      io.stderr.write('SIGHUP: re-reading the config file\n');
      void engine.reload();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    process.on('SIGHUP', hangup);
  });
  return 0;
}
