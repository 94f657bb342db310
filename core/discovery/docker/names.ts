// Backend names for containers: the wanted name (mcp.name, else the container name, else the OCI
// label io.modelcontextprotocol.server.name) kept to the config's backend-name alphabet, made
// unique against config backends and other containers with a suffix taken from the container id.
import { BACKEND_NAME } from '../../config/schema.js';

const MAX = 63;

/** Maps any string onto BACKEND_NAME: other characters become "-", leading separators go. */
export function sanitizeBackendName(raw: string): string {
  const name = raw
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, MAX)
    .replace(/[-_.]+$/, '');
  return BACKEND_NAME.test(name) ? name : '';
}

/** The fallback when nothing usable is left: container-<12 hex>. */
export function fallbackName(containerId: string): string {
  return `container-${containerId.slice(0, 12)}`;
}

/**
 * A free name: the wanted one, else `<wanted>-<first 6 hex of the container id>` (more hex digits
 * if needed, then a counter). Deterministic for a given set of taken names.
 */
export function uniqueName(wanted: string, containerId: string, isTaken: (name: string) => boolean): string {
  const base = sanitizeBackendName(wanted) || fallbackName(containerId);
  if (!isTaken(base)) return base;
  const hex = containerId.replace(/[^0-9a-f]/gi, '').toLowerCase() || '0';
  for (const length of [6, 8, 12, hex.length]) {
    const suffix = `-${hex.slice(0, length)}`;
    const candidate = `${base.slice(0, MAX - suffix.length).replace(/[-_.]+$/, '')}${suffix}`;
    if (!isTaken(candidate)) return candidate;
  }
  for (let i = 2; ; i++) {
    const suffix = `-${hex.slice(0, 6)}-${i}`;
    const candidate = `${base.slice(0, MAX - suffix.length)}${suffix}`;
    if (!isTaken(candidate)) return candidate;
  }
}
