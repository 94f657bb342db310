// The 2026-07-28 ("modern") era on the same /mcp endpoint: no session; every request carries its
// protocol version, client identity and capabilities in `_meta`, mirrored in MCP-Protocol-Version /
// Mcp-Method / Mcp-Name headers (validated: 400 HeaderMismatch). `server/discover` describes the
// gateway; `subscriptions/listen` is a long-lived stream of list changes.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JSONRPCRequest } from '@modelcontextprotocol/client';
import type { SetChange } from '../aggregate/aggregator.js';
import {
  CLIENT_CAPABILITIES_META,
  CLIENT_INFO_META,
  decodeHeaderValue,
  MODERN_PROTOCOL_VERSIONS,
  PROTOCOL_VERSION_META,
  SERVER_INFO_META,
} from '../backends/modern.js';
import { LEGACY_VERSIONS } from '../backends/handshake.js';
import type { ClientIdentity } from '../backends/modern.js';
import type { ClientSession } from './client-session.js';
import type { Dispatcher } from './dispatch.js';
import { ErrorCode } from './dispatch.js';
import { Exchange, sseEvent } from './exchange.js';

const SUBSCRIPTION_ID_META = 'io.modelcontextprotocol/subscriptionId';
const HEADER_MISMATCH = -32020;
const UNSUPPORTED_VERSION = -32022;
const KEEPALIVE_MS = 25_000;

/** Methods a modern client may call on the gateway (anything else is 404 + -32601, per the spec). */
const MODERN_METHODS = new Set([
  'server/discover',
  'subscriptions/listen',
  'ping',
  'tools/list',
  'tools/call',
  'prompts/list',
  'prompts/get',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'completion/complete',
]);

/** The protocol version a message claims in `_meta`, if any. */
export function envelopeVersion(message: unknown): string | undefined {
  const meta = (message as { params?: { _meta?: Record<string, unknown> } } | undefined)?.params?._meta;
  const version = meta?.[PROTOCOL_VERSION_META];
  return typeof version === 'string' ? version : undefined;
}

/** A request belongs to the modern era when it carries a 2026+ version claim and no session. */
export function isModernRequest(message: unknown, req: IncomingMessage): boolean {
  const version = envelopeVersion(message);
  return version !== undefined && version >= '2026' && req.headers['mcp-session-id'] === undefined;
}

interface Listener {
  res: ServerResponse;
  id: string | number;
  filter: { toolsListChanged?: boolean; promptsListChanged?: boolean; resourcesListChanged?: boolean };
  keepalive: NodeJS.Timeout;
}

export interface ModernDeps {
  dispatcher: Dispatcher;
  /** The pooled session that carries a modern client identity's backend links. */
  sessionFor(identity: ClientIdentity): ClientSession;
  capabilities(): Record<string, unknown>;
  serverInfo: { name: string; title?: string; version: string };
  instructions(): string | undefined;
  reject(
    res: ServerResponse,
    status: number,
    code: number,
    message: string,
    id: string | number | null,
    data?: unknown,
  ): void;
}

export class ModernEndpoint {
  private readonly listeners = new Set<Listener>();

  constructor(private readonly deps: ModernDeps) {}

  async handle(
    req: IncomingMessage,
    res: ServerResponse,
    message: JSONRPCRequest,
    requestBytes: number,
  ): Promise<void> {
    const id = message.id ?? null;
    const version = envelopeVersion(message)!;
    if (!MODERN_PROTOCOL_VERSIONS.includes(version)) {
      return this.deps.reject(res, 400, UNSUPPORTED_VERSION, `Unsupported protocol version: ${version}`, id, {
        supported: [...MODERN_PROTOCOL_VERSIONS, ...LEGACY_VERSIONS],
        requested: version,
      });
    }
    if (!('id' in message) || message.id === undefined) {
      res.writeHead(202);
      res.end(); // no client notifications are defined on modern Streamable HTTP; accept and drop
      return;
    }
    const mismatch = headerMismatch(req, message, version);
    if (mismatch) return this.deps.reject(res, 400, HEADER_MISMATCH, `Header mismatch: ${mismatch}`, id);
    if (!MODERN_METHODS.has(message.method)) {
      return this.deps.reject(res, 404, ErrorCode.MethodNotFound, `Method not found: ${message.method}`, id);
    }
    const meta = (message.params?._meta ?? {}) as Record<string, unknown>;
    const clientInfo = meta[CLIENT_INFO_META] as { name?: unknown; version?: unknown } | undefined;
    const identity: ClientIdentity = {
      clientInfo: {
        name: typeof clientInfo?.name === 'string' ? clientInfo.name : 'unknown',
        version: typeof clientInfo?.version === 'string' ? clientInfo.version : '0',
      },
      capabilities: (meta[CLIENT_CAPABILITIES_META] as Record<string, unknown> | undefined) ?? {},
    };

    if (message.method === 'server/discover') {
      const instructions = this.deps.instructions();
      const result = {
        resultType: 'complete',
        supportedVersions: [...MODERN_PROTOCOL_VERSIONS, ...LEGACY_VERSIONS],
        capabilities: this.deps.capabilities(),
        _meta: { [SERVER_INFO_META]: this.deps.serverInfo },
        ...(instructions ? { instructions } : {}),
        ttlMs: 0,
        cacheScope: 'private',
      };
      new Exchange(res).respond(JSON.stringify({ jsonrpc: '2.0', id, result }));
      return;
    }
    if (message.method === 'subscriptions/listen') return this.listen(res, message);

    const session = this.deps.sessionFor(identity);
    await this.deps.dispatcher.request(session, message, new Exchange(res), requestBytes);
  }

