// The clients `switchyard connect` knows: where each keeps its user-level MCP configuration, in
// which format, and the entry that points it at Switchyard. One row per client; the writers per
// format family live beside this file. Sources for every path and field: docs/clients.md.
import { CLIENT_IDS, type ClientId } from '../../common/domain/client.js';
import {
  appConfigDir,
  appData,
  joinFor,
  vscodeUserDir,
  xdgConfigHome,
  type ClientEnvironment,
} from './platform.js';

export { CLIENT_IDS, type ClientId };

/** The name of our entry in every client's file. */
export const ENTRY_NAME = 'switchyard';

/** What an entry points at: the endpoint and its token, or the bridge command for stdio-only clients. */
export interface ConnectTarget {
  url: string;
  /** null when auth is off. */
  token: string | null;
  /** How to launch `switchyard bridge` from anywhere: absolute Node, absolute script. */
  bridge: { command: string; args: string[]; env?: Record<string, string> };
}

/**
 * How a client's file is organised:
 * - `json`: a JSON (or JSONC) object; servers are a map at `container`, ours under ENTRY_NAME.
 * - `toml`: Codex's TOML; our table is `[<container>.switchyard]`.
 * - `yaml-map`: a YAML map at `container` (Goose's `extensions`).
 * - `yaml-list`: a YAML list at `container` whose items carry `name` (Continue's `mcpServers`).
 */
export type FileFormat = 'json' | 'toml' | 'yaml-map' | 'yaml-list';

export interface ClientSpec {
  id: ClientId;
  name: string;
  format: FileFormat;
  /** The user-level config file. */
  file(e: ClientEnvironment): string;
  /** Key path of the server map (or list) inside the file. */
  container: string[];
  /** Whether the client reaches Switchyard over HTTP or through `switchyard bridge`. */
  transport: 'http' | 'bridge';
  /** The value of our entry. */
  entry(t: ConnectTarget): Record<string, unknown>;
  /** A new file, when none exists, starts from this (JSON/YAML text) before our entry goes in. */
  skeleton?: string;
  /** Folders (with something of the client's own in them) and executables that mean it is installed. */
  installed(e: ClientEnvironment): { dirs: string[]; binaries: string[] };
  /** Matches the `clientInfo.name` this client sends (for "last seen"). */
  clientInfo: RegExp;
  /** Where the format is documented. */
  source: string;
}

const bearer = (t: ConnectTarget): Record<string, string> | undefined =>
  t.token === null ? undefined : { Authorization: `Bearer ${t.token}` };

/** `{ ...fields, headers }` with no `headers` key at all when auth is off. */
function withHeaders(
  fields: Record<string, unknown>,
  t: ConnectTarget,
  key = 'headers',
): Record<string, unknown> {
  const headers = bearer(t);
  return headers ? { ...fields, [key]: headers } : fields;
}

const home = (e: ClientEnvironment, ...parts: string[]) => joinFor(e, e.home, ...parts);

