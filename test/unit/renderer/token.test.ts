import { describe, expect, it } from 'vitest';
import {
  TOKEN_KEY,
  readToken,
  saveToken,
  takeToken,
  type TokenHost,
} from '../../../renderer/src/bridge/token.js';

function host(hash: string, stored?: string) {
  const data = new Map<string, string>(stored ? [[TOKEN_KEY, stored]] : []);
  const replaced: string[] = [];
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
  };
  return { h, data, replaced };
}

describe('the dashboard token', () => {
  it('is taken from #token=…, kept in session storage, and removed from the address bar', () => {
    const { h, data, replaced } = host('#token=abc123');
    expect(takeToken(h)).toBe('abc123');
    expect(data.get(TOKEN_KEY)).toBe('abc123');
    expect(replaced).toEqual(['/?x=1']);
  });

  it('keeps other fragment parameters', () => {
    const { h, replaced } = host('#token=abc&view=audit');
    expect(takeToken(h)).toBe('abc');
    expect(replaced).toEqual(['/?x=1#view=audit']);
  });

  it('falls back to the stored token, and to null', () => {
    expect(takeToken(host('', 'kept').h)).toBe('kept');
    expect(takeToken(host('').h)).toBeNull();
    expect(takeToken(host('#other=1').h)).toBeNull();
  });

  it('saves and clears', () => {
    const { h, data } = host('');
    saveToken(h, 't');
    expect(readToken(h)).toBe('t');
    saveToken(h, null);
    expect(data.has(TOKEN_KEY)).toBe(false);
  });
});
