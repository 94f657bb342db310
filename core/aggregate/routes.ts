// Routing over the advertised set, as pure functions: which backend serves a call and under
// which of its own names, and which capabilities the union of backends offers. The gateway's
// dispatcher and the control API both read routes only through here. A per-profile view is just
// another RouteTable (its own routes over the same backends), so routing needs no change for it.
import type { AdvertisedSet, HeldRoute } from '../domain/advertised.js';
import type { JsonObject } from '../../common/domain/capability.js';

/** The part of an advertised set (or of a profile's view of it) that routing reads. */
export type RouteTable = Pick<
  AdvertisedSet,
  | 'toolRoutes'
  | 'promptRoutes'
  | 'resourceOwners'
  | 'templateRoutes'
  | 'backendCapabilities'
  | 'heldTools'
  | 'heldPrompts'
  | 'refusal'
>;

/** JSON-RPC codes a refusal carries (the numeric values of the SDK's ProtocolErrorCode). */
const INVALID_PARAMS = -32602;
const METHOD_NOT_FOUND = -32601;
const RESOURCE_NOT_FOUND = -32002;
/** Tool integrity: held for review (see HeldForReview in gateway/wire.ts). */
const HELD_FOR_REVIEW = -32003;

export interface Routed {
  backend: string;
  /** The advertised name (tool, prompt) or URI. */
  name: string;
  /** The backend's own name for it (the same string for URIs). */
  originalName: string;
  /** The request params, with the advertised name replaced by the backend's own. */
  params: Record<string, unknown>;
}

export interface Unrouted {
  error: { code: number; message: string; data?: unknown };
  /** The advertised name or URI asked for, when the request named one. */
  name?: string;
  /** Tool integrity: the name is a held tool's (refused, audited as denied, with its backend). */
  held?: HeldRoute;
}

export type RouteResult = Routed | Unrouted;

/** The methods that go to one backend (everything else the gateway answers itself or refuses). */
export const ROUTED_METHODS: ReadonlySet<string> = new Set([
  'tools/call',
  'prompts/get',
  'resources/read',
  'resources/subscribe',
  'resources/unsubscribe',
  'completion/complete',
]);

function refuse(code: number, message: string, name?: string, data?: unknown): Unrouted {
  const error = data === undefined ? { code, message } : { code, message, data };
  return name === undefined ? { error } : { error, name };
}

/**
 * Routes one request. `target` is the name or URI the request addresses (classified once by the
 * gateway: `params.name`, `params.uri`, or a completion's `ref.name`/`ref.uri`).
 */
export function route(
  table: RouteTable,
  method: string,
  params: Record<string, unknown>,
  target: string | undefined,
): RouteResult {
  // A view that serves nothing for now (paused) answers every routed call with its own reason.
  if (table.refusal) return refuse(table.refusal.code, table.refusal.message, target);
  switch (method) {
    case 'tools/call':
    case 'prompts/get': {
      if (target === undefined) return refuse(INVALID_PARAMS, `${method} needs a "name"`);
      const found = (method === 'tools/call' ? table.toolRoutes : table.promptRoutes).get(target);
      const held = found
        ? undefined
        : (method === 'tools/call' ? table.heldTools : table.heldPrompts).get(target);
      if (held) return heldRefusal(method === 'tools/call' ? 'tool' : 'prompt', target, held);
      if (!found)
        return refuse(
          INVALID_PARAMS,
          `Unknown ${method === 'tools/call' ? 'tool' : 'prompt'}: ${target}`,
          target,
        );
      const original = found.originalName;
      return {
        backend: found.backend,
        name: target,
        originalName: original,
        params: original === target ? params : renamed(params, original),
      };
    }
    case 'resources/read':
    case 'resources/subscribe':
    case 'resources/unsubscribe': {
      if (target === undefined) return refuse(INVALID_PARAMS, `${method} needs a "uri"`);
      const backend = resourceOwner(table, target);
      if (!backend)
        return refuse(RESOURCE_NOT_FOUND, `Resource not found: ${target}`, target, { uri: target });
      if (method !== 'resources/read' && !supportsSubscriptions(table.backendCapabilities.get(backend)))
        return refuse(METHOD_NOT_FOUND, `Backend "${backend}" does not support resource subscriptions`);
      return { backend, name: target, originalName: target, params };
    }
    case 'completion/complete': {
      const ref = params.ref as { type?: unknown; name?: unknown; uri?: unknown } | undefined;
      if (ref?.type === 'ref/prompt' && target !== undefined) {
        const found = table.promptRoutes.get(target);
        if (!found) return refuse(INVALID_PARAMS, `Unknown prompt: ${target}`, target);
        const original = found.originalName;
        return {
          backend: found.backend,
          name: target,
          originalName: original,
          params: original === target ? params : { ...params, ref: { ...ref, name: original } },
        };
      }
      if (ref?.type === 'ref/resource' && target !== undefined) {
        const backend =
          table.templateRoutes.find((t) => t.uriTemplate === target)?.backend ?? resourceOwner(table, target);
        if (!backend) return refuse(INVALID_PARAMS, `Unknown resource: ${target}`, target);
        return { backend, name: target, originalName: target, params };
      }
      return refuse(INVALID_PARAMS, 'completion/complete needs a ref/prompt or ref/resource');
    }
    default:
      return refuse(METHOD_NOT_FOUND, `Method not found: ${method}`);
  }
}

