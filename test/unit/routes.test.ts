// Routing over the advertised set (aggregate/routes.ts): a pure function, so every rule is checked
// directly against a set built the way the aggregator builds it.
import { describe, expect, it } from 'vitest';
import { buildAdvertisedSet, type AggregationConfig } from '../../core/aggregate/build.js';
import {
  advertisedNames,
  capabilityUnion,
  route,
  type Routed,
  type Unrouted,
} from '../../core/aggregate/routes.js';
import type { BackendCatalog } from '../../common/domain/capability.js';

const CONFIG: AggregationConfig = {
  conflicts: 'prefix',
  prefixFormat: '{backend}__',
  priority: [],
  backends: {},
};

function catalog(backend: string, over: Partial<BackendCatalog> = {}): BackendCatalog {
  return {
    backend,
    tools: [],
    prompts: [],
    resources: [],
    resourceTemplates: [],
    serverCapabilities: {},
    ...over,
  } as BackendCatalog;
}

const { set } = buildAdvertisedSet(
  {
    catalogs: [
      catalog('alpha', {
        tools: [{ name: 'echo', inputSchema: { type: 'object' } }],
        prompts: [{ name: 'greet' }],
        resources: [{ uri: 'file:///a', name: 'a' }],
        serverCapabilities: { resources: { subscribe: true }, completions: {} },
      }),
      catalog('beta', {
        tools: [{ name: 'echo', inputSchema: { type: 'object' } }],
        resourceTemplates: [{ uriTemplate: 'notes://{id}', name: 'note' }],
        serverCapabilities: { logging: {} },
      }),
    ],
    knownBackends: new Set(['alpha', 'beta']),
    config: CONFIG,
    pins: [],
    decisions: [],
  },
  0,
);

const ok = (r: ReturnType<typeof route>) => r as Routed;
const refused = (r: ReturnType<typeof route>) => r as Unrouted;

describe('route()', () => {
  it('routes a tool to its backend under the backend’s own name, copying params only to rename', () => {
    const names = [...set.toolRoutes.keys()].sort();
    expect(names).toEqual(['alpha__echo', 'beta__echo']);
    const params = { name: 'beta__echo', arguments: { message: 'hi' } };
    const r = ok(route(set, 'tools/call', params, 'beta__echo'));
    expect(r).toEqual({
      backend: 'beta',
      name: 'beta__echo',
      originalName: 'echo',
      params: { name: 'echo', arguments: { message: 'hi' } },
    });
    expect(params.name).toBe('beta__echo'); // the client's params are never changed
    // A name the backend itself uses needs no copy (a resource URI is never renamed).
    const same = { uri: 'file:///a' };
    expect(ok(route(set, 'resources/read', same, 'file:///a')).params).toBe(same);
    expect(ok(route(set, 'prompts/get', { name: 'alpha__greet' }, 'alpha__greet')).params).toEqual({
      name: 'greet',
    });
  });

  it('refuses unknown names and missing targets with the codes clients expect', () => {
    expect(refused(route(set, 'tools/call', {}, 'nope'))).toEqual({
      error: { code: -32602, message: 'Unknown tool: nope' },
      name: 'nope',
    });
    expect(refused(route(set, 'tools/call', {}, undefined)).error.code).toBe(-32602);
    expect(refused(route(set, 'resources/read', {}, 'file:///missing'))).toEqual({
      error: {
        code: -32002,
        message: 'Resource not found: file:///missing',
        data: { uri: 'file:///missing' },
      },
      name: 'file:///missing',
    });
    expect(refused(route(set, 'sampling/createMessage', {}, undefined)).error.code).toBe(-32601);
  });

  it('refuses a tool held by tool integrity with -32003, keeping its name out of the routes', () => {
    const { set: held } = buildAdvertisedSet(
      {
        catalogs: [catalog('alpha', { tools: [{ name: 'echo' }, { name: 'add' }] })],
        knownBackends: new Set(['alpha']),
        config: { ...CONFIG, conflicts: 'auto' },
        pins: [],
        decisions: [],
        held: new Map([['tool\u0000alpha\u0000echo', { changeId: 'abc123def456', rejected: false }]]),
      },
      0,
    );
    expect([...held.toolRoutes.keys()]).toEqual(['add']);
    expect(held.tools.map((t) => t.name)).toEqual(['add']);
    const r = refused(route(held, 'tools/call', { name: 'echo' }, 'echo'));
    expect(r.error.code).toBe(-32003);
    expect(r.error.message).toMatch(/"echo".*"alpha".*changed and awaits review in Switchyard/);
    expect(r.error.data).toEqual({ backend: 'alpha', changeId: 'abc123def456' });
    expect(r.held).toMatchObject({ backend: 'alpha', originalName: 'echo' });
    expect(ok(route(held, 'tools/call', { name: 'add' }, 'add')).backend).toBe('alpha');
  });

  it('routes resources by exact URI, then by template; subscriptions only where supported', () => {
    expect(ok(route(set, 'resources/read', { uri: 'file:///a' }, 'file:///a')).backend).toBe('alpha');
    expect(ok(route(set, 'resources/read', { uri: 'notes://7' }, 'notes://7')).backend).toBe('beta');
    expect(ok(route(set, 'resources/subscribe', { uri: 'file:///a' }, 'file:///a')).backend).toBe('alpha');
    expect(refused(route(set, 'resources/subscribe', { uri: 'notes://7' }, 'notes://7')).error).toEqual({
      code: -32601,
      message: 'Backend "beta" does not support resource subscriptions',
    });
  });

  it('routes completions by prompt or resource reference', () => {
    const params = { ref: { type: 'ref/prompt', name: 'alpha__greet' }, argument: { name: 'x', value: '' } };
    const prompt = ok(route(set, 'completion/complete', params, 'alpha__greet'));
    expect(prompt.backend).toBe('alpha');
    expect(prompt.params).toEqual({
      ref: { type: 'ref/prompt', name: 'greet' },
      argument: { name: 'x', value: '' },
    });
    const template = { ref: { type: 'ref/resource', uri: 'notes://{id}' } };
    expect(ok(route(set, 'completion/complete', template, 'notes://{id}')).backend).toBe('beta');
    expect(refused(route(set, 'completion/complete', { ref: {} }, undefined)).error.code).toBe(-32602);
  });

  it('gives the control API the advertised name of each original name', () => {
    expect(Object.fromEntries(advertisedNames(set, 'tool', 'beta'))).toEqual({ echo: 'beta__echo' });
  });
});

describe('capabilityUnion()', () => {
  it('is built with the set: lists always, the rest when some backend has them', () => {
    expect(set.capabilities).toEqual({
      tools: { listChanged: true },
      prompts: { listChanged: true },
      resources: { listChanged: true, subscribe: true },
      logging: {},
      completions: {},
    });
    expect(capabilityUnion(new Map())).toEqual({
      tools: { listChanged: true },
      prompts: { listChanged: true },
      resources: { listChanged: true },
    });
  });
});
