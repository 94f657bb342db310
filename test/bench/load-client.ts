// The load generator: a separate process (forked with an IPC channel by a bench module) so its
// CPU is not the measured server's. Every command is bounded in request count and in time and
// only ever targets loopback URLs. It exits when its parent goes away.
//
//   fork('test/bench/load-client.ts', [], { execArgv: ['--import', 'tsx'] })
//   → send LoadMessage, receive LoadReply (see lib/load-protocol.ts)
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { cpuSample } from './lib/cpu.js';
import {
  cycleOrders,
  type Block,
  type InterleavedResult,
  type LatencyResult,
  type LoadCommand,
  type LoadMessage,
  type LoadReply,
  type LoadRequest,
  type LoadTarget,
  type ProbeResult,
} from './lib/load-protocol.js';
import { openSession, type RpcSession } from './lib/mcp-client.js';
import { summarize } from './lib/stats.js';

/** Hard caps on whatever a caller asks for: the generator must stay bounded. */
const MAX_CALLS = 1_000_000;
const MAX_MS = 120_000;
const MAX_SESSIONS = 128;
const MAX_ERRORS = 100;

function assertLoopback(target: LoadTarget): void {
  const host = new URL(target.url).hostname;
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '[::1]') {
    throw new Error(`refusing to load ${target.url}: loopback targets only`);
  }
}

function newAgent(): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: 512, maxFreeSockets: 512 });
}

/** Checks an answer so a fast wrong answer never counts as a fast call. */
function check(request: LoadRequest, result: unknown): void {
  if (request.expectText !== undefined) {
    const r = result as { isError?: boolean; content?: Array<{ type: string; text?: string }> };
    if (r?.isError) throw new Error(`tool error: ${JSON.stringify(r.content).slice(0, 200)}`);
    if (!r?.content?.some((c) => c.text?.includes(request.expectText!))) {
      throw new Error(`unexpected result ${JSON.stringify(result).slice(0, 200)}`);
    }
  }
  if (request.expectTools !== undefined) {
    const n = (result as { tools?: unknown[] })?.tools?.length;
    if (n !== request.expectTools) throw new Error(`expected ${request.expectTools} tools, got ${n}`);
  }
}

/** Counts errors and keeps the first, stopping a command that fails over and over. */
class Errors {
  count = 0;
  first: string | undefined;
  add(error: unknown): void {
    this.count++;
    this.first ??= error instanceof Error ? error.message : String(error);
    if (this.count >= MAX_ERRORS)
      throw new Error(`giving up after ${this.count} errors; first: ${this.first}`);
  }
}

async function probe(target: LoadTarget): Promise<ProbeResult> {
  const agent = newAgent();
  const session = await openSession(target.url, target.wire, agent);
  try {
    const result = (await session.request('tools/list', {})) as { tools: Array<{ name: string }> };
    return { tools: result.tools.map((t) => t.name) };
  } finally {
    await session.close();
    agent.destroy();
  }
}

async function latency(c: Extract<LoadCommand, { cmd: 'latency' }>): Promise<LatencyResult> {
  const agent = newAgent();
  const session = await openSession(c.target.url, c.target.wire, agent);
  const samples: number[] = [];
  const parsed: number[] = [];
  const errors = new Errors();
  try {
    for (let i = 0; i < Math.min(c.warmup, MAX_CALLS); i++) {
      check(c.request, await session.request(c.request.method, c.request.params));
    }
    const started = performance.now();
    const deadline = started + Math.min(c.maxMs, MAX_MS);
    for (let i = 0; i < Math.min(c.count, MAX_CALLS) && performance.now() < deadline; i++) {
      const t0 = performance.now();
      try {
        const result = await session.request(c.request.method, c.request.params);
        check(c.request, result);
        samples.push(session.lastAnswerAt - t0);
        parsed.push(performance.now() - t0);
      } catch (error) {
        errors.add(error);
      }
    }
    const withParse = summarize(parsed);
    return {
      ...summarize(samples),
      parsed: { p50: withParse.p50, p99: withParse.p99 },
      answerBytes: session.lastAnswerBytes,
      errors: errors.count,
      firstError: errors.first,
      elapsedMs: performance.now() - started,
    };
  } finally {
    await session.close();
    agent.destroy();
  }
}

