// A readable, property-level diff of two JSON Schemas (a tool's inputSchema as two backends define
// it), and of whole capability definitions. Pure: no DOM, no React.
import type { CapabilityKind, JsonObject } from '../contract.js';

export type SchemaChangeKind =
  | 'added' //        the property exists only in the other schema
  | 'removed' //      only in the reference schema
  | 'type' //         its type differs
  | 'required' //     optional in the reference, required in the other
  | 'optional' //     required in the reference, optional in the other
  | 'constraint' //   enum, format, bounds, default… differ
  | 'description'; // only the wording differs

export interface SchemaChange {
  /** Dotted property path ("options.depth", "items[]"); "" is the schema itself. */
  path: string;
  kind: SchemaChangeKind;
  /** For constraint changes: the keyword ("enum", "maximum", …). */
  keyword?: string;
  from?: string;
  to?: string;
}

const CONSTRAINTS = [
  'enum',
  'const',
  'format',
  'pattern',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'uniqueItems',
  'default',
  'additionalProperties',
] as const;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Stable JSON: object keys sorted, so {a,b} and {b,a} compare equal. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

function short(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : stableJson(value);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

/** A one-word summary of a schema's type: "string", "integer|null", "array<string>", "anyOf(string|number)". */
export function typeOf(schema: unknown): string {
  if (schema === true || schema === undefined) return 'any';
  if (schema === false) return 'never';
  if (!isObject(schema)) return 'unknown';
  const type = schema.type;
  let base: string | undefined;
  if (typeof type === 'string') base = type;
  else if (Array.isArray(type)) base = type.map(String).join('|');
  if (base === 'array' || (base === undefined && 'items' in schema)) {
    return `array<${Array.isArray(schema.items) ? 'tuple' : typeOf(schema.items)}>`;
  }
  if (base) return base;
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const options = schema[key];
    if (Array.isArray(options)) return `${key}(${options.map(typeOf).join('|')})`;
  }
  if (typeof schema.$ref === 'string') return schema.$ref.replace(/^#\/(\$defs|definitions)\//, '');
  if ('const' in schema) return 'const';
  if (Array.isArray(schema.enum)) return 'enum';
  if (isObject(schema.properties)) return 'object';
  return 'any';
}

function requiredOf(schema: JsonObject): Set<string> {
  return new Set(Array.isArray(schema.required) ? schema.required.filter((r) => typeof r === 'string') : []);
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** What changes from `reference` to `other`, property by property (both may be undefined). */
export function diffSchemas(reference: unknown, other: unknown, path = ''): SchemaChange[] {
  const changes: SchemaChange[] = [];
  const a = isObject(reference) ? reference : {};
  const b = isObject(other) ? other : {};
  const typeA = typeOf(reference);
  const typeB = typeOf(other);
  if (typeA !== typeB) changes.push({ path, kind: 'type', from: typeA, to: typeB });

  for (const keyword of CONSTRAINTS) {
    // Nested schemas in additionalProperties are compared as values: enough to flag a difference.
    const inA = keyword in a;
    const inB = keyword in b;
    if (!inA && !inB) continue;
    if (inA && inB && stableJson(a[keyword]) === stableJson(b[keyword])) continue;
    changes.push({
      path,
      kind: 'constraint',
      keyword,
      ...(inA ? { from: short(a[keyword]) } : {}),
      ...(inB ? { to: short(b[keyword]) } : {}),
    });
  }
  if ((a.description ?? '') !== (b.description ?? '') && path !== '') {
    changes.push({
      path,
      kind: 'description',
      ...(typeof a.description === 'string' ? { from: a.description } : {}),
      ...(typeof b.description === 'string' ? { to: b.description } : {}),
    });
  }

  const propsA = isObject(a.properties) ? a.properties : {};
  const propsB = isObject(b.properties) ? b.properties : {};
  const requiredA = requiredOf(a);
  const requiredB = requiredOf(b);
  const keys = [...Object.keys(propsA), ...Object.keys(propsB).filter((k) => !(k in propsA))];
  for (const key of keys) {
    const at = join(path, key);
    if (!(key in propsB)) {
      changes.push({ path: at, kind: 'removed', from: describeProperty(propsA[key], requiredA.has(key)) });
    } else if (!(key in propsA)) {
      changes.push({ path: at, kind: 'added', to: describeProperty(propsB[key], requiredB.has(key)) });
    } else {
      if (requiredA.has(key) !== requiredB.has(key)) {
        changes.push({ path: at, kind: requiredB.has(key) ? 'required' : 'optional' });
      }
      changes.push(...diffSchemas(propsA[key], propsB[key], at));
    }
  }

  if (isObject(a.items) && isObject(b.items)) {
    // Types of items are already part of "array<…>" above; look inside for property changes.
    const inner = diffSchemas(a.items, b.items, `${path}[]`).filter(
      (c) => !(c.kind === 'type' && c.path === `${path}[]`),
    );
    changes.push(...inner);
  }
  return changes;
}

function describeProperty(schema: unknown, required: boolean): string {
  return `${typeOf(schema)}${required ? ', required' : ''}`;
}

/** One line of English per change, e.g. `+ depth (integer, required)`. */
export function describeChange(change: SchemaChange): string {
  const name = change.path || 'schema';
  switch (change.kind) {
    case 'added':
      return `+ ${name} (${change.to})`;
    case 'removed':
      return `− ${name} (${change.from})`;
    case 'type':
      return `~ ${name}: type ${change.from} → ${change.to}`;
    case 'required':
      return `~ ${name}: now required`;
    case 'optional':
      return `~ ${name}: no longer required`;
    case 'constraint':
      return `~ ${name}: ${change.keyword} ${change.from ?? '(none)'} → ${change.to ?? '(none)'}`;
    case 'description':
      return `~ ${name}: description differs`;
  }
}

export interface DefinitionDiff {
  /** Top-level fields of the definition that differ (description, title, mimeType…). */
  fields: { field: string; from?: string; to?: string }[];
  /** Input (tools) or argument (prompts) changes. */
  schema: SchemaChange[];
  /** Output schema changes (tools). */
  output: SchemaChange[];
  identical: boolean;
}

/** Prompt arguments as a schema, so they diff like tool inputs. */
function promptArgumentsSchema(definition: JsonObject): JsonObject {
  const args = Array.isArray(definition.arguments) ? definition.arguments : [];
  const properties: JsonObject = {};
  const required: string[] = [];
  for (const arg of args) {
    if (!isObject(arg) || typeof arg.name !== 'string') continue;
    properties[arg.name] = {
      type: 'string',
      ...(typeof arg.description === 'string' ? { description: arg.description } : {}),
    };
    if (arg.required === true) required.push(arg.name);
  }
  return { type: 'object', properties, required };
}

const FIELDS = ['title', 'description', 'mimeType', 'annotations', 'size'] as const;

/** How `other` differs from `reference`, for two candidates of one conflict. */
export function diffDefinitions(
  kind: CapabilityKind,
  reference: JsonObject,
  other: JsonObject,
): DefinitionDiff {
  const fields: DefinitionDiff['fields'] = [];
  for (const field of FIELDS) {
    if (!(field in reference) && !(field in other)) continue;
    if (stableJson(reference[field]) === stableJson(other[field])) continue;
    fields.push({
      field,
      ...(field in reference
        ? { from: typeof reference[field] === 'string' ? reference[field] : short(reference[field]) }
        : {}),
      ...(field in other
        ? { to: typeof other[field] === 'string' ? other[field] : short(other[field]) }
        : {}),
    });
  }
  let schema: SchemaChange[] = [];
  let output: SchemaChange[] = [];
  if (kind === 'tool') {
    schema = diffSchemas(reference.inputSchema, other.inputSchema);
    if ('outputSchema' in reference || 'outputSchema' in other) {
      output = diffSchemas(reference.outputSchema, other.outputSchema);
    }
  } else if (kind === 'prompt') {
    schema = diffSchemas(promptArgumentsSchema(reference), promptArgumentsSchema(other));
  }
  return {
    fields,
    schema,
    output,
    identical: fields.length === 0 && schema.length === 0 && output.length === 0,
  };
}
