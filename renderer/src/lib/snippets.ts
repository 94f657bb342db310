// Ready-to-paste client configurations for the Connect view. Each snippet is built twice: with the
// real token (what Copy puts on the clipboard) and with a mask (what the screen shows until the
// user reveals the token).
import type { ConnectInfo } from '../contract.js';

export const TOKEN_MASK = '••••••••••••';

export interface Snippet {
  id: 'claude-code' | 'cursor' | 'vscode' | 'claude-desktop';
  client: string;
  /** Where it goes. */
  where: string;
  language: 'shell' | 'json';
  text: string;
  /** Whether the text contains the token. */
  hasToken: boolean;
}

const SERVER_NAME = 'switchyard';
/** Where `switchyard bridge` goes without --url. */
const DEFAULT_URL = 'http://127.0.0.1:4750/mcp';

function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:@=-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Snippets for `info`, with `token` written where the bearer token goes (null when auth is off). */
export function buildSnippets(info: ConnectInfo, token: string | null): Snippet[] {
  const auth = info.token !== null;
  const bearer = `Bearer ${token ?? ''}`;
  const claudeCode = [
    `claude mcp add --transport http -s user ${SERVER_NAME} ${shellQuote(info.url)}`,
    ...(auth ? [`  --header ${shellQuote(`Authorization: ${bearer}`)}`] : []),
  ].join(' \\\n');
  const cursor = json({
    mcpServers: {
      [SERVER_NAME]: { url: info.url, ...(auth ? { headers: { Authorization: bearer } } : {}) },
    },
  });
  const vscode = json({
    ...(auth
      ? {
          inputs: [
            { type: 'promptString', id: 'switchyard-token', description: 'Switchyard token', password: true },
          ],
        }
      : {}),
    servers: {
      [SERVER_NAME]: {
        type: 'http',
        url: info.url,
        ...(auth ? { headers: { Authorization: 'Bearer ${input:switchyard-token}' } } : {}),
      },
    },
  });
  // An engine on a port chosen at start (port 0) must be named to the bridge.
  const bridgeArgs =
    info.bridgeCommand.args.includes('--url') || info.url === DEFAULT_URL
      ? info.bridgeCommand.args
      : [...info.bridgeCommand.args, '--url', info.url];
  const desktop = json({
    mcpServers: {
      [SERVER_NAME]: { command: info.bridgeCommand.command, args: bridgeArgs },
    },
  });
  return [
    {
      id: 'claude-code',
      client: 'Claude Code',
      where: 'Run in a terminal',
      language: 'shell',
      text: claudeCode,
      hasToken: auth,
    },
    {
      id: 'cursor',
      client: 'Cursor',
      where: '~/.cursor/mcp.json',
      language: 'json',
      text: cursor,
      hasToken: auth,
    },
    {
      id: 'vscode',
      client: 'VS Code',
      where: '.vscode/mcp.json (VS Code asks for the token once and keeps it)',
      language: 'json',
      text: vscode,
      hasToken: false,
    },
    {
      id: 'claude-desktop',
      client: 'Claude Desktop',
      where: 'claude_desktop_config.json (it runs switchyard bridge, which reads the token itself)',
      language: 'json',
      text: desktop,
      hasToken: false,
    },
  ];
}
