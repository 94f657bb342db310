// The advertised set: what the gateway serves, and the routing table behind it. Built only when a
// backend's capabilities change, never on a client request.
import type {
  JsonObject,
  PromptDef,
  ResourceDef,
  ResourceTemplateDef,
  ToolDef,
} from '../../common/domain/capability.js';
import type { Conflict } from '../../common/domain/conflict.js';

export interface Route {
  backend: string;
  originalName: string;
  /** The definition as advertised (name and overrides applied). */
  definition: JsonObject;
}

/** A tool (or prompt) withheld by tool integrity: not listed, its calls refused with -32003. */
export interface HeldRoute {
  backend: string;
  originalName: string;
  /** The change awaiting review (GET /api/changes). */
  changeId: string;
  /** The user rejected the new definition (it stays held until the backend reverts it). */
  rejected: boolean;
}

export interface TemplateRoute {
  backend: string;
  uriTemplate: string;
  /** Matches a concrete URI against the template. */
  matches(uri: string): boolean;
}

export interface AdvertisedSet {
  /** Increments on every rebuild that changed anything. */
  version: number;
  tools: ToolDef[];
  prompts: PromptDef[];
  resources: ResourceDef[];
  resourceTemplates: ResourceTemplateDef[];
  toolRoutes: ReadonlyMap<string, Route>;
  promptRoutes: ReadonlyMap<string, Route>;
  /** Names clients know for tools and prompts held for review (tool integrity). */
  heldTools: ReadonlyMap<string, HeldRoute>;
  heldPrompts: ReadonlyMap<string, HeldRoute>;
  /** Exact resource URI → owning backend. */
  resourceOwners: ReadonlyMap<string, string>;
  templateRoutes: readonly TemplateRoute[];
  /** Backends that serve completions, logging, subscriptions (for routing and capabilities). */
  backendCapabilities: ReadonlyMap<string, JsonObject>;
  /** What the gateway offers clients (initialize, server/discover): built with the set, not per request. */
  capabilities: JsonObject;
  conflicts: Conflict[];
  instructions?: string;
  /** Pre-serialized `{"tools":[…]}` etc.: a list request costs one string splice. */
  serialized: { tools: string; prompts: string; resources: string; resourceTemplates: string };
  /** Set on a view that refuses every call with this error (the gateway is paused). */
  refusal?: { code: number; message: string };
}
