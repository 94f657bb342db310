// `app://switchyard/…`: the dashboard's files (dist/renderer) served to the window through
// protocol.handle, with the Content-Security-Policy header. Files only from that folder; any other
// host, method or a path that leaves the folder is refused. A pure Request → Response function, so
// it is tested in Node (test/unit/electron/app-protocol.test.ts).
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { APP_HOST, APP_SCHEME, WINDOW_CSP } from './hardening.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
};

/** Headers every answer carries. */
export function securityHeaders(): Record<string, string> {
  return {
    'content-security-policy': WINDOW_CSP,
    'x-content-type-options': 'nosniff',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-cache',
  };
}

function refuse(status: number, message: string): Response {
  return new Response(message, {
    status,
    headers: { ...securityHeaders(), 'content-type': 'text/plain; charset=utf-8' },
  });
}

export function createAppProtocolHandler(root: string): (request: Request) => Promise<Response> {
  const base = path.resolve(root);
  const serveFile = async (file: string, method: string): Promise<Response> => {
    const body = method === 'HEAD' ? null : await readFile(file);
    return new Response(body, {
      status: 200,
      headers: {
        ...securityHeaders(),
        'content-type': TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
      },
    });
  };
  return async (request) => {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return refuse(400, 'bad URL');
    }
    if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return refuse(404, 'not found');
    if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(405, 'method not allowed');
    let relative: string;
    try {
      relative = decodeURIComponent(url.pathname);
    } catch {
      return refuse(400, 'bad path');
    }
    if (relative.includes('\0')) return refuse(400, 'bad path');
    const file = path.resolve(base, `.${relative}`);
    if (file !== base && !file.startsWith(base + path.sep)) return refuse(404, 'not found');
    const info = await stat(file).catch(() => undefined);
    if (info?.isFile()) return serveFile(file, request.method);
    // A single-page app: a path without a file extension is the app; a missing asset is a 404.
    if (path.extname(relative) === '' || relative.endsWith('/')) {
      const index = path.join(base, 'index.html');
      if (await stat(index).catch(() => undefined)) return serveFile(index, request.method);
      return refuse(503, 'The dashboard is not built: run `npm run build`.');
    }
    return refuse(404, 'not found');
  };
}
