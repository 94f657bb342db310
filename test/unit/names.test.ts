// Advertised-name rules: what Claude Desktop accepts (^[A-Za-z0-9_-]{1,64}$), prefixes and filters.
import { describe, expect, it } from 'vitest';
import {
  ADVERTISED_NAME,
  MAX_NAME,
  isValidName,
  matchesPattern,
  prefixFor,
  prefixedName,
  toValidName,
} from '../../core/aggregate/names.js';

const CLAUDE_NAME = /^[A-Za-z0-9_-]{1,64}$/;

describe('isValidName', () => {
  it('matches the documented alphabet and length', () => {
    expect(MAX_NAME).toBe(64);
    expect(ADVERTISED_NAME.source).toBe(CLAUDE_NAME.source);
    for (const ok of ['a', 'echo', 'get-env', 'A_b-9', 'x'.repeat(64)]) expect(isValidName(ok)).toBe(true);
    for (const bad of ['', 'a.b', 'a:b', 'a b', 'a/b', 'ü', 'x'.repeat(65), 'abc\n', 'tool\u0000']) {
      expect(isValidName(bad)).toBe(false);
    }
  });
});

describe('toValidName', () => {
  it('leaves valid names untouched', () => {
    for (const name of ['echo', 'get-env', 'x'.repeat(64)]) expect(toValidName(name)).toBe(name);
  });

  it('replaces each invalid character with "_"', () => {
    expect(toValidName('a.b')).toBe('a_b');
    expect(toValidName('github:search code')).toBe('github_search_code');
    expect(toValidName('café')).toBe('caf_');
    expect(toValidName('abc\n')).toBe('abc_');
    expect(toValidName('')).toBe('_');
  });

  it('shortens an over-long name to 64 characters, ending in a hash of the full name', () => {
    const long = 'search_' + 'x'.repeat(100);
    const short = toValidName(long);
    expect(short).toHaveLength(MAX_NAME);
    expect(short).toMatch(CLAUDE_NAME);
    expect(short).toMatch(/^search_x+_[0-9a-f]{6}$/);
    expect(long.startsWith(short.slice(0, MAX_NAME - 7))).toBe(true);
    expect(toValidName(long)).toBe(short);
  });

  it('never collapses two different long names, even when they share the first 64 characters', () => {
    const base = 'a'.repeat(70);
    const names = [base + 'one', base + 'two', base + '.one', 'a'.repeat(65), 'a'.repeat(66)];
    const results = names.map(toValidName);
    expect(new Set(results).size).toBe(names.length);
    for (const r of results) expect(r).toMatch(CLAUDE_NAME);
  });

  it('shortens names that are invalid both in characters and in length', () => {
    const name = 'ns.' + 'y'.repeat(80);
    const result = toValidName(name);
    expect(result).toMatch(CLAUDE_NAME);
    expect(result.startsWith('ns_yyy')).toBe(true);
    expect(result).not.toBe(toValidName('ns/' + 'y'.repeat(80)));
  });

  it('always returns a valid name, for any input', () => {
    const samples = [
      '',
      ' ',
      '\t',
      '..',
      '😀',
      '名前',
      '-',
      '_',
      'a'.repeat(1000),
      '$'.repeat(64),
      'x-'.repeat(40),
    ];
    for (const sample of samples) expect(toValidName(sample)).toMatch(CLAUDE_NAME);
  });
});

describe('prefixes', () => {
  it('builds the prefix from the format, with invalid characters made safe', () => {
    expect(prefixFor('{backend}__', 'memory')).toBe('memory__');
    expect(prefixFor('{backend}__', 'my.svc')).toBe('my_svc__');
    expect(prefixFor('mcp:{backend}.', 'x')).toBe('mcp_x_');
    expect(prefixFor('{backend}-{backend}-', 'b')).toBe('b-b-');
  });

  it('prefixes a name, staying valid and within 64 characters', () => {
    expect(prefixedName('{backend}__', 'memory', 'read')).toBe('memory__read');
    expect(prefixedName('{backend}-', 'my.svc', 'read')).toBe('my_svc-read');
    const backend = 'b'.repeat(63);
    const a = prefixedName('{backend}__', backend, 'tool_one');
    const b = prefixedName('{backend}__', backend, 'tool_two');
    for (const name of [a, b]) {
      expect(name).toMatch(CLAUDE_NAME);
      expect(name).toHaveLength(64);
      expect(name.startsWith('b'.repeat(20))).toBe(true);
    }
    expect(a).not.toBe(b);
    expect(prefixedName('{backend}__', backend, 'tool_one')).toBe(a);
  });

  it('keeps a prefixed name unchanged when it fits exactly', () => {
    const name = 'n'.repeat(64 - 'svc__'.length);
    expect(prefixedName('{backend}__', 'svc', name)).toBe(`svc__${name}`);
  });
});

describe('matchesPattern', () => {
  it('compares literally without a wildcard', () => {
    expect(matchesPattern('get-env', 'get-env')).toBe(true);
    expect(matchesPattern('get-env', 'get-env2')).toBe(false);
    expect(matchesPattern('a.b', 'axb')).toBe(false);
  });

  it('lets "*" match any run of characters, anchored at both ends', () => {
    expect(matchesPattern('*', 'anything')).toBe(true);
    expect(matchesPattern('*', '')).toBe(true);
    expect(matchesPattern('get-*', 'get-env')).toBe(true);
    expect(matchesPattern('get-*', 'get-')).toBe(true);
    expect(matchesPattern('get-*', 'xget-env')).toBe(false);
    expect(matchesPattern('*_admin', 'user_admin')).toBe(true);
    expect(matchesPattern('*_admin', 'user_admin_x')).toBe(false);
    expect(matchesPattern('a*b*c', 'a123b456c')).toBe(true);
    expect(matchesPattern('a*b*c', 'acb')).toBe(false);
  });

  it('treats regular-expression characters in patterns as literals', () => {
    expect(matchesPattern('a.*', 'a.b')).toBe(true);
    expect(matchesPattern('a.*', 'ab')).toBe(false);
    expect(matchesPattern('(x)+*', '(x)+y')).toBe(true);
    expect(matchesPattern('(x)+*', 'xx')).toBe(false);
    expect(matchesPattern('[ab]*', 'a')).toBe(false);
    expect(matchesPattern('$^*', '$^z')).toBe(true);
  });
});
