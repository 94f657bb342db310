// The dashboard's own MCP client ("Try it"): calls go to the gateway's endpoint over loopback HTTP
// with the token, as the client "switchyard-dashboard", so they are routed, limited and audited
// exactly like any client's call (never a shortcut to a backend). One session, opened on first use,
// opened again when the gateway forgot it (restart, off/on).
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { JsonObject } from '../../common/domain/capability.js';
import type { ConnectInfo, ToolCallOutcome } from '../../common/control/api.js';
import { VERSION } from '../version.js';

export const DASHBOARD_CLIENT_NAME = 'switchyard-dashboard';

/** A result larger than this is cut (the dashboard shows it; the audit row keeps its own copy). */
const MAX_RESULT_CHARS = 1024 * 1024;

export class DashboardClient {
  private client: Promise<Client> | undefined;

  constructor(
    private readonly endpoint: () => ConnectInfo,
    private readonly timeoutMs = 60_000,
  ) {}

  async callTool(name: string, args: JsonObject, now: () => number = Date.now): Promise<ToolCallOutcome> {
    const started = now();
    try {
      const result = await this.call(name, args).catch(async (error: unknown) => {
        // A session the gateway no longer knows (it restarted, or was turned off and on): once more.
        if (!isSessionLost(error)) throw error;
        await this.close();
        return this.call(name, args);
      });
      return { ok: true, result: bounded(result), durationMs: now() - started };
    } catch (error) {
      await this.close(); // the next call starts clean
      const code =
        typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : -32603;
      const message = error instanceof Error ? error.message : String(error);
      return { ok: false, error: { code, message }, durationMs: now() - started };
    }
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.then((c) => c.close()).catch(() => undefined);
  }

  private async call(name: string, args: JsonObject): Promise<JsonObject> {
    const client = await this.connect();
    const result = await client.callTool({ name, arguments: args }, { timeout: this.timeoutMs });
    return result as unknown as JsonObject;
  }

  private connect(): Promise<Client> {
    this.client ??= (async () => {
      const { url, token } = this.endpoint();
      const client = new Client({ name: DASHBOARD_CLIENT_NAME, version: VERSION }, { capabilities: {} });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(url), {
          requestInit: { headers: token ? { authorization: `Bearer ${token}` } : {} },
        }),
      );
      return client;
    })().catch((error: unknown) => {
      this.client = undefined;
      throw error;
    });
    return this.client;
  }
}

function isSessionLost(error: unknown): boolean {
  const text = error instanceof Error ? error.message : String(error);
  return /\b404\b|session not found|not initialized/i.test(text);
}

function bounded(result: JsonObject): JsonObject {
  const text = JSON.stringify(result);
  if (text.length <= MAX_RESULT_CHARS) return result;
  return {
    truncated: true,
    note: `The result is ${text.length.toLocaleString('en')} characters; the first ${MAX_RESULT_CHARS.toLocaleString('en')} are shown.`,
    text: text.slice(0, MAX_RESULT_CHARS),
  };
}
