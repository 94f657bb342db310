// A reference point, not a product: the thinnest possible Node HTTP hop in front of one MCP
// backend. It forwards each request (method, MCP headers, body) through a keep-alive agent and
// streams the answer back untouched — no JSON parsing, no sessions of its own, no routing.
// Measured next to Switchyard it shows how much of the added latency and CPU is simply the cost
// of an extra Node process and HTTP hop on this machine, and how much is the gateway's own work.
//
//   node --import tsx test/bench/relay.ts http://127.0.0.1:<backend port>/mcp
//   → prints "LISTENING <port>" (loopback only)
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const upstream = new URL(process.argv[2] ?? '');
if (upstream.hostname !== '127.0.0.1') {
  process.stderr.write('relay: the upstream must be a 127.0.0.1 URL\n');
  process.exit(2);
}
const agent = new http.Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 256 });
const FORWARDED = ['content-type', 'accept', 'mcp-session-id', 'mcp-protocol-version', 'last-event-id'];
const options = { hostname: upstream.hostname, port: upstream.port, path: upstream.pathname, agent };

const server = http.createServer((req, res) => {
  const headers: Record<string, string> = {};
  for (const name of FORWARDED) {
    const value = req.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  if (req.headers['content-length']) headers['content-length'] = req.headers['content-length'];
  const out = http.request({ ...options, method: req.method, headers }, (answer) => {
    const back: Record<string, string> = {};
    for (const name of ['content-type', 'mcp-session-id', 'cache-control', 'content-length']) {
      const value = answer.headers[name];
      if (typeof value === 'string') back[name] = value;
    }
    res.writeHead(answer.statusCode ?? 502, back);
    answer.pipe(res);
  });
  out.on('error', () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  res.on('close', () => {
    if (!res.writableFinished) out.destroy(); // the client went away mid-answer
  });
  req.pipe(out);
});
server.keepAliveTimeout = 65_000;
// Exit normally on SIGTERM, so that `node --cpu-prof` can write its profile.
process.once('SIGTERM', () => process.exit(0));
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`LISTENING ${(server.address() as AddressInfo).port}\n`);
});
