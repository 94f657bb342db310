// The Connect view's source: every client with installed / connected state, the profile its entry
// uses, last seen from the sessions' clientInfo; connect and disconnect with the engine's target.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLIENT_IDS, clientSpec, profileOf, switchyardEndpoint } from '../../core/clients/catalogue.js';
import { ClientRequestError, ClientsService, type SessionSeen } from '../../core/clients/service.js';
import type { ClientEnvironment } from '../../core/clients/platform.js';

let home: string;
let environment: ClientEnvironment;
let sessions: SessionSeen[];
let service: ClientsService;
const target = {
  url: 'http://127.0.0.1:4750/mcp',
  token: 'sy_service',
  bridge: {
    command: '/usr/bin/node',
    args: ['/opt/sy/main.js', 'bridge', '--url', 'http://127.0.0.1:4750/mcp'],
  },
};

beforeEach(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'switchyard-service-'));
  environment = { platform: 'linux', home, env: {} };
  sessions = [];
  service = new ClientsService({ target: () => target, sessions: () => sessions, environment });
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('ClientsService', () => {
  it('lists every client, none connected in an empty home', async () => {
    const list = await service.list();
    expect(list.map((c) => c.id)).toEqual([...CLIENT_IDS]);
    expect(list.every((c) => !c.connected && !c.installed)).toBe(true);
    expect(JSON.stringify(list)).not.toContain('sy_service');
  });

  it('connects and disconnects a client, with the profile and last seen', async () => {
    sessions = [
      { clientName: 'claude-code', clientVersion: '2.1.0', lastSeen: 1000 },
      { clientName: 'claude-code', clientVersion: '2.1.197', lastSeen: 5000 },
      { clientName: 'cursor-vscode', clientVersion: '1.0.0', lastSeen: 9000 },
    ];
    const connected = await service.connect('claude-code');
    expect(connected).toMatchObject({
      id: 'claude-code',
      connected: true,
      current: true,
      endpoint: target.url,
      profile: 'default',
      lastSeen: 5000,
      lastClient: 'claude-code 2.1.197',
    });
    expect(JSON.stringify(connected)).not.toContain('sy_service');
    const desktop = await service.connect('claude-desktop');
    expect(desktop).toMatchObject({ connected: true, transport: 'bridge', endpoint: target.url });
    expect((await service.list()).find((c) => c.id === 'cursor')?.lastSeen).toBe(9000);
    expect(await service.disconnect('claude-code')).toMatchObject({ connected: false });
  });

  it('refuses unknown clients, files it cannot parse and entries the user repointed', async () => {
    await expect(service.connect('notepad')).rejects.toBeInstanceOf(ClientRequestError);
    const file = clientSpec('cursor')!.file(environment);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, '{ broken');
    await expect(service.connect('cursor')).rejects.toThrow(
      /cannot edit .*mcp\.json: not valid JSON.*nothing was written/,
    );
    await writeFile(file, '{"mcpServers":{"switchyard":{"url":"https://elsewhere.example/mcp"}}}');
    await expect(service.disconnect('cursor')).rejects.toThrow(/points somewhere else/);
  });
});

describe('endpoints and profiles of entries', () => {
  it('reads the endpoint from any URL field or the bridge --url, and the profile from its path', () => {
    expect(switchyardEndpoint({ serverUrl: 'http://127.0.0.1:4750/mcp/cursor' })).toBe(
      'http://127.0.0.1:4750/mcp/cursor',
    );
    expect(switchyardEndpoint({ command: 'node', args: ['main.js', 'bridge'] })).toBe(
      'http://127.0.0.1:4750/mcp',
    );
    expect(switchyardEndpoint({ url: 'https://example.com/mcp' })).toBeUndefined();
    expect(switchyardEndpoint({ url: 'http://localhost:4750/other' })).toBeUndefined();
    expect(profileOf('http://127.0.0.1:4750/mcp')).toBe('default');
    expect(profileOf('http://127.0.0.1:4750/mcp/cursor')).toBe('cursor');
  });
});
