// The integrity check of each aggregation rebuild (never of a request): every tool and prompt the
// usable backends list is compared with its approved definition. What is new follows `newTools`,
// what changed follows `changedTools`; a held one is withheld from every list and its calls are
// refused until the user approves. Findings are recorded on first sight and on every change,
// whatever the policy: shown, never acted on by themselves.
//
// The hash covers what the *backend* sends (its own name, description, schemas, annotations). The
// user's own edits of what is advertised (overrides, conflict decisions, the strategy, the priority
// list) never change it, so they never hold a tool; a backend's change always does.
import type { BackendCatalog, JsonObject } from '../../common/domain/capability.js';
import type {
  ChangeDecision,
  DefinitionPin,
  IntegrityKind,
  IntegrityPolicy,
  IntegrityStore,
  PendingChange,
} from '../../common/domain/integrity.js';
import type { Clock, Logger } from '../domain/runtime.js';
import { Emitter } from '../support/emitter.js';
import { definitionHash, pinnedDefinition, sha256Hex } from './canonical.js';
import { scanDefinition } from './findings.js';

/** A tool (or prompt) withheld from the advertised set, and why. */
export interface HeldCapability {
  kind: IntegrityKind;
  backend: string;
  originalName: string;
  changeId: string;
  change: PendingChange['kind'];
  rejected: boolean;
}

export type IntegrityEvent =
  | { type: 'held'; change: PendingChange }
  | { type: 'approved'; change: PendingChange }
  | { type: 'rejected'; change: PendingChange };

export interface IntegrityGuardOptions {
  store: IntegrityStore;
  policyOf(backend: string): IntegrityPolicy;
  clock: Clock;
  logger: Logger;
  /** Every hold, approval and rejection (the audit trail and the dashboard listen). */
  onEvent?(event: IntegrityEvent): void;
}

export class UnknownChangeError extends Error {}

export const heldKey = (kind: IntegrityKind, backend: string, originalName: string): string =>
  `${kind}\u0000${backend}\u0000${originalName}`;

/** Stable id of one (capability, backend, name, new definition): 12 hex characters. */
export function changeId(kind: IntegrityKind, backend: string, name: string, hash: string): string {
  return sha256Hex(`${kind}\u0000${backend}\u0000${name}\u0000${hash}`).slice(0, 12);
}

export class IntegrityGuard {
  /**
   * Hash of each definition object a catalog holds. Catalog objects are replaced only when a
   * backend lists again, so a rebuild re-hashes only what a backend re-sent.
   */
  private readonly hashes = new WeakMap<object, string>();
  /** The recorded changes changed (recorded, decided, settled, forgotten): the dashboard refreshes. */
  readonly changed = new Emitter<void>();

  constructor(private readonly options: IntegrityGuardOptions) {}

  private hashOf(kind: IntegrityKind, definition: JsonObject): string {
    let hash = this.hashes.get(definition);
    if (hash === undefined) {
      hash = definitionHash(kind, definition);
      this.hashes.set(definition, hash);
    }
    return hash;
  }

