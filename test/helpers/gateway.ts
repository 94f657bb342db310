// Starts the engine in-process the way the CLI does (buildApp), on an ephemeral port, and connects
// real MCP clients to it: SDK v2 (`@modelcontextprotocol/client`) and SDK v1 (`@modelcontextprotocol/sdk`).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { buildApp, type App, type AppOptions } from '../../core/app.js';
import { validateConfig } from '../../core/config/load.js';
import type { ConfigInput } from '../../core/config/schema.js';
import { createLogger, silentLogger } from '../../core/support/logger.js';

export interface TestGateway {
  app: App;
  url: string;
  token: string | null;
  dataDir: string;
  stop(): Promise<void>;
}

export async function startGateway(
  input: ConfigInput,
  options: Partial<AppOptions> = {},
): Promise<TestGateway> {
  // Container discovery is off unless a test asks for it: other containers on the machine must not
  // leak into unrelated tests.
  const result = validateConfig({ server: { port: 0 }, discovery: { docker: { enabled: false } }, ...input });
  if (!result.ok) throw new Error(`bad test config: ${JSON.stringify(result.errors)}`);
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'switchyard-test-')));
  const app = buildApp(result.config, {
    logger: process.env.SWITCHYARD_TEST_LOG ? createLogger({ level: 'debug' }) : silentLogger,
    backoff: { initialMs: 100, maxMs: 1000 },
    healthIntervalMs: 1000,
    coalesceMs: 5,
    ...options,
    dataDir,
  });
  const started = await app.start();
  return {
    app,
    url: started.url,
    token: started.token.token,
    dataDir,
    async stop() {
      await app.stop();
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export function authHeaders(token: string | null): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

export interface ClientOptions {
  name?: string;
  capabilities?: Record<string, unknown>;
}

/** An SDK v2 client connected to the gateway (2025-era handshake, the default). */
export async function connectV2(gateway: TestGateway, options: ClientOptions = {}): Promise<Client> {
  const client = new Client(
    { name: options.name ?? 'test-client-v2', version: '2.0.0' },
    { capabilities: options.capabilities ?? {} },
  );
  await client.connect(
    new StreamableHTTPClientTransport(new URL(gateway.url), {
      requestInit: { headers: authHeaders(gateway.token) },
    }),
  );
  return client;
}

/** An SDK v1 client: what most desktop clients embed today. */
export async function connectV1(gateway: TestGateway, options: ClientOptions = {}): Promise<ClientV1> {
  const client = new ClientV1(
    { name: options.name ?? 'test-client-v1', version: '1.0.0' },
    { capabilities: options.capabilities ?? {} },
  );
  await client.connect(
    new TransportV1(new URL(gateway.url), { requestInit: { headers: authHeaders(gateway.token) } }),
  );
  return client;
}

/** Tool names the client sees, sorted. */
export async function toolNames(client: {
  listTools(): Promise<{ tools: { name: string }[] }>;
}): Promise<string[]> {
  return (await client.listTools()).tools.map((t) => t.name).sort();
}

export function textOf(result: unknown): string {
  const content = (result as { content?: { type: string; text?: string }[] }).content ?? [];
  return content.map((c) => c.text ?? '').join('');
}
