// Config applied live, with real processes and files: `switchyard serve` watching its config file,
// an SDK v1 client (with its GET stream) connected throughout. Adding and removing a backend reaches
// the client as list_changed and a new list, without reconnecting; an invalid edit changes nothing
// and shows in `switchyard status` (line and key path) until fixed; an editor's atomic rename and a
// deleted file are survived; SIGHUP re-reads the file and never stops serve.
import { mkdtemp, rename, rm, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../common/control/snapshot.js';
import { runCli, spawnServe, type Served } from '../helpers/cli.js';
import { connectV1, toolNames } from '../helpers/gateway.js';
import { startFixture, stopProcess, waitFor, type RunningServer } from '../helpers/processes.js';

let alpha: RunningServer;
let beta: RunningServer;
let dir: string;
let configFile: string;
let dataDir: string;
let served: Served;
let client: ClientV1;
let listChanged = 0;

const backendLine = (name: string, server: RunningServer) => `  - { name: ${name}, url: "${server.url}" }`;
const writeConfig = (lines: string[]) => writeFile(configFile, `${lines.join('\n')}\n`);

async function snapshot(): Promise<Snapshot> {
  const response = await fetch(new URL('/api/status', served.url));
  return (await response.json()) as Snapshot;
}

async function listsSoon(expected: string[], what: string): Promise<void> {
  await waitFor(
    async () => {
      const names = await toolNames(client);
      return expected.every((n) => names.includes(n)) && names.length === expected.length ? true : undefined;
    },
    { timeoutMs: 15_000, what },
  );
}

beforeAll(async () => {
  [alpha, beta] = await Promise.all([
    startFixture({ name: 'alpha', transport: 'legacy-http', tools: ['alpha-only'] }),
    startFixture({ name: 'beta', transport: 'legacy-http', tools: ['beta-only'] }),
  ]);
  dir = await mkdtemp(path.join(os.tmpdir(), 'switchyard-reload-'));
  configFile = path.join(dir, 'switchyard.yaml');
  dataDir = path.join(dir, 'data');
  await writeConfig(['# my backends', 'backends:', backendLine('alpha', alpha)]);
  served = await spawnServe([
    '--config',
    configFile,
    '--data-dir',
    dataDir,
    '--port',
    '0',
    '--no-docker',
    '--no-auth',
  ]);
  client = await connectV1({ url: served.url, token: null } as never);
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
    listChanged += 1;
  });
  await listsSoon(['alpha-only'], 'the first list');
}, 60_000);

