// Entry of the engine's process. In the app it is started with utilityProcess.fork and talks over
// `process.parentPort`; in tests (and anywhere without Electron) with child_process.fork over the
// Node IPC channel. Nothing here imports electron.
import { runEngineHost, type HostPort } from './engine-host-core.js';
import type { EngineToMain } from './engine-protocol.js';

interface ParentPortLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
}

function connect(): HostPort {
  const parentPort = (process as { parentPort?: ParentPortLike }).parentPort;
  if (parentPort) {
    return {
      post: (message) => parentPort.postMessage(message),
      onMessage: (listener) => parentPort.on('message', (event) => listener(event.data)),
    };
  }
  if (process.send) {
    const send = process.send.bind(process);
    return {
      post: (message: EngineToMain) => {
        if (process.connected) send(message);
      },
      onMessage: (listener) => process.on('message', listener),
    };
  }
  throw new Error('engine-host must be started by the Switchyard app (utilityProcess) or child_process.fork');
}

const port = connect();
let exiting = false;
const exit = (code: number) => {
  if (exiting) return;
  exiting = true;
  // Let the last message leave before the process goes.
  setTimeout(() => process.exit(code), 50);
};

process.on('uncaughtException', (error) => {
  port.post({ type: 'fatal', error: { message: error.message, name: error.name } });
  process.stderr.write(`switchyard engine: ${error.stack ?? error.message}\n`);
  exit(1);
});
process.on('unhandledRejection', (reason) => {
  process.stderr.write(`switchyard engine: unhandled rejection: ${String(reason)}\n`);
});
const host = runEngineHost(port, { exit });
const stopNow = () => void host.stop().catch(() => exit(1));
// The main process went away without saying stop (forked mode), or a signal: stop cleanly.
process.on('disconnect', stopNow);
process.once('SIGTERM', stopNow);
process.once('SIGINT', stopNow);
