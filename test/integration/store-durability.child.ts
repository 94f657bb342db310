// A process that uses the store the way a busy `serve` does, and prints a line for
// everything it was told is done: the durability test kills it with SIGKILL at random moments and
// checks every acknowledged write survived.
//   D <name>                   a conflict decision, after decisions.set() returned
//   S <id>                     a session, after the turn in which sessions.save() commits its batch
//   P <backend> <original>     a name pin, after pins.upsert() returned
//   A <first> <last> <time>    audit events first..last were handed to record() (not yet written)
// Usage: node --import tsx store-durability.child.ts DATA_DIR ROUND [busy|moderate]
import { openStore } from '../../core/store/sqlite/store.js';

const [dataDir, round, pace = 'busy'] = process.argv.slice(2);
if (!dataDir || !round) throw new Error('usage: store-durability.child.ts DATA_DIR ROUND [busy|moderate]');

const store = openStore(dataDir, { audit: { pruneIntervalMs: 0 } });
const say = (line: string) => process.stdout.write(`${line}\n`);
await store.audit.ready(); // as `serve` does before it listens
say('ready');

/**
 * Busy: with a turn per millisecond or so, a few thousand audited requests a second, so batches
 * fill up. Moderate: one event every few milliseconds, a few hundred a second, so batches are cut
 * by time (the flush interval and the gap between batches).
 */
const EVENTS_PER_TURN = pace === 'moderate' ? 1 : 5;
const TURN_MS = pace === 'moderate' ? 3 : 0;

let seq = 0;
for (let i = 0; ; i++) {
  if (i % 7 === 0) {
    const name = `r${round}-d${i}`;
    store.decisions.set({
      kind: 'tool',
      name,
      decision: { action: 'rename', names: { a: `${name}-a`, b: `${name}-b` } },
      decidedAt: Date.now(),
    });
    say(`D ${name}`);
  }
  if (i % 5 === 0) {
    const id = `r${round}-s${i}`;
    store.sessions.save({
      id,
      clientInfo: { name: 'durability', version: round },
      capabilities: { sampling: {} },
      protocolVersion: '2025-11-25',
      createdAt: Date.now(),
      lastSeen: Date.now(),
      backendSessions: { a: `${id}-upstream` },
    });
    // Saves are committed on the next setImmediate; this one is queued after it (FIFO).
    await new Promise((resolve) => setImmediate(resolve));
    say(`S ${id}`);
  }
  if (i % 3 === 0) store.sessions.touch(`r${round}-s${i - (i % 5)}`, Date.now());
  if (i % 11 === 0) {
    const original = `tool${i}`;
    store.pins.upsert([
      {
        kind: 'tool',
        backend: `r${round}`,
        originalName: original,
        advertisedName: original,
        pinnedAt: Date.now(),
      },
    ]);
    say(`P r${round} ${original}`);
  }
  const first = seq;
  for (let k = 0; k < EVENTS_PER_TURN; k++) {
    store.audit.record({
      time: Date.now(),
      method: 'tools/call',
      name: `r${round}-a${seq++}`,
      backend: 'a',
      durationMs: 1,
      outcome: 'ok',
      requestBytes: 10,
      responseBytes: 10,
    });
  }
  say(`A ${first} ${seq - 1} ${Date.now()}`);
  await new Promise((resolve) => setTimeout(resolve, TURN_MS));
}