/** The params with `name` set to the backend's own name (the only copy routing makes). */
function renamed(params: Record<string, unknown>, name: string): Record<string, unknown> {
  const copy = Object.assign({}, params);
  copy.name = name;
  return copy;
}

/** Which backend serves a resource URI: an exact listed URI first, then the first matching template. */
export function resourceOwner(
  table: Pick<RouteTable, 'resourceOwners' | 'templateRoutes'>,
  uri: string,
): string | undefined {
  const exact = table.resourceOwners.get(uri);
  if (exact) return exact;
  return table.templateRoutes.find((t) => t.matches(uri))?.backend;
}

/** Original name → advertised name of one backend's tools or prompts (for the control API). */
export function advertisedNames(
  table: RouteTable,
  kind: 'tool' | 'prompt',
  backend: string,
): Map<string, string> {
  const byOriginal = new Map<string, string>();
  for (const [advertised, r] of kind === 'tool' ? table.toolRoutes : table.promptRoutes)
    if (r.backend === backend) byOriginal.set(r.originalName, advertised);
  return byOriginal;
}

/** The URI or URI template under which a backend's resource is advertised, or null when it is not. */
export function advertisedResource(table: RouteTable, backend: string, uri: string): string | null {
  return table.resourceOwners.get(uri) === backend ? uri : null;
}

export function advertisedTemplate(table: RouteTable, backend: string, uriTemplate: string): string | null {
  return table.templateRoutes.some((r) => r.backend === backend && r.uriTemplate === uriTemplate)
    ? uriTemplate
    : null;
}

function supportsSubscriptions(capabilities: JsonObject | undefined): boolean {
  return Boolean((capabilities?.resources as { subscribe?: unknown } | undefined)?.subscribe);
}

/**
 * The capabilities the gateway offers, built with the set: list capabilities always (backends
 * come and go, so lists change), the rest when some backend has them.
 */
export function capabilityUnion(backendCapabilities: ReadonlyMap<string, JsonObject>): JsonObject {
  let subscribe = false;
  let logging = false;
  let completions = false;
  for (const caps of backendCapabilities.values()) {
    if (supportsSubscriptions(caps)) subscribe = true;
    if (caps.logging) logging = true;
    if (caps.completions) completions = true;
  }
  const union: JsonObject = {
    tools: { listChanged: true },
    prompts: { listChanged: true },
    resources: subscribe ? { listChanged: true, subscribe: true } : { listChanged: true },
  };
  if (logging) union.logging = {};
  if (completions) union.completions = {};
  return union;
}

/** The -32003 answer for a held tool: names it, says why, and where to review it. */
function heldRefusal(kind: 'tool' | 'prompt', name: string, held: HeldRoute): Unrouted {
  const why = held.rejected
    ? `its definition changed and the new one was rejected in Switchyard; it stays unavailable until "${held.backend}" goes back to the approved one`
    : 'its definition changed and awaits review in Switchyard (dashboard → Changes, or `switchyard changes`)';
  return {
    ...refuse(
      HELD_FOR_REVIEW,
      `The ${kind} "${name}" from backend "${held.backend}" is held: ${why}.`,
      name,
      {
        backend: held.backend,
        changeId: held.changeId,
      },
    ),
    held,
  };
}