  /** Opens a listen stream: acknowledge the honoured filter, then relay matching list changes. */
  private listen(res: ServerResponse, message: JSONRPCRequest): void {
    const requested = ((message.params as { notifications?: Record<string, unknown> } | undefined)
      ?.notifications ?? {}) as Record<string, unknown>;
    const filter: Listener['filter'] = {
      ...(requested.toolsListChanged === true ? { toolsListChanged: true } : {}),
      ...(requested.promptsListChanged === true ? { promptsListChanged: true } : {}),
      ...(requested.resourcesListChanged === true ? { resourcesListChanged: true } : {}),
    };
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const listener: Listener = {
      res,
      id: message.id,
      filter,
      keepalive: setInterval(() => res.write(':\n\n'), KEEPALIVE_MS),
    };
    listener.keepalive.unref();
    this.listeners.add(listener);
    res.on('close', () => {
      clearInterval(listener.keepalive);
      this.listeners.delete(listener);
    });
    res.write(
      sseEvent(
        JSON.stringify({
          jsonrpc: '2.0',
          method: 'notifications/subscriptions/acknowledged',
          params: { _meta: { [SUBSCRIPTION_ID_META]: message.id }, notifications: filter },
        }),
      ),
    );
  }

  broadcast(change: SetChange): void {
    for (const listener of this.listeners) {
      const send = (method: string) =>
        listener.res.write(
          sseEvent(
            JSON.stringify({
              jsonrpc: '2.0',
              method,
              params: { _meta: { [SUBSCRIPTION_ID_META]: listener.id } },
            }),
          ),
        );
      if (change.tools && listener.filter.toolsListChanged) send('notifications/tools/list_changed');
      if (change.prompts && listener.filter.promptsListChanged) send('notifications/prompts/list_changed');
      if (change.resources && listener.filter.resourcesListChanged)
        send('notifications/resources/list_changed');
    }
  }

  /** Ends every listen stream gracefully (a completion result, then close). */
  close(): void {
    for (const listener of this.listeners) {
      clearInterval(listener.keepalive);
      listener.res.end(
        sseEvent(
          JSON.stringify({
            jsonrpc: '2.0',
            id: listener.id,
            result: { resultType: 'complete', _meta: { [SUBSCRIPTION_ID_META]: listener.id } },
          }),
        ),
      );
    }
    this.listeners.clear();
  }
}

/** Why the mirrored headers disagree with the body, or undefined when they agree. */
function headerMismatch(req: IncomingMessage, message: JSONRPCRequest, version: string): string | undefined {
  const header = (name: string) => {
    const value = req.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const protocol = header('mcp-protocol-version');
  if (protocol !== version)
    return `MCP-Protocol-Version header "${protocol ?? ''}" does not match _meta "${version}"`;
  const method = header('mcp-method');
  if (method !== message.method)
    return `Mcp-Method header "${method ?? ''}" does not match body "${message.method}"`;
  const params = (message.params ?? {}) as { name?: unknown; uri?: unknown };
  const source =
    message.method === 'tools/call' || message.method === 'prompts/get'
      ? params.name
      : message.method === 'resources/read'
        ? params.uri
        : undefined;
  if (source !== undefined) {
    const name = header('mcp-name');
    if (name === undefined) return 'Mcp-Name header is required';
    if (decodeHeaderValue(name) !== source)
      return `Mcp-Name header does not match body value "${String(source)}"`;
  }
  return undefined;
}
