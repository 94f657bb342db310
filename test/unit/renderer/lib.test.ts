import { describe, expect, it } from 'vitest';
import type { AuditStats } from '../../../renderer/src/contract.js';
import {
  DEFAULT_FILTER,
  activeFilterCount,
  rowMatches,
  toAuditFilter,
} from '../../../renderer/src/lib/audit-filter.js';
import { bucketStarts, callsPerBackend, errorRate, latency } from '../../../renderer/src/lib/chart-data.js';
import { describeDecision, validateName } from '../../../renderer/src/lib/decisions.js';
import {
  formatBytes,
  formatDuration,
  formatPercent,
  formatRelative,
  prettyJson,
} from '../../../renderer/src/lib/format.js';
import { TOKEN_MASK, buildSnippets } from '../../../renderer/src/lib/snippets.js';
import { chartWindow, pickBucket, resolveRange } from '../../../renderer/src/lib/time-range.js';
import { auditRow } from './memory-bridge.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

describe('time ranges', () => {
  it('picks a bucket giving at most 90 buckets', () => {
    expect(pickBucket(15 * MIN)).toBe(10_000);
    expect(pickBucket(HOUR)).toBe(MIN);
    expect(pickBucket(24 * HOUR)).toBe(30 * MIN);
    expect(pickBucket(30 * 24 * HOUR)).toBe(12 * HOUR);
    expect(pickBucket(10 * 365 * 24 * HOUR)).toBeGreaterThan(7 * 24 * HOUR);
  });

  it('resolves presets and aligns chart windows to buckets', () => {
    const now = Date.UTC(2026, 10, 22, 12, 34, 56);
    expect(resolveRange('1h', now)).toEqual({ from: now - HOUR });
    expect(resolveRange('all', now)).toEqual({});
    expect(resolveRange('custom', now, { from: 5, to: 10 })).toEqual({ from: 5, to: 10 });
    const w = chartWindow({ from: now - HOUR }, now);
    expect(w.bucketMs).toBe(MIN);
    expect(w.from % MIN).toBe(0);
    expect(w.to).toBe(now + 1);
    expect((w.to - w.from) / w.bucketMs).toBeLessThanOrEqual(91);
  });
});

describe('audit filters', () => {
  it('turns the form into a server filter with a frozen upper bound', () => {
    const now = 1_000_000_000;
    expect(toAuditFilter(DEFAULT_FILTER, now)).toEqual({ from: now - 24 * HOUR, to: now + 1 });
    const filter = toAuditFilter(
      {
        ...DEFAULT_FILTER,
        range: 'all',
        backends: ['alpha'],
        name: ' echo ',
        outcomes: ['ok', 'timeout'],
        client: 'cursor',
        sessionId: 's1',
        text: 'boom',
      },
      now,
    );
    expect(filter).toEqual({
      to: now + 1,
      backend: ['alpha'],
      nameContains: 'echo',
      outcome: ['ok', 'timeout'],
      clientContains: 'cursor',
      sessionId: 's1',
      text: 'boom',
    });
    // Typed names are substrings, any case, on the server and for live rows alike.
    const typed = toAuditFilter({ ...DEFAULT_FILTER, range: 'all', name: 'ECH', client: 'cur' }, now);
    expect(rowMatches(auditRow(1, now, { name: 'beta__echo', clientName: 'cursor' }), typed)).toBe(true);
    expect(rowMatches(auditRow(2, now, { name: 'add', clientName: 'cursor' }), typed)).toBe(false);
    expect(rowMatches(auditRow(3, now, { name: 'echo', clientName: 'claude-code' }), typed)).toBe(false);
    expect(activeFilterCount({ ...DEFAULT_FILTER, name: 'x', outcomes: ['ok'] })).toBe(2);
  });

  it('matches live rows the way the server filters', () => {
    const row = auditRow(1, 5000, { errorMessage: 'Boom happened' });
    expect(rowMatches(row, {})).toBe(true);
    expect(rowMatches(row, { from: 6000 })).toBe(false);
    expect(rowMatches(row, { backend: ['alpha', 'beta'] })).toBe(true);
    expect(rowMatches(row, { backend: 'beta' })).toBe(false);
    expect(rowMatches(row, { outcome: ['tool_error'] })).toBe(false);
    expect(rowMatches(row, { client: 'claude-code' })).toBe(true);
    expect(rowMatches(row, { sessionId: 'other' })).toBe(false);
    expect(rowMatches(row, { text: 'boom' })).toBe(true);
    expect(rowMatches(row, { text: 'nothing' })).toBe(false);
  });
});

