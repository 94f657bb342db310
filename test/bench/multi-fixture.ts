// Many MCP backends in one process, for the tools/list scale benchmark: `servers` separate MCP
// servers, each on its own loopback port with its own sessions, each a real official-SDK (v2)
// McpServer over the sessionful 2025-era Streamable HTTP transport (like test/fixtures/fixture-server.ts
// in "legacy-http" mode). One process instead of 50 because 50 Node processes would swamp a 2-core
// machine before the first measurement; to the gateway they are still 50 independent backends.
//
//   node --import tsx test/bench/multi-fixture.ts '{"servers":50,"tools":40}'
//   → prints "LISTENING <port>,<port>,…" once every server listens.
//
// Tool names are unique across servers (b07_tool_12) so the gateway's list path is measured
// without conflict handling.
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/server';
import * as z from 'zod/v4';
import { legacyHttpServer } from '../fixtures/legacy-http.js';

interface Spec {
  servers: number;
  tools: number;
}

const spec = JSON.parse(process.argv[2] ?? '{}') as Partial<Spec>;
const servers = Math.min(Math.max(1, spec.servers ?? 50), 200);
const toolsPerServer = Math.min(Math.max(1, spec.tools ?? 40), 500);

const pad = (n: number) => String(n).padStart(2, '0');

function toolName(server: number, tool: number): string {
  return `b${pad(server)}_tool_${pad(tool)}`;
}

function build(server: number): McpServer {
  const mcp = new McpServer({ name: `bench-${pad(server)}`, version: '1.0.0' });
  for (let t = 0; t < toolsPerServer; t++) {
    const name = toolName(server, t);
    mcp.registerTool(
      name,
      {
        description: `Benchmark tool ${t} of backend ${server}: returns its own name.`,
        inputSchema: z.object({ message: z.string().optional(), count: z.number().int().optional() }),
      },
      async () => ({ content: [{ type: 'text', text: name }] }),
    );
  }
  return mcp;
}

function serve(server: number): Promise<number> {
  const { server: httpServer } = legacyHttpServer(() => build(server), { label: `multi-fixture ${server}` });
  return new Promise((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(0, '127.0.0.1', () => resolve((httpServer.address() as AddressInfo).port));
  });
}

const ports = await Promise.all(Array.from({ length: servers }, (_, i) => serve(i)));
process.stdout.write(`LISTENING ${ports.join(',')}\n`);
