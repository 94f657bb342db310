// ${env:NAME} expansion over every string of a parsed config document, before validation,
// so a missing variable is reported with the key path where it is used.

export interface ExpansionError {
  path: (string | number)[];
  message: string;
}

const REFERENCE = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** A copy of `value` with every ${env:NAME} replaced; errors for each variable that is not set. */
export function expandEnv(
  value: unknown,
  env: Record<string, string | undefined>,
  path: (string | number)[] = [],
  errors: ExpansionError[] = [],
): { value: unknown; errors: ExpansionError[] } {
  const walk = (v: unknown, at: (string | number)[]): unknown => {
    if (typeof v === 'string') {
      return v.replace(REFERENCE, (whole, name: string) => {
        const found = env[name];
        if (found === undefined) {
          errors.push({ path: at, message: `environment variable ${name} is not set` });
          return whole;
        }
        return found;
      });
    }
    if (Array.isArray(v)) return v.map((item, i) => walk(item, [...at, i]));
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v)) out[k] = walk(item, [...at, k]);
      return out;
    }
    return v;
  };
  return { value: walk(value, path), errors };
}
