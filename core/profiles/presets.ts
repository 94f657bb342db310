// What each MCP client accepts, as data: the whole-name rule (including what the client itself
// adds in front of a tool's name), a default tool budget, and whether the client searches its own
// tools (then Switchyard's search mode stays off by default). Each figure is cited in
// docs/clients.md ("Profiles and limits"); change one only with a source.

import { CLIENT_IDS, type ClientId } from '../../common/domain/client.js';

/** Client kinds a profile may name (the same list `switchyard connect` knows). */
export const CLIENT_KINDS = CLIENT_IDS;
export type ClientKind = ClientId;

/** The name the client registers Switchyard under (`switchyard connect` writes this entry name). */
export const DEFAULT_SERVER_NAME = 'switchyard';

/** How long a tool name may be for a given server name, and in what alphabet. */
export interface NameRule {
  /** Characters the advertised name may use (every client here: the Claude Desktop alphabet). */
  readonly alphabet: RegExp;
  /** Longest advertised name, given the name the client registered the server under. */
  maxLength(serverName: string): number;
  /** How the rule reads, for the dashboard and docs ("mcp__<server>__<tool> ≤ 64"). */
  readonly describe: string;
}

export interface ClientPreset {
  readonly kind: ClientKind | 'generic';
  /** Display name for the dashboard ("Cursor will see 112 tools"). */
  readonly label: string;
  readonly names: NameRule;
  /** The client's own tool limit; undefined when it has none we know of. */
  readonly maxTools: number | undefined;
  /** Whether past `maxTools` the client drops tools (hard) or only warns (soft). */
  readonly limitKind: 'hard' | 'soft' | undefined;
  /** The client defers or searches tools itself, so `search: auto` stays off for it. */
  readonly ownToolSearch: boolean;
}

/** `^[A-Za-z0-9_-]{1,64}$`: what the strictest clients (Claude Desktop, the Anthropic API) accept. */
const BASE_ALPHABET = /^[A-Za-z0-9_-]+$/;
const MAX_NAME = 64;

const plain: NameRule = {
  alphabet: BASE_ALPHABET,
  maxLength: () => MAX_NAME,
  describe: '^[A-Za-z0-9_-]{1,64}$',
};

/** Claude Code sends `mcp__<server>__<tool>` to the API, which refuses names over 64. */
const claudeCode: NameRule = {
  alphabet: BASE_ALPHABET,
  maxLength: (server) => MAX_NAME - `mcp__${server}__`.length,
  describe: 'mcp__<server>__<tool> ≤ 64',
};

/** Cursor filters out a tool when server name + tool name reach 60 ("(60) exceeds 60"). */
const cursor: NameRule = {
  alphabet: BASE_ALPHABET,
  maxLength: (server) => 59 - server.length,
  describe: '<server> + <tool> < 60',
};

/** Gemini CLI registers `mcp_<server>_<tool>` and cuts the middle out of names over 63. */
const geminiCli: NameRule = {
  alphabet: BASE_ALPHABET,
  maxLength: (server) => 63 - `mcp_${server}_`.length,
  describe: 'mcp_<server>_<tool> ≤ 63',
};

function preset(
  kind: ClientPreset['kind'],
  label: string,
  extra: Partial<Omit<ClientPreset, 'kind' | 'label'>> = {},
): ClientPreset {
  return {
    kind,
    label,
    names: extra.names ?? plain,
    maxTools: extra.maxTools,
    limitKind: extra.maxTools === undefined ? undefined : (extra.limitKind ?? 'hard'),
    ownToolSearch: extra.ownToolSearch ?? false,
  };
}

export const PRESETS: Readonly<Record<ClientKind | 'generic', ClientPreset>> = {
  generic: preset('generic', 'Any client'),
  'claude-desktop': preset('claude-desktop', 'Claude Desktop'),
  // Claude Code defers MCP tools behind its own ToolSearch, so it needs no budget of ours.
  'claude-code': preset('claude-code', 'Claude Code', { names: claudeCode, ownToolSearch: true }),
  cursor: preset('cursor', 'Cursor', { names: cursor, maxTools: 80, limitKind: 'soft' }),
  // VS Code refuses more than 128 tools per request and groups tools itself ("virtual tools").
  vscode: preset('vscode', 'VS Code', { maxTools: 128, ownToolSearch: true }),
  windsurf: preset('windsurf', 'Windsurf', { maxTools: 100 }),
  zed: preset('zed', 'Zed'),
  // Codex defers MCP tools behind its own tool_search.
  codex: preset('codex', 'Codex', { ownToolSearch: true }),
  'gemini-cli': preset('gemini-cli', 'Gemini CLI', { names: geminiCli }),
  goose: preset('goose', 'Goose'),
  'lm-studio': preset('lm-studio', 'LM Studio'),
  cline: preset('cline', 'Cline'),
  continue: preset('continue', 'Continue'),
};

export function presetFor(kind: ClientKind | undefined): ClientPreset {
  return PRESETS[kind ?? 'generic'];
}
