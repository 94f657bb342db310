// The main ↔ engine protocol with a real engine in its own process (child_process.fork standing in
// for Electron's utilityProcess): start with the keyring token, control calls and their errors,
// pushed snapshots, the tray derived from them, a crash and the restart, and a clean stop.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlEvent } from '../../common/control/api.js';
import { Engine, EngineError, type EngineStatus } from '../../electron/engine-client.js';
import { trayMenuModel, trayState } from '../../electron/tray-model.js';
import { startFixture, waitFor, type RunningServer } from '../helpers/processes.js';
import { forkEngineChannel } from '../unit/electron/fakes.js';

let alpha: RunningServer;
let beta: RunningServer;
let dataDir: string;
let engine: Engine;
const channels: ReturnType<typeof forkEngineChannel>[] = [];
const statuses: EngineStatus['state'][] = [];
const events: ControlEvent[] = [];
const TOKEN = 'sy_keyring_token_for_tests';

const engineEnv = () => {
  const env = { ...process.env };
  delete env.SWITCHYARD_TOKEN;
  delete env.SWITCHYARD_CONFIG;
  return env;
};

beforeAll(async () => {
  [alpha, beta] = await Promise.all([
    startFixture({ name: 'alpha', transport: 'legacy-http', tools: ['echo', 'alpha-only'] }),
    startFixture({ name: 'beta', transport: 'legacy-http', tools: ['echo', 'beta-only'] }),
  ]);
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'switchyard-electron-'));
  await writeFile(
    path.join(dataDir, 'config.yaml'),
    [
      'backends:',
      `  - { name: alpha, url: "${alpha.url}" }`,
      `  - { name: beta, url: "${beta.url}" }`,
      '',
    ].join('\n'),
  );
  engine = new Engine({
    spawn: () => {
      const channel = forkEngineChannel(engineEnv());
      channels.push(channel);
      return channel;
    },
    startOptions: async () => ({
      dataDir,
      token: TOKEN,
      overrides: { port: 0, docker: false },
      logLevel: 'warn',
    }),
    restart: { max: 3, windowMs: 60_000, delayMs: 100 },
    startTimeoutMs: 30_000,
  });
  engine.onStatus((s) => statuses.push(s.state));
  engine.subscribe((event) => events.push(event));
  await engine.start();
});