export const CLIENTS: readonly ClientSpec[] = [
  {
    id: 'claude-desktop',
    name: 'Claude Desktop',
    format: 'json',
    file: (e) => joinFor(e, appConfigDir(e, 'Claude'), 'claude_desktop_config.json'),
    container: ['mcpServers'],
    transport: 'bridge',
    // Claude Desktop only launches commands: the bridge, by absolute paths (GUI apps on macOS do
    // not get the shell's PATH, so a bare `node` is often not found).
    entry: (t) => ({
      command: t.bridge.command,
      args: t.bridge.args,
      ...(t.bridge.env && Object.keys(t.bridge.env).length ? { env: t.bridge.env } : {}),
    }),
    installed: (e) => ({ dirs: [appConfigDir(e, 'Claude')], binaries: [] }),
    clientInfo: /^claude-ai$|claude desktop/i,
    source: 'https://modelcontextprotocol.io/quickstart/user',
  },
  {
    id: 'claude-code',
    name: 'Claude Code',
    format: 'json',
    // User scope lives at the top level of ~/.claude.json (or $CLAUDE_CONFIG_DIR/.claude.json);
    // `claude mcp add -s user` writes exactly this entry.
    file: (e) => joinFor(e, e.env.CLAUDE_CONFIG_DIR || e.home, '.claude.json'),
    container: ['mcpServers'],
    transport: 'http',
    entry: (t) => withHeaders({ type: 'http', url: t.url }, t),
    installed: (e) => ({
      dirs: [e.env.CLAUDE_CONFIG_DIR || home(e, '.claude')],
      binaries: ['claude'],
    }),
    clientInfo: /^claude-code$/i,
    source: 'https://code.claude.com/docs/en/mcp',
  },
  {
    id: 'cursor',
    name: 'Cursor',
    format: 'json',
    file: (e) => home(e, '.cursor', 'mcp.json'),
    container: ['mcpServers'],
    transport: 'http',
    entry: (t) => withHeaders({ url: t.url }, t),
    installed: (e) => ({ dirs: [home(e, '.cursor')], binaries: ['cursor'] }),
    clientInfo: /^cursor/i,
    source: 'https://cursor.com/docs/mcp',
  },
  {
    id: 'vscode',
    name: 'VS Code',
    format: 'json',
    // The user profile's mcp.json (what `code --add-mcp` and "MCP: Open User Configuration" edit).
    file: (e) => joinFor(e, vscodeUserDir(e), 'mcp.json'),
    container: ['servers'],
    transport: 'http',
    entry: (t) => withHeaders({ type: 'http', url: t.url }, t),
    installed: (e) => ({ dirs: [vscodeUserDir(e)], binaries: ['code'] }),
    clientInfo: /^visual studio code/i,
    source: 'https://code.visualstudio.com/docs/agents/reference/mcp-configuration',
  },
  {
    id: 'windsurf',
    name: 'Windsurf',
    format: 'json',
    file: (e) => home(e, '.codeium', 'windsurf', 'mcp_config.json'),
    container: ['mcpServers'],
    transport: 'http',
    entry: (t) => withHeaders({ serverUrl: t.url }, t),
    installed: (e) => ({ dirs: [home(e, '.codeium', 'windsurf')], binaries: ['windsurf'] }),
    clientInfo: /windsurf/i,
    source: 'https://docs.windsurf.com/windsurf/cascade/mcp',
  },
  {
    id: 'zed',
    name: 'Zed',
    format: 'json',
    // settings.json is JSONC (comments, trailing commas): edited in place, comments kept.
    file: (e) =>
      e.platform === 'win32'
        ? joinFor(e, appData(e), 'Zed', 'settings.json')
        : joinFor(e, xdgConfigHome(e), 'zed', 'settings.json'),
    container: ['context_servers'],
    transport: 'http',
    entry: (t) => withHeaders({ url: t.url }, t),
    installed: (e) => ({
      dirs: [e.platform === 'win32' ? joinFor(e, appData(e), 'Zed') : joinFor(e, xdgConfigHome(e), 'zed')],
      binaries: ['zed', 'zeditor'],
    }),
    clientInfo: /^zed/i,
    source: 'https://zed.dev/docs/ai/mcp',
  },
  {
    id: 'codex',
    name: 'Codex',
    format: 'toml',
    file: (e) => joinFor(e, e.env.CODEX_HOME || home(e, '.codex'), 'config.toml'),
    container: ['mcp_servers'],
    transport: 'http',
    // Codex sends `http_headers` as they are (`bearer_token_env_var` would need the variable in
    // Codex's own environment, which a GUI launch does not have).
    entry: (t) => withHeaders({ url: t.url }, t, 'http_headers'),
    installed: (e) => ({ dirs: [e.env.CODEX_HOME || home(e, '.codex')], binaries: ['codex'] }),
    clientInfo: /codex/i,
    source: 'https://developers.openai.com/codex/mcp',
  },
  {
    id: 'gemini-cli',
    name: 'Gemini CLI',
    format: 'json',
    file: (e) => home(e, '.gemini', 'settings.json'),
    container: ['mcpServers'],
    transport: 'http',
    // `httpUrl` is Streamable HTTP; `url` would mean the old SSE transport to Gemini CLI.
    entry: (t) => withHeaders({ httpUrl: t.url }, t),
    installed: (e) => ({ dirs: [home(e, '.gemini')], binaries: ['gemini'] }),
    clientInfo: /gemini/i,
    source: 'https://geminicli.com/docs/tools/mcp-server/',
  },
  {
    id: 'goose',
    name: 'Goose',
    format: 'yaml-map',
    file: (e) =>
      e.platform === 'win32'
        ? joinFor(e, appData(e), 'Block', 'goose', 'config', 'config.yaml')
        : joinFor(e, xdgConfigHome(e), 'goose', 'config.yaml'),
    container: ['extensions'],
    transport: 'http',
    entry: (t) =>
      withHeaders(
        {
          enabled: true,
          type: 'streamable_http',
          name: ENTRY_NAME,
          description: 'Switchyard: every local MCP server behind one endpoint',
          uri: t.url,
          timeout: 300,
        },
        t,
      ),
    installed: (e) => ({
      dirs: [
        e.platform === 'win32'
          ? joinFor(e, appData(e), 'Block', 'goose')
          : joinFor(e, xdgConfigHome(e), 'goose'),
      ],
      binaries: ['goose'],
    }),
    clientInfo: /goose/i,
    source: 'https://block.github.io/goose/docs/guides/config-files',
  },
  {
    id: 'lm-studio',
    name: 'LM Studio',
    format: 'json',
    // LM Studio follows Cursor's mcp.json notation.
    file: (e) => home(e, '.lmstudio', 'mcp.json'),
    container: ['mcpServers'],
    transport: 'http',
    entry: (t) => withHeaders({ url: t.url }, t),
    installed: (e) => ({ dirs: [home(e, '.lmstudio')], binaries: ['lms'] }),
    clientInfo: /lm ?studio/i,
    source: 'https://lmstudio.ai/docs/app/mcp',
  },
  {
    id: 'cline',
    name: 'Cline',
    format: 'json',
    file: (e) =>
      joinFor(
        e,
        vscodeUserDir(e),
        'globalStorage',
        'saoudrizwan.claude-dev',
        'settings',
        'cline_mcp_settings.json',
      ),
    container: ['mcpServers'],
    transport: 'http',
    // Without an explicit type Cline takes a `url` for the old SSE transport.
    entry: (t) => withHeaders({ type: 'streamableHttp', url: t.url, disabled: false }, t),
    installed: (e) => ({
      dirs: [joinFor(e, vscodeUserDir(e), 'globalStorage', 'saoudrizwan.claude-dev')],
      binaries: ['cline'],
    }),
    clientInfo: /^cline/i,
    source: 'https://docs.cline.bot/mcp/configuring-mcp-servers',
  },
  {
    id: 'continue',
    name: 'Continue',
    format: 'yaml-list',
    file: (e) => joinFor(e, e.env.CONTINUE_GLOBAL_DIR || home(e, '.continue'), 'config.yaml'),
    container: ['mcpServers'],
    transport: 'http',
    entry: (t) => {
      const headers = bearer(t);
      return {
        name: ENTRY_NAME,
        type: 'streamable-http',
        url: t.url,
        ...(headers ? { requestOptions: { headers } } : {}),
      };
    },
    // A config.yaml needs these three keys to load at all.
    skeleton: 'name: Local Config\nversion: 1.0.0\nschema: v1\n',
    installed: (e) => ({ dirs: [e.env.CONTINUE_GLOBAL_DIR || home(e, '.continue')], binaries: ['cn'] }),
    clientInfo: /continue/i,
    source: 'https://docs.continue.dev/customize/deep-dives/mcp',
  },
];

