// One typed engine start for every adapter: `switchyard serve` and the desktop app's engine process
// both call startEngine with typed options (no synthesized command-line flags). It finds (or
// writes) the config file, loads it, applies the caller's overrides, builds and starts the app,
// and keeps the config applied live: the file is watched, and reload() re-reads it (SIGHUP).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { buildApp, type App, type AppOptions } from '../app.js';
import { ensureConfigFile } from '../config/default-file.js';
import { formatConfigErrors, loadConfigFile, parseConfigText } from '../config/load.js';
import { configFilePath } from '../config/paths.js';
import type { SwitchyardConfig } from '../config/schema.js';
import { watchConfigFile, type ConfigWatcher } from '../config/watch.js';
import type { Logger } from '../domain/runtime.js';
import { createStaticHandler } from '../gateway/static-files.js';
import type { ResolvedToken } from '../store/token.js';
import { PACKAGE_ROOT } from '../version.js';

/** What the command line (or the desktop app) sets over the config file. */
export interface ConfigOverrides {
  host?: string;
  port?: number;
  /** A token, or "off". */
  token?: string;
  docker?: boolean;
  dockerHost?: string;
}

export interface EngineOptions {
  dataDir: string;
  /** For ${env:} in the config, SWITCHYARD_CONFIG and SWITCHYARD_TOKEN. */
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** `--config`; by default SWITCHYARD_CONFIG, then config.yaml in the data dir (written if missing). */
  configFile?: string;
  overrides?: ConfigOverrides;
  /**
   * A token kept elsewhere (the desktop app's OS keyring), used when the config leaves
   * `auth.token` on `auto` and neither an override nor SWITCHYARD_TOKEN names one.
   */
  fallbackToken?: string;
  /** How `switchyard bridge` reaches this engine (shown in the Connect view). */
  bridgeCommand?: (config: SwitchyardConfig) => { command: string; args: string[] };
  /** Serve the dashboard at / (default true). */
  dashboard?: boolean;
  /** Watch the config file and apply edits live (default true). */
  watch?: boolean;
  /** The debounce between a file event and the reload (default 150 ms). */
  watchDebounceMs?: number;
  /** More app options (tests: timings, no container discovery). */
  app?: Partial<AppOptions>;
}

export interface RunningEngine {
  app: App;
  url: string;
  token: ResolvedToken;
  /** Where the token comes from, as the desktop app reports it. */
  tokenSource: 'keyring' | 'file' | 'config' | 'off';
  configFile: string;
  /** A default config file was written because there was none. */
  createdConfig: boolean;
  /** Re-reads the config file and applies it (SIGHUP; file events skip an unchanged file). */
  reload(force?: boolean): Promise<void>;
  stop(): Promise<void>;
}

