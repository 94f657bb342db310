// Lists as bytes: a 2,000-tool list is ~600 KB of JSON. Encoding it (and measuring its byte length)
// on every tools/list cost milliseconds, so each list is encoded once per advertised set and era
// and every answer writes the small per-request head (the id), these bytes, and the tail.
import type { AdvertisedSet } from '../domain/advertised.js';

export type ListField = keyof AdvertisedSet['serialized'];

/** Modern results carry resultType and cache hints; lists change live, so nothing is cacheable. */
const MODERN_LIST_FIELDS = '"resultType":"complete","ttlMs":0,"cacheScope":"private"';

interface Encoded {
  legacy?: Buffer;
  modern?: Buffer;
}

// Keyed by the set's `serialized` object: it lives as long as the set (a rebuild makes a new one,
// and the old entry goes with it), so this is a lookup per list request, not an allocation.
const cache = new WeakMap<AdvertisedSet['serialized'], Partial<Record<ListField, Encoded>>>();

/** The UTF-8 bytes of one list result (`{"tools":[…]}`, plus the modern fields for a modern client). */
export function listBytes(
  serialized: AdvertisedSet['serialized'],
  field: ListField,
  modern: boolean,
): Buffer {
  let lists = cache.get(serialized);
  if (lists === undefined) {
    lists = {};
    cache.set(serialized, lists);
  }
  const encoded = (lists[field] ??= {});
  if (modern) {
    return (encoded.modern ??= Buffer.from(`${serialized[field].slice(0, -1)},${MODERN_LIST_FIELDS}}`));
  }
  return (encoded.legacy ??= Buffer.from(serialized[field]));
}
