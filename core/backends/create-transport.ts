// Builds the transport for a backend spec. Commands, arguments and environment come only from the
// user's config file; discovered metadata (container labels) can only ever select an HTTP address
// or an attachment to an already-running container (see core/discovery).
import type http from 'node:http';
import type { BackendSpec } from '../domain/backend-spec.js';
import type { Logger } from '../domain/runtime.js';
import { StreamableHttpTransport } from './http-transport.js';
import { SseTransport } from './sse-transport.js';
import { StdioTransport } from './stdio-transport.js';
import { AttachTransport } from './attach-transport.js';
import type { BackendTransport } from './transport.js';

export interface TransportContext {
  agent: http.Agent;
  maxResponseBytes: number;
  logger: Logger;
}

export function createTransport(spec: BackendSpec, context: TransportContext): BackendTransport {
  const endpoint = spec.endpoint;
  if (endpoint.transport !== 'stdio') {
    if (endpoint.transport === 'sse') {
      return new SseTransport({
        url: endpoint.url,
        headers: endpoint.headers,
        maxMessageBytes: context.maxResponseBytes,
        backend: spec.name,
      });
    }
    return new StreamableHttpTransport({
      url: endpoint.url,
      headers: endpoint.headers,
      maxResponseBytes: context.maxResponseBytes,
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
    backend: spec.name,
    onStderr: (line) => context.logger.debug('backend stderr', { backend: spec.name, line }),
  });
}

/** How a backend is reached, for display: never includes header values or env values. */
export function describeTarget(spec: BackendSpec): string {
  const endpoint = spec.endpoint;
  if (endpoint.transport !== 'stdio') return endpoint.url;
  if ('attach' in endpoint) return endpoint.attach.describe();
  return [endpoint.command, ...endpoint.args].join(' ');
}
