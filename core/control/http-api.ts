// The control API over HTTP under /api (the headless dashboard and `switchyard status` use it),
// generated from the method table (common/control/methods.ts): a request is matched to its method,
// its argument list is read from the path, the JSON body or the query string (common/control/http.ts)
// and validated with the same schema the IPC binding uses. The token, Host and Origin checks happen
// before this handler (gateway/http-server.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ClientStream } from '../gateway/client-stream.js';
import type { ControlApi, ControlEvent } from '../../common/control/api.js';
import { EVENTS_PATH } from '../../common/control/http.js';
import { argsFromHttp, matchHttpRoute } from '../../common/control/http-routes.js';
import { CONTROL_BODY_MAX } from '../../common/control/limits.js';
import { InvalidArgumentsError, invokeControl } from '../../common/control/methods.js';
import { parseControlArgs } from '../../common/control/validate.js';
import { BodyTooLargeError, readBody } from '../gateway/guards.js';
import { ControlError } from './errors.js';

const KEEPALIVE_MS = 25_000;

class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const json = body === undefined ? '{"ok":true}' : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    'content-length': String(Buffer.byteLength(json)),
  });
  res.end(json);
}

/** The request's JSON body ({} when empty); 413 over the limit, 400 when it is not JSON. */
async function jsonBody(req: IncomingMessage): Promise<unknown> {
  let raw: Buffer;
  try {
    raw = await readBody(req, CONTROL_BODY_MAX);
  } catch (error) {
    if (error instanceof BodyTooLargeError)
      throw new ApiError(413, `request body over ${CONTROL_BODY_MAX} bytes`);
    throw error;
  }
  try {
    return raw.length ? (JSON.parse(raw.toString('utf8')) as unknown) : {};
  } catch {
    throw new ApiError(400, 'request body is not JSON');
  }
}

/** `GET /api/events`: the current snapshot at once, then every change. */
function streamEvents(control: ControlApi, req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  // Bounded like every stream to a client: a dashboard that stops reading is cut off (it reconnects
  // and reloads the snapshot), never buffered for.
  const stream = new ClientStream(res, (json) => `data: ${json}\n\n`);
  const write = (event: ControlEvent) => stream.write(event, 'essential');
  let closed = false;
  const unsubscribe = control.subscribe((event) => {
    if (!closed) write(event);
  });
  void control.snapshot().then((snapshot) => {
    if (!closed) write({ type: 'snapshot', snapshot });
  });
  const keepalive = setInterval(() => stream.writeRaw(':\n\n'), KEEPALIVE_MS);
  keepalive.unref();
  req.on('close', () => {
    closed = true;
    clearInterval(keepalive);
    unsubscribe();
  });
}

export function createApiHandler(control: ControlApi) {
  const route = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const path = url.pathname;
    const verb = req.method ?? 'GET';
    if (verb === 'GET' && path === EVENTS_PATH) return streamEvents(control, req, res);
    const match = matchHttpRoute(verb, path);
    if (!match) throw new ApiError(404, `Not found: ${verb} ${path}`);
    const { binding, segments } = match;
    const body = binding.bodyArgs.length > 0 ? await jsonBody(req) : undefined;
    const args = parseControlArgs(binding.method, argsFromHttp(binding, segments, body, url.searchParams));
    return send(res, 200, await invokeControl(control, binding.method, args));
  };
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    try {
      await route(req, res, url);
    } catch (error) {
      if (res.headersSent) return void res.end();
      if (
        error instanceof ApiError ||
        error instanceof ControlError ||
        error instanceof InvalidArgumentsError
      )
        return send(res, error.status, { error: error.message });
      throw error;
    }
  };
}
