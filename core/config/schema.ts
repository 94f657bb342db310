// The config file's schema: the contract in docs/config.md. Unknown keys are errors (strict objects),
// every value has a default, and the parsed result is what the rest of core/ consumes.
import { PROFILE_NAME_PATTERN } from '../../common/control/limits.js';
import { z } from 'zod';
import { parseDuration, parseSize } from './units.js';
import { CLIENT_KINDS, DEFAULT_SERVER_NAME } from '../profiles/presets.js';

/** Backend names become tool-name prefixes, so they keep to a conservative alphabet. */
export const BACKEND_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

/** A duration: a number of milliseconds or a string with a unit ("30s"). */
const duration = z.unknown().transform((value, ctx) => {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  const ms = typeof value === 'string' ? parseDuration(value) : undefined;
  if (ms === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `${JSON.stringify(value)} is not a duration (use e.g. 500ms, 30s, 5m, 24h, 7d, or milliseconds)`,
    });
    return z.NEVER;
  }
  return ms;
});

/** A size: a number of bytes or a string with a unit ("100MiB"). */
const size = z.unknown().transform((value, ctx) => {
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
  const bytes = typeof value === 'string' ? parseSize(value) : undefined;
  if (bytes === undefined || bytes <= 0) {
    ctx.addIssue({
      code: 'custom',
      message: `${JSON.stringify(value)} is not a size (use e.g. 4096, 64KiB, 100MiB)`,
    });
    return z.NEVER;
  }
  return bytes;
});

/** The largest `limits.backendResponse` accepted (see the schema below for why). */
export const MAX_BACKEND_RESPONSE = 256 * 1024 ** 2;

/**
 * After ${env:} expansion a number or a boolean arrives as a string ("4750", "true"): accept the
 * string form where the value is obviously what the user meant.
 */
const int = (check: (n: z.ZodNumber) => z.ZodNumber = (n) => n) =>
  z.preprocess(
    (v) => (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v),
    check(z.number().int()),
  );
const bool = () => z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean());

const stringMap = z.record(z.string(), z.string());

const httpUrl = z.string().refine(
  (text) => {
    try {
      const url = new URL(text);
      return url.protocol === 'http:' || url.protocol === 'https:';
    } catch {
      return false;
    }
  },
  { message: 'must be an http:// or https:// URL' },
);

const backendName = z
  .string()
  .regex(
    BACKEND_NAME,
    'must start with a letter or digit and use only letters, digits, "_", "-" and "." (max 63)',
  );

const backendCommon = {
  name: backendName,
  timeout: duration.default(30_000),
  enabled: bool().default(true),
};

const remoteBackend = z.strictObject({
  ...backendCommon,
  url: httpUrl,
  transport: z.enum(['streamable-http', 'sse']).default('streamable-http'),
  headers: stringMap.default({}),
});

const stdioBackend = z.strictObject({
  ...backendCommon,
  command: z.string().min(1, 'must not be empty'),
  transport: z.literal('stdio').default('stdio'),
  args: z.array(z.string()).default([]),
  env: stringMap.default({}),
  cwd: z.string().optional(),
});

/** A backend is remote (url) or a stdio command; which one is decided by the key that is present. */
const backend = z.unknown().transform((value, ctx) => {
  const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
  if (!isObject) {
    ctx.addIssue({ code: 'custom', message: 'must be an object with "name" and either "url" or "command"' });
    return z.NEVER;
  }
  const hasUrl = 'url' in value;
  const hasCommand = 'command' in value;
  if (hasUrl === hasCommand) {
    ctx.addIssue({
      code: 'custom',
      message: hasUrl
        ? 'has both "url" and "command"; use one'
        : 'needs either "url" (HTTP/SSE) or "command" (stdio)',
    });
    return z.NEVER;
  }
  const parsed = (hasUrl ? remoteBackend : stdioBackend).safeParse(value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, code: 'custom', path: issue.path });
    return z.NEVER;
  }
  return parsed.data;
});

const override = z.strictObject({
  name: z.string().min(1).optional(),
  title: z.string().optional(),
  description: z.string().optional(),
  annotations: z.record(z.string(), z.unknown()).optional(),
});

const capabilityFilter = z.strictObject({
  include: z.array(z.string()).default([]),
  exclude: z.array(z.string()).default([]),
  overrides: z.record(z.string(), override).default({}),
});

const newTools = z.enum(['allow', 'hold']);
const changedTools = z.enum(['hold', 'allow']);

/** Tool integrity for one backend: unset keys follow the top-level `integrity`. */
const backendIntegrity = z.strictObject({
  newTools: newTools.optional(),
  changedTools: changedTools.optional(),
});

const backendAggregation = z.strictObject({
  tools: capabilityFilter.prefault({}),
  prompts: capabilityFilter.prefault({}),
  integrity: backendIntegrity.optional(),
});

/** Profile names are URL path segments (`/mcp/<profile>`): short, lower-case, no surprises. */
export const PROFILE_NAME = PROFILE_NAME_PATTERN;
/** `/mcp` is the profile `default` (everything); it cannot be configured. */
export const DEFAULT_PROFILE = 'default';

