// The bench's interleaving orders (test/bench/lib/load-protocol.ts): every target measured once
// per cycle, and every target right after every other one equally often over a whole design, so
// no target's block always inherits the same neighbour's leftovers.
import { describe, expect, it } from 'vitest';
import { cycleOrders } from '../bench/lib/load-protocol.js';

describe('cycleOrders', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('balances who follows whom for %i targets', (n) => {
    const orders = cycleOrders(n);
    expect(orders).toHaveLength(n % 2 === 0 || n === 1 ? n : 2 * n);
    const follows = new Map<string, number>();
    for (const order of orders) {
      expect([...order].sort((a, b) => a - b)).toEqual([...Array(n).keys()]);
      for (let i = 1; i < order.length; i++) {
        const pair = `${order[i - 1]}>${order[i]}`;
        follows.set(pair, (follows.get(pair) ?? 0) + 1);
      }
    }
    expect(follows.size).toBe(n * (n - 1)); // every ordered pair of two targets occurs…
    expect(new Set(follows.values()).size).toBeLessThanOrEqual(1); // …equally often
  });
});
