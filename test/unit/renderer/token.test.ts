import { describe, expect, it } from 'vitest';
import {
  TOKEN_KEY,
  loginLinkExpired,
  saveToken,
  takeToken,
  type TokenHost,
} from '../../../renderer/src/bridge/token.js';

function host(hash: string, stored?: string) {
  const data = new Map<string, string>(stored ? [[TOKEN_KEY, stored]] : []);
  const replaced: string[] = [];
  const exchanged: { url: string; authorization: string | undefined }[] = [];
  const h: TokenHost = {
    location: { hash, pathname: '/', search: '?x=1' },
    history: {
      state: null,
      replaceState: (_s: unknown, _t: string, url?: string | URL | null) => void replaced.push(String(url)),
    },
    storage: {
      getItem: (k) => data.get(k) ?? null,
      setItem: (k, v) => void data.set(k, v),
      removeItem: (k) => void data.delete(k),
    },
    fetch: (input, init) => {
      exchanged.push({
        url: String(input),
        authorization: (init?.headers as Record<string, string> | undefined)?.authorization,
      });
      return Promise.resolve(new Response(null, { status: 204 }));
    },
  };
  return { h, data, replaced, exchanged };
}

describe('the dashboard token', () => {
  it('from an old #token=… link: out of the address bar, traded for the cookie, never stored', () => {
    const { h, data, replaced, exchanged } = host('#token=abc123');
    expect(takeToken(h)).toBe('abc123');
    expect(data.has(TOKEN_KEY)).toBe(false);
    expect(replaced).toEqual(['/?x=1']);
    expect(exchanged).toEqual([{ url: '/api/login', authorization: 'Bearer abc123' }]);
  });

  it('keeps other fragment parameters', () => {
    const { h, replaced } = host('#token=abc&view=audit');
    expect(takeToken(h)).toBe('abc');
    expect(replaced).toEqual(['/?x=1#view=audit']);
  });

  it('forgets a token an older dashboard stored, and otherwise relies on the cookie', () => {
    const stored = host('', 'kept');
    expect(takeToken(stored.h)).toBeNull();
    expect(stored.data.has(TOKEN_KEY)).toBe(false);
    expect(takeToken(host('#other=1').h)).toBeNull();
  });

  it('a pasted token is traded for the cookie and not stored', () => {
    const { h, data, exchanged } = host('');
    saveToken(h, 't');
    expect(data.has(TOKEN_KEY)).toBe(false);
    expect(exchanged).toHaveLength(1);
    saveToken(h, null);
    expect(exchanged).toHaveLength(1);
  });

  it('tells a used or expired login link', () => {
    expect(loginLinkExpired(host('#login=expired').h)).toBe(true);
    expect(loginLinkExpired(host('').h)).toBe(false);
  });
});
