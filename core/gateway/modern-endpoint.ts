// The 2026-07-28 ("modern") era on the same /mcp endpoint: no session; every request carries its
// protocol version, client identity and capabilities in `_meta` (read once, by classification),
// mirrored in MCP-Protocol-Version / Mcp-Method / Mcp-Name headers (validated: 400 HeaderMismatch).
// `server/discover` describes the gateway; `subscriptions/listen` is a long-lived stream of list
// changes. Calls go to the dispatcher on the identity's pooled session from the session table.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SUBSCRIPTION_ID_META_KEY as SUBSCRIPTION_ID_META } from '@modelcontextprotocol/client';
import { LEGACY_VERSIONS } from '../backends/handshake.js';
import { decodeHeaderValue, MODERN_PROTOCOL_VERSIONS, SERVER_INFO_META } from '../backends/modern.js';
import type { Dispatcher } from './dispatch.js';
import type { AdvertisedView } from './gateway-view.js';
import { Exchange } from './exchange.js';
import type { Inbound } from './inbound.js';
import type { Refuser } from './refusal.js';
import type { SessionTable } from './session-table.js';
import type { Views } from './views.js';
import { DEFAULT_PROFILE } from '../config/schema.js';
import {
  ErrorCode,
  header,
  LIST_CHANGED,
  type ListKind,
  SSE_HEADERS,
  SSE_KEEPALIVE,
  sseEvent,
} from './wire.js';

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

/** Methods whose target the Mcp-Name header must mirror. */
const NAMED_METHODS = new Set(['tools/call', 'prompts/get', 'resources/read']);

interface Listener {
  res: ServerResponse;
  /** The profile whose endpoint the stream was opened on: only its list changes are relayed. */
  profile: string;
  id: string | number;
  filter: { toolsListChanged?: boolean; promptsListChanged?: boolean; resourcesListChanged?: boolean };
  keepalive: NodeJS.Timeout;
}

const FILTER_FOR: Record<ListKind, keyof Listener['filter']> = {
  tools: 'toolsListChanged',
  prompts: 'promptsListChanged',
  resources: 'resourcesListChanged',
};

export interface ModernEndpointOptions {
  table: SessionTable;
  dispatcher: Dispatcher;
  refuser: Refuser;
  view: AdvertisedView;
  views: Views;
  serverInfo: { name: string; title?: string; version: string };
}

export class ModernEndpoint {
  private readonly listeners = new Set<Listener>();

  constructor(private readonly o: ModernEndpointOptions) {}

  async handle(
    req: IncomingMessage,
    res: ServerResponse,
    inbound: Inbound,
    profile = DEFAULT_PROFILE,
  ): Promise<void> {
    const version = inbound.version!;
    if (!MODERN_PROTOCOL_VERSIONS.includes(version)) {
      return this.refuse(
        res,
        inbound,
        400,
        ErrorCode.UnsupportedProtocolVersion,
        `Unsupported protocol version: ${version}`,
        {
          supported: [...MODERN_PROTOCOL_VERSIONS, ...LEGACY_VERSIONS],
          requested: version,
        },
      );
    }
    if (inbound.kind !== 'request') {
      res.writeHead(202);
      res.end(); // no client notifications are defined on modern Streamable HTTP; accept and drop
      return;
    }
    const mismatch = headerMismatch(req, inbound, version);
    if (mismatch)
      return this.refuse(res, inbound, 400, ErrorCode.HeaderMismatch, `Header mismatch: ${mismatch}`);
    if (!MODERN_METHODS.has(inbound.method)) {
      return this.refuse(res, inbound, 404, ErrorCode.MethodNotFound, `Method not found: ${inbound.method}`);
    }
    if (inbound.method === 'server/discover') return this.discover(res, inbound, profile);
    if (inbound.method === 'subscriptions/listen') return this.listen(res, inbound, profile);
    const session = this.o.table.pooled(inbound.identity!, profile);
    await this.o.dispatcher.request(session, inbound, new Exchange(res));
  }

  private discover(res: ServerResponse, inbound: Inbound, profile: string): void {
    const set = this.o.views.of(profile) ?? this.o.view.current;
    const result = {
      resultType: 'complete',
      supportedVersions: [...MODERN_PROTOCOL_VERSIONS, ...LEGACY_VERSIONS],
      capabilities: set.capabilities,
      _meta: { [SERVER_INFO_META]: this.o.serverInfo },
      ...(set.instructions ? { instructions: set.instructions } : {}),
      ttlMs: 0,
      cacheScope: 'private',
    };
    new Exchange(res).respond(JSON.stringify({ jsonrpc: '2.0', id: inbound.id, result }));
  }

  /** Opens a listen stream: acknowledge the honoured filter, then relay matching list changes. */
  private listen(res: ServerResponse, inbound: Inbound, profile: string): void {
    const requested = (inbound.params.notifications ?? {}) as Record<string, unknown>;
    const filter: Listener['filter'] = {};
    for (const key of Object.values(FILTER_FOR)) if (requested[key] === true) filter[key] = true;
    res.writeHead(200, SSE_HEADERS);
    const listener: Listener = {
      res,
      profile,
      id: inbound.id!,
      filter,
      keepalive: setInterval(() => res.write(SSE_KEEPALIVE), KEEPALIVE_MS),
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
          params: { _meta: { [SUBSCRIPTION_ID_META]: inbound.id }, notifications: filter },
        }),
      ),
    );
  }

  /** Relays a profile's list changes to its listen streams that asked for them. */
  listChanged(change: Partial<Record<ListKind, boolean>>, profile = DEFAULT_PROFILE): void {
    for (const listener of this.listeners) {
      if (listener.profile !== profile) continue;
      for (const kind of ['tools', 'prompts', 'resources'] as const) {
        if (!change[kind] || !listener.filter[FILTER_FOR[kind]]) continue;
        listener.res.write(
          sseEvent(
            JSON.stringify({
              jsonrpc: '2.0',
              method: LIST_CHANGED[kind],
              params: { _meta: { [SUBSCRIPTION_ID_META]: listener.id } },
            }),
          ),
        );
      }
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

  /** A refusal of a request classified modern is audited as modern. */
  private refuse(
    res: ServerResponse,
    inbound: Inbound,
    status: number,
    code: number,
    message: string,
    data?: unknown,
  ): void {
    this.o.refuser.refuse(res, {
      status,
      code,
      message,
      id: inbound.id,
      data,
      era: 'modern',
      requestBytes: inbound.bytes,
    });
  }
}

/** Why the mirrored headers disagree with the body, or undefined when they agree. */
function headerMismatch(req: IncomingMessage, inbound: Inbound, version: string): string | undefined {
  const protocol = header(req, 'mcp-protocol-version');
  if (protocol !== version)
    return `MCP-Protocol-Version header "${protocol ?? ''}" does not match _meta "${version}"`;
  const method = header(req, 'mcp-method');
  if (method !== inbound.method)
    return `Mcp-Method header "${method ?? ''}" does not match body "${inbound.method}"`;
  if (NAMED_METHODS.has(inbound.method)) {
    const source = (
      inbound.method === 'resources/read' ? inbound.params.uri : inbound.params.name
    ) as unknown;
    if (source === undefined) return undefined;
    const name = header(req, 'mcp-name');
    if (name === undefined) return 'Mcp-Name header is required';
    if (decodeHeaderValue(name) !== source)
      return `Mcp-Name header does not match body value "${String(source)}"`;
  }
  return undefined;
}
