// Builds the transport for a backend spec. Commands, arguments and environment come only from the
// user's config file; discovered metadata (container labels) can only ever select an HTTP address
// or an attachment to an already-running container (see core/discovery).
import type http from 'node:http';
import type { BackendSpec } from '../domain/backend-spec.js';
import type { Logger } from '../domain/runtime.js';
import { StreamableHttpTransport } from './http-transport.js';
import { SseTransport } from './sse-transport.js';
import { StdioTransport, type ProcessSlots } from './stdio-transport.js';
import { AttachTransport } from './attach-transport.js';
import type { BackendTransport } from './transport.js';
import type { InboundBudget } from './inbound-limits.js';
import type { BackendLog } from './backend-log.js';

export interface TransportContext {
  agent: http.Agent;
  maxResponseBytes: number;
  /** The process-wide budget for bytes in flight from backends. */
  budget?: InboundBudget | undefined;
  /** This gateway's instance id (an HTTP answer carrying it means the backend is ourselves). */
  selfInstance?: string | undefined;
  /** The backend's stdio process slots (limits.stdioProcesses). */
  processSlots?: ProcessSlots | undefined;
  logger: Logger;
  /** The backend's log ring (stdio: stderr and process starts and exits). */
  log?: BackendLog;
}

export function createTransport(spec: BackendSpec, context: TransportContext): BackendTransport {
  const endpoint = spec.endpoint;
  if (endpoint.transport !== 'stdio') {
    if (endpoint.transport === 'sse') {
      return new SseTransport({
        url: endpoint.url,
        headers: endpoint.headers,
        maxMessageBytes: context.maxResponseBytes,
        ...(context.budget ? { budget: context.budget } : {}),
        ...(context.selfInstance ? { selfInstance: context.selfInstance } : {}),
        backend: spec.name,
      });
    }
    return new StreamableHttpTransport({
      url: endpoint.url,
      headers: endpoint.headers,
      maxResponseBytes: context.maxResponseBytes,
      ...(context.budget ? { budget: context.budget } : {}),
      ...(context.selfInstance ? { selfInstance: context.selfInstance } : {}),
      agent: context.agent,
      backend: spec.name,
    });
  }
  if ('attach' in endpoint) {
    return new AttachTransport(endpoint.attach, { backend: spec.name });
  }
  return new StdioTransport({
    command: endpoint.command,
    args: endpoint.args,
    env: endpoint.env,
    cwd: endpoint.cwd,
    maxMessageBytes: context.maxResponseBytes,
    ...(context.budget ? { budget: context.budget } : {}),
    ...(context.processSlots ? { slots: context.processSlots } : {}),
    backend: spec.name,
    onStderr: (line) => context.logger.debug('backend stderr', { backend: spec.name, line }),
    ...(context.log ? { log: context.log } : {}),
  });
}

/**
 * How a backend is reached, for display: never header or env values, never a URL's password or
 * query values, and arguments that came from ${env:} shown as the reference, not the value.
 */
export function describeTarget(spec: BackendSpec): string {
  const endpoint = spec.endpoint;
  if (endpoint.transport !== 'stdio') return redactUrl(spec.display ?? endpoint.url);
  if ('attach' in endpoint) return endpoint.attach.describe();
  return spec.display ?? [endpoint.command, ...endpoint.args].join(' ');
}

/** A URL with its password and every query value replaced by "***" (keys stay, to say what is there). */
export function redactUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return text.replace(/\/\/([^/@:]*):[^/@]*@/, '//$1:***@').replace(/([?&][^=&#]+)=[^&#]*/g, '$1=***');
  }
  if (url.password) url.password = '***';
  const keys = [...url.searchParams.keys()];
  if (keys.length === 0) return url.href;
  const query = keys.map((k) => `${encodeURIComponent(k)}=***`).join('&');
  return `${url.origin.replace('//', `//${url.username ? `${url.username}${url.password ? ':***' : ''}@` : ''}`)}${url.pathname}?${query}${url.hash}`;
}
