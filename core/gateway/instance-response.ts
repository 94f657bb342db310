// Every answer of the port carries `Switchyard-Instance` (a backend that leads back here is
// recognized by it, whatever it got: an answer, a stream, a 401 or a 404). Setting it with
// `setHeader` on each response put every answer on Node's slow header path (a header table per
// response, each header validated and stored twice); instead the port's responses are of this
// class, whose `writeHead` adds the header to the headers it is given as one more raw pair. Node
// calls `writeHead` for implicit heads too (`res.end()` without one, `flushHeaders()`), so no
// answer goes out without it.
import http from 'node:http';
import { INSTANCE_HEADER } from '../backends/http-transport.js';

type Headers = http.OutgoingHttpHeaders | http.OutgoingHttpHeader[];

/** A ServerResponse class whose every head carries `Switchyard-Instance: <instanceId>`. */
export function instanceResponse(instanceId: string): NonNullable<http.ServerOptions['ServerResponse']> {
  const pair: readonly string[] = [INSTANCE_HEADER, instanceId];
  class InstanceResponse<
    Request extends http.IncomingMessage = http.IncomingMessage,
  > extends http.ServerResponse<Request> {
    override writeHead(statusCode: number, reason?: string | Headers, headers?: Headers): this {
      if (typeof reason === 'string') return super.writeHead(statusCode, reason, withInstance(headers, pair));
      return super.writeHead(statusCode, withInstance(reason, pair));
    }
  }
  return InstanceResponse;
}

/**
 * The headers as raw pairs with the instance pair in front. Raw pairs keep Node's fast path when
 * nothing was set with setHeader before, and merge with what was (Node removes a header a raw pair
 * names, then appends).
 */
function withInstance(headers: Headers | undefined, pair: readonly string[]): http.OutgoingHttpHeader[] {
  if (headers === undefined) return pair as string[];
  if (Array.isArray(headers)) {
    // [[name, value], …] is the other raw form Node takes: made flat so the pair fits in.
    if (headers.length > 0 && Array.isArray(headers[0])) return pair.concat(...(headers as string[][]));
    return pair.concat(headers as string[]);
  }
  const raw: http.OutgoingHttpHeader[] = pair.slice();
  for (const name in headers) {
    if (Object.hasOwn(headers, name)) raw.push(name, (headers as http.OutgoingHttpHeaders)[name] as string);
  }
  return raw;
}