afterAll(async () => {
  await engine?.stop();
  for (const channel of channels) channel.kill();
  await Promise.allSettled([alpha?.stop(), beta?.stop()]);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('the engine in its own process', () => {
  it('starts from the data dir with the keyring token and reports the endpoint', async () => {
    expect(engine.status.state).toBe('running');
    expect(engine.status.started?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    expect(engine.status.started?.token).toBe('keyring');
    const info = await engine.connectInfo();
    expect(info.token).toBe(TOKEN);
    expect(info.url).toBe(engine.status.started?.url);
    // The keyring token is handed over in memory: no plain token file was written.
    await expect(stat(path.join(dataDir, 'token'))).rejects.toThrow();
  });

  it('answers control calls with the real engine state, and errors with their status', async () => {
    const snapshot = await waitFor(
      async () => {
        const s = await engine.snapshot();
        return s.backends.every((b) => b.state === 'ready') && s.counts.tools === 4 ? s : undefined;
      },
      { what: 'both backends ready' },
    );
    expect(snapshot.backends.map((b) => b.name)).toEqual(['alpha', 'beta']);
    expect(snapshot.counts.openConflicts).toBe(1);
    const detail = await engine.backend('beta');
    expect(detail.tools.map((t) => [t.originalName, t.advertisedAs])).toEqual([
      ['echo', 'beta__echo'],
      ['beta-only', 'beta-only'],
    ]);
    const error = await engine.backend('nope').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).status).toBe(404);
    expect((error as EngineError).message).toBe('no backend named "nope"');
  });

  it('pushes snapshots after a change, and the tray follows the engine', async () => {
    await engine.setGatewayRunning(false);
    const off = await waitFor(
      () =>
        events.findLast(
          (e): e is Extract<ControlEvent, { type: 'snapshot' }> =>
            e.type === 'snapshot' && e.snapshot.gateway.state === 'stopped',
        ),
      { what: 'a snapshot with the gateway off' },
    );
    expect(trayState({ engine: engine.status, snapshot: off.snapshot })).toBe('stopped');
    const menu = trayMenuModel({
      engine: engine.status,
      snapshot: off.snapshot,
      openAtLogin: false,
      loginItemSupported: true,
      quitting: false,
    });
    expect(menu.find((i) => i.type === 'normal' && i.id === 'toggle-gateway')).toMatchObject({
      label: 'Resume gateway',
      enabled: true,
      action: { kind: 'set-gateway', running: true },
    });

    await engine.setGatewayRunning(true);
    const on = await waitFor(
      () =>
        events.findLast(
          (e): e is Extract<ControlEvent, { type: 'snapshot' }> =>
            // The first snapshot after "on" can precede the rebuilt set; wait for the conflict.
            e.type === 'snapshot' &&
            e.snapshot.gateway.state === 'running' &&
            e.snapshot.conflicts.length > 0,
        ),
      { what: 'a snapshot with the gateway on and its conflict back' },
    );
    // Two backends offer `echo`: an open conflict needs the user's attention.
    expect(trayState({ engine: engine.status, snapshot: on.snapshot })).toBe('attention');
  });

  it('restarts the engine after a crash; subscriptions carry on', async () => {
    const crashed = channels.at(-1)!;
    const before = channels.length;
    statuses.length = 0;
    crashed.kill();
    await waitFor(() => channels.length > before && engine.status.state === 'running', {
      what: 'the engine restarted',
      timeoutMs: 30_000,
    });
    expect(statuses).toContain('failed');
    expect(statuses.at(-1)).toBe('running');
    const count = events.length;
    await engine.setStrategy('prefix');
    await waitFor(
      () => events.slice(count).some((e) => e.type === 'snapshot' && e.snapshot.strategy === 'prefix'),
      { what: 'an event from the new engine process' },
    );
    await engine.setStrategy('auto');
  });

  it('a call while the engine is down fails with a clear error', async () => {
    const stopped = new Engine({
      spawn: () => forkEngineChannel(engineEnv()),
      startOptions: async () => ({ dataDir }),
    });
    await expect(stopped.snapshot()).rejects.toThrow('the engine is not running');
  });

  it('a start that fails (port in use) says why and is not retried', async () => {
    const port = Number(new URL(engine.status.started!.url).port);
    const otherDir = await mkdtemp(path.join(os.tmpdir(), 'switchyard-electron-'));
    const second = new Engine({
      spawn: () => forkEngineChannel(engineEnv()),
      startOptions: async () => ({ dataDir: otherDir, overrides: { port, docker: false } }),
    });
    try {
      await expect(second.start()).rejects.toThrow(/EADDRINUSE|in use/);
      expect(second.status.state).toBe('failed');
      expect(second.status.error).toMatch(/EADDRINUSE|in use/);
    } finally {
      await second.stop();
      await rm(otherDir, { recursive: true, force: true });
    }
  });

  it('without a keyring token, the engine keeps its own user-only token file (as serve does)', async () => {
    const otherDir = await mkdtemp(path.join(os.tmpdir(), 'switchyard-electron-'));
    const fileMode = new Engine({
      spawn: () => forkEngineChannel(engineEnv()),
      startOptions: async () => ({ dataDir: otherDir, overrides: { port: 0, docker: false } }),
    });
    try {
      await fileMode.start();
      expect(fileMode.status.started?.token).toBe('file');
      const token = (await readFile(path.join(otherDir, 'token'), 'utf8')).trim();
      expect((await stat(path.join(otherDir, 'token'))).mode & 0o777).toBe(0o600);
      expect((await fileMode.connectInfo()).token).toBe(token);
    } finally {
      await fileMode.stop();
      await rm(otherDir, { recursive: true, force: true });
    }
  });

  it('stops cleanly: the process exits with code 0', async () => {
    const channel = channels.at(-1)!;
    const exited = new Promise<number | null>((resolve) => channel.onExit(resolve));
    await engine.stop();
    expect(engine.status.state).toBe('stopped');
    expect(await exited).toBe(0);
  });
});
