// Raw HTTP to a gateway on 127.0.0.1, for what `fetch` cannot send (its own Host, Origin and
// cookie headers) and for reading the status and headers as they are.
import http from 'node:http';

export interface RawReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The headers as sent, name and value alternating (a doubled header shows twice). */
  rawHeaders: string[];
  body: string;
}

export interface RawRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  /** For a stream: read until this text has arrived (`''`: only the head), then close it. */
  until?: string;
}

/** One request to 127.0.0.1:`port` (GET / unless told), the whole reply as text. */
export function sendRaw(port: number, options: RawRequest = {}): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path ?? '/',
        headers: options.headers ?? {},
        agent: false, // a connection of its own: a stream closed early never reaches a later request
      },
      (res) => {
        let body = '';
        const done = () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body });
        const { until } = options;
        if (until === '') {
          done();
          res.destroy();
          return;
        }
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
          if (until !== undefined && body.includes(until)) {
            done();
            res.destroy();
          }
        });
        res.on('end', done);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The headers an MCP client sends with a POST to /mcp (JSON body, JSON or SSE reply). */
export const MCP_POST_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
};

/** A POST to /mcp (unless told otherwise) with the MCP client headers, `options.headers` on top. */
export function postMcp(port: number, options: RawRequest = {}): Promise<RawReply> {
  return sendRaw(port, {
    method: 'POST',
    path: '/mcp',
    ...options,
    headers: { ...MCP_POST_HEADERS, ...options.headers },
  });
}

/** A client's first message, as a raw client sends it (2025-06-18, no capabilities). */
export function initializeRequest(clientName: string, id = 1) {
  return {
    jsonrpc: '2.0' as const,
    id,
    method: 'initialize' as const,
    params: {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: clientName, version: '1' },
    },
  };
}
