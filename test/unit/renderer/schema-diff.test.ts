import { describe, expect, it } from 'vitest';
import {
  describeChange,
  diffDefinitions,
  diffSchemas,
  stableJson,
  typeOf,
} from '../../../renderer/src/lib/schema-diff.js';

describe('typeOf', () => {
  it('summarizes schema types', () => {
    expect(typeOf({ type: 'string' })).toBe('string');
    expect(typeOf({ type: ['integer', 'null'] })).toBe('integer|null');
    expect(typeOf({ type: 'array', items: { type: 'string' } })).toBe('array<string>');
    expect(typeOf({ anyOf: [{ type: 'string' }, { type: 'number' }] })).toBe('anyOf(string|number)');
    expect(typeOf({ $ref: '#/$defs/Point' })).toBe('Point');
    expect(typeOf({ enum: ['a', 'b'] })).toBe('enum');
    expect(typeOf({ properties: {} })).toBe('object');
    expect(typeOf(undefined)).toBe('any');
    expect(typeOf(true)).toBe('any');
    expect(typeOf(false)).toBe('never');
  });
});

describe('diffSchemas', () => {
  it('finds nothing between equal schemas, whatever the key order', () => {
    const a = { type: 'object', properties: { x: { type: 'string', enum: ['a', 'b'] } }, required: ['x'] };
    const b = { required: ['x'], properties: { x: { enum: ['a', 'b'], type: 'string' } }, type: 'object' };
    expect(diffSchemas(a, b)).toEqual([]);
    expect(stableJson(a)).toBe(stableJson(b));
  });

  it('reports added, removed, retyped and required changes per property', () => {
    const reference = {
      type: 'object',
      properties: { message: { type: 'string' }, count: { type: 'integer' }, old: { type: 'boolean' } },
      required: ['message'],
    };
    const other = {
      type: 'object',
      properties: { message: { type: 'number' }, count: { type: 'integer' }, loud: { type: 'boolean' } },
      required: ['message', 'count', 'loud'],
    };
    expect(diffSchemas(reference, other)).toEqual([
      { path: 'message', kind: 'type', from: 'string', to: 'number' },
      { path: 'count', kind: 'required' },
      { path: 'old', kind: 'removed', from: 'boolean' },
      { path: 'loud', kind: 'added', to: 'boolean, required' },
    ]);
  });

  it('reports a property that became optional, constraints and descriptions', () => {
    const changes = diffSchemas(
      {
        type: 'object',
        properties: { depth: { type: 'integer', maximum: 5, description: 'How deep' } },
        required: ['depth'],
      },
      { type: 'object', properties: { depth: { type: 'integer', maximum: 10, description: 'Depth' } } },
    );
    expect(changes).toEqual([
      { path: 'depth', kind: 'optional' },
      { path: 'depth', kind: 'constraint', keyword: 'maximum', from: '5', to: '10' },
      { path: 'depth', kind: 'description', from: 'How deep', to: 'Depth' },
    ]);
    expect(changes.map(describeChange)).toEqual([
      '~ depth: no longer required',
      '~ depth: maximum 5 → 10',
      '~ depth: description differs',
    ]);
  });

  it('walks nested objects and array items', () => {
    const changes = diffSchemas(
      {
        type: 'object',
        properties: {
          options: { type: 'object', properties: { mode: { type: 'string', enum: ['a'] } } },
          tags: { type: 'array', items: { type: 'object', properties: { key: { type: 'string' } } } },
        },
      },
      {
        type: 'object',
        properties: {
          options: { type: 'object', properties: { mode: { type: 'string', enum: ['a', 'b'] }, extra: {} } },
          tags: { type: 'array', items: { type: 'object', properties: { key: { type: 'integer' } } } },
        },
      },
    );
    expect(changes.map(describeChange)).toEqual([
      '~ options.mode: enum ["a"] → ["a","b"]',
      '+ options.extra (any)',
      '~ tags[].key: type string → integer',
    ]);
  });

  it('handles missing schemas on either side', () => {
    expect(diffSchemas(undefined, { type: 'object', properties: { a: { type: 'string' } } })).toEqual([
      { path: '', kind: 'type', from: 'any', to: 'object' },
      { path: 'a', kind: 'added', to: 'string' },
    ]);
    expect(describeChange({ path: '', kind: 'type', from: 'any', to: 'object' })).toBe(
      '~ schema: type any → object',
    );
  });
});

describe('diffDefinitions', () => {
  it('diffs a tool’s description and input schema', () => {
    const diff = diffDefinitions(
      'tool',
      {
        name: 'echo',
        description: 'Echo',
        inputSchema: { type: 'object', properties: { m: { type: 'string' } } },
      },
      {
        name: 'echo',
        description: 'Repeat',
        inputSchema: { type: 'object', properties: { m: { type: 'string' } } },
      },
    );
    expect(diff.identical).toBe(false);
    expect(diff.fields).toEqual([{ field: 'description', from: 'Echo', to: 'Repeat' }]);
    expect(diff.schema).toEqual([]);
  });

  it('diffs prompt arguments like a schema', () => {
    const diff = diffDefinitions(
      'prompt',
      { name: 'greet', arguments: [{ name: 'who', required: true }] },
      { name: 'greet', arguments: [{ name: 'who' }, { name: 'tone', required: true }] },
    );
    expect(diff.schema.map(describeChange)).toEqual([
      '~ who: no longer required',
      '+ tone (string, required)',
    ]);
  });

  it('says when two definitions are the same', () => {
    const def = { name: 'x', inputSchema: { type: 'object' } };
    expect(diffDefinitions('tool', def, { ...def }).identical).toBe(true);
    expect(
      diffDefinitions('resource', { uri: 'a', mimeType: 'text/plain' }, { uri: 'a', mimeType: 'text/html' })
        .fields,
    ).toEqual([{ field: 'mimeType', from: 'text/plain', to: 'text/html' }]);
  });
});
