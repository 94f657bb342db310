// The skim that lets a large result be relayed as bytes (core/backends/raw-response.ts): what it
// accepts, what it leaves to JSON.parse, and that the fields the gateway reads come from the bytes.
import { describe, expect, it } from 'vitest';
import {
  LARGE_RESPONSE_BYTES,
  largeResult,
  rawResultOf,
  resultField,
  skimResult,
} from '../../core/backends/raw-response.js';

const skim = (text: string) => skimResult(Buffer.from(text));

describe('skimResult', () => {
  it('finds the id and the result wherever they are, and the result’s own fields', () => {
    const text =
      ' { "result" : {"isError":true,"s":"a\\"}{[","n":[1,{"x":"]"}],"resultType":"complete"} , "id":"q\\\\","jsonrpc":"2.0"} ';
    const raw = skim(text)!;
    expect(raw.id).toBe('q\\');
    expect(text.slice(raw.result[0], raw.result[1])).toBe(
      '{"isError":true,"s":"a\\"}{[","n":[1,{"x":"]"}],"resultType":"complete"}',
    );
    expect([...raw.fields.keys()]).toEqual(['isError', 's', 'n', 'resultType']);
  });

  it('leaves everything else to JSON.parse', () => {
    for (const text of [
      '{"jsonrpc":"2.0","id":1,"error":{"code":1,"message":"m"}}', // an error
      '{"jsonrpc":"2.0","id":1,"method":"x","result":{}}', // a request
      '{"jsonrpc":"2.0","method":"notifications/x"}',
      '[{"jsonrpc":"2.0","id":1,"result":{}}]', // a batch
      '{"jsonrpc":"2.0","id":1,"result":[]}', // a result that is not an object
      '{"jsonrpc":"2.0","id":1,"result":{},"result":7}', // … as JSON.parse keeps the last
      '{"jsonrpc":"2.0","id":null,"result":{}}',
      '{"jsonrpc":"1.0","id":1,"result":{}}',
      '{"jsonrpc":"2.0","id":1,"result":{"a":"unclosed}}', // broken string
      '{"jsonrpc":"2.0","id":1,"result":{"a":[1,2}}', // unbalanced
      '{"jsonrpc":"2.0","id":1,"result":{}} trailing',
      '{"jsonrpc":"2.0",\n"id":1,"result":{}}', // a line break could not go into one SSE data line
      '{"jsonrpc":"2.0","id":1,"result":{"a":"x\ry"}}',
    ])
      expect(skim(text), text).toBeUndefined();
  });
});

describe('largeResult', () => {
  const big = (head: string) =>
    Buffer.from(`${head}"content":[{"type":"text","text":"${'x'.repeat(LARGE_RESPONSE_BYTES)}"}]}}`);

  it('gives a message whose result is parsed only when read, and fields read from the bytes', () => {
    const message = largeResult(big('{"jsonrpc":"2.0","id":4,"result":{"isError":true,'))!;
    expect(message.id).toBe(4);
    expect(rawResultOf(message)).toBeDefined();
    expect(resultField(message, 'isError')).toBe(true);
    expect(resultField(message, 'resultType')).toBeUndefined();
    expect('result' in message).toBe(true);
    const result = message.result as { content: { text: string }[] };
    expect(result.content[0]!.text.length).toBe(LARGE_RESPONSE_BYTES);
    expect(message.result).toBe(result); // parsed once
  });

  it('is not used below the size where parsing is cheaper', () => {
    expect(largeResult(Buffer.from('{"jsonrpc":"2.0","id":4,"result":{}}'))).toBeUndefined();
  });
});
