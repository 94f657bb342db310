// A form from a tool's input schema (JSON Schema, as the backend sent it), for "Try it": one field
// per top-level property with an input that fits its type, and the arguments object built back
// from what was typed. Anything the form cannot express (nested objects, unions, arrays of objects)
// is edited as JSON, so every tool can be tried. Pure functions.
import type { JsonObject } from '../contract.js';

export type FieldKind = 'string' | 'number' | 'integer' | 'boolean' | 'enum' | 'json';

export interface FormField {
  name: string;
  kind: FieldKind;
  required: boolean;
  title?: string;
  description?: string;
  /** enum: the allowed values (as JSON text, so numbers and strings stay apart). */
  options?: string[];
  /** The field's starting text: the schema's default, else empty. */
  initial: string;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** At most this many fields: a schema with thousands of properties is edited as one JSON value. */
export const MAX_FIELDS = 50;

function kindOf(schema: Record<string, unknown>): FieldKind {
  if (Array.isArray(schema.enum) && schema.enum.length > 0 && schema.enum.length <= 100) {
    if (schema.enum.every((v) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')) {
      return 'enum';
    }
  }
  const type = Array.isArray(schema.type)
    ? schema.type.filter((t) => t !== 'null')
    : schema.type === undefined
      ? []
      : [schema.type];
  if (type.length !== 1) return 'json';
  switch (type[0]) {
    case 'string':
      return 'string';
    case 'number':
      return 'number';
    case 'integer':
      return 'integer';
    case 'boolean':
      return 'boolean';
    default:
      return 'json';
  }
}

function initialOf(kind: FieldKind, schema: Record<string, unknown>): string {
  if (!('default' in schema)) return kind === 'boolean' ? 'false' : '';
  const value = schema.default;
  if (kind === 'string' && typeof value === 'string') return value;
  if (kind === 'boolean') return value === true ? 'true' : 'false';
  return JSON.stringify(value) ?? '';
}

/** The fields of a tool's input schema; null when it is not an object schema with properties. */
export function formFields(inputSchema: unknown): FormField[] | null {
  if (!isObject(inputSchema) || !isObject(inputSchema.properties)) return null;
  const entries = Object.entries(inputSchema.properties);
  if (entries.length > MAX_FIELDS) return null;
  const required = new Set(
    Array.isArray(inputSchema.required) ? inputSchema.required.filter((r) => typeof r === 'string') : [],
  );
  return entries.map(([name, raw]) => {
    const schema = isObject(raw) ? raw : {};
    const kind = kindOf(schema);
    return {
      name,
      kind,
      required: required.has(name),
      ...(typeof schema.title === 'string' ? { title: schema.title } : {}),
      ...(typeof schema.description === 'string' ? { description: schema.description } : {}),
      ...(kind === 'enum' ? { options: (schema.enum as unknown[]).map((v) => JSON.stringify(v)) } : {}),
      initial: initialOf(kind, schema),
    };
  });
}

export type FormValues = Record<string, string>;

/** The arguments object for the values typed, or the first problem (naming the field). */
export function buildArguments(
  fields: readonly FormField[],
  values: FormValues,
): { ok: true; arguments: JsonObject } | { ok: false; field: string; error: string } {
  const args: JsonObject = {};
  for (const field of fields) {
    const text = values[field.name] ?? field.initial;
    if (text.trim() === '' && field.kind !== 'string') {
      if (field.required) return { ok: false, field: field.name, error: `${field.name} is required` };
      continue;
    }
    if (field.kind === 'string') {
      if (text === '' && !field.required) continue;
      args[field.name] = text;
      continue;
    }
    if (field.kind === 'boolean') {
      args[field.name] = text === 'true';
      continue;
    }
    if (field.kind === 'number' || field.kind === 'integer') {
      const n = Number(text);
      if (!Number.isFinite(n))
        return { ok: false, field: field.name, error: `${field.name} must be a number` };
      if (field.kind === 'integer' && !Number.isInteger(n)) {
        return { ok: false, field: field.name, error: `${field.name} must be a whole number` };
      }
      args[field.name] = n;
      continue;
    }
    try {
      args[field.name] = JSON.parse(text) as JsonObject[string];
    } catch {
      return {
        ok: false,
        field: field.name,
        error: `${field.name} must be JSON (e.g. ["a", "b"] or {"k": 1})`,
      };
    }
  }
  return { ok: true, arguments: args };
}

/** The values that reproduce `args` in the form (for "Run again" from the audit trail). */
export function valuesFrom(fields: readonly FormField[], args: unknown): FormValues {
  const values: FormValues = {};
  if (!isObject(args)) return values;
  for (const field of fields) {
    if (!(field.name in args)) continue;
    const value = args[field.name];
    values[field.name] =
      field.kind === 'string' && typeof value === 'string'
        ? value
        : field.kind === 'boolean'
          ? String(value === true)
          : (JSON.stringify(value) ?? '');
  }
  return values;
}
