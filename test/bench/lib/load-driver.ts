// The bench module's handle on the load generator process (test/bench/load-client.ts).
import path from 'node:path';
import type {
  InterleavedResult,
  LatencyResult,
  LoadCommand,
  LoadReply,
  ProbeResult,
} from './load-protocol.js';
import { startFork, type Child } from './procs.js';

type ResultOf<C extends LoadCommand['cmd']> = C extends 'probe'
  ? ProbeResult
  : C extends 'latency'
    ? LatencyResult
    : InterleavedResult;

export class LoadDriver {
  private seq = 0;
  private readonly waiting = new Map<number, (reply: LoadReply) => void>();

  private constructor(private readonly child: Child) {
    child.process.on('message', (reply: LoadReply) => {
      const resolve = this.waiting.get(reply.seq);
      this.waiting.delete(reply.seq);
      resolve?.(reply);
    });
    child.process.once('exit', (code, signal) => {
      for (const resolve of this.waiting.values()) {
        resolve({ seq: -1, ok: false, error: `load client exited (${code ?? signal}):\n${child.tail()}` });
      }
      this.waiting.clear();
    });
  }

  static start(root: string): LoadDriver {
    const child = startFork('load-client', path.join(root, 'test/bench/load-client.ts'), [], {
      cwd: root,
      execArgv: ['--import', 'tsx'],
    });
    return new LoadDriver(child);
  }

  get pid(): number | undefined {
    return this.child.process.pid;
  }

  /** Sends one command; rejects when it fails or takes longer than `timeoutMs`. */
  run<C extends LoadCommand>(command: C, timeoutMs: number): Promise<ResultOf<C['cmd']>> {
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(seq);
        reject(new Error(`load client: ${command.cmd} took over ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(seq, (reply) => {
        clearTimeout(timer);
        if (reply.ok) resolve(reply.result as ResultOf<C['cmd']>);
        else reject(new Error(`${command.cmd}: ${reply.error}`));
      });
      this.child.process.send({ ...command, seq });
    });
  }

  stop(): Promise<void> {
    if (this.child.process.connected) this.child.process.disconnect();
    return this.child.stop();
  }
}
