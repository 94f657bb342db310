// `switchyard bridge`: MCP over stdio for clients that only launch commands (Claude Desktop),
// relayed to the local endpoint. It never fails its client for something it can fix:
// - the token is found whatever its source (--token, SWITCHYARD_TOKEN, the data dir's token file),
//   re-read on every connection attempt, and the next source is tried on a 401;
// - when Switchyard is not running yet, the bridge answers the client's initialize itself (empty
//   lists, calls get a clear "not running" error), says once on stderr what it waits for, and
//   connects as soon as Switchyard is up;
// - when the connection is lost (a restart, a stop), it reconnects forever with capped backoff,
//   first resuming its gateway session, else opening a new one with the client's own initialize;
// - after each (re)connection it tells the client tools/prompts/resources `list_changed`, since
//   the client cannot know what changed meanwhile.
// The SDK's transports do the wire work on both sides.
import { parseArgs } from 'node:util';
import {
  LATEST_PROTOCOL_VERSION,
  SdkHttpError,
  StreamableHTTPClientTransport,
  SUPPORTED_PROTOCOL_VERSIONS,
  type JSONRPCMessage,
  type JSONRPCRequest,
} from '@modelcontextprotocol/client';
import { StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import { readStoredToken } from '../store/token.js';
import { backoffDelay } from '../support/backoff.js';
import { VERSION } from '../version.js';
import { dataDirFrom, DEFAULT_URL, type Io } from './common.js';

export interface BridgeStreams {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
}

export interface BridgeOptions {
  /** How long the client's initialize waits for Switchyard before the bridge answers it itself. */
  initializeWaitMs?: number;
  /** Reconnection backoff (capped). */
  backoff?: { initialMs: number; maxMs: number };
}

const REPLAY_ID = '__switchyard_bridge_initialize__';
const LIST_CHANGED = [
  'notifications/tools/list_changed',
  'notifications/prompts/list_changed',
  'notifications/resources/list_changed',
] as const;
/** What the bridge answers by itself while Switchyard is away. */
const EMPTY_LISTS: Record<string, Record<string, unknown[]>> = {
  'tools/list': { tools: [] },
  'prompts/list': { prompts: [] },
  'resources/list': { resources: [] },
  'resources/templates/list': { resourceTemplates: [] },
};

type Id = string | number;

class AuthRefused extends Error {}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function isNetworkError(error: unknown): boolean {
  return !(error instanceof SdkHttpError) && !(error instanceof AuthRefused);
}

export async function bridge(
  argv: string[],
  io: Io,
  streams: BridgeStreams,
  options: BridgeOptions = {},
): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { url: { type: 'string' }, token: { type: 'string' }, 'data-dir': { type: 'string' } },
    strict: true,
  });
  const url = new URL(values.url ?? io.env.SWITCHYARD_URL ?? DEFAULT_URL);
  const dataDir = dataDirFrom(values['data-dir'], io.env);
  const initializeWaitMs = options.initializeWaitMs ?? 5_000;
  const backoff = options.backoff ?? { initialMs: 250, maxMs: 2_000 };
  const log = (message: string) => io.stderr.write(`switchyard bridge: ${message}\n`);

  /** Every token we could use, best first; the file is read again each time (it may appear later). */
  const tokenCandidates = async (): Promise<(string | undefined)[]> => {
    const all = [values.token, io.env.SWITCHYARD_TOKEN, await readStoredToken(dataDir)];
    const found = [...new Set(all.filter((t): t is string => Boolean(t)))];
    return found.length ? found : [undefined];
  };

  const local = new StdioServerTransport(streams.stdin as never, streams.stdout as never);
  const toClient = (message: JSONRPCMessage) =>
    local.send(message).catch((error: unknown) => log(`cannot write to stdout: ${String(error)}`));
  const answerError = (id: Id, message: string) =>
    toClient({ jsonrpc: '2.0', id, error: { code: -32603, message: `Switchyard bridge: ${message}` } });

  let closed = false;
  let initialize: JSONRPCRequest | undefined;
  let initializeResult: Record<string, unknown> | undefined;
  let clientInitialized = false;
  let remote: StreamableHTTPClientTransport | undefined;
  let sessionId: string | undefined;
  let goodToken: string | undefined;
  /** Requests sent to the gateway and not answered yet: failed if the connection is lost. */
  const pending = new Set<Id>();
  let connecting: Promise<void> | undefined;
  let waitingSaid = false;
  /** Cuts the current backoff short: a request from the client is worth an attempt right away. */
  let wake: (() => void) | undefined;
  let replayAnswered: ((result: Record<string, unknown> | Error) => void) | undefined;

  const offlineReason = () =>
    `Switchyard is not running at ${url.href} (waiting for it; start Switchyard and this client connects by itself)`;

  /** A transport to the gateway; a lost stream hands over to our own endless reconnection. */
  const open = (token: string | undefined, resume?: string) => {
    const transport: StreamableHTTPClientTransport = new StreamableHTTPClientTransport(url, {
      requestInit: { headers: token ? { authorization: `Bearer ${token}` } : {} },
      ...(resume ? { sessionId: resume } : {}),
      ...(initializeResult?.protocolVersion
        ? { protocolVersion: String(initializeResult.protocolVersion) }
        : {}),
      // The SDK would retry the GET stream twice and give up; we reconnect forever instead.
      reconnectionOptions: {
        maxRetries: 1,
        initialReconnectionDelay: 0,
        maxReconnectionDelay: 0,
        reconnectionDelayGrowFactor: 1,
      },
      reconnectionScheduler: () => {
        if (transport === remote) lost('the connection to Switchyard was lost');
      },
    });
    transport.onmessage = (message) => {
      if (transport !== remote && transport !== candidate) return;
      if ('id' in message && !('method' in message) && String(message.id).startsWith(REPLAY_ID)) {
        // Answers to the bridge's own requests (the replayed initialize, a probe) stay here.
        if (message.id === REPLAY_ID)
          replayAnswered?.(
            'result' in message
              ? (message.result as Record<string, unknown>)
              : new Error(JSON.stringify(message.error)),
          );
        return;
      }
      if ('id' in message && !('method' in message) && message.id !== undefined) pending.delete(message.id);
      void toClient(message);
    };
    transport.onerror = (error) => {
      if (transport !== remote) return;
      if (error instanceof SdkHttpError && error.status === 404) return; // handled where it happens
      if (/Maximum reconnection attempts|Failed to reconnect SSE/.test(error.message)) return;
      if (!isNetworkError(error)) log(error.message);
    };
    return transport;
  };
  let candidate: StreamableHTTPClientTransport | undefined;

  /** One attempt: resume the gateway session, else open a new one with the client's initialize. */
  const attempt = async (): Promise<void> => {
    if (!initialize) throw new Error('no initialize yet');
    let refused = false;
    for (const token of await tokenCandidates()) {
      if (sessionId && token === goodToken) {
        const t = (candidate = open(token, sessionId));
        try {
          await t.start();
          // Reopens the notification stream of the restored session (the gateway ignores a repeat).
          if (clientInitialized) await t.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
          else await t.send({ jsonrpc: '2.0', id: `${REPLAY_ID}:ping`, method: 'ping' });
          remote = t;
          return;
        } catch (error) {
          await t.close().catch(() => undefined);
          if (isNetworkError(error)) throw error;
          sessionId = undefined; // unknown session (404) or refused: start afresh below
        }
      }
      const t = (candidate = open(token));
      try {
        await t.start();
        const answered = new Promise<Record<string, unknown> | Error>(
          (resolve) => (replayAnswered = resolve),
        );
        await t.send({ ...initialize, id: REPLAY_ID });
        const result = await Promise.race([
          answered,
          sleep(30_000).then(() => new Error('no answer to initialize')),
        ]);
        if (result instanceof Error) throw result;
        initializeResult ??= result;
        if (clientInitialized) await t.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
        remote = t;
        sessionId = t.sessionId;
        goodToken = token;
        return;
      } catch (error) {
        await t.close().catch(() => undefined);
        if (error instanceof SdkHttpError && error.status === 401) {
          refused = true;
          continue; // the next source of the token
        }
        throw error;
      } finally {
        candidate = undefined;
      }
    }
    if (refused) throw new AuthRefused('Switchyard refused every token this bridge found');
  };

  /** Connects, retrying forever with capped backoff; says once what it is waiting for. */
  const connect = (): Promise<void> =>
    (connecting ??= (async () => {
      for (let n = 0; !closed; n++) {
        try {
          await attempt();
          if (waitingSaid || n > 0) log(`connected to Switchyard at ${url.href}`);
          waitingSaid = false;
          return;
        } catch (error) {
          if (!waitingSaid) {
            log(
              error instanceof AuthRefused
                ? `Switchyard at ${url.href} refused the token (pass --token, set SWITCHYARD_TOKEN, or --data-dir of \`switchyard serve\`); retrying`
                : `waiting for Switchyard at ${url.href} (${error instanceof Error ? error.message : String(error)}); retrying until it answers`,
            );
            waitingSaid = true;
          }
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, backoffDelay(n, backoff));
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          wake = undefined;
        }
      }
    })().finally(() => (connecting = undefined)));

  /** After a (re)connection the client hears that every list may have changed. */
  const announce = () => {
    if (!clientInitialized) return;
    for (const method of LIST_CHANGED) void toClient({ jsonrpc: '2.0', method });
  };

  function lost(reason: string) {
    if (!remote || closed) return;
    const old = remote;
    remote = undefined;
    void old.close().catch(() => undefined);
    for (const id of pending) void answerError(id, `${reason} while handling this request; try again`);
    pending.clear();
    log(`${reason}; reconnecting`);
    void connect().then(announce);
  }

  const forward = async (message: JSONRPCMessage, retried = false): Promise<void> => {
    const isRequest = 'method' in message && 'id' in message && message.id !== undefined;
    // A reconnection under way (a restart takes well under a second): try now, and let requests
    // wait for it a little.
    if (!remote && connecting && isRequest) {
      wake?.();
      await Promise.race([connecting, sleep(3_000)]);
    }
    if (!remote) {
      if (!isRequest) return; // notifications and answers for a gateway that is gone
      const request = message as JSONRPCRequest;
      if (request.method === 'ping') return void toClient({ jsonrpc: '2.0', id: request.id, result: {} });
      const empty = EMPTY_LISTS[request.method];
      if (empty) return void toClient({ jsonrpc: '2.0', id: request.id, result: empty });
      return void answerError(request.id, offlineReason());
    }
    const target = remote;
    if (isRequest) pending.add((message as JSONRPCRequest).id);
    try {
      await target.send(message);
    } catch (error) {
      if (isRequest) pending.delete((message as JSONRPCRequest).id);
      if (error instanceof SdkHttpError && error.status === 404 && !retried) {
        // The gateway forgot the session (restarted without its database): a new one, then retry.
        sessionId = undefined;
        if (remote === target) lost('Switchyard no longer knew this session');
        await connect();
        return forward(message, true);
      }
      if (isNetworkError(error)) {
        if (remote === target) lost('Switchyard went away');
        if (isRequest)
          await answerError(
            (message as JSONRPCRequest).id,
            'Switchyard is not reachable (restarting?); try again',
          );
        return;
      }
      const status = error instanceof SdkHttpError ? error.status : undefined;
      const reason =
        status === 401 ? 'Switchyard refused the token' : `Switchyard answered HTTP ${status ?? '?'}`;
      // A changed token (Switchyard restarted with another one): connect again with what we find now.
      if (status === 401 && remote === target) lost(reason);
      else log(reason);
      if (isRequest) await answerError((message as JSONRPCRequest).id, reason);
    }
  };

  /** The client's initialize: answered with the gateway's own result, or by us while it is away. */
  const onInitialize = async (request: JSONRPCRequest) => {
    initialize = request;
    const ready = connect();
    const inTime = await Promise.race([ready.then(() => true), sleep(initializeWaitMs).then(() => false)]);
    if (inTime && initializeResult) {
      await toClient({ jsonrpc: '2.0', id: request.id, result: initializeResult });
      return;
    }
    const asked = (request.params as { protocolVersion?: string } | undefined)?.protocolVersion;
    await toClient({
      jsonrpc: '2.0',
      id: request.id,
      result: {
        protocolVersion:
          asked && SUPPORTED_PROTOCOL_VERSIONS.includes(asked) ? asked : LATEST_PROTOCOL_VERSION,
        capabilities: {
          tools: { listChanged: true },
          prompts: { listChanged: true },
          resources: { listChanged: true },
          logging: {},
          completions: {},
        },
        serverInfo: { name: 'switchyard', version: VERSION },
        instructions: offlineReason(),
      },
    });
    void ready.then(announce);
  };

  let done: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  local.onmessage = (message) => {
    if ('method' in message && message.method === 'initialize' && 'id' in message) {
      void onInitialize(message as JSONRPCRequest);
      return;
    }
    if ('method' in message && message.method === 'notifications/initialized') clientInitialized = true;
    void forward(message);
  };
  local.onclose = () => {
    closed = true;
    const last = remote;
    remote = undefined;
    void (
      last
        ? last
            .terminateSession()
            .catch(() => undefined)
            .finally(() => last.close())
        : Promise.resolve()
    )
      .catch(() => undefined)
      .finally(() => done());
  };
  local.onerror = (error) => log(error.message);
  await local.start();
  await finished;
  return 0;
}
