// Search mode: a profile advertises two meta-tools instead of its full list. `find_tools` ranks the
// profile's tools by a real text index (MiniSearch: BM25 over names, titles and descriptions, with
// prefix and fuzzy matching); `call_tool` calls one of them by name, routed like a normal call.
// The index is built with the profile's view, when the advertised set changes, never per request.
import MiniSearch from 'minisearch';
import type { JsonObject, ToolDef } from '../../common/domain/capability.js';

export const FIND_TOOLS = 'find_tools';
export const CALL_TOOL = 'call_tool';
export const DEFAULT_FIND_LIMIT = 10;
export const MAX_FIND_LIMIT = 50;
/** Longest query the index is asked (a model pasting a page into `query` gets it cut, not refused). */
const MAX_QUERY_CHARS = 500;

export const FIND_TOOLS_DEFINITION: ToolDef = {
  name: FIND_TOOLS,
  title: 'Find tools',
  description:
    'Search the tools available through this server by what they do. Returns the best matches with ' +
    'their names, descriptions and input schemas; call one with call_tool. Search again with other ' +
    'words when nothing fits: more tools exist than are listed.',
  inputSchema: {
    type: 'object',
    properties: {
      query: {
        type: 'string',
        minLength: 1,
        description: 'Words describing the task or the tool, e.g. "create github issue" or "read file".',
      },
      limit: {
        type: 'integer',
        minimum: 1,
        maximum: MAX_FIND_LIMIT,
        default: DEFAULT_FIND_LIMIT,
        description: 'How many tools to return at most.',
      },
    },
    required: ['query'],
    additionalProperties: false,
  },
  annotations: { readOnlyHint: true, openWorldHint: false },
};

export const CALL_TOOL_DEFINITION: ToolDef = {
  name: CALL_TOOL,
  title: 'Call a tool',
  description:
    'Call a tool found with find_tools, by its exact name, with arguments that match its input schema. ' +
    "Returns that tool's result unchanged.",
  inputSchema: {
    type: 'object',
    properties: {
      name: {
        type: 'string',
        minLength: 1,
        description: 'The tool name, exactly as find_tools returned it.',
      },
      arguments: {
        type: 'object',
        description: "The tool's arguments, matching its inputSchema.",
        additionalProperties: true,
      },
    },
    required: ['name'],
    additionalProperties: false,
  },
};

export const META_TOOLS: readonly ToolDef[] = [FIND_TOOLS_DEFINITION, CALL_TOOL_DEFINITION];

/** One match as `find_tools` returns it: what a model needs to call the tool. */
export interface FoundTool extends JsonObject {
  name: string;
  title?: string;
  description?: string;
  inputSchema: JsonObject;
}

interface IndexedTool {
  id: number;
  name: string;
  title: string;
  description: string;
}

/** Splits "searchCode", "search_code" and "search-code" alike into words. */
function tokenize(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[\s\p{P}\p{S}]+/u)
    .filter((t) => t.length > 0);
}

export class ToolIndex {
  private readonly search: MiniSearch<IndexedTool>;

  constructor(private readonly tools: readonly ToolDef[]) {
    this.search = new MiniSearch<IndexedTool>({
      fields: ['name', 'title', 'description'],
      idField: 'id',
      tokenize,
      searchOptions: {
        boost: { name: 3, title: 2 },
        prefix: true,
        // Typos in longer words only: a fuzzy "get" would match half the catalog.
        fuzzy: (term) => (term.length > 4 ? 0.2 : false),
        combineWith: 'OR',
      },
    });
    this.search.addAll(
      tools.map((tool, id) => ({
        id,
        name: tool.name,
        title: typeof tool.title === 'string' ? tool.title : '',
        description: typeof tool.description === 'string' ? tool.description : '',
      })),
    );
  }

  get size(): number {
    return this.tools.length;
  }

  /** The best matches for `query`, best first; ties keep the profile's order. */
  find(query: string, limit = DEFAULT_FIND_LIMIT): FoundTool[] {
    const bounded = Math.min(Math.max(1, Math.floor(limit)), MAX_FIND_LIMIT);
    const hits = this.search.search(query.slice(0, MAX_QUERY_CHARS));
    return hits.slice(0, bounded).map((hit) => found(this.tools[hit.id as number]!));
  }
}

function found(tool: ToolDef): FoundTool {
  const out: FoundTool = { name: tool.name, inputSchema: tool.inputSchema ?? { type: 'object' } };
  if (typeof tool.title === 'string') out.title = tool.title;
  if (typeof tool.description === 'string') out.description = tool.description;
  if (tool.outputSchema !== undefined) out.outputSchema = tool.outputSchema;
  if (tool.annotations !== undefined) out.annotations = tool.annotations;
  return out;
}

/** `find_tools`'s arguments, checked: a query, and a limit within bounds. */
export function findArguments(args: unknown): { query: string; limit: number } | { error: string } {
  const a = (typeof args === 'object' && args !== null ? args : {}) as Record<string, unknown>;
  if (typeof a.query !== 'string' || a.query.trim() === '')
    return { error: 'find_tools needs a non-empty "query" string' };
  const limit = a.limit === undefined ? DEFAULT_FIND_LIMIT : a.limit;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_FIND_LIMIT)
    return { error: `"limit" must be an integer from 1 to ${MAX_FIND_LIMIT}` };
  return { query: a.query, limit };
}

/** `call_tool`'s arguments, checked: the tool's name and an arguments object. */
export function callArguments(
  args: unknown,
): { name: string; arguments: Record<string, unknown> | undefined } | { error: string } {
  const a = (typeof args === 'object' && args !== null ? args : {}) as Record<string, unknown>;
  if (typeof a.name !== 'string' || a.name === '') return { error: 'call_tool needs the tool\'s "name"' };
  const inner = a.arguments;
  if (inner !== undefined && (typeof inner !== 'object' || inner === null || Array.isArray(inner)))
    return { error: '"arguments" must be an object' };
  return { name: a.name, arguments: inner as Record<string, unknown> | undefined };
}

/** The tool result `find_tools` answers with: the matches as JSON text and as structured content. */
export function findResult(tools: FoundTool[], query: string): JsonObject {
  const text =
    tools.length === 0 ? `No tool matches "${query}". Try other words, or fewer.` : JSON.stringify({ tools });
  return { content: [{ type: 'text', text }], structuredContent: { tools } };
}

/**
 * A `call_tool` request's params turned into those of a call of the tool it names: the tool's name
 * (a default-set name is mapped to the profile's), its arguments, and the request's own `_meta`
 * (progress token, a modern client's envelope).
 */
export function unwrapCall(
  view: { aliases?: ReadonlyMap<string, string> | undefined },
  params: Record<string, unknown>,
): { params: Record<string, unknown>; target: string } | { error: string } {
  const args = callArguments(params.arguments);
  if ('error' in args) return args;
  const name = view.aliases?.get(args.name) ?? args.name;
  const inner: Record<string, unknown> = { name };
  if (args.arguments !== undefined) inner.arguments = args.arguments;
  if (params._meta !== undefined) inner._meta = params._meta;
  return { params: inner, target: name };
}
