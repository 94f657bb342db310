// Listing what a backend offers, following pagination to the end (bounded, so a backend that
// returns the same cursor forever cannot hang the gateway).
import type {
  BackendCatalog,
  JsonObject,
  PromptDef,
  ResourceDef,
  ResourceTemplateDef,
  ToolDef,
} from '../../common/domain/capability.js';
import type { Handshake } from './handshake.js';
import { withEnvelope, type ClientIdentity } from './modern.js';
import type { RpcPeer } from './rpc-peer.js';

const MAX_PAGES = 100;

export class ListError extends Error {}

async function listAll<T>(
  peer: RpcPeer,
  method: string,
  key: string,
  timeoutMs: number,
  envelope: ClientIdentity | undefined,
): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const base = cursor ? { cursor } : undefined;
    const params = envelope ? withEnvelope(base, envelope) : base;
    const response = await peer.request(method, params, { timeoutMs });
    if ('error' in response) throw new ListError(`${method} failed: ${response.error.message}`);
    const result = response.result as Record<string, unknown>;
    const batch = result[key];
    if (Array.isArray(batch)) items.push(...(batch as T[]));
    const next = result.nextCursor;
    if (typeof next !== 'string' || next === '' || next === cursor) return items;
    cursor = next;
  }
  throw new ListError(`${method}: more than ${MAX_PAGES} pages`);
}

/** Lists every capability the backend declared. A failing list is an error for the whole catalog. */
export async function listCatalog(
  backend: string,
  peer: RpcPeer,
  handshake: Handshake,
  timeoutMs: number,
  identity: ClientIdentity,
): Promise<BackendCatalog> {
  const caps = handshake.capabilities;
  const envelope = handshake.era === 'modern' ? identity : undefined;
  const [tools, prompts, resources, resourceTemplates] = await Promise.all([
    caps.tools ? listAll<ToolDef>(peer, 'tools/list', 'tools', timeoutMs, envelope) : [],
    caps.prompts ? listAll<PromptDef>(peer, 'prompts/list', 'prompts', timeoutMs, envelope) : [],
    caps.resources ? listAll<ResourceDef>(peer, 'resources/list', 'resources', timeoutMs, envelope) : [],
    caps.resources
      ? // Older servers may not implement templates; that is not a failure of the catalog.
        listAll<ResourceTemplateDef>(
          peer,
          'resources/templates/list',
          'resourceTemplates',
          timeoutMs,
          envelope,
        ).catch(() => [])
      : [],
  ]);
  return {
    backend,
    serverCapabilities: caps as JsonObject,
    ...(handshake.instructions ? { instructions: handshake.instructions } : {}),
    tools: tools.filter((t) => typeof t?.name === 'string'),
    prompts: prompts.filter((p) => typeof p?.name === 'string'),
    resources: resources.filter((r) => typeof r?.uri === 'string'),
    resourceTemplates: resourceTemplates.filter((t) => typeof t?.uriTemplate === 'string'),
  };
}