export function clientSpec(id: string): ClientSpec | undefined {
  return CLIENTS.find((c) => c.id === id);
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);
/** Where `switchyard bridge` goes without --url. */
export const DEFAULT_ENDPOINT = 'http://127.0.0.1:4750/mcp';

/**
 * The Switchyard endpoint an entry points at: a loopback URL whose path starts with `/mcp`, or the
 * `--url` of a `switchyard bridge` command (its default when none). Undefined for any other entry,
 * so `disconnect` never removes a server the user reused our name for.
 */
export function switchyardEndpoint(value: unknown): string | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  for (const key of ['url', 'serverUrl', 'httpUrl', 'uri']) {
    const raw = v[key];
    if (typeof raw !== 'string') continue;
    try {
      const u = new URL(raw);
      if (LOOPBACK.has(u.hostname) && /^\/mcp(\/|$)/.test(u.pathname)) return u.href;
    } catch {
      // not a URL: not ours
    }
  }
  if (!Array.isArray(v.args) || !v.args.includes('bridge')) return undefined;
  const at = v.args.indexOf('--url');
  const url = at >= 0 ? v.args[at + 1] : undefined;
  return typeof url === 'string' ? url : DEFAULT_ENDPOINT;
}

export function isSwitchyardEntry(value: unknown): boolean {
  return switchyardEndpoint(value) !== undefined;
}

/** The profile an endpoint URL serves: `/mcp` is `default`, `/mcp/NAME` is NAME. */
export function profileOf(endpoint: string): string {
  const m = /^\/mcp\/([^/]+)\/?$/.exec(new URL(endpoint).pathname);
  return m ? decodeURIComponent(m[1]!) : 'default';
}
