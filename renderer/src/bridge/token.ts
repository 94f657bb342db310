// Signing the browser dashboard in without leaving anything reusable behind. `switchyard serve`
// prints a one-time link (/login?code=…) that the server trades for an HttpOnly, SameSite=Strict
// cookie and redirects to "/": the page never sees a token and the history keeps a used code only.
// A token pasted into the token screen is traded for the same cookie (POST /api/login) and kept in
// this page's memory only; nothing goes to storage. Older links with `#token=` still work once: the
// token is taken out of the address bar and traded the same way.
export const TOKEN_KEY = 'switchyard.token';

export interface TokenHost {
  location: Pick<Location, 'hash' | 'pathname' | 'search'>;
  history: Pick<History, 'replaceState' | 'state'>;
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  /** For the cookie exchange (default: the page's fetch). */
  fetch?: typeof fetch;
}

/**
 * A token from an old `#token=…` link (taken out of the address bar and traded for the cookie),
 * else null: the login cookie does the work. A token an older dashboard kept in sessionStorage is
 * removed.
 */
export function takeToken(host: TokenHost): string | null {
  forgetStoredToken(host);
  const hash = host.location.hash.replace(/^#/, '');
  if (!hash) return null;
  const params = new URLSearchParams(hash);
  const token = params.get('token');
  if (token === null) return null;
  params.delete('token');
  const rest = params.toString();
  host.history.replaceState(
    host.history.state,
    '',
    `${host.location.pathname}${host.location.search}${rest ? `#${rest}` : ''}`,
  );
  const trimmed = token.trim();
  if (!trimmed) return null;
  void exchangeToken(host, trimmed);
  return trimmed;
}

/** Whether the page was reached through a login link that was already used or has expired. */
export function loginLinkExpired(host: Pick<TokenHost, 'location'>): boolean {
  return new URLSearchParams(host.location.hash.replace(/^#/, '')).get('login') === 'expired';
}

/** Kept for the bridge's onTokenChange: a new token is traded for the cookie, never stored. */
export function saveToken(host: TokenHost, token: string | null): void {
  forgetStoredToken(host);
  if (token) void exchangeToken(host, token);
}

/** Trades the token for the dashboard's login cookie; true when the server accepted it. */
export async function exchangeToken(host: Pick<TokenHost, 'fetch'>, token: string): Promise<boolean> {
  const doFetch = host.fetch ?? ((input, init) => fetch(input, init));
  try {
    const response = await doFetch('/api/login', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      cache: 'no-store',
    });
    return response.ok;
  } catch {
    return false;
  }
}

function forgetStoredToken(host: Pick<TokenHost, 'storage'>): void {
  try {
    host.storage.removeItem(TOKEN_KEY);
  } catch {
    // storage disabled
  }
}
