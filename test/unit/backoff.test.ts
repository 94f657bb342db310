// Reconnect pacing: capped exponential backoff with jitter, random source injected.
import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF, backoffDelay } from '../../core/support/backoff.js';
import type { BackoffPolicy } from '../../core/domain/runtime.js';

const policy: BackoffPolicy = { initialMs: 100, maxMs: 5_000 };
const low = () => 0;
const high = () => 0.999999999;
const mid = () => 0.5;

/** The documented window for an attempt: [initial/2, min(max, initial·2^attempt)]. */
function window(attempt: number, p: BackoffPolicy): [number, number] {
  const ceiling = Math.min(p.maxMs, p.initialMs * 2 ** attempt);
  return [Math.min(ceiling, p.initialMs / 2), ceiling];
}

describe('backoffDelay', () => {
  it('stays within [initial/2, min(max, initial·2^attempt)] for every attempt and random value', () => {
    for (let attempt = 0; attempt < 40; attempt++) {
      const [floor, ceiling] = window(attempt, policy);
      for (const r of [0, 0.1, 0.25, 0.5, 0.75, 0.999999]) {
        const delay = backoffDelay(attempt, policy, () => r);
        expect(delay).toBeGreaterThanOrEqual(Math.floor(floor));
        expect(delay).toBeLessThanOrEqual(Math.ceil(ceiling));
        expect(Number.isInteger(delay)).toBe(true);
      }
    }
  });

  it('uses the injected random value for the jitter: 0 gives the floor, ~1 the ceiling', () => {
    expect(backoffDelay(0, policy, low)).toBe(50);
    expect(backoffDelay(0, policy, high)).toBe(100);
    expect(backoffDelay(3, policy, low)).toBe(50);
    expect(backoffDelay(3, policy, high)).toBe(800);
    expect(backoffDelay(3, policy, mid)).toBe(Math.round(50 + 0.5 * (800 - 50)));
  });

  it('is monotonic in the random value', () => {
    let previous = -1;
    for (let r = 0; r < 1; r += 0.05) {
      const delay = backoffDelay(4, policy, () => r);
      expect(delay).toBeGreaterThanOrEqual(previous);
      previous = delay;
    }
  });

  it('doubles the ceiling on every attempt until the cap', () => {
    const ceilings = Array.from({ length: 10 }, (_, attempt) => backoffDelay(attempt, policy, high));
    expect(ceilings).toEqual([100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000, 5000]);
    for (let i = 1; i < ceilings.length; i++) expect(ceilings[i]!).toBeGreaterThanOrEqual(ceilings[i - 1]!);
  });

  it('never exceeds the cap, even for huge attempt numbers', () => {
    for (const attempt of [31, 100, 1_000, 1e9, Number.MAX_SAFE_INTEGER]) {
      const delay = backoffDelay(attempt, policy, high);
      expect(delay).toBe(policy.maxMs);
      expect(Number.isFinite(delay)).toBe(true);
    }
  });

  it('keeps the delay within the cap when the initial delay is above it', () => {
    const odd: BackoffPolicy = { initialMs: 10_000, maxMs: 1_000 };
    for (let attempt = 0; attempt < 5; attempt++) {
      expect(backoffDelay(attempt, odd, low)).toBeLessThanOrEqual(1_000);
      expect(backoffDelay(attempt, odd, high)).toBe(1_000);
    }
  });

  it('spreads delays when the random source varies (jitter)', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return (seed - 1) / 2147483646;
    };
    const delays = Array.from({ length: 200 }, () => backoffDelay(5, policy, random));
    const [floor, ceiling] = window(5, policy);
    expect(new Set(delays).size).toBeGreaterThan(50);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(floor);
    expect(Math.max(...delays)).toBeLessThanOrEqual(ceiling);
  });

  it('uses Math.random by default, within the same bounds', () => {
    const [floor, ceiling] = window(2, DEFAULT_BACKOFF);
    for (let i = 0; i < 100; i++) {
      const delay = backoffDelay(2, DEFAULT_BACKOFF);
      expect(delay).toBeGreaterThanOrEqual(floor);
      expect(delay).toBeLessThanOrEqual(ceiling);
    }
  });

  it('has sane defaults', () => {
    expect(DEFAULT_BACKOFF.initialMs).toBeGreaterThan(0);
    expect(DEFAULT_BACKOFF.maxMs).toBeGreaterThanOrEqual(DEFAULT_BACKOFF.initialMs);
    expect(backoffDelay(100, DEFAULT_BACKOFF, high)).toBe(DEFAULT_BACKOFF.maxMs);
  });
});
