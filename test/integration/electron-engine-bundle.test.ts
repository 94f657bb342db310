// The desktop app's engine process as electron/main.ts starts it: the bundle (build/bundle.ts →
// dist/engine/engine-host.js), built with esbuild's JS API into a temp dir laid out like the
// packaged app (package.json, dist/engine, node_modules), never the shared dist/. Forked
// (child_process.fork stands in for utilityProcess), it starts the engine over the protocol,
// answers control calls with the real state, and stops cleanly.
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundle } from '../../build/bundle.js';
import { Engine } from '../../electron/engine-client.js';
import { ROOT, startFixture, waitFor, type RunningServer } from '../helpers/processes.js';
import { forkEngineChannel } from '../unit/electron/fakes.js';

let dir: string;
let fx: RunningServer;
let engine: Engine | undefined;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'switchyard-engine-bundle-'));
  const { version } = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as {
    version: string;
  };
  await writeFile(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'switchyard', version, type: 'module' }),
  );
  await symlink(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  [, fx] = await Promise.all([
    bundle('engine-host', path.join(dir, 'dist/engine')),
    startFixture({ name: 'fx', transport: 'legacy-http', tools: ['echo'] }),
  ]);
}, 120_000);

afterAll(async () => {
  await engine?.stop();
  await fx?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the bundled engine host', () => {
  it('starts the engine, serves its state over the protocol, and stops', async () => {
    const dataDir = path.join(dir, 'data');
    await mkdir(dataDir, { recursive: true });
    await writeFile(path.join(dataDir, 'config.yaml'), `backends:\n  - { name: fx, url: "${fx.url}" }\n`);
    const env = { ...process.env };
    delete env.SWITCHYARD_TOKEN;
    delete env.SWITCHYARD_CONFIG;
    const host = path.join(dir, 'dist/engine/engine-host.js');
    let output = () => '';
    engine = new Engine({
      spawn: () => {
        const channel = forkEngineChannel(env, host);
        output = channel.output;
        return channel;
      },
      startOptions: async () => ({
        dataDir,
        token: 'sy_bundle_test_token',
        overrides: { port: 0, docker: false },
      }),
      restart: { max: 0, windowMs: 60_000, delayMs: 100 },
      startTimeoutMs: 30_000,
    });
    await engine.start();
    expect(engine.status.state, output()).toBe('running');
    expect(engine.status.started?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const snapshot = await waitFor(
      async () => {
        const s = await engine!.snapshot();
        // Ready, and its tool in the advertised set (built just after the backend's catalog arrives).
        return s.backends[0]?.state === 'ready' && s.counts.tools === 1 ? s : undefined;
      },
      { what: 'fx ready and its tool advertised' },
    );
    expect(snapshot.version).toBe(
      (JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version,
    );
    expect(snapshot.counts.tools).toBe(1);
    await engine.stop();
    expect(engine.status.state).toBe('stopped');
    engine = undefined;
  }, 90_000);
});
