// `Switchyard --bridge`: the installed app as the stdio command Claude Desktop launches (the packaged
// app has no Node of its own to run `switchyard bridge` with: its runAsNode fuse is off). It relays
// stdio to the app's running endpoint with core's `bridge`, taking the URL from the app's config
// file and the token from the same place the engine does (keyring, config, or the data dir's file).
import { loadConfigFile } from '../core/config/load.js';
import { configFilePath, endpointUrl } from '../core/config/paths.js';

export const BRIDGE_ARG = '--bridge';

/** The `switchyard bridge` arguments for the desktop app's engine. */
export async function desktopBridgeArgv(options: {
  dataDir: string;
  env: NodeJS.ProcessEnv;
  /** The token kept in the OS keyring, if the app keeps it there. */
  keyringToken?: string;
}): Promise<string[]> {
  const { dataDir, env } = options;
  let host = '127.0.0.1';
  let port = 4750;
  let setting = 'auto';
  try {
    const config = await loadConfigFile(configFilePath(dataDir, env), env);
    ({ host, port } = config.server);
    setting = config.auth.token;
  } catch {
    // No config yet (the app writes the default one on its first start): the defaults apply.
  }
  // A gateway bound to every interface is still reached on loopback.
  if (host === '0.0.0.0') host = '127.0.0.1';
  if (host === '::') host = '::1';
  const url = endpointUrl(host, port);
  // Without --token, core's bridge reads SWITCHYARD_TOKEN, then <dataDir>/token (file mode).
  const token =
    setting === 'off'
      ? []
      : setting !== 'auto'
        ? ['--token', setting]
        : options.keyringToken && !env.SWITCHYARD_TOKEN
          ? ['--token', options.keyringToken]
          : [];
  return ['--url', url, '--data-dir', dataDir, ...token];
}
