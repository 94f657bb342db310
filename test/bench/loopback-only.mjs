// Preloaded into mcp-hub with `node --import` by gateway.bench.ts. mcp-hub's CLI has no host
// option and calls `app.listen(port)`, which binds every interface; benchmarks must stay on
// loopback, so a listen without a host is rewritten to 127.0.0.1. Nothing else is touched.
// (Plain JavaScript on purpose: the peer runs as shipped, without a TypeScript loader.)
import net from 'node:net';

const listen = net.Server.prototype.listen;

net.Server.prototype.listen = function listenOnLoopback(...args) {
  const first = args[0];
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    if (args.length === 1 || typeof args[1] === 'function') args.splice(1, 0, '127.0.0.1');
  } else if (first && typeof first === 'object' && 'port' in first && !first.host && !first.path) {
    args[0] = { ...first, host: '127.0.0.1' };
  }
  return listen.apply(this, args);
};
