// The caps every byte from a backend passes through (core/backends/inbound.ts).
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ResponseTooLargeError } from '../../core/backends/errors.js';
import {
  collectBody,
  InboundBudget,
  LineFramer,
  MessageMeter,
  responseIdOf,
  SseReader,
} from '../../core/backends/inbound-limits.js';
import { parseMessages } from '../../core/backends/messages.js';

describe('MessageMeter and InboundBudget', () => {
  it('refuses a message over its cap and gives its bytes back', () => {
    const budget = new InboundBudget(1000);
    const meter = new MessageMeter({ maxMessageBytes: 100, budget });
    meter.add(60);
    expect(budget.inUse).toBe(60);
    expect(() => meter.add(50)).toThrow(ResponseTooLargeError);
    expect(budget.inUse).toBe(0);
  });

  it('refuses once the shared budget is used up, whichever message asks', () => {
    const budget = new InboundBudget(150);
    const a = new MessageMeter({ maxMessageBytes: 100, budget });
    const b = new MessageMeter({ maxMessageBytes: 100, budget });
    a.add(100);
    expect(() => b.add(60)).toThrow(/budget \(limits.backendInFlight\)/);
    a.release();
    b.add(60);
    expect(budget.inUse).toBe(60);
  });
});

describe('collectBody', () => {
  it('refuses a declared oversize body before reading it', async () => {
    const meter = new MessageMeter({ maxMessageBytes: 10, budget: new InboundBudget(100) });
    await expect(collectBody(Readable.from([Buffer.from('x')]), 11, meter)).rejects.toThrow(/10-byte limit/);
  });

  it('fails an undeclared body as soon as it passes the cap', async () => {
    const budget = new InboundBudget(100);
    const meter = new MessageMeter({ maxMessageBytes: 10, budget });
    const body = Readable.from([Buffer.alloc(6), Buffer.alloc(6)]);
    await expect(collectBody(body, undefined, meter)).rejects.toThrow(ResponseTooLargeError);
    expect(budget.inUse).toBe(0);
  });
});

describe('SseReader', () => {
  it('delivers events and reports one over the cap instead of buffering it', () => {
    const events: string[] = [];
    const overflows: Error[] = [];
    const budget = new InboundBudget(10_000);
    const reader = new SseReader(
      { maxMessageBytes: 100, budget },
      { onEvent: (e) => events.push(e.data), onOverflow: (e) => overflows.push(e) },
    );
    reader.feed('data: {"a":1}\n\n');
    reader.feed(`data: ${'x'.repeat(60)}`);
    reader.feed('x'.repeat(60));
    expect(events).toEqual(['{"a":1}']);
    expect(overflows).toHaveLength(1);
    expect(overflows[0]).toBeInstanceOf(ResponseTooLargeError);
    reader.feed('data: later\n\n'); // a reset stream delivers nothing more
    expect(events).toHaveLength(1);
    expect(budget.inUse).toBe(0);
  });
});

describe('SseReader: whole events taken without the parser', () => {
  // A chunk that is exactly one event is read directly; everything else goes to eventsource-parser.
  // Either way the events must be what the parser alone gives.
  const read = (chunks: string[]) => {
    const events: Array<{ id?: string; event?: string; data: string }> = [];
    const reader = new SseReader(
      { maxMessageBytes: 1000, budget: new InboundBudget(10_000) },
      { onEvent: (e) => events.push({ ...e }), onOverflow: () => undefined },
    );
    for (const chunk of chunks) reader.feed(chunk);
    return events;
  };
  const byParserOnly = (chunks: string[]) => read(['', ':\n', ...chunks]); // a comment first: never "clean"

  it.each([
    ['one event with its type', ['event: message\ndata: {"a":1}\n\n']],
    ['one event without a type', ['data: {"a":1}\n\n']],
    ['an empty data line', ['data: \n\n']],
    ['two spaces (the second is data)', ['data:  x\n\n']],
    ['an id line', ['id: 7\nevent: message\ndata: {"a":1}\n\n']],
    ['another event type', ['event: ping\ndata: {}\n\n']],
    ['CRLF line ends', ['event: message\r\ndata: {"a":1}\r\n\r\n']],
    ['two data lines', ['data: a\ndata: b\n\n']],
    ['two events in one chunk', ['data: {"a":1}\n\ndata: {"b":2}\n\n']],
    ['an event split over chunks', ['event: message\nda', 'ta: {"a":1}\n', '\n']],
    ['whole events, then a split one, then a whole one', ['data: 1\n\n', 'data: 2', '\n\n', 'data: 3\n\n']],
  ])('%s', (_name, chunks) => {
    const expected = byParserOnly(chunks);
    expect(expected.length).toBeGreaterThan(0);
    expect(read(chunks)).toEqual(expected);
  });
});

