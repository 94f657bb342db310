// In-memory stores: the engine's defaults when it runs without a database (tests, `--data-dir`-less
// embedding). They keep names pinned for the life of the process.
import type { CapabilityKind } from '../domain/capability.js';
import type { DecisionRecord, Pin } from '../domain/conflict.js';
import type { DecisionStore, PinStore } from '../domain/stores.js';

export class MemoryPinStore implements PinStore {
  private readonly pins = new Map<string, Pin>();

  all(): Pin[] {
    return [...this.pins.values()];
  }

  upsert(pins: readonly Pin[]): void {
    for (const pin of pins) this.pins.set(`${pin.kind}\u0000${pin.backend}\u0000${pin.originalName}`, pin);
  }

  remove(filter: { backend?: string; kind?: CapabilityKind; advertisedName?: string }): void {
    for (const [key, pin] of this.pins) {
      if (filter.backend !== undefined && pin.backend !== filter.backend) continue;
      if (filter.kind !== undefined && pin.kind !== filter.kind) continue;
      if (filter.advertisedName !== undefined && pin.advertisedName !== filter.advertisedName) continue;
      this.pins.delete(key);
    }
  }
}

export class MemoryDecisionStore implements DecisionStore {
  private readonly decisions = new Map<string, DecisionRecord>();

  all(): DecisionRecord[] {
    return [...this.decisions.values()];
  }

  set(record: DecisionRecord): void {
    this.decisions.set(`${record.kind}\u0000${record.name}`, record);
  }

  remove(kind: CapabilityKind, name: string): void {
    this.decisions.delete(`${kind}\u0000${name}`);
  }
}
