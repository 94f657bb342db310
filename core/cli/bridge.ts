// `switchyard bridge`: MCP over stdio for clients that only launch commands (Claude Desktop),
// relayed to the local endpoint with the token. Built from the SDK's transports on both sides.
// If the gateway forgets the session (it restarted without its database), the bridge replays the
// client's initialize and retries, so the client never notices.
import { parseArgs } from 'node:util';
import {
  StreamableHTTPClientTransport,
  SdkHttpError,
  type JSONRPCMessage,
  type JSONRPCRequest,
} from '@modelcontextprotocol/client';
import { StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import { clientToken, dataDirFrom, DEFAULT_URL, type Io } from './common.js';

export interface BridgeStreams {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
}

const REPLAY_ID = '__switchyard_bridge_reinitialize__';

export async function bridge(argv: string[], io: Io, streams: BridgeStreams): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { url: { type: 'string' }, token: { type: 'string' }, 'data-dir': { type: 'string' } },
    strict: true,
  });
  const url = new URL(values.url ?? io.env.SWITCHYARD_URL ?? DEFAULT_URL);
  const token = await clientToken(values.token, dataDirFrom(values['data-dir'], io.env), io.env);
  const log = (message: string) => io.stderr.write(`switchyard bridge: ${message}\n`);

  const local = new StdioServerTransport(streams.stdin as never, streams.stdout as never);
  let initialize: JSONRPCRequest | undefined;
  let initialized = false;
  let remote: StreamableHTTPClientTransport;
  let replaying: Promise<void> | undefined;
  let replayResolve: (() => void) | undefined;

  const connectRemote = () => {
    remote = new StreamableHTTPClientTransport(url, {
      requestInit: { headers: token ? { authorization: `Bearer ${token}` } : {} },
    });
    remote.onmessage = (message) => {
      if ('id' in message && message.id === REPLAY_ID && !('method' in message)) {
        replayResolve?.();
        return;
      }
      void local.send(message).catch((error: unknown) => log(`cannot write to stdout: ${String(error)}`));
    };
    remote.onerror = (error) => {
      if (!(error instanceof SdkHttpError && error.status === 404)) log(error.message);
    };
    return remote.start();
  };

  /** Opens a fresh gateway session with the client's own initialize, invisibly to the client. */
  const reinitialize = async () => {
    if (!initialize) throw new Error('no initialize to replay');
    await remote.close().catch(() => undefined);
    await connectRemote();
    const answered = new Promise<void>((resolve) => (replayResolve = resolve));
    await remote.send({ ...initialize, id: REPLAY_ID });
    await answered;
    if (initialized) await remote.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    log('gateway session re-established');
  };

  const forward = async (message: JSONRPCMessage, retried = false): Promise<void> => {
    if (replaying) await replaying;
    try {
      await remote.send(message);
    } catch (error) {
      const status = error instanceof SdkHttpError ? error.status : undefined;
      if (
        status === 404 &&
        !retried &&
        initialize &&
        !('method' in message && message.method === 'initialize')
      ) {
        replaying ??= reinitialize().finally(() => (replaying = undefined));
        await replaying;
        return forward(message, true);
      }
      const reason =
        status === 401
          ? 'the gateway refused the token (pass --token, set SWITCHYARD_TOKEN, or use the data dir of `switchyard serve`)'
          : status !== undefined
            ? `the gateway answered HTTP ${status}`
            : `Switchyard is not reachable at ${url.href} (is it running?)`;
      log(reason);
      if ('method' in message && 'id' in message && message.id !== undefined) {
        await local.send({
          jsonrpc: '2.0',
          id: message.id,
          error: { code: -32603, message: `Switchyard bridge: ${reason}` },
        });
      }
    }
  };

  await connectRemote();
  let closed: () => void;
  const done = new Promise<void>((resolve) => (closed = resolve));
  local.onmessage = (message) => {
    if ('method' in message) {
      if (message.method === 'initialize' && 'id' in message) initialize = message as JSONRPCRequest;
      if (message.method === 'notifications/initialized') initialized = true;
    }
    void forward(message);
  };
  local.onclose = () => {
    void remote
      .terminateSession()
      .catch(() => undefined)
      .finally(() => void remote.close().finally(() => closed()));
  };
  local.onerror = (error) => log(error.message);
  await local.start();
  await done;
  return 0;
}
