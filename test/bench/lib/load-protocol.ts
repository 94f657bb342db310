// Messages between a bench module and the load generator process (test/bench/load-client.ts),
// exchanged over the fork IPC channel. Every command is bounded in count and in time.
import type { Wire } from './mcp-client.js';
import type { LatencySummary } from './stats.js';

export interface LoadTarget {
  /** A label for errors and logs. */
  name: string;
  /** Loopback URL of the MCP endpoint (for "sse": the GET stream URL). */
  url: string;
  wire: Wire;
}

/** What each measured request is, and how its answer is checked. */
export interface LoadRequest {
  method: string;
  params?: unknown;
  /** tools/call: the text content must contain this. */
  expectText?: string;
  /** tools/list: the list must hold exactly this many tools. */
  expectTools?: number;
}

export interface InterleavedSubject {
  target: LoadTarget;
  request: LoadRequest;
  /** Processes whose CPU time is read (from /proc) around each measured slice, besides the client. */
  cpuPids?: Record<string, number | undefined>;
}

export type LoadCommand =
  | { cmd: 'probe'; target: LoadTarget }
  | {
      /** One session, sequential requests: latency at concurrency 1. */
      cmd: 'latency';
      target: LoadTarget;
      request: LoadRequest;
      warmup: number;
      count: number;
      maxMs: number;
    }
  | {
      /**
       * Several targets measured in alternation, so that whatever else the machine is doing
       * hits them alike: sessions to every target are opened first, each target is warmed up,
       * then `cycles` cycles each give every target one measured block, in the orders of
       * `cycleOrders` (rounded up to whole designs once there are enough cycles for one).
       *  - "latency": one session per target, a block is `blockCalls` sequential calls;
       *  - "throughput": `concurrency` sessions per target issuing calls back to back, a block is
       *    a slice of `sliceMs`; only calls completed within the slice count (the drain after it
       *    is waited for but not counted).
       */
      cmd: 'interleave';
      mode: 'latency' | 'throughput';
      subjects: InterleavedSubject[];
      concurrency: number;
      /** Unmeasured load on each target before the cycles, ms. */
      warmupMs: number;
      cycles: number;
      blockCalls: number;
      sliceMs: number;
      /** Hard cap on the whole command's measured part, ms (cycles stop early when reached). */
      maxMs: number;
    };

export interface ProbeResult {
  tools: string[];
}

/** Latency is request sent → answer fully received (before the client parses it). */
export interface LatencyResult extends LatencySummary {
  /** The same calls measured until the client had parsed and checked the answer. */
  parsed: { p50: number; p99: number };
  /** Size of the last answer (HTTP body or SSE event data), bytes. */
  answerBytes: number;
  errors: number;
  firstError?: string;
  elapsedMs: number;
}

/** One target's measured block in one cycle. */
export interface Block {
  cycle: number;
  /** Calls completed (and checked) within the block. */
  calls: number;
  /** Including the ones that completed in the drain after a throughput slice (for CPU per call). */
  callsTotal: number;
  elapsedMs: number;
  rps: number;
  p50: number;
  p99: number;
  min: number;
  /** CPU ms used during the block by "client" (the generator) and each of `cpuPids`. */
  cpuMs: Record<string, number | undefined>;
}

export interface InterleavedResult {
  /** Per subject, in the order given. */
  subjects: Array<{
    name: string;
    blocks: Block[];
    /** Every measured call's latency, pooled over the blocks. */
    pooled: LatencySummary;
    errors: number;
    firstError?: string;
  }>;
}

export type LoadReply =
  | { seq: number; ok: true; result: ProbeResult | LatencyResult | InterleavedResult }
  | { seq: number; ok: false; error: string };

export type LoadMessage = LoadCommand & { seq: number };

/**
 * The order of the targets in each cycle of an interleaved run: a Williams design, in which every
 * target comes right after every other target equally often over a whole design (n orders for an
 * even n, 2n for an odd one). A plain rotation kept each target behind the same neighbour in every
 * cycle, so what that neighbour left behind (its backend's garbage to collect, its own late work)
 * always fell on the same target's block, a bias no number of cycles averaged out.
 */
export function cycleOrders(n: number): number[][] {
  if (n < 1) return [];
  const first = [0];
  for (let low = 1, high = n - 1; first.length < n;) {
    first.push(low++);
    if (first.length < n) first.push(high--);
  }
  const orders = first.map((_, shift) => first.map((target) => (target + shift) % n));
  if (n % 2 === 0 || n === 1) return orders;
  return [...orders, ...orders.map((order) => [...order].reverse())];
}