describe('chart data', () => {
  const stats: AuditStats = {
    from: 0,
    to: 3000,
    bucketMs: 1000,
    buckets: [
      { start: 0, backend: 'a', calls: 2, errors: 1, errorRate: 0.5, p50: 1, p95: 2, p99: 2 },
      { start: 0, backend: 'b', calls: 1, errors: 0, errorRate: 0, p50: 5, p95: 5, p99: 5 },
      { start: 2000, backend: 'a', calls: 4, errors: 0, errorRate: 0, p50: 1, p95: 3, p99: 4 },
    ],
    backends: [
      { backend: 'b', calls: 1, errors: 0, errorRate: 0, p50: 5, p95: 5, p99: 5 },
      { backend: 'a', calls: 6, errors: 1, errorRate: 1 / 6, p50: 1, p95: 3, p99: 4 },
    ],
    total: { calls: 7, errors: 1, errorRate: 1 / 7, p50: 1, p95: 5, p99: 5 },
    served: { calls: 7, errors: 1, errorRate: 1 / 7, p50: 1, p95: 5, p99: 5 },
    denied: 0,
  };

  it('fills every bucket, busiest backend first', () => {
    expect(bucketStarts(stats)).toEqual([0, 1000, 2000]);
    const calls = callsPerBackend(stats);
    expect(calls.x).toEqual([0, 1, 2]);
    expect(calls.series).toEqual([
      { label: 'a', values: [2, 0, 4] },
      { label: 'b', values: [1, 0, 0] },
    ]);
  });

  it('computes the error rate across backends, null where idle', () => {
    expect(errorRate(stats).series[0]!.values).toEqual([1 / 3, null, 0]);
  });

  it('takes the error rate from the calls backends served when the engine gives them', () => {
    // Bucket 0 also held refused requests (backend null): per-bucket totals leave them out.
    const withRefusals: AuditStats = {
      ...stats,
      buckets: [
        { start: 0, backend: null, calls: 5, errors: 5, errorRate: 1, p50: 0, p95: 0, p99: 0 },
        ...stats.buckets,
      ],
      totals: [
        { start: 0, calls: 3, errors: 1, errorRate: 1 / 3, p50: 1, p95: 5, p99: 5 },
        { start: 2000, calls: 4, errors: 0, errorRate: 0, p50: 1, p95: 3, p99: 4 },
      ],
    };
    expect(errorRate(withRefusals).series[0]!.values).toEqual([1 / 3, null, 0]);
    expect(errorRate({ ...withRefusals, totals: undefined }).series[0]!.values).toEqual([6 / 8, null, 0]);
  });

  it('shows p95 per backend, or all percentiles for a single backend', () => {
    const many = latency(stats);
    expect(many.perBackend).toBe(true);
    expect(many.series.map((s) => s.label)).toEqual(['a p95', 'b p95']);
    expect(many.series[0]!.values).toEqual([2, null, 3]);
    const one = latency({
      ...stats,
      buckets: stats.buckets.filter((b) => b.backend === 'a'),
      backends: [stats.backends[1]!],
    });
    expect(one.perBackend).toBe(false);
    expect(one.series.map((s) => [s.label, s.values])).toEqual([
      ['p50', [1, null, 1]],
      ['p95', [2, null, 3]],
      ['p99', [2, null, 4]],
    ]);
  });
});