function applyOverrides(config: SwitchyardConfig, o: ConfigOverrides): SwitchyardConfig {
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

/** How long an empty config file is given to fill before it is taken as meant. */
const EMPTY_RECHECK_MS = 500;

export async function startEngine(options: EngineOptions): Promise<RunningEngine> {
  const { env, logger, dataDir } = options;
  // Milliseconds since the process started, per phase (the startup bench reads them).
  const phases: Record<string, number> = { modulesLoaded: Math.round(performance.now()) };
  const configFile = configFilePath(dataDir, env, options.configFile);
  const createdConfig =
    options.configFile === undefined && !env.SWITCHYARD_CONFIG ? await ensureConfigFile(configFile) : false;
  const loaded = await loadConfigFile(configFile, env);
  phases.configLoaded = Math.round(performance.now());
  const explicitToken = options.overrides?.token ?? env.SWITCHYARD_TOKEN;
  const useFallback =
    explicitToken === undefined && options.fallbackToken !== undefined && loaded.auth.token === 'auto';
  const overrides: ConfigOverrides = {
    ...options.overrides,
    ...(explicitToken !== undefined ? { token: explicitToken } : {}),
    ...(useFallback ? { token: options.fallbackToken } : {}),
  };
  const config = applyOverrides(loaded, overrides);
  if (createdConfig) logger.info('wrote a default config file', { file: configFile });
  logger.info('config loaded', { file: configFile, backends: config.backends.length });

  const app = buildApp(config, {
    dataDir,
    configFile,
    logger,
    ...(options.dashboard !== false
      ? { dashboard: createStaticHandler(path.join(PACKAGE_ROOT, 'dist', 'renderer')) }
      : {}),
    ...(options.bridgeCommand ? { bridgeCommand: options.bridgeCommand(config) } : {}),
    ...options.app,
  });
  phases.appBuilt = Math.round(performance.now()); // the database opened and migrated
  const started = await app.start();
  phases.listening = Math.round(performance.now());
  logger.debug('startup timings (ms since the process started)', phases);
  const tokenSource: RunningEngine['tokenSource'] =
    started.token.token === null
      ? 'off'
      : useFallback
        ? 'keyring'
        : started.token.source === 'file'
          ? 'file'
          : 'config';

  // Reloads run one at a time; one asked for while another runs happens after it.
  let chain: Promise<void> = Promise.resolve();
  let lastText: string | undefined;
  const reloadOnce = async (force: boolean): Promise<void> => {
    let text: string;
    try {
      text = await readFile(configFile, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const message =
        code === 'ENOENT'
          ? 'the config file is gone; the running config is kept until it is back'
          : `cannot read the config file (${code ?? String(error)}); the running config is kept`;
      logger.warn(message, { file: configFile });
      app.configRejected({ message, path: '' });
      lastText = undefined;
      return;
    }
    if (text.trim() === '') {
      // An editor (or writeFile) truncates before it writes: an empty read may be that moment, and
      // applying it would close every backend. Look again once the write has had time to land.
      await new Promise((resolve) => setTimeout(resolve, EMPTY_RECHECK_MS));
      text = await readFile(configFile, 'utf8').catch(() => '');
    }
    // Same bytes as the last reading (an editor's extra events): nothing to do, unless asked.
    if (text === lastText && !force) return;
    lastText = text;
    const result = parseConfigText(text, env);
    if (!result.ok) {
      const [first] = result.errors;
      const more = result.errors.length > 1 ? ` (and ${result.errors.length - 1} more)` : '';
      logger.error(
        `config edit not applied; the running config is kept\n${formatConfigErrors(configFile, result.errors)}`,
      );
      app.configRejected({
        message: `${first!.message}${more}`,
        path: first!.path,
        ...(first!.line !== undefined ? { line: first!.line } : {}),
        ...(first!.column !== undefined ? { column: first!.column } : {}),
      });
      return;
    }
    const applied = await app.applyConfig(applyOverrides(result.config, overrides));
    const { added, removed, changed } = applied.backends;
    logger.info('config applied', { file: configFile, added, removed, changed });
    if (applied.restartNeeded.length)
      logger.warn('some config changes apply only after a restart', { keys: applied.restartNeeded });
  };
  const reload = (force = true) => {
    const next = chain.then(() => reloadOnce(force));
    chain = next.catch((error: unknown) => logger.error('config reload failed', { error: String(error) }));
    return chain;
  };

  app.useConfigReload(() => reload(false)); // dashboard edits: applied now, the watcher then sees no change
  // Tools turned off by an older dashboard (a SQLite setting) move into the config file once.
  const folded = await app.foldDisabledTools();
  if (folded === 'folded')
    logger.info('tools turned off in the dashboard are now excludes in the config file', {
      file: configFile,
    });
  else if (folded !== 'nothing')
    logger.warn('tools turned off in the dashboard stay an engine setting for now', { reason: folded });
  let watcher: ConfigWatcher | undefined;
  if (options.watch !== false) {
    watcher = watchConfigFile(configFile, () => void reload(false), {
      ...(options.watchDebounceMs !== undefined ? { debounceMs: options.watchDebounceMs } : {}),
      onError: (error) =>
        logger.warn('cannot watch the config file', { file: configFile, error: error.message }),
    });
  }

  return {
    app,
    url: started.url,
    token: started.token,
    tokenSource,
    configFile,
    createdConfig,
    reload,
    async stop() {
      watcher?.close();
      watcher = undefined;
      await chain;
      await app.stop();
    },
  };
}
