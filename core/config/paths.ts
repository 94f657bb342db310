// Where the config file is and where the endpoint answers: one answer each, for `serve`, the
// desktop app, the bridge and the dashboard (they used to spell these out separately).
import path from 'node:path';

export const CONFIG_FILE_NAME = 'config.yaml';

/** The config file in use: `--config`, then SWITCHYARD_CONFIG, then `config.yaml` in the data dir. */
export function configFilePath(dataDir: string, env: NodeJS.ProcessEnv, flag?: string): string {
  return path.resolve(flag ?? (env.SWITCHYARD_CONFIG || path.join(dataDir, CONFIG_FILE_NAME)));
}

/** The MCP endpoint's URL for a host and port; an IPv6 host is bracketed (`http://[::1]:4750/mcp`). */
export function endpointUrl(host: string, port: number): string {
  const bracketed = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `http://${bracketed}:${port}/mcp`;
}
