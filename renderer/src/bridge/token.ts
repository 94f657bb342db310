// The bearer token for the HTTP bridge. `switchyard serve` prints the dashboard URL with the token in
// the fragment (`/#token=…`), which never reaches a server or a log. The page takes it from there,
// keeps it in sessionStorage (this tab only) and removes it from the address bar.
export const TOKEN_KEY = 'switchyard.token';

export interface TokenHost {
  location: Pick<Location, 'hash' | 'pathname' | 'search'>;
  history: Pick<History, 'replaceState' | 'state'>;
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
}

/** The token from `#token=…` (saved, then removed from the URL), else the one saved earlier, else null. */
export function takeToken(host: TokenHost): string | null {
  const hash = host.location.hash.replace(/^#/, '');
  if (hash) {
    const params = new URLSearchParams(hash);
    const token = params.get('token');
    if (token !== null) {
      params.delete('token');
      const rest = params.toString();
      const trimmed = token.trim();
      if (trimmed) saveToken(host, trimmed);
      host.history.replaceState(
        host.history.state,
        '',
        `${host.location.pathname}${host.location.search}${rest ? `#${rest}` : ''}`,
      );
    }
  }
  return readToken(host);
}

export function readToken(host: Pick<TokenHost, 'storage'>): string | null {
  try {
    return host.storage.getItem(TOKEN_KEY) || null;
  } catch {
    return null; // storage disabled
  }
}

export function saveToken(host: Pick<TokenHost, 'storage'>, token: string | null): void {
  try {
    if (token) host.storage.setItem(TOKEN_KEY, token);
    else host.storage.removeItem(TOKEN_KEY);
  } catch {
    // storage disabled: the token lives for this page only
  }
}
