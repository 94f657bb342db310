// Canonical hashing of definitions: equal definitions hash equal whatever the key order; every
// pinned field (and only those) changes the hash; arrays keep their order.
import { describe, expect, it } from 'vitest';
import { canonicalJson, definitionHash, pinnedDefinition } from '../../core/integrity/canonical.js';

const tool = {
  name: 'search',
  title: 'Search',
  description: 'Searches the index.',
  inputSchema: {
    type: 'object',
    properties: { query: { type: 'string', description: 'What to find' }, limit: { type: 'number' } },
    required: ['query'],
  },
  outputSchema: { type: 'object', properties: { hits: { type: 'array' } } },
  annotations: { readOnlyHint: true, openWorldHint: false },
};

describe('canonical JSON', () => {
  it('sorts keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { y: 1, x: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"x":2,"y":1}]},"b":1}',
    );
    expect(canonicalJson([2, 1])).not.toBe(canonicalJson([1, 2]));
  });

  it('drops undefined members like JSON does', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
    expect(canonicalJson([undefined])).toBe('[null]');
  });

  it('escapes strings as JSON (hidden characters stay part of the hash)', () => {
    expect(canonicalJson({ d: 'a\u200bb' })).not.toBe(canonicalJson({ d: 'ab' }));
  });
});

describe('definition hash', () => {
  it('is the same for a re-serialized definition with keys in another order', () => {
    const reordered = JSON.parse(
      JSON.stringify({
        annotations: { openWorldHint: false, readOnlyHint: true },
        outputSchema: { properties: { hits: { type: 'array' } }, type: 'object' },
        inputSchema: {
          required: ['query'],
          properties: { limit: { type: 'number' }, query: { description: 'What to find', type: 'string' } },
          type: 'object',
        },
        description: 'Searches the index.',
        title: 'Search',
        name: 'search',
      }),
    ) as typeof tool;
    expect(definitionHash('tool', reordered)).toBe(definitionHash('tool', tool));
    expect(definitionHash('tool', tool)).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each(['name', 'title', 'description', 'inputSchema', 'outputSchema', 'annotations'] as const)(
    'changes when %s changes',
    (field) => {
      const changed = {
        ...tool,
        [field]: field === 'name' || field === 'title' || field === 'description' ? 'other' : { x: 1 },
      };
      expect(definitionHash('tool', changed)).not.toBe(definitionHash('tool', tool));
    },
  );

  it('ignores fields outside the contract (_meta, icons, execution)', () => {
    const extra = {
      ...tool,
      _meta: { anything: 1 },
      icons: [{ src: 'x' }],
      execution: { taskSupport: 'optional' },
    };
    expect(definitionHash('tool', extra)).toBe(definitionHash('tool', tool));
    expect(Object.keys(pinnedDefinition('tool', extra)).sort()).toEqual([
      'annotations',
      'description',
      'inputSchema',
      'name',
      'outputSchema',
      'title',
    ]);
  });

  it('keeps enum and required order significant', () => {
    const a = { name: 'x', inputSchema: { type: 'object', required: ['a', 'b'] } };
    const b = { name: 'x', inputSchema: { type: 'object', required: ['b', 'a'] } };
    expect(definitionHash('tool', a)).not.toBe(definitionHash('tool', b));
  });

  it('hashes prompts over name, description and arguments', () => {
    const prompt = { name: 'p', description: 'd', arguments: [{ name: 'city', required: true }] };
    expect(definitionHash('prompt', { ...prompt, title: 'ignored' })).toBe(definitionHash('prompt', prompt));
    expect(definitionHash('prompt', { ...prompt, arguments: [{ required: true, name: 'city' }] })).toBe(
      definitionHash('prompt', prompt),
    );
    expect(definitionHash('prompt', { ...prompt, arguments: [{ name: 'town', required: true }] })).not.toBe(
      definitionHash('prompt', prompt),
    );
  });
});
