// Capabilities as backends describe them. Definitions are kept as the JSON the backend sent:
// the gateway relays schemas untouched, so these types name only the fields it reads.

export type JsonObject = Record<string, unknown>;

export interface ToolDef extends JsonObject {
  name: string;
  description?: string;
  inputSchema?: JsonObject;
  annotations?: JsonObject;
}

export interface PromptDef extends JsonObject {
  name: string;
  description?: string;
}

export interface ResourceDef extends JsonObject {
  uri: string;
  name?: string;
}

export interface ResourceTemplateDef extends JsonObject {
  uriTemplate: string;
  name?: string;
}

/** What one backend offers, as last listed. */
export interface BackendCatalog {
  backend: string;
  serverCapabilities: JsonObject;
  instructions?: string;
  tools: ToolDef[];
  prompts: PromptDef[];
  resources: ResourceDef[];
  resourceTemplates: ResourceTemplateDef[];
}

export type CapabilityKind = 'tool' | 'prompt' | 'resource';
