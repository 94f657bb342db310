// Serves the built dashboard (dist/renderer) at / in headless mode: files only from that folder,
// a strict Content-Security-Policy, index.html at /. The dashboard has no routes of its own, so
// any other path without a file is a JSON 404 (never the page: clients probing OAuth discovery
// paths must read "not found", not HTML).
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { DASHBOARD_CSP } from '../../common/security/csp.js';
import { sendNotFound, type RouteHandler } from './http-server.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

export function createStaticHandler(root: string): RouteHandler {
  const base = path.resolve(root);
  return async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    let relative: string;
    try {
      relative = decodeURIComponent(url.pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    const isPage = relative === '/' || relative === '/index.html';
    const file = isPage ? path.join(base, 'index.html') : path.resolve(base, `.${relative}`);
    if (file !== base && !file.startsWith(base + path.sep)) return sendNotFound(res, url.pathname);
    const info = await stat(file).catch(() => undefined);
    if (!info || info.isDirectory()) {
      if (!isPage) return sendNotFound(res, url.pathname);
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('The dashboard is not built. Run `npm run build`, then reload.\n');
      return;
    }
    const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
    const headers: Record<string, string> = {
      'content-type': type,
      'content-length': String(info.size),
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      // Hashed asset names never change; the page itself must always be fresh.
      'cache-control': file.includes(`${path.sep}assets${path.sep}`)
        ? 'public, max-age=31536000, immutable'
        : 'no-cache',
    };
    if (type.startsWith('text/html')) {
      headers['content-security-policy'] = DASHBOARD_CSP;
      headers['x-frame-options'] = 'DENY';
    }
    res.writeHead(200, headers);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file).pipe(res);
  };
}
