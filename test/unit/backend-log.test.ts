import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BackendLog, BoundedLines, printableLine } from '../../core/backends/backend-log.js';
import { ProcessWatchdog } from '../../core/backends/process-watchdog.js';
import { descendants, isAlive } from '../helpers/proc.js';
import { waitFor } from '../helpers/processes.js';

describe('backend log ring', () => {
  it('keeps at most the configured entries and bytes, and counts what it dropped', () => {
    const log = new BackendLog('b', { entries: 3, bytes: 1000, lineBytes: 100 });
    for (let i = 1; i <= 5; i++) log.append('stderr', `line ${i}`);
    const page = log.read();
    expect(page.entries.map((e) => e.text)).toEqual(['line 3', 'line 4', 'line 5']);
    expect(page.entries.map((e) => e.seq)).toEqual([3, 4, 5]);
    expect(page).toMatchObject({ lastSeq: 5, skipped: 2 });

    const bytes = new BackendLog('b', { entries: 100, bytes: 10, lineBytes: 100 });
    bytes.append('stderr', 'aaaa');
    bytes.append('stderr', 'bbbb');
    bytes.append('stderr', 'cccc');
    expect(bytes.read().entries.map((e) => e.text)).toEqual(['bbbb', 'cccc']);
  });

  it('pages after a seq and keeps the newest when limited', () => {
    const log = new BackendLog('b');
    for (let i = 1; i <= 10; i++) log.append(i % 2 ? 'stderr' : 'connected', `e${i}`, 42);
    expect(log.read({ after: 7 }).entries.map((e) => e.seq)).toEqual([8, 9, 10]);
    expect(log.read({ after: 10 })).toMatchObject({ entries: [], lastSeq: 10, skipped: 0 });
    const limited = log.read({ after: 2, limit: 3 });
    expect(limited.entries.map((e) => e.seq)).toEqual([8, 9, 10]);
    expect(limited.skipped).toBe(5);
    expect(limited.entries[0]).toMatchObject({ kind: 'connected', pid: 42 });
  });

  it('survives a long run without growing (the consumed front is dropped)', () => {
    const log = new BackendLog('b', { entries: 50, bytes: 1 << 20, lineBytes: 100 });
    for (let i = 0; i < 20_000; i++) log.append('stderr', `x${i}`);
    const page = log.read();
    expect(page.entries).toHaveLength(50);
    expect(page.entries.at(-1)!.text).toBe('x19999');
    expect((log as unknown as { entries: unknown[] }).entries.length).toBeLessThan(600);
  });

  it('keeps text printable and cut to its byte cap', () => {
    expect(printableLine('\u001b[31mred\u001b[0m \u001b]0;title\u0007ok\r', 100)).toBe('red ok');
    expect(printableLine('a\u0000b\u202ec\td', 100)).toBe('abc d');
    const cut = printableLine('é'.repeat(100), 11);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(11);
    expect(cut.endsWith('…')).toBe(true);
    expect(cut).not.toContain('\uFFFD');
  });
});

describe('bounded stderr lines', () => {
  it('splits across chunks and never holds more than the cap of one line', () => {
    const lines: string[] = [];
    const splitter = new BoundedLines(8, (l) => lines.push(l));
    splitter.push(Buffer.from('ab'));
    splitter.push(Buffer.from('c\nde'));
    splitter.push(Buffer.from('f\n' + 'x'.repeat(1000)));
    splitter.push(Buffer.from('y'.repeat(1000) + '\nlast'));
    expect((splitter as unknown as { size: number }).size).toBeLessThanOrEqual(8);
    splitter.end();
    expect(lines).toEqual(['abc', 'def', 'xxxxxxxx…', 'last']);
  });
});

describe('process watchdog', () => {
  it('kills every registered group, grandchildren included, when its pipe closes (the engine is gone)', async () => {
    const watchdog = new ProcessWatchdog();
    // A leader that starts a grandchild and ignores SIGTERM: the watchdog must escalate to SIGKILL.
    const leader = spawn('/bin/sh', ['-c', 'trap "" TERM; sleep 300 & sleep 300; :'], {
      detached: true,
      stdio: 'ignore',
    });
    leader.unref();
    await new Promise((r) => leader.once('spawn', r));
    const pid = leader.pid!;
    watchdog.register(pid);
    const grandchildren = await waitFor(() => {
      const d = descendants(pid);
      return d.length >= 2 ? d : undefined;
    });
    expect(watchdog.pid).toBeGreaterThan(0);
    watchdog.close(); // EOF on its stdin, as when the engine dies
    await waitFor(() => !isAlive(pid) && grandchildren.every((g) => !isAlive(g.pid)), {
      timeoutMs: 10_000,
      what: 'the group to be killed',
    });
  });

  it('forgets groups that ended, and starts a new watchdog that knows the live ones if its own died', async () => {
    const watchdog = new ProcessWatchdog();
    const start = async () => {
      const child = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
      child.unref();
      await new Promise((r) => child.once('spawn', r));
      return child.pid!;
    };
    const first = await start();
    watchdog.register(first);
    const firstWatchdog = watchdog.pid!;
    process.kill(firstWatchdog, 'SIGKILL');
    await waitFor(() => !isAlive(firstWatchdog) && watchdog.pid === undefined, { what: 'watchdog gone' });
    // Killing the watchdog did not kill the group: it only guards against the engine's death.
    expect(isAlive(first)).toBe(true);
    const second = await start();
    watchdog.register(second);
    expect(watchdog.pid).not.toBe(firstWatchdog);
    const third = await start();
    watchdog.register(third);
    watchdog.unregister(third);
    watchdog.close();
    await waitFor(() => !isAlive(first) && !isAlive(second), { timeoutMs: 10_000, what: 'groups killed' });
    expect(isAlive(third)).toBe(true);
    process.kill(third, 'SIGKILL');
  });
});
