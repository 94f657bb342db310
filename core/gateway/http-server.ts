// The one HTTP port: /healthz (open), /mcp (MCP, token), /api/… (control API, token or the
// dashboard's login cookie), /login (the one-time dashboard link), / (dashboard). Every request
// passes the Host and Origin checks first (403), then the token check (401); refusals are counted,
// not audited one row each (refusals.ts). Any other path is a JSON 404, so clients probing OAuth
// discovery read "not found" rather than choking on the dashboard's HTML.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock, type Logger } from '../domain/runtime.js';
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
import { clearedCookie, cookieAllowed, DashboardLogins, presentedSession, sessionCookie } from './login.js';
import type { RefusalCounter, RefusalReason } from './refusal-counter.js';
import { instanceResponse } from './instance-response.js';

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
  clock?: Clock;
  /** Where refused requests are counted (per reason per minute). */
  refusals?: RefusalCounter;
  /** This process's instance id, sent in Switchyard-Instance so a backend pointing here is recognized. */
  instanceId?: string;
  /**
   * How long a client may take to send a whole request (headers and body), ms; default 30 s. Only
   * the request: a response (a GET stream) may last as long as it likes.
   */
  requestTimeoutMs?: number;
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
  readonly logins: DashboardLogins;

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
    this.logins = new DashboardLogins(options.clock ?? systemClock);
    const instanceId = options.instanceId;
    // A client that sends its body slowly (or never finishes it) is cut off with 408: without this,
    // each such request holds a socket and a buffer forever. Node checks at an interval, so the
    // interval follows the timeout.
    const requestTimeout = options.requestTimeoutMs ?? 30_000;
    const serverOptions: http.ServerOptions = {
      requestTimeout,
      headersTimeout: Math.min(requestTimeout, 20_000),
      connectionsCheckingInterval: Math.max(100, Math.min(requestTimeout / 4, 5_000)),
      // Every answer carries Switchyard-Instance, added where its head is written (no setHeader).
      ...(instanceId !== undefined ? { ServerResponse: instanceResponse(instanceId) } : {}),
    };
    this.server = http.createServer(serverOptions, (req, res) =>
      runGuarded(res, options.logger, () => this.route(req, res)),
    );
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

  /** The dashboard's one-time link for this server, or undefined when auth is off. */
  loginUrl(base: string): string | undefined {
    if (this.expectedToken === null) return undefined;
    const url = new URL('/login', base);
    url.searchParams.set('code', this.logins.issueCode());
    return url.href;
  }

  private deny(
    res: http.ServerResponse,
    status: number,
    reason: RefusalReason,
    message: string,
    path: string,
  ): void {
    const body =
      path === '/mcp' || path.startsWith('/mcp/')
        ? JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32001, message } })
        : JSON.stringify({ error: message });
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    // RFC 6750: clients show "401, token required" and know no OAuth flow is on offer.
    if (status === 401)
      headers['www-authenticate'] =
        reason === 'token-missing'
          ? 'Bearer realm="switchyard", error="invalid_request", error_description="token required"'
          : 'Bearer realm="switchyard", error="invalid_token", error_description="token not accepted"';
    res.writeHead(status, headers);
    res.end(body);
    this.options.refusals?.count(reason);
  }

  private route(req: http.IncomingMessage, res: http.ServerResponse): void | Promise<void> {
    const raw = req.url ?? '/';
    const query = raw.indexOf('?');
    const path = query < 0 ? raw : raw.slice(0, query);
    // Host is the same on every request of a client: remember the last one that passed.
    const host = req.headers.host;
    if (host === undefined || host !== this.acceptedHost) {
      const hostProblem = checkHost(req, this.policy);
      if (hostProblem) return this.deny(res, 403, 'host', `Forbidden: ${hostProblem}`, path);
      this.acceptedHost = host;
    }
    if (req.headers.origin !== undefined) {
      const originProblem = checkOrigin(req, this.policy);
      if (originProblem) return this.deny(res, 403, 'origin', `Forbidden: ${originProblem}`, path);
    }

    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end('{"status":"ok"}');
      return;
    }
    if (path === '/login' && (req.method === 'GET' || req.method === 'HEAD'))
      return this.login(req, res, raw);
    const isMcp = path === '/mcp' || path.startsWith('/mcp/');
    const isApi = path.startsWith('/api/');
    if ((isMcp || isApi) && this.expectedToken !== null) {
      const presented = bearerToken(req);
      if (presented !== undefined) {
        if (!tokenMatches(presented, this.expectedToken))
          return this.deny(res, 401, 'token-invalid', 'Unauthorized: invalid token', path);
      } else {
        // The dashboard's login cookie opens /api only, and only for the dashboard's own requests.
        const session = isApi ? presentedSession(req, this.policy.port) : undefined;
        if (session === undefined || !cookieAllowed(req) || !this.logins.isSession(session))
          return this.deny(
            res,
            401,
            'token-missing',
            'Unauthorized: token required (missing bearer token)',
            path,
          );
      }
    }
    const profile = mcpProfile(path);
    if (profile !== undefined) return this.options.mcp(req, res, MCP_URL, profile);
    if (isApi && req.method === 'POST' && (path === '/api/login' || path === '/api/logout'))
      return this.apiLogin(req, res, path);
    const url = new URL(raw, 'http://localhost');
    if (isApi && this.options.api) return this.options.api(req, res, url);
    if (isOAuthProbe(path)) return sendNotFound(res, path, NO_OAUTH);
    if (this.options.dashboard && (req.method === 'GET' || req.method === 'HEAD') && !isApi && !isMcp) {
      return this.options.dashboard(req, res, url);
    }
    sendNotFound(res, path);
  }

  /** GET /login?code=…: a valid, unused code becomes the login cookie; either way, on to the dashboard. */
  private login(req: http.IncomingMessage, res: http.ServerResponse, raw: string): void {
    const code = new URL(raw, 'http://localhost').searchParams.get('code');
    const session = code ? this.logins.redeem(code) : undefined;
    const open = this.expectedToken === null;
    const headers: Record<string, string> = {
      // The code is used up now; the address bar and history keep only "/".
      location: session || open ? '/' : '/#login=expired',
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
    };
    if (session) headers['set-cookie'] = sessionCookie(this.policy.port, session);
    else if (!open) this.options.refusals?.count('token-invalid');
    res.writeHead(303, headers);
    res.end();
  }

  /** POST /api/login (token already checked): the dashboard trades a pasted token for the cookie. */
  private apiLogin(req: http.IncomingMessage, res: http.ServerResponse, path: string): void {
    req.resume();
    const headers: Record<string, string> = { 'cache-control': 'no-store' };
    if (path === '/api/login') {
      headers['set-cookie'] = sessionCookie(this.policy.port, this.logins.openSession());
    } else {
      const session = presentedSession(req, this.policy.port);
      if (session) this.logins.endSession(session);
      headers['set-cookie'] = clearedCookie(this.policy.port);
    }
    res.writeHead(204, headers);
    res.end();
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

/**
 * Runs a request's handler so that nothing escapes it: a throw, or the rejection of the promise a
 * handler still at work returns, goes to failRequest. A handler that finished returns nothing, and
 * no promise is made for it (the /mcp path answers most requests that way).
 */
export function runGuarded(
  res: http.ServerResponse,
  logger: Logger,
  handler: () => void | Promise<void>,
): void {
  let handled: void | Promise<void>;
  try {
    handled = handler();
  } catch (error) {
    return failRequest(res, logger, error);
  }
  if (handled) handled.catch((error: unknown) => failRequest(res, logger, error));
}

/**
 * The last resort for a request whose handler failed: logged, and answered 500 with a JSON-RPC
 * error (or ended, when its head is already out). Never throws.
 */
export function failRequest(res: http.ServerResponse, logger: Logger, error: unknown): void {
  logger.error('request failed', { error: error instanceof Error ? error.stack : String(error) });
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(500, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32603, message: 'Internal error' } }));
}

/** The one "not found" answer for every path nothing serves: JSON, never the dashboard's HTML. */
export function sendNotFound(res: http.ServerResponse, path: string, description?: string): void {
  res.writeHead(404, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(
    JSON.stringify({
      error: `Not found: ${path.slice(0, 200)}`,
      ...(description ? { error_description: description } : {}),
    }),
  );
}

/**
 * Where MCP clients look for OAuth after a 401 (RFC 9728 and RFC 8414 metadata, OpenID discovery,
 * and the MCP spec's fallback endpoints). Switchyard offers none: the 404 says what to do instead,
 * and clients show it (mcp-remote prints the body of the failed registration).
 */
function isOAuthProbe(path: string): boolean {
  return (
    path.startsWith('/.well-known/oauth-') ||
    path.startsWith('/.well-known/openid-configuration') ||
    path === '/register' ||
    path === '/authorize' ||
    path === '/token'
  );
}

const NO_OAUTH =
  'Switchyard does not use OAuth: 401, token required. Send its token as "Authorization: Bearer <token>" ' +
  '(the token file is in the data dir; `switchyard serve` prints where)';
