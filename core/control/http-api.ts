// The control API over HTTP under /api (the headless dashboard and `switchyard status` use it).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Control } from './control.js';

function send(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(json);
}

export function createApiHandler(control: Control) {
  return (req: IncomingMessage, res: ServerResponse, url: URL): void => {
    if (url.pathname === '/api/status' && req.method === 'GET') return send(res, 200, control.snapshot());
    send(res, 404, { error: `Not found: ${req.method} ${url.pathname}` });
  };
}