async function interleave(c: Extract<LoadCommand, { cmd: 'interleave' }>): Promise<InterleavedResult> {
  const perTarget = c.mode === 'latency' ? 1 : Math.max(1, c.concurrency);
  if (perTarget * c.subjects.length > MAX_SESSIONS)
    throw new Error(`more than ${MAX_SESSIONS} sessions asked for`);
  const agent = newAgent();
  const state = c.subjects.map((s) => ({
    subject: s,
    sessions: [] as RpcSession[],
    blocks: [] as Block[],
    samples: [] as number[],
    errors: new Errors(),
  }));
  let budget = MAX_CALLS;
  /** Calls on every session of `st` until `deadline` or `calls` (per session) are done. */
  const drive = async (
    st: (typeof state)[number],
    until: { deadline: number; calls: number },
    samples?: number[],
  ) => {
    let completedInTime = 0;
    let completed = 0;
    await Promise.all(
      st.sessions.map(async (session) => {
        for (let i = 0; i < until.calls && budget > 0 && performance.now() < until.deadline; i++) {
          budget--;
          const t0 = performance.now();
          try {
            const result = await session.request(st.subject.request.method, st.subject.request.params);
            check(st.subject.request, result);
            completed++;
            if (session.lastAnswerAt <= until.deadline) {
              completedInTime++;
              samples?.push(session.lastAnswerAt - t0);
            }
          } catch (error) {
            st.errors.add(error);
          }
        }
      }),
    );
    return { inTime: completedInTime, total: completed };
  };
  try {
    for (const st of state) {
      const opened = await Promise.allSettled(
        Array.from({ length: perTarget }, () =>
          openSession(st.subject.target.url, st.subject.target.wire, agent),
        ),
      );
      for (const o of opened) if (o.status === 'fulfilled') st.sessions.push(o.value);
      const failed = opened.find((o): o is PromiseRejectedResult => o.status === 'rejected');
      if (failed) throw new Error(`${st.subject.target.name}: opening sessions: ${String(failed.reason)}`);
    }
    // Warm-up: every session's first calls (a gateway opens its backend session lazily), then
    // unmeasured load so every process in the path has compiled its hot code.
    for (const st of state) {
      await drive(st, { deadline: Infinity, calls: 3 });
      await drive(st, { deadline: performance.now() + Math.min(c.warmupMs, MAX_MS), calls: MAX_CALLS });
    }
    const stopAt = performance.now() + Math.min(c.maxMs, MAX_MS);
    const orders = cycleOrders(state.length);
    const cycles = c.cycles >= orders.length ? Math.ceil(c.cycles / orders.length) * orders.length : c.cycles;
    for (let cycle = 0; cycle < cycles && performance.now() < stopAt; cycle++) {
      const order = orders[cycle % orders.length]!.map((i) => state[i]!);
      for (const st of order) {
        const samples: number[] = [];
        const cpu = cpuSample({ client: process.pid, ...st.subject.cpuPids });
        const started = performance.now();
        const until =
          c.mode === 'latency'
            ? { deadline: stopAt, calls: c.blockCalls }
            : { deadline: started + c.sliceMs, calls: MAX_CALLS };
        const { inTime: calls, total: callsTotal } = await drive(st, until, samples);
        const cpuMs = cpu.since();
        const elapsedMs = c.mode === 'latency' ? performance.now() - started : c.sliceMs;
        const summary = summarize(samples);
        st.blocks.push({
          cycle,
          calls,
          callsTotal,
          elapsedMs,
          rps: (calls * 1000) / elapsedMs,
          p50: summary.p50,
          p99: summary.p99,
          min: summary.min,
          cpuMs,
        });
        for (const v of samples) st.samples.push(v);
      }
    }
    return {
      subjects: state.map((st) => ({
        name: st.subject.target.name,
        blocks: st.blocks,
        pooled: summarize(st.samples),
        errors: st.errors.count,
        firstError: st.errors.first,
      })),
    };
  } finally {
    await Promise.all(state.flatMap((st) => st.sessions.map((s) => s.close())));
    agent.destroy();
  }
}

async function handle(message: LoadMessage): Promise<LoadReply> {
  try {
    switch (message.cmd) {
      case 'probe':
        assertLoopback(message.target);
        return { seq: message.seq, ok: true, result: await probe(message.target) };
      case 'latency':
        assertLoopback(message.target);
        return { seq: message.seq, ok: true, result: await latency(message) };
      case 'interleave':
        for (const s of message.subjects) assertLoopback(s.target);
        return { seq: message.seq, ok: true, result: await interleave(message) };
    }
  } catch (error) {
    return { seq: message.seq, ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

if (!process.send) {
  process.stderr.write('load-client.ts must be forked with an IPC channel by a bench module\n');
  process.exit(2);
}
// One command at a time: concurrent commands would measure each other.
let queue = Promise.resolve();
process.on('message', (message: LoadMessage) => {
  queue = queue.then(async () => {
    const reply = await handle(message);
    process.send?.(reply);
  });
});
process.on('disconnect', () => process.exit(0));
