// The engine's push for the dashboard's live log: a stdio fixture writes to stderr (through a real
// client's call), the ring takes the lines (cleaned of escape codes), and the control API's event
// stream says which backend's log grew, a few events for thousands of lines, never one per line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlEvent } from '../../common/control/api.js';
import { connectV2, startGateway, textOf, type TestGateway } from '../helpers/gateway.js';
import { fixtureCommand, waitFor } from '../helpers/processes.js';

let gateway: TestGateway;

beforeAll(async () => {
  const alpha = fixtureCommand({ name: 'alpha', transport: 'stdio', tools: ['echo', 'stderr'] });
  gateway = await startGateway({ backends: [{ name: 'alpha', command: alpha.command, args: alpha.args }] });
  await waitFor(() => gateway.app.control.snapshotNow().backends.every((b) => b.state === 'ready'), {
    what: 'alpha ready',
  });
});

afterAll(async () => {
  await gateway?.stop();
});

describe('backendLog events', () => {
  it('say a backend’s log grew, throttled, and the ring holds the cleaned lines', async () => {
    const events: ControlEvent[] = [];
    const off = gateway.app.control.subscribe((e) => events.push(e));
    const client = await connectV2(gateway);
    try {
      const start = (await gateway.app.control.backendLog('alpha', {})).lastSeq;
      expect(textOf(await client.callTool({ name: 'stderr', arguments: { lines: 5000, text: 'x' } }))).toBe(
        'wrote 5000',
      );
      await waitFor(
        async () => (await gateway.app.control.backendLog('alpha', { after: start })).lastSeq >= start + 5000,
        { what: '5000 lines in the ring' },
      );
      const grown = () => events.filter((e) => e.type === 'backendLog');
      await waitFor(
        async () =>
          grown().at(-1)?.type === 'backendLog' &&
          (grown().at(-1) as { lastSeq: number }).lastSeq >= start + 5000,
        { what: 'the last event carries the newest seq' },
      );
      // Throttled: far fewer events than lines, each naming only the backend and a seq.
      expect(grown().length).toBeLessThan(100);
      expect(Object.keys(grown()[0]!).sort()).toEqual(['backend', 'lastSeq', 'type']);
      const page = await gateway.app.control.backendLog('alpha', { after: start, limit: 10 });
      expect(page.entries).toHaveLength(10);
      expect(page.entries.at(-1)!.text).toBe('alpha x 5000');
      expect(page.entries.every((e) => e.kind === 'stderr' && !e.text.includes('\u001b'))).toBe(true);
    } finally {
      off();
      await client.close();
    }
  });
});
