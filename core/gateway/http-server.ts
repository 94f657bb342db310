// The one HTTP port: /healthz (open), /mcp (MCP, token), /api/… (control API, token), / (dashboard).
// Every request passes the Host and Origin checks first (403), then the token check (401).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AuditSink } from '../domain/audit.js';
import type { Logger } from '../domain/runtime.js';
import {
  bearerToken,
  checkHost,
  checkOrigin,
  expectToken,
  isLoopbackHost,
  tokenMatches,
  type ExpectedToken,
  type HostPolicy,
} from './guards.js';

export type RouteHandler = (
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
) => void | Promise<void>;

/** The /mcp handler: `profile` is `default` for /mcp and NAME for /mcp/NAME. */
export type McpHandler = (
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  profile: string,
) => void | Promise<void>;

export interface GatewayServerOptions {
  host: string;
  port: number;
  /** null: no token required (only allowed on loopback). */
  token: string | null;
  logger: Logger;
  audit: AuditSink;
  mcp: McpHandler;
  /** Control API under /api/ (token required). */
  api?: RouteHandler;
  /** Static files for the dashboard (no token: the page itself holds no data). */
  dashboard?: RouteHandler;
}

/** The /mcp handler reads no query: one shared URL spares a parse per request. */
const MCP_URL = new URL('http://localhost/mcp');
/** `/mcp/<profile>`: a profile's endpoint (names as core/config/schema.ts PROFILE_NAME allows). */
const PROFILE_PATH = /^\/mcp\/([a-z0-9][a-z0-9-]{0,31})$/;

/** The profile a path addresses: `default` for /mcp, NAME for /mcp/NAME, undefined otherwise. */
function mcpProfile(path: string): string | undefined {
  if (path === '/mcp') return 'default';
  if (!path.startsWith('/mcp/')) return undefined;
  return PROFILE_PATH.exec(path)?.[1];
}

export class GatewayServer {
  private readonly server: http.Server;
  private policy: HostPolicy;
  private acceptedHost: string | undefined;
  private readonly expectedToken: ExpectedToken | null;

  constructor(private readonly options: GatewayServerOptions) {
    if (!isLoopbackHost(options.host) && options.token === null) {
      throw new Error(
        `refusing to listen on ${options.host} without a token: use a token, or bind to 127.0.0.1`,
      );
    }
    this.policy = {
      port: options.port,
      extraHosts: isLoopbackHost(options.host) ? [] : [options.host.toLowerCase()],
    };
    this.expectedToken = options.token === null ? null : expectToken(options.token);
    this.server = http.createServer((req, res) => {
      this.route(req, res).catch((error: unknown) => {
        options.logger.error('request failed', {
          error: error instanceof Error ? error.stack : String(error),
        });
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32603, message: 'Internal error' } }),
          );
        } else res.end();
      });
    });
    // Long-lived SSE streams must not be cut by Node's default request timeouts.
    this.server.requestTimeout = 0;
    this.server.headersTimeout = 60_000;
    this.server.keepAliveTimeout = 65_000;
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const port = (this.server.address() as AddressInfo).port;
    this.policy = { ...this.policy, port };
    this.acceptedHost = undefined;
    return port;
  }

  get port(): number {
    return this.policy.port;
  }

  private deny(res: http.ServerResponse, status: number, message: string, path: string): void {
    const isMcp = mcpProfile(path) !== undefined;
    const body = isMcp
      ? JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32001, message } })
      : JSON.stringify({ error: message });
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (status === 401) headers['www-authenticate'] = 'Bearer realm="switchyard"';
    res.writeHead(status, headers);
    res.end(body);
    this.options.audit.record({
      time: Date.now(),
      method: isMcp ? 'http' : `http ${path}`,
      durationMs: 0,
      outcome: 'denied',
      httpStatus: status,
      errorMessage: message,
      requestBytes: 0,
      responseBytes: body.length,
    });
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const raw = req.url ?? '/';
    const query = raw.indexOf('?');
    const path = query < 0 ? raw : raw.slice(0, query);
    // Host is the same on every request of a client: remember the last one that passed.
    const host = req.headers.host;
    if (host === undefined || host !== this.acceptedHost) {
      const hostProblem = checkHost(req, this.policy);
      if (hostProblem) return this.deny(res, 403, `Forbidden: ${hostProblem}`, path);
      this.acceptedHost = host;
    }
    if (req.headers.origin !== undefined) {
      const originProblem = checkOrigin(req, this.policy);
      if (originProblem) return this.deny(res, 403, `Forbidden: ${originProblem}`, path);
    }

    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end('{"status":"ok"}');
      return;
    }
    const profile = mcpProfile(path);
    const needsToken = profile !== undefined || path.startsWith('/mcp/') || path.startsWith('/api/');
    if (needsToken && this.expectedToken !== null) {
      const presented = bearerToken(req);
      if (presented === undefined) return this.deny(res, 401, 'Unauthorized: missing bearer token', path);
      if (!tokenMatches(presented, this.expectedToken))
        return this.deny(res, 401, 'Unauthorized: invalid token', path);
    }
    if (profile !== undefined) return this.options.mcp(req, res, MCP_URL, profile);
    const url = new URL(raw, 'http://localhost');
    if (path.startsWith('/api/') && this.options.api) return this.options.api(req, res, url);
    if (
      this.options.dashboard &&
      (req.method === 'GET' || req.method === 'HEAD') &&
      !path.startsWith('/api/') &&
      !path.startsWith('/mcp/')
    ) {
      return this.options.dashboard(req, res, url);
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: `Not found: ${path}` }));
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