describe('SseReader.reuse', () => {
  it('starts clean for the next stream: no partial event, no counted bytes, new handlers, even after an overflow', () => {
    const budget = new InboundBudget(10_000);
    const first: string[] = [];
    const second: string[] = [];
    const overflows: Error[] = [];
    const reader = new SseReader(
      { maxMessageBytes: 100, budget },
      { onEvent: (e) => first.push(e.data), onOverflow: (e) => overflows.push(e) },
    );
    reader.feed('data: {"a":1}\n\ndata: {"half":');
    expect(budget.inUse).toBeGreaterThan(0); // the partial event is counted
    reader.reuse({ onEvent: (e) => second.push(e.data), onOverflow: (e) => overflows.push(e) });
    expect(budget.inUse).toBe(0);
    reader.feed('data: {"b":2}\n\n');
    expect(first).toEqual(['{"a":1}']);
    expect(second).toEqual(['{"b":2}']); // not '{"half":data: ...': the old stream's tail is gone
    // An overflowed (reset) reader is usable again once reused.
    reader.feed(`data: ${'x'.repeat(120)}`);
    expect(overflows).toHaveLength(1);
    reader.reuse({ onEvent: (e) => second.push(e.data), onOverflow: (e) => overflows.push(e) });
    reader.feed('data: {"c":3}\n\n');
    expect(second).toEqual(['{"b":2}', '{"c":3}']);
    expect(overflows).toHaveLength(1);
    reader.close();
    expect(budget.inUse).toBe(0);
  });
});

describe('LineFramer', () => {
  it('frames lines across chunks, skips an oversize line up to its newline and keeps going', () => {
    const lines: string[] = [];
    const skipped: string[] = [];
    const budget = new InboundBudget(10_000);
    const framer = new LineFramer(
      { maxMessageBytes: 50, budget },
      {
        onLine: (l) => lines.push(l.toString()),
        onOversize: (head, error) => skipped.push(`${head.toString()}|${error.message}`),
      },
    );
    framer.push(Buffer.from('{"a":'));
    framer.push(Buffer.from('1}\r\n{"jsonrpc":"2.0","id":7,"result":"'));
    for (let i = 0; i < 10; i++) framer.push(Buffer.alloc(20, 'x'));
    framer.push(Buffer.from('"}\n{"b":2}\n'));
    expect(lines).toEqual(['{"a":1}', '{"b":2}']);
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toMatch(/^\{"jsonrpc":"2.0","id":7,/);
    expect(responseIdOf(skipped[0]!.split('|')[0]!)).toBe(7);
    expect(budget.inUse).toBe(0);
  });
});

describe('parseMessages', () => {
  it('refuses JSON that is not JSON-RPC with a clear error', () => {
    expect(() => parseMessages('[1,2,3]', 'b')).toThrow(/not a JSON-RPC message: \[1,2,3\]/);
    expect(() => parseMessages('<html>', 'b')).toThrow(/invalid JSON/);
    expect(parseMessages('{"jsonrpc":"2.0","id":1,"result":{}}')).toHaveLength(1);
  });

  it('reads the id an oversize response began with only in the usual layout', () => {
    expect(responseIdOf('{"jsonrpc":"2.0","id":"a\\"b","result":{"x')).toBe('a"b');
    expect(responseIdOf('{"jsonrpc":"2.0","method":"x","params":{"id":3')).toBeUndefined();
  });
});
