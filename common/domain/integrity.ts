// Tool integrity (rug-pull protection): what a tool or prompt says is pinned by a hash once the
// user trusts it, and a later change is a pending change the user approves or rejects. Shared
// types only; hashing lives in core/integrity/, persistence in core/store/.
import type { JsonObject } from './capability.js';

/** What integrity covers: the capabilities whose text reaches the model as instructions. */
export type IntegrityKind = 'tool' | 'prompt';

/** `new`: first sight of a tool (held only under `newTools: hold`); `changed`: a pinned one changed. */
export type ChangeKind = 'new' | 'changed';

export type ChangeDecision = 'approve' | 'reject';

export type FindingSeverity = 'low' | 'medium' | 'high';

export type FindingKind =
  /** Zero-width and other invisible characters: text a reviewer cannot see. */
  | 'invisible-character'
  /** Bidirectional controls that reorder what a reviewer sees. */
  | 'bidi-control'
  /** Unicode tag characters (U+E0000–E007F): ASCII smuggled invisibly. */
  | 'tag-characters'
  /** `<IMPORTANT>`, `<SYSTEM>`, HTML comments: markup posing as instructions. */
  | 'instruction-tag'
  /** Text addressed to the model: "ignore previous instructions", "before using this tool … read". */
  | 'model-directive'
  /** Hiding something from the user: "do not tell the user". */
  | 'concealment'
  /** Asking to read credentials or sensitive files: ~/.ssh, .env, API keys. */
  | 'credential-access'
  /** Sending data elsewhere: a URL or address with send/post/upload, "pass … as sidenote". */
  | 'exfiltration'
  /** Long runs of whitespace that push text out of view. */
  | 'whitespace-padding'
  /** The text grew far beyond the approved definition. */
  | 'size-jump';

export interface Finding {
  kind: FindingKind;
  severity: FindingSeverity;
  message: string;
  /** The text around the match, invisible characters made visible, bounded. */
  excerpt: string;
  /** Where in the definition: `description`, `inputSchema.properties.path.description`, `arguments[0].description`. */
  path: string;
}

/** An approved definition: what the user trusts a backend's tool (or prompt) to say. */
export interface DefinitionPin {
  kind: IntegrityKind;
  backend: string;
  /** The backend's own name for it (pins survive renames of the advertised name). */
  originalName: string;
  /** sha256 (hex) of the canonical definition. */
  hash: string;
  /** The approved definition (the hashed fields only). */
  definition: JsonObject;
  approvedAt: number;
}

export interface PendingChange {
  /** Stable for one (kind, backend, name, new definition): seeing it again is the same change. */
  id: string;
  backend: string;
  /** The backend's own name of the tool (or prompt). */
  tool: string;
  /** Tool or prompt (integrity covers both). */
  capability: IntegrityKind;
  kind: ChangeKind;
  /** The approved definition; null for a new tool. */
  before: JsonObject | null;
  after: JsonObject;
  /** Hash of `after`. */
  hash: string;
  seenAt: number;
  findings: Finding[];
  /**
   * Whether the tool is withheld while this waits: true under the hold policies; false for a new
   * (or changed) tool the policy let through, recorded because its scan found something.
   */
  held: boolean;
  /** Absent while pending; `reject` keeps the tool held until its definition returns to the approved one. */
  decision?: ChangeDecision;
  decidedAt?: number;
}

/** Integrity policy for one backend (config `integrity`, overridden per backend). */
export interface IntegrityPolicy {
  newTools: 'allow' | 'hold';
  changedTools: 'hold' | 'allow';
}

/** Which changes to forget: a backend's, one of its tools', optionally all but one change. */
export interface ChangeFilter {
  backend: string;
  capability?: IntegrityKind;
  tool?: string;
  exceptId?: string;
}

export interface IntegrityStore {
  pins(): DefinitionPin[];
  pin(kind: IntegrityKind, backend: string, originalName: string): DefinitionPin | undefined;
  /** Pins (approves) definitions; durable when it returns. */
  upsertPins(pins: readonly DefinitionPin[]): void;
  /** Forgets one approval (a new tool the user rejected after the policy let it through). */
  removePin(kind: IntegrityKind, backend: string, originalName: string): void;
  /** Every change seen, pending or decided, oldest first. */
  changes(): PendingChange[];
  change(id: string): PendingChange | undefined;
  /** Records a change; one already known by id keeps its decision and first sighting (findings and held are updated). */
  recordChange(change: PendingChange): PendingChange;
  /** Sets the decision of a change; undefined when there is no such change. */
  decide(id: string, decision: ChangeDecision, now: number): PendingChange | undefined;
  /** Forgets changes: a backend's (removed backend), or one tool's (its definition is settled). */
  removeChanges(filter: ChangeFilter): void;
}
