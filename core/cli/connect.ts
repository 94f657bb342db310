// `switchyard connect CLIENT` / `switchyard disconnect CLIENT`: point a client's user-level config
// at this Switchyard (or take it away). The endpoint and token are the ones `serve` would use with
// the same data dir and config: $SWITCHYARD_TOKEN, else the config's auth.token, else the token
// file of the data dir. The token is written to the client's file, never printed.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CLIENT_IDS, clientSpec, type ClientSpec, type ConnectTarget } from '../clients/catalogue.js';
import { connectClient, disconnectClient } from '../clients/connector.js';
import { ClientFileError } from '../clients/editor.js';
import { currentEnvironment, exists } from '../clients/platform.js';
import { loadConfigFile } from '../config/load.js';
import { defaultDataDir } from '../store/data-dir.js';
import { readStoredToken, resolveToken } from '../store/token.js';
import { dataDirFrom, DEFAULT_URL, UsageError, type Io } from './common.js';

const PROFILE_NAME = /^[A-Za-z0-9_-]{1,64}$/;

export interface ResolvedTarget extends ConnectTarget {
  /** Where the token came from (the bridge finds a data-dir token itself, the others go in its env). */
  tokenSource: 'file' | 'env' | 'config' | 'off';
}

/** How this installation launches `switchyard bridge` from any folder: absolute Node, absolute script. */
export function bridgeLaunch(): { command: string; args: string[] } {
  const here = import.meta.url;
  const fromSource = here.endsWith('.ts');
  const script = fileURLToPath(new URL(fromSource ? './main.ts' : './main.js', here));
  // From source the TypeScript loader must be found from wherever the client starts us: by URL.
  return {
    command: process.execPath,
    args: [...(fromSource ? ['--import', import.meta.resolve('tsx')] : []), script, 'bridge'],
  };
}

/** The endpoint and token a running (or next) `serve` with these flags and environment uses. */
export async function resolveTarget(
  flags: {
    url?: string | undefined;
    'data-dir'?: string | undefined;
    config?: string | undefined;
    profile?: string | undefined;
  },
  env: NodeJS.ProcessEnv,
  { createToken = true } = {},
): Promise<ResolvedTarget> {
  const dataDir = dataDirFrom(flags['data-dir'], env);
  const configFile = flags.config ?? env.SWITCHYARD_CONFIG ?? path.join(dataDir, 'config.yaml');
  const config = (await exists(configFile)) ? await loadConfigFile(configFile, env) : undefined;
  if (flags.profile !== undefined && flags.profile !== 'default') {
    const profiles = (config as { profiles?: Record<string, unknown> } | undefined)?.profiles ?? {};
    if (!PROFILE_NAME.test(flags.profile) || !(flags.profile in profiles))
      throw new UsageError(
        `no profile "${flags.profile}" in ${configFile} (profiles: default${Object.keys(profiles)
          .map((p) => `, ${p}`)
          .join('')})`,
      );
  }
  let url: URL;
  if (flags.url) url = new URL(flags.url);
  else {
    const host = config?.server.host ?? '127.0.0.1';
    const port = config?.server.port ?? 4750;
    // A wildcard bind is still reached on loopback; clients never get a non-loopback address.
    url = new URL(
      `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host}:${port}/mcp`,
    );
  }
  if (flags.profile && flags.profile !== 'default') url.pathname = `/mcp/${flags.profile}`;

  const setting = env.SWITCHYARD_TOKEN ?? config?.auth.token ?? 'auto';
  // connect creates the token file exactly as serve would (same file, same rules); a query never does.
  const resolved =
    createToken || setting !== 'auto'
      ? await resolveToken(setting, dataDir)
      : { token: (await readStoredToken(dataDir)) ?? null, source: 'file' as const };
  const tokenSource =
    resolved.source === 'file'
      ? 'file'
      : resolved.source === 'off'
        ? 'off'
        : env.SWITCHYARD_TOKEN
          ? 'env'
          : 'config';

  const launch = bridgeLaunch();
  const bridgeArgs = [
    ...launch.args,
    ...(url.href !== DEFAULT_URL ? ['--url', url.href] : []),
    // A GUI client starts the bridge without our shell's SWITCHYARD_DATA_DIR / XDG_DATA_HOME: name
    // the data dir whenever the bridge should read its token file there.
    ...(tokenSource === 'file' || dataDir !== defaultDataDir({ HOME: env.HOME })
      ? ['--data-dir', dataDir]
      : []),
  ];
  // The bridge reads a data-dir token itself (and sees it if it changes); any other token goes in
  // its environment, where only the client that launches it sees it.
  const bridgeEnv =
    tokenSource === 'env' || tokenSource === 'config' ? { SWITCHYARD_TOKEN: resolved.token! } : undefined;
  return {
    url: url.href,
    token: resolved.token,
    tokenSource,
    bridge: { command: launch.command, args: bridgeArgs, ...(bridgeEnv ? { env: bridgeEnv } : {}) },
  };
}

