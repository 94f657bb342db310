// Durability under SIGKILL: a child process writes decisions, sessions, pins and audit events as
// fast as it can and prints what it was told is done; it is killed at random moments, many times
// (sometimes while it is still opening or creating the file). After every kill the file passes
// PRAGMA integrity_check, every acknowledged decision, session and pin is there, and the audit
// events lost are only the newest and no more than the documented batch window.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { AUDIT_DEFAULTS } from '../../core/store/sqlite/audit-writer.js';
import { STORE_FILE, openStore } from '../../core/store/sqlite/store.js';
import { NODE, ROOT } from '../helpers/processes.js';

const CHILD = path.join(ROOT, 'test/integration/store-durability.child.ts');
const ROUNDS = 20;
/**
 * The documented batch window (audit-writer.ts): the rows recorded since the last batch (at most
 * the gap between batches, or the flush interval if that is longer) plus the batch the writer
 * thread is writing. On a busy shared machine (and while the thread starts,
 * compiling TypeScript under tsx) a batch can take a while, so the time allowed is generous; the
 * row count can never exceed maxBufferRows.
 */
const WINDOW_MS = Math.max(AUDIT_DEFAULTS.flushIntervalMs, AUDIT_DEFAULTS.minBatchGapMs) + 1000;

const dataDir = mkdtempSync(path.join(tmpdir(), 'switchyard-store-durability-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Deterministic, so a failing run can be replayed with the seed it prints. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** How fast the child records audit events: full batches, or fewer events than fill one in the gap. */
type Pace = 'busy' | 'moderate';

interface Round {
  lines: string[];
  killedAt: number;
  ready: boolean;
}

/**
 * Runs the child and kills it `delayMs` after it printed "ready" (or after it started, when
 * `duringStartup`); returns the complete lines it printed.
 */
function runAndKill(round: number, delayMs: number, duringStartup: boolean, pace: Pace): Promise<Round> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, ['--import', 'tsx', CHILD, dataDir, String(round), pace], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let killedAt = 0;
    let timer: NodeJS.Timeout | undefined;
    const killLater = () => {
      timer = setTimeout(() => {
        killedAt = Date.now();
        child.kill('SIGKILL');
      }, delayMs);
    };
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (!timer && out.startsWith('ready\n')) killLater();
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    if (duringStartup) killLater();
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL') {
        reject(new Error(`child exited by itself (${code ?? signal}): ${err.slice(-2000)}`));
        return;
      }
      // Only whole lines were acknowledged; a line cut by the kill is not.
      const lines = out.split('\n').slice(0, -1);
      resolve({ lines, killedAt, ready: lines[0] === 'ready' });
    });
  });
}

describe('the store under SIGKILL', () => {
  it(`keeps every acknowledged write across ${ROUNDS} kills, and loses at most the audit batch window`, async () => {
    const seed = Number(process.env.STORE_DURABILITY_SEED ?? Date.now() % 1_000_000);
    const next = random(seed);
    const summary: string[] = [];
    let worstLoss = 0;
    let worstAge = 0;

    for (let round = 1; round <= ROUNDS; round++) {
      // One round in four (the first among them) is killed while the child starts (opening,
      // creating or migrating the file); the others at a random moment of writing. One in four
      // (the third) records at a moderate pace, so its batches are cut by time, not by size, and
      // the gap between batches is what bounds the loss; it runs long enough to see several gaps.
      const duringStartup = round % 4 === 1;
      const pace: Pace = round % 4 === 3 ? 'moderate' : 'busy';
      const delay = Math.floor(
        duringStartup ? 50 + next() * 600 : pace === 'moderate' ? 500 + next() * 2500 : next() * 1000,
      );
      const result = await runAndKill(round, delay, duringStartup, pace);
      if (!duringStartup) expect(result.ready).toBe(true);
      const when = `${delay} ms after ${duringStartup ? 'start' : 'ready'}${pace === 'moderate' ? ', moderate pace' : ''}`;
      const context = `seed ${seed}, round ${round}, killed ${when}`;

      const db = new Database(path.join(dataDir, STORE_FILE));
      expect(db.pragma('integrity_check', { simple: true }), context).toBe('ok');
      db.close();

      // What a restarted `serve` sees.
      const store = openStore(dataDir, { audit: { pruneIntervalMs: 0, thread: false } });
      try {
        const decisions = new Set(store.decisions.all().map((d) => d.name));
        const pins = new Set(store.pins.all().map((p) => `${p.backend} ${p.originalName}`));
        let acknowledged = 0;
        const printed: { first: number; last: number; time: number }[] = [];
        for (const line of result.lines.slice(1)) {
          const [kind, a, b, c] = line.split(' ');
          if (kind === 'D') {
            expect(decisions.has(a!), `${context}: decision ${a}`).toBe(true);
            acknowledged++;
          } else if (kind === 'S') {
            const session = store.sessions.get(a!);
            expect(session, `${context}: session ${a}`).toBeDefined();
            expect(session!.backendSessions, `${context}: session ${a}`).toEqual({ a: `${a}-upstream` });
            expect(session!.clientInfo).toEqual({ name: 'durability', version: String(round) });
            acknowledged++;
          } else if (kind === 'P') {
            expect(pins.has(`${a} ${b}`), `${context}: pin ${a} ${b}`).toBe(true);
            acknowledged++;
          } else if (kind === 'A') {
            printed.push({ first: Number(a), last: Number(b), time: Number(c) });
          }
        }

        // Audit: the stored events of this round are exactly the first N handed to record().
        const reader = new Database(store.file, { readonly: true });
        const stored = new Set(
          reader.prepare('SELECT name FROM audit WHERE name LIKE ?').pluck().all(`r${round}-a%`) as string[],
        );
        reader.close();
        const recorded = printed.length ? printed[printed.length - 1]!.last + 1 : 0;
        let lost = 0;
        let firstLost = -1;
        for (let seq = 0; seq < recorded; seq++) {
          if (stored.has(`r${round}-a${seq}`)) {
            expect(firstLost, `${context}: event ${seq} stored after ${firstLost} was lost`).toBe(-1);
          } else {
            lost++;
            if (firstLost < 0) firstLost = seq;
          }
        }
        expect(lost, `${context}: audit events lost`).toBeLessThanOrEqual(AUDIT_DEFAULTS.maxBufferRows);
        worstLoss = Math.max(worstLoss, lost);
        const lostSince = printed.find((p) => p.last >= firstLost)?.time;
        if (lost) {
          const age = result.killedAt - lostSince!;
          expect(age, `${context}: age of the oldest lost event`).toBeLessThanOrEqual(WINDOW_MS);
          worstAge = Math.max(worstAge, age);
        }
        summary.push(
          `round ${round}: killed ${when}${result.ready ? '' : ' (before ready)'}; ` +
            `${acknowledged} acknowledged writes present; audit ${recorded - lost}/${recorded} kept` +
            (lost && lostSince
              ? `, lost the last ${lost} (recorded in the last ${result.killedAt - lostSince} ms)`
              : ''),
        );
      } finally {
        await store.close();
      }
    }
    console.log(
      `store durability (seed ${seed}):\n  ${summary.join('\n  ')}\n  worst audit loss: ${worstLoss} rows, recorded in the last ${worstAge} ms`,
    );
  }, 240_000);
});