describe('snippets', () => {
  const info = {
    url: 'http://127.0.0.1:4750/mcp',
    token: 'tok-1',
    bridgeCommand: { command: 'node', args: ['/x/main.js', 'bridge'] },
  };

  it("tells Claude Desktop's bridge the endpoint when it is not the default one", () => {
    const desktop = (url: string) =>
      JSON.parse(buildSnippets({ ...info, url }, 'tok-1').find((s) => s.id === 'claude-desktop')!.text) as {
        mcpServers: { switchyard: { args: string[] } };
      };
    expect(desktop(info.url).mcpServers.switchyard.args).toEqual(['/x/main.js', 'bridge']);
    expect(desktop('http://127.0.0.1:40111/mcp').mcpServers.switchyard.args).toEqual([
      '/x/main.js',
      'bridge',
      '--url',
      'http://127.0.0.1:40111/mcp',
    ]);
  });

  it('builds paste-ready configurations with the token or its mask', () => {
    const real = buildSnippets(info, 'tok-1');
    expect(real.map((s) => s.id)).toEqual(['claude-code', 'cursor', 'vscode', 'claude-desktop']);
    expect(real[0]!.text).toBe(
      "claude mcp add --transport http -s user switchyard http://127.0.0.1:4750/mcp \\\n  --header 'Authorization: Bearer tok-1'",
    );
    expect(JSON.parse(real[1]!.text)).toEqual({
      mcpServers: { switchyard: { url: info.url, headers: { Authorization: 'Bearer tok-1' } } },
    });
    const vscode = JSON.parse(real[2]!.text);
    expect(vscode.servers.switchyard).toEqual({
      type: 'http',
      url: info.url,
      headers: { Authorization: 'Bearer ${input:switchyard-token}' },
    });
    expect(JSON.parse(real[3]!.text)).toEqual({
      mcpServers: { switchyard: { command: 'node', args: ['/x/main.js', 'bridge'] } },
    });
    const masked = buildSnippets(info, TOKEN_MASK);
    expect(masked.map((s) => s.text).join('\n')).not.toContain('tok-1');
  });

  it('leaves the header out when authentication is off', () => {
    const open = buildSnippets({ ...info, token: null }, null);
    expect(open[0]!.text).not.toContain('Authorization');
    expect(JSON.parse(open[1]!.text).mcpServers.switchyard).toEqual({ url: info.url });
    expect(JSON.parse(open[2]!.text).inputs).toBeUndefined();
  });
});

describe('decisions', () => {
  it('validates advertised names', () => {
    expect(validateName('good_name-1')).toBeNull();
    expect(validateName('')).toBe('Enter a name');
    expect(validateName('has space')).toMatch(/letters, digits/);
    expect(validateName('x'.repeat(65))).toBe('At most 64 characters');
    expect(validateName('echo', { taken: ['echo'] })).toMatch(/already advertised/);
    expect(validateName('file:///a b', { kind: 'resource' })).toBeNull();
  });

  it('describes decisions in words', () => {
    expect(describeDecision({ action: 'winner', backend: 'a' }, { name: 'echo' })).toBe(
      'a keeps "echo"; the others are hidden',
    );
    expect(describeDecision({ action: 'rename', names: { b: 'say' } })).toBe(`b's is now "say"`);
    expect(describeDecision({ action: 'hide', backend: 'b' })).toBe(`b's is hidden`);
    expect(describeDecision({ action: 'prefix' })).toMatch(/prefixed/);
  });
});

describe('formatting', () => {
  it('formats durations, sizes, ratios and relative times', () => {
    expect(formatDuration(0.25)).toBe('0.25 ms');
    expect(formatDuration(0)).toBe('0 ms');
    expect(formatDuration(0.004)).toBe('<0.01 ms');
    expect(formatDuration(12.4)).toBe('12 ms');
    expect(formatDuration(1500)).toBe('1.50 s');
    expect(formatBytes(2048)).toBe('2.0 KiB');
    expect(formatPercent(0.0123)).toBe('1.2%');
    expect(formatPercent(0)).toBe('0%');
    expect(formatRelative(1000, 1000)).toBe('just now');
    expect(formatRelative(0, 5 * MIN)).toBe('5 min ago');
    expect(prettyJson('{"a":1}')).toBe('{\n  "a": 1\n}');
    expect(prettyJson('not json')).toBe('not json');
  });
});