function specFrom(positionals: string[], verb: string): ClientSpec {
  const [id, ...extra] = positionals;
  if (!id) throw new UsageError(`${verb} needs a CLIENT: one of ${CLIENT_IDS.join(', ')}`);
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const spec = clientSpec(id);
  if (!spec) throw new UsageError(`unknown client "${id}": one of ${CLIENT_IDS.join(', ')}`);
  return spec;
}

/** A client file we cannot parse is reported and left untouched (exit 1); anything else propagates. */
function refuseBrokenFile(error: unknown, file: string, io: Io): number {
  if (!(error instanceof ClientFileError)) throw error;
  io.stderr.write(`switchyard: cannot edit ${file}: ${error.message}. Nothing was written.\n`);
  return 1;
}

export async function connect(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      profile: { type: 'string' },
      'dry-run': { type: 'boolean' },
      url: { type: 'string' },
      'data-dir': { type: 'string' },
      config: { type: 'string' },
    },
    strict: true,
    allowPositionals: true,
  });
  const spec = specFrom(positionals, 'connect');
  const target = await resolveTarget(values, io.env);
  const e = currentEnvironment(io.env);
  try {
    const r = await connectClient(spec, target, e, { dryRun: Boolean(values['dry-run']) });
    const how = spec.transport === 'bridge' ? 'through `switchyard bridge`' : `to ${target.url}`;
    if (r.action === 'unchanged')
      io.stdout.write(`${spec.name} is already connected ${how} (${r.file} unchanged)\n`);
    else if (r.dryRun)
      io.stdout.write(
        `Would ${r.action === 'added' ? 'add' : 'update'} the "switchyard" entry in ${r.file}${r.createdFile ? ' (a new file)' : ''}, connecting ${spec.name} ${how}. Nothing written (--dry-run).\n`,
      );
    else {
      io.stdout.write(
        `${spec.name}: ${r.action} the "switchyard" entry in ${r.file}, connecting it ${how}\n`,
      );
      if (r.backup && r.action === 'added') io.stdout.write(`Backup of the file as it was: ${r.backup}\n`);
      io.stdout.write(`Restart ${spec.name} (or reload its MCP servers) to pick it up.\n`);
    }
    if (target.tokenSource === 'off' && spec.transport === 'http')
      io.stderr.write('note: authentication is off, so no Authorization header was written\n');
    return 0;
  } catch (error) {
    return refuseBrokenFile(error, spec.file(e), io);
  }
}

export async function disconnect(argv: string[], io: Io): Promise<number> {
  const { positionals } = parseArgs({ args: argv, options: {}, strict: true, allowPositionals: true });
  const spec = specFrom(positionals, 'disconnect');
  const e = currentEnvironment(io.env);
  try {
    const r = await disconnectClient(spec, e);
    if (r.action === 'absent')
      io.stdout.write(`${spec.name} is not connected (no "switchyard" entry in ${r.file})\n`);
    else if (r.action === 'foreign') {
      io.stderr.write(
        `The "switchyard" entry in ${r.file} does not point at Switchyard any more (edited by hand?): left as it is.\n`,
      );
      return 1;
    } else
      io.stdout.write(
        `${spec.name}: removed the "switchyard" entry${r.deletedFile ? ` and ${r.file}, which connect had created` : ` from ${r.file}`}\n`,
      );
    return 0;
  } catch (error) {
    return refuseBrokenFile(error, spec.file(e), io);
  }
}
