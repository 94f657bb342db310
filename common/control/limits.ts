// Limits and patterns every side of the control API agrees on: the engine enforces them, the IPC
// and HTTP bindings validate arguments against them, and the dashboard's forms say them first.

/** Advertised tool and prompt names (what Claude Desktop accepts): also the rule for renames. */
export const NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Longest backend name an argument may carry (config and container names are far shorter). */
export const BACKEND_NAME_MAX = 512;

/** Longest display name a user may give a backend (after trimming; checked by the engine). */
export const DISPLAY_NAME_MAX = 64;
/** Longest display-name argument accepted at all, before trimming: a bound on input, not the rule. */
export const DISPLAY_NAME_INPUT_MAX = 1024;

/** Longest conflict id (`kind:name`; a resource URI can be long). */
export const CONFLICT_ID_MAX = 1024;

/** Rows per audit page: at most this many. */
export const AUDIT_PAGE_MAX = 1000;
/** Buckets one audit-statistics query may ask for. */
export const AUDIT_BUCKETS_MAX = 10_000;
/** Longest free-text audit filter value, and most values in one list filter. */
export const AUDIT_TEXT_MAX = 4096;
export const AUDIT_LIST_MAX = 1000;

/** Largest JSON body the HTTP binding reads (413 above it). */
export const CONTROL_BODY_MAX = 64 * 1024;

/** Entries one backend-log page may carry (the ring holds at most as many, see core/backends/backend-log.ts). */
export const BACKEND_LOG_PAGE_MAX = 1000;
/** A tool-integrity change id is 12 hex characters; anything much longer is not one. */
export const CHANGE_ID_MAX = 64;
/** A backend spec from the dashboard's form: header/env key length, value length, number of args. */
export const SPEC_KEY_MAX = 256;
export const SPEC_VALUE_MAX = 8192;
export const SPEC_LIST_MAX = 256;
/** A profile name (`/mcp/<profile>`), as the config schema has it; `default` passes (the engine answers 409). */
export const PROFILE_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/;
/** A tool key `backend/tool` in a profile's pick, and most tools one pick may name. */
export const TOOL_KEY_MAX = 1024;
export const PROFILE_PICK_MAX = 5000;