afterAll(async () => {
  await client?.close().catch(() => undefined);
  if (served) await stopProcess(served.child);
  await Promise.all([alpha?.stop(), beta?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

describe('config applied live', () => {
  it('adds and removes backends; the connected client hears list_changed and lists the new set', async () => {
    const sessionsBefore = (await snapshot()).sessions.map((s) => s.id);
    let before = listChanged;
    await writeConfig(['# my backends', 'backends:', backendLine('alpha', alpha), backendLine('beta', beta)]);
    await waitFor(() => listChanged > before, { timeoutMs: 15_000, what: 'list_changed after adding beta' });
    await listsSoon(['alpha-only', 'beta-only'], 'alpha and beta listed');

    before = listChanged;
    await writeConfig(['# my backends', 'backends:', backendLine('beta', beta)]);
    await waitFor(() => listChanged > before, {
      timeoutMs: 15_000,
      what: 'list_changed after removing alpha',
    });
    await listsSoon(['beta-only'], 'only beta listed');
    const s = await snapshot();
    expect(s.backends.map((b) => b.name)).toEqual(['beta']);
    // The same client session throughout (no reconnect).
    expect(s.sessions.map((x) => x.id)).toEqual(sessionsBefore);
    expect(s.config?.file).toBe(configFile);
    expect(s.config?.error).toBeUndefined();
  });

  it('an invalid edit changes nothing and is shown with line and key path until fixed', async () => {
    await writeConfig([
      '# my backends',
      'backends:',
      backendLine('beta', beta),
      '  - { name: gamma, url: "not a url" }',
    ]);
    const rejected = await waitFor(async () => (await snapshot()).config?.error, {
      timeoutMs: 15_000,
      what: 'the config error in the snapshot',
    });
    expect(rejected).toMatchObject({ path: 'backends[1].url', line: 4 });
    expect((await snapshot()).backends.map((b) => b.name)).toEqual(['beta']);
    const status = await runCli(['status', '--url', served.url]);
    expect(status.stdout).toMatch(/Config: .*switchyard\.yaml:4.*backends\[1\]\.url/);
    expect(served.stderr()).toMatch(/config edit not applied/);

    await writeConfig(['# my backends', 'backends:', backendLine('beta', beta)]);
    await waitFor(async () => (await snapshot()).config?.error === undefined, {
      timeoutMs: 15_000,
      what: 'the error cleared',
    });
    expect((await runCli(['status', '--url', served.url])).stdout).not.toMatch(/not applied/);
  });

  it("survives an editor's atomic rename", async () => {
    const before = listChanged;
    const temp = path.join(dir, '.switchyard.yaml.swp');
    await writeFile(
      temp,
      ['backends:', backendLine('beta', beta), backendLine('alpha', alpha), ''].join('\n'),
    );
    await rename(temp, configFile);
    await waitFor(() => listChanged > before, { timeoutMs: 15_000, what: 'list_changed after the rename' });
    await listsSoon(['alpha-only', 'beta-only'], 'alpha back after the rename');
  });

  it('keeps the running config when the file is deleted, and applies it once it is back', async () => {
    await unlink(configFile);
    const gone = await waitFor(async () => (await snapshot()).config?.error, {
      timeoutMs: 15_000,
      what: 'the deletion reported',
    });
    expect(gone.message).toMatch(/gone/);
    expect((await snapshot()).backends.map((b) => b.name)).toEqual(['beta', 'alpha']);
    await writeConfig(['backends:', backendLine('alpha', alpha)]);
    await waitFor(async () => (await snapshot()).config?.error === undefined, {
      timeoutMs: 15_000,
      what: 'the file back',
    });
    await listsSoon(['alpha-only'], 'only alpha after the file came back');
  });

  it('SIGHUP re-reads the config and never stops serve', async () => {
    const appliedAt = (await snapshot()).config!.appliedAt;
    served.child.kill('SIGHUP');
    await waitFor(async () => (await snapshot()).config!.appliedAt > appliedAt, {
      timeoutMs: 15_000,
      what: 'the config applied again after SIGHUP',
    });
    expect(served.child.exitCode).toBeNull();
    expect(served.stderr()).toMatch(/SIGHUP: re-reading the config file/);
    await listsSoon(['alpha-only'], 'still serving after SIGHUP');
  });

  it('reports keys that need a restart instead of ignoring them', async () => {
    await writeConfig(['audit: { retentionDays: 7 }', 'backends:', backendLine('alpha', alpha)]);
    const restart = await waitFor(async () => (await snapshot()).config?.restartNeeded, {
      timeoutMs: 15_000,
      what: 'restart-only keys reported',
    });
    expect(restart).toEqual(['audit.retentionDays']);
    expect((await runCli(['status', '--url', served.url])).stdout).toMatch(/restart.*audit\.retentionDays/);
    expect(served.stderr()).toMatch(/apply only after a restart/);
  });

  it('`switchyard add` and `remove` reach a running serve through its watcher', async () => {
    const added = await runCli(['add', 'beta', beta.url, '--config', configFile]);
    expect(added.code, added.stderr).toBe(0);
    await listsSoon(['alpha-only', 'beta-only'], 'beta added by the CLI');
    const removed = await runCli(['remove', 'alpha', '--config', configFile]);
    expect(removed.code, removed.stderr).toBe(0);
    await listsSoon(['beta-only'], 'alpha removed by the CLI');
  });
});