const profile = z.strictObject({
  // The client's known rules: whole-name length, tool budget, whether it searches tools itself.
  client: z.enum(CLIENT_KINDS).optional(),
  // The name the client registered Switchyard under (Claude Code's `mcp__<server>__…`).
  serverName: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,32}$/, 'must be 1-32 letters, digits, "_" or "-"')
    .default(DEFAULT_SERVER_NAME),
  // Backends whose capabilities the profile shows, in this order; absent: all, in registration order.
  backends: z.array(z.string().min(1)).optional(),
  tools: z
    .strictObject({
      include: z.array(z.string().min(1)).default([]),
      exclude: z.array(z.string().min(1)).default([]),
    })
    .prefault({}),
  maxTools: int((n) => n.min(1).max(10_000)).optional(),
  search: z.enum(['auto', 'on', 'off']).default('auto'),
});

/** Checked on the key itself, so a bad name is reported even when its block has errors too. */
const profileKey = z.string().superRefine((name, ctx) => {
  if (name === DEFAULT_PROFILE)
    ctx.addIssue({
      code: 'custom',
      message: '"default" is reserved: /mcp is the default profile (everything)',
    });
  else if (!PROFILE_NAME.test(name))
    ctx.addIssue({
      code: 'custom',
      message:
        'a profile name must be 1-32 lower-case letters, digits or "-", starting with a letter or digit',
    });
});

const profiles = z.record(profileKey, profile, {
  // zod reports a bad key as "Invalid key in record"; say what is wrong with it instead.
  error: (issue) =>
    issue.code === 'invalid_key' ? (issue.issues[0]?.message ?? 'invalid profile name') : undefined,
});

export const configSchema = z
  .strictObject({
    server: z
      .strictObject({
        host: z.string().min(1).default('127.0.0.1'),
        port: int((n) => n.min(0).max(65535)).default(4750),
      })
      .prefault({}),
    auth: z
      .strictObject({
        // auto: a random token kept in the data dir; off: no token (loopback only); anything else: the token.
        token: z.string().min(1).default('auto'),
      })
      .prefault({}),
    discovery: z
      .strictObject({
        docker: z
          .strictObject({
            enabled: bool().default(true),
            host: z.string().min(1).default('auto'),
            group: z.string().nullable().default(null),
          })
          .prefault({}),
      })
      .prefault({}),
    backends: z.array(backend).default([]),
    aggregation: z
      .strictObject({
        conflicts: z.enum(['auto', 'prefix', 'priority', 'manual']).default('auto'),
        prefixFormat: z
          .string()
          .refine((f) => f.includes('{backend}'), { message: 'must contain {backend}' })
          .default('{backend}__'),
        priority: z.array(z.string()).default([]),
        backends: z.record(z.string(), backendAggregation).default({}),
      })
      .prefault({}),
    integrity: z
      .strictObject({
        // First sight of a tool is trusted by default; a change to an approved one waits for review.
        newTools: newTools.default('allow'),
        changedTools: changedTools.default('hold'),
      })
      .prefault({}),
    audit: z
      .strictObject({
        enabled: bool().default(true),
        retentionDays: int((n) => n.min(1)).default(30),
        recordPayloads: bool().default(false),
        maxPayloadBytes: int((n) => n.min(0)).default(4096),
        // The oldest rows go first once there are more than this.
        maxRows: int((n) => n.min(1000)).default(1_000_000),
      })
      .prefault({}),
    sessions: z
      .strictObject({
        idleTtl: duration.default(86_400_000),
        max: int((n) => n.min(1)).default(1000),
        // A client session's backend session (and stdio process) idle this long is closed and
        // reopened on demand; 0 keeps them for the client session's whole life.
        backendIdleTtl: duration.default(600_000),
      })
      .prefault({}),
    limits: z
      .strictObject({
        // Caps that keep one bad client or backend from exhausting memory (see docs/config.md).
        requestBody: size.default(4 * 1024 ** 2),
        batch: int((n) => n.min(1)).default(64),
        // At most 256 MiB: a message becomes one JavaScript string (V8 caps those near 512 MiB) plus
        // its parse, and every byte of it counts against backendInFlight.
        backendResponse: size
          .refine((n) => n <= MAX_BACKEND_RESPONSE, {
            message: `must be at most ${MAX_BACKEND_RESPONSE / 1024 ** 2}MiB`,
          })
          .default(100 * 1024 ** 2),
        // Everything all backends have in flight at once (partial bodies, events and lines).
        backendInFlight: size.default(256 * 1024 ** 2),
        // Processes one stdio backend may run at once (one per client session, plus the gateway's own).
        stdioProcesses: int((n) => n.min(1)).default(32),
      })
      .prefault({})
      .refine((l) => l.backendInFlight >= l.backendResponse, {
        message: 'backendInFlight must be at least backendResponse',
        path: ['backendInFlight'],
      }),
    profiles: profiles.default({}),
  })
  .superRefine((config, ctx) => {
    const seen = new Map<string, number>();
    config.backends.forEach((b, i) => {
      const first = seen.get(b.name);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['backends', i, 'name'],
          message: `duplicate backend name "${b.name}" (also backends[${first}])`,
        });
      } else seen.set(b.name, i);
    });
  });

export type SwitchyardConfig = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type BackendConfig = SwitchyardConfig['backends'][number];
export type CapabilityFilterConfig = z.output<typeof capabilityFilter>;
export type OverrideConfig = z.output<typeof override>;
export type ConflictStrategy = SwitchyardConfig['aggregation']['conflicts'];
export type IntegrityConfig = SwitchyardConfig['integrity'];
export type ProfileConfig = z.output<typeof profile>;