  /**
   * Compares every listed tool and prompt with its approved definition, pins what the policy
   * lets through, records changes, and returns what to withhold (keyed by `heldKey`).
   */
  check(catalogs: readonly BackendCatalog[]): Map<string, HeldCapability> {
    const { store } = this.options;
    const now = this.options.clock.now();
    const held = new Map<string, HeldCapability>();
    const newPins: DefinitionPin[] = [];
    let touched = false;
    // Changes by tool, so a definition that is back to its approved one clears them cheaply.
    const open = new Map<string, PendingChange[]>();
    for (const change of store.changes()) {
      const key = heldKey(change.capability, change.backend, change.tool);
      const list = open.get(key);
      if (list) list.push(change);
      else open.set(key, [change]);
    }
    for (const catalog of catalogs) {
      const policy = this.options.policyOf(catalog.backend);
      const visit = (kind: IntegrityKind, definition: JsonObject & { name: string }) => {
        const name = definition.name;
        const key = heldKey(kind, catalog.backend, name);
        const hash = this.hashOf(kind, definition);
        const pin = store.pin(kind, catalog.backend, name);
        const known = open.get(key);
        if (pin?.hash === hash) {
          // Approved as it is (or back to it): a held change for it is settled.
          if (known?.some((c) => c.held)) {
            store.removeChanges({ backend: catalog.backend, capability: kind, tool: name });
            touched = true;
          }
          return;
        }
        const id = changeId(kind, catalog.backend, name, hash);
        let change = known?.find((c) => c.id === id);
        const isNew = pin === undefined;
        // A rejected definition stays held whatever the policy says.
        const hold =
          change?.decision === 'reject' ||
          (isNew ? policy.newTools === 'hold' : policy.changedTools === 'hold');
        if (!change) {
          // A newer definition supersedes whatever was pending for this tool.
          if (known?.length) {
            store.removeChanges({ backend: catalog.backend, capability: kind, tool: name });
            touched = true;
          }
          const findings = scanDefinition(kind, definition, pin?.definition);
          if (hold || findings.length > 0) {
            change = store.recordChange({
              id,
              backend: catalog.backend,
              tool: name,
              capability: kind,
              kind: isNew ? 'new' : 'changed',
              before: pin?.definition ?? null,
              after: pinnedDefinition(kind, definition),
              hash,
              seenAt: now,
              findings,
              held: hold,
            });
            this.log(change);
            touched = true;
            if (hold) this.options.onEvent?.({ type: 'held', change });
          }
        } else if (change.held !== hold) {
          change = store.recordChange({ ...change, held: hold });
          touched = true;
        }
        if (hold) {
          held.set(key, {
            kind,
            backend: catalog.backend,
            originalName: name,
            changeId: id,
            change: isNew ? 'new' : 'changed',
            rejected: change?.decision === 'reject',
          });
        } else {
          const definitionPinned = change?.after ?? pinnedDefinition(kind, definition);
          newPins.push({
            kind,
            backend: catalog.backend,
            originalName: name,
            hash,
            definition: definitionPinned,
            approvedAt: now,
          });
        }
      };
      for (const tool of catalog.tools) visit('tool', tool);
      for (const prompt of catalog.prompts) visit('prompt', prompt);
    }
    store.upsertPins(newPins);
    if (touched) this.changed.emit();
    return held;
  }

  private log(change: PendingChange): void {
    const fields = {
      backend: change.backend,
      [change.capability]: change.tool,
      change: change.kind,
      findings: change.findings.length,
      id: change.id,
    };
    if (change.held) this.options.logger.warn(`${change.capability} held for review`, fields);
    else this.options.logger.warn(`${change.capability} let through by policy, with findings`, fields);
  }

  /** Every recorded change: pending, rejected (still held), or let through with findings. */
  changes(): PendingChange[] {
    return this.options.store.changes();
  }

  /**
   * The user's decision. Approving pins the new definition (the next rebuild lists the tool
   * again); rejecting keeps it held until its definition returns to the approved one.
   */
  decide(id: string, decision: ChangeDecision): PendingChange {
    const { store } = this.options;
    const change = store.change(id);
    if (!change) throw new UnknownChangeError(`no change with id "${id}"`);
    const now = this.options.clock.now();
    const decided = store.decide(id, decision, now)!;
    if (decision === 'approve') {
      store.upsertPins([
        {
          kind: change.capability,
          backend: change.backend,
          originalName: change.tool,
          hash: change.hash,
          definition: change.after,
          approvedAt: now,
        },
      ]);
      store.removeChanges({ backend: change.backend, capability: change.capability, tool: change.tool });
      this.options.onEvent?.({ type: 'approved', change: decided });
    } else {
      if (!change.held) {
        // It had been let through by policy: take it back to what was approved before (or to
        // nothing, for a new one) so the next rebuild holds it.
        if (change.before) {
          store.upsertPins([
            {
              kind: change.capability,
              backend: change.backend,
              originalName: change.tool,
              hash: definitionHash(change.capability, change.before),
              definition: change.before,
              approvedAt: now,
            },
          ]);
        } else store.removePin(change.capability, change.backend, change.tool);
        store.recordChange({ ...decided, held: true });
      }
      this.options.onEvent?.({ type: 'rejected', change: decided });
    }
    this.changed.emit();
    return store.change(id) ?? decided;
  }

  /** A backend was removed: its pending changes go (its approvals stay, should it come back). */
  forgetBackend(backend: string): void {
    if (this.options.store.changes().some((c) => c.backend === backend)) {
      this.options.store.removeChanges({ backend });
      this.changed.emit();
    }
  }
}
