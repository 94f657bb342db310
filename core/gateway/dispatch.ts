// What the gateway does with each classified client message in a session: answers lists and ping
// from the advertised view (never re-aggregating), routes calls (aggregate/routes.ts) to the owning
// backend through the session's own link with names mapped back, relays the backend's mid-call
// messages to the client, and writes one audit event per request.
//
// A relayed call allocates a fixed, small set of objects here (the route, one CancelHandle, the
// request options, the audit event) and no closures except a modern client's cancel-on-close.
import type {
  JSONRPCErrorResponse,
  JSONRPCNotification,
  JSONRPCRequest,
  JSONRPCResultResponse,
} from '@modelcontextprotocol/client';
import { route, ROUTED_METHODS, type Routed } from '../aggregate/routes.js';
import type { LinkHandlers } from '../backends/backend-link.js';
import { BackendTimeoutError, errorMessage } from '../backends/errors.js';
import { CancelHandle, CancelledError, relayJson, type RpcResponse } from '../backends/rpc-peer.js';
import { rawResultOf, resultField } from '../backends/raw-response.js';
import type { AuditOutcome } from '../../common/domain/audit.js';
import type { AuditSink } from '../domain/audit.js';
import type { Clock, Logger } from '../domain/runtime.js';
import { mark, msSince } from '../support/stopwatch.js';
import type { AdvertisedSet } from '../domain/advertised.js';
import type { ClientSession, SessionLink } from './client-session.js';
import type { AdvertisedView } from './gateway-view.js';
import type { Era, Inbound } from './inbound.js';
import { listBytes, type ListField } from './list-bytes.js';
import type { Responder } from './responder.js';
import { ErrorCode, errorJson, resultHead, resultJson } from './wire.js';
import { Views, type ServedView } from './views.js';
import { CALL_TOOL, FIND_TOOLS, findArguments, findResult, unwrapCall } from '../profiles/search.js';
import type { Aggregator } from '../aggregate/aggregator.js';
import type { BackendRegistry } from '../backends/registry.js';

export { ErrorCode } from './wire.js';

/** How many input_required rounds the gateway bridges for one legacy call. */
const MAX_INPUT_ROUNDS = 8;
/** A person may be answering (elicitation): wait longer than for a machine. */
const CLIENT_ANSWER_TIMEOUT_MS = 10 * 60_000;

const CLIENT_CAPABILITY_FOR: Record<string, string> = {
  'sampling/createMessage': 'sampling',
  'elicitation/create': 'elicitation',
  'roots/list': 'roots',
};

export interface DispatchOptions {
  /** The advertised set as clients may see it now (empty while the gateway is paused). */
  view: AdvertisedView;
  /** Which view each session reads (its profile's); default: the gateway view for everyone. */
  views?: Views;
  /** Who owned a name that left the set with its backend (down), to say why a call fails. */
  aggregator: Pick<Aggregator, 'ownerOf'>;
  /** To tell a call to a name of a backend that is down why (its state, since when). */
  registry: BackendRegistry;
  clock: Clock;
  logger: Logger;
  audit: AuditSink;
}

const LIST_FIELD = {
  'tools/list': 'tools',
  'prompts/list': 'prompts',
  'resources/list': 'resources',
  'resources/templates/list': 'resourceTemplates',
} as const;
type ListMethod = keyof typeof LIST_FIELD;

/** What a call addresses: the client's params and name, or those call_tool unwrapped. */
interface CallTarget {
  params: Record<string, unknown>;
  target: string | undefined;
}

/** One client request being handled: what its audit event needs, gathered as it goes. */
class Call {
  readonly started: number;
  readonly startMark: number;
  routed: Routed | undefined = undefined;
  /** Why the gateway ended this request while it waited (the client is told), if it did. */
  notice: string | undefined = undefined;

  constructor(
    readonly session: ClientSession,
    readonly inbound: Inbound,
    readonly responder: Responder,
    clock: Clock,
  ) {
    this.started = clock.now();
    this.startMark = mark();
  }
}

export class Dispatcher {
  private readonly views: Views;

  constructor(private readonly options: DispatchOptions) {
    this.views = options.views ?? new Views(options.view);
  }

  /**
   * Handles one request from the client; the answer goes to `responder`. Not async: a promise is
   * returned only while something is awaited (a backend's answer, the startup hold), so what the
   * gateway answers itself costs no promise.
   */
  request(session: ClientSession, inbound: Inbound, responder: Responder): void | Promise<void> {
    const call = new Call(session, inbound, responder, this.options.clock);
    const method = inbound.method;
    const list = LIST_FIELD[method as ListMethod];
    if (list !== undefined) {
      // During the startup hold, lists wait for backends still making their first connection, so
      // the first answer a client gets is complete and its names follow the configured order.
      const hold = this.options.view.settled();
      if (hold) return this.listAfter(call, hold, list);
      const view = this.viewOf(call);
      return view && this.list(call, view.serialized, list);
    }
    if (method === 'ping') {
      // Not audited (keep-alive traffic would drown the trail).
      responder.respond(resultJson(inbound.id, session.era === 'modern' ? { resultType: 'complete' } : {}));
      return;
    }
    if (method === 'logging/setLevel') return this.setLevel(call);
    if (!ROUTED_METHODS.has(method))
      return this.refuse(call, ErrorCode.MethodNotFound, `Method not found: ${method}`);

    const view = this.viewOf(call);
    if (!view) return;
    let request: CallTarget = { params: inbound.params, target: inbound.target };
    if (method === 'tools/call' && view.search) {
      // Search mode: the profile lists find_tools and call_tool; the gateway answers the first and
      // unwraps the second into a call of the tool it names (audited under that tool).
      if (inbound.target === FIND_TOOLS) return this.findTools(call, view);
      if (inbound.target === CALL_TOOL) {
        const unwrapped = unwrapCall(view, inbound.params);
        if ('error' in unwrapped) return this.toolError(call, unwrapped.error);
        request = unwrapped;
      }
    }
    const routed = route(view, method, request.params, request.target);
    if ('error' in routed && routed.name !== undefined) {
      // An unknown name may belong to a backend still on its first connection (a client that
      // kept its session across a restart calls straight away): wait for it once, then look again.
      const wait = this.options.view.settled();
      if (wait) return this.routeAfter(call, wait, request);
    }
    return this.routed(call, request, routed);
  }

  /** A list asked for during the startup hold: answered once it is over. */
  private async listAfter(call: Call, hold: Promise<void>, list: ListField): Promise<void> {
    if (!(await this.waitOut(call, hold))) return this.dropped(call);
    const view = this.viewOf(call);
    return view && this.list(call, view.serialized, list);
  }

  /** A name not (yet) advertised during the startup hold: looked up again once it is over. */
  private async routeAfter(call: Call, hold: Promise<void>, request: CallTarget): Promise<void> {
    if (!(await this.waitOut(call, hold))) return this.dropped(call);
    const view = this.viewOf(call);
    if (!view) return;
    return this.routed(call, request, route(view, call.inbound.method, request.params, request.target));
  }

  /** A routed request is forwarded; an unroutable one is answered with why. */
  private routed(call: Call, request: CallTarget, routed: ReturnType<typeof route>): void | Promise<void> {
    const { session, inbound, responder } = call;
    const method = inbound.method;
    if ('error' in routed && request.target !== inbound.target) {
      // call_tool names a tool this profile cannot reach: say so in a result the model can read.
      return this.toolError(call, `${routed.error.message}. Use find_tools to see what exists.`);
    }
    if ('error' in routed) {
      if (routed.held) {
        // Tool integrity: a held tool's call is refused and audited as denied, under its backend.
        const { backend, originalName } = routed.held;
        call.routed = { backend, name: routed.name ?? originalName, originalName, params: inbound.params };
        const { code, message, data } = routed.error;
        const bytes = responder.respond(errorJson(inbound.id, code, message, data));
        return this.audit(call, 'denied', bytes, code, message);
      }
      const down = routed.name !== undefined ? this.downOwner(method, routed.name) : undefined;
      if (down) {
        const bytes = call.responder.respond(this.failure(call, down, false));
        return this.audit(call, 'backend_down', bytes, undefined, down);
      }
      return this.refuse(call, routed.error.code, routed.error.message, routed.error.data);
    }
    call.routed = routed;
    if (method === 'resources/subscribe') session.subscribe(routed.name);
    else if (method === 'resources/unsubscribe') session.unsubscribe(routed.name);
    return this.forward(call, routed);
  }

  /** The link handlers for a session's backend links: backend messages come back here, typed. */
  handlersFor(session: ClientSession): LinkHandlers<Responder> {
    return {
      onRequest: (link, request, tag) => this.backendRequest(session, link, request, tag),
      onNotification: (link, notification, tag) => this.backendNotification(session, link, notification, tag),
    };
  }

  /**
   * Waits out the startup hold for one request, cancellable like a forwarded one: false when the
   * client cancelled it, closed its stream, or its session ended.
   */
  private async waitOut(call: Call, hold: Promise<void>): Promise<boolean> {
    const id = call.inbound.id!;
    const handle = new CancelHandle();
    call.session.begin(id, handle, false);
    try {
      await hold;
    } finally {
      call.session.finish(id, handle);
    }
    if (handle.notice) call.notice = handle.notice;
    return !handle.cancelled && !call.session.isClosed && call.responder.isOpen;
  }

  /**
   * A request given up while it waited: no response when the client cancelled it; an error saying
   * why when the gateway ended it (the session went away or the gateway was paused).
   */
  private dropped(call: Call): void {
    if (call.notice) return this.ended(call, call.notice);
    call.responder.accept();
    this.audit(call, 'cancelled', 0);
  }

  /**
   * The view the call's session reads (its profile's). A profile removed from the config while a
   * session was on it: the request is refused (and undefined returned).
   */
  private viewOf(call: Call): ServedView | undefined {
    const view = this.views.of(call.session.profile);
    if (!view) {
      const message = `Profile "${call.session.profile}" is no longer configured in Switchyard`;
      this.refuse(call, ErrorCode.InvalidRequest, message);
    }
    return view;
  }

  /** The gateway ended a request the client still waits for: it gets an error, never an empty 202. */
  private ended(call: Call, notice: string): void {
    const bytes = call.responder.respond(errorJson(call.inbound.id, ErrorCode.InternalError, notice));
    this.audit(call, 'cancelled', bytes, ErrorCode.InternalError, notice);
  }

  private list(call: Call, serialized: AdvertisedSet['serialized'], field: ListField): void {
    // The list's bytes are encoded once per set (list-bytes.ts); only the envelope's head is per request.
    const body = listBytes(serialized, field, call.session.era === 'modern');
    this.views.served(call.session.profile);
    this.audit(call, 'ok', call.responder.respondParts(resultHead(call.inbound.id!), body, '}'));
  }

  /** find_tools: ranked matches from the profile's index, answered by the gateway itself. */
  private findTools(call: Call, view: ServedView): void {
    const args = findArguments(call.inbound.params.arguments);
    if ('error' in args) return this.toolError(call, args.error);
    const result = findResult(view.index?.find(args.query, args.limit) ?? [], args.query);
    if (call.session.era === 'modern') result.resultType = 'complete';
    this.audit(call, 'ok', call.responder.respond(resultJson(call.inbound.id, result)));
  }

  /** A tool result with isError: the model reads the reason and can act on it. */
  private toolError(call: Call, message: string): void {
    const result: Record<string, unknown> = { content: [{ type: 'text', text: message }], isError: true };
    if (call.session.era === 'modern') result.resultType = 'complete';
    const bytes = call.responder.respond(resultJson(call.inbound.id, result));
    this.audit(call, 'tool_error', bytes, undefined, message);
  }

  private refuse(call: Call, code: number, message: string, data?: unknown): void {
    const bytes = call.responder.respond(errorJson(call.inbound.id, code, message, data));
    this.audit(call, 'protocol_error', bytes, code, message);
  }

  private async forward(call: Call, routed: Routed): Promise<void> {
    const { session, inbound, responder } = call;
    const link = session.link(routed.backend);
    if (!link) {
      const bytes = responder.respond(
        this.failure(call, `backend "${routed.backend}" is not registered`, false),
      );
      return this.audit(call, 'backend_down', bytes, undefined, 'not registered');
    }
    const id = inbound.id!;
    const handle = new CancelHandle();
    session.begin(id, handle, true);
    // Modern clients cancel by closing the request's stream; legacy clients send notifications/cancelled.
    if (session.era === 'modern') responder.onClose(() => handle.cancel('the client closed the stream'));
    const timeoutMs = link.connection.spec.timeoutMs;
    const options = { timeoutMs, cancel: handle, tag: responder };
    try {
      let response = await link.request(inbound.method, routed.params, options);
      // A modern backend asks for input by returning input_required (MRTR). A legacy client only
      // understands server-initiated requests, so the gateway asks it those and retries for it.
      for (let round = 0; session.era === 'legacy' && isInputRequired(response); round++) {
        const retry =
          round < MAX_INPUT_ROUNDS ? await this.gatherInput(call, response, routed.params) : undefined;
        if (!retry || 'error' in retry) {
          const why = retry ? `: ${retry.error}` : '';
          const message = `backend "${routed.backend}" needs input the client did not give${why}`;
          const bytes = responder.respond(this.failure(call, message, false));
          return this.audit(call, 'protocol_error', bytes, undefined, 'input_required not satisfied');
        }
        response = await link.request(inbound.method, retry.params, options);
      }
      const bytes = relayResponse(responder, inbound.id!, response, session.era, inbound.method);
      if ('error' in response) {
        this.audit(call, 'protocol_error', bytes, response.error.code, response.error.message, response);
      } else {
        const toolError = resultField(response, 'isError') === true;
        this.audit(call, toolError ? 'tool_error' : 'ok', bytes, undefined, undefined, response);
      }
    } catch (error) {
      if (error instanceof CancelledError) {
        if (handle.notice) return this.ended(call, handle.notice);
        responder.accept(); // a request the client cancelled gets no response
        return this.audit(call, 'cancelled', 0);
      }
      const timedOut = error instanceof BackendTimeoutError;
      const message = timedOut
        ? `backend "${routed.backend}" did not answer within ${timeoutMs} ms`
        : `backend "${routed.backend}" is unavailable: ${errorMessage(error)}`;
      const bytes = responder.respond(this.failure(call, message, timedOut));
      this.audit(call, timedOut ? 'timeout' : 'backend_down', bytes, undefined, message);
    } finally {
      session.finish(id, handle);
    }
  }

  /** Asks the client each of a backend's input requests; the params for the retry, or why not. */
  private async gatherInput(
    call: Call,
    response: RpcResponse,
    original: Record<string, unknown>,
  ): Promise<{ params: Record<string, unknown> } | { error: string }> {
    const result = (response as JSONRPCResultResponse).result as {
      inputRequests?: Record<string, { method: string; params?: Record<string, unknown> }>;
      requestState?: string;
    };
    const inputResponses: Record<string, unknown> = {};
    for (const [key, input] of Object.entries(result.inputRequests ?? {})) {
      const capability = CLIENT_CAPABILITY_FOR[input.method];
      if (capability && !call.session.identity.capabilities[capability]) {
        return { error: `the client does not support ${input.method}` };
      }
      const answer = await call.session.ask(
        input.method,
        input.params,
        call.responder,
        CLIENT_ANSWER_TIMEOUT_MS,
      );
      if ('error' in answer) return { error: answer.error.message };
      inputResponses[key] = answer.result;
    }
    const { inputResponses: _previous, requestState: _state, ...rest } = original;
    return {
      params: {
        ...rest,
        ...(Object.keys(inputResponses).length > 0 ? { inputResponses } : {}),
        ...(result.requestState !== undefined ? { requestState: result.requestState } : {}),
      },
    };
  }

  /**
   * A failed call: a tool call gets a tool error result the model can read and act on; other
   * methods get a JSON-RPC error.
   */
  /**
   * Why a tool or prompt name that is not advertised right now cannot be called, when it belongs
   * (by its pin) to a backend that is down: the name stays routed to that answer while it is down.
   */
  private downOwner(method: string, name: string): string | undefined {
    const kind = method === 'tools/call' ? 'tool' : method === 'prompts/get' ? 'prompt' : undefined;
    if (!kind) return undefined;
    const backend = this.options.aggregator.ownerOf(kind, name);
    const connection = backend !== undefined ? this.options.registry.get(backend) : undefined;
    if (!connection || connection.isUsable) return undefined;
    const status = connection.status;
    // While it retries, the backend is "connecting"; it has been down since its last failure.
    const since = new Date(status.lastError?.at ?? status.since).toISOString();
    const state =
      status.state === 'connecting'
        ? 'down (reconnecting)'
        : status.state === 'disabled'
          ? 'disabled'
          : 'down';
    const why = status.lastError ? `: ${status.lastError.message}` : '';
    return `backend "${backend}" is ${state} since ${since}${why}`;
  }

  private failure(call: Call, message: string, timedOut: boolean): string {
    const { inbound, session } = call;
    if (inbound.method === 'tools/call') {
      const content = [{ type: 'text', text: `Switchyard: ${message}.` }];
      return resultJson(
        inbound.id,
        session.era === 'modern'
          ? { content, isError: true, resultType: 'complete' }
          : { content, isError: true },
      );
    }
    return errorJson(inbound.id, timedOut ? ErrorCode.RequestTimeout : ErrorCode.InternalError, message);
  }

  private async setLevel(call: Call): Promise<void> {
    const level = call.inbound.params.level;
    if (typeof level !== 'string') {
      call.responder.respond(
        errorJson(call.inbound.id, ErrorCode.InvalidParams, 'logging/setLevel needs a "level"'),
      );
      return;
    }
    const set = this.views.of(call.session.profile) ?? this.options.view.current;
    await Promise.all(
      call.session.setLogLevel(level).map(async (link) => {
        if (!set.backendCapabilities.get(link.backend)?.logging) return;
        await link
          .request('logging/setLevel', { level }, { timeoutMs: link.connection.spec.timeoutMs })
          .catch((error: unknown) =>
            this.options.logger.debug('setLevel failed', {
              backend: link.backend,
              error: errorMessage(error),
            }),
          );
      }),
    );
    call.responder.respond(resultJson(call.inbound.id, {})); // not audited, like ping
  }

  /** A notification from the client. */
  notification(session: ClientSession, inbound: Inbound): void {
    const params = inbound.params;
    switch (inbound.method) {
      case 'notifications/cancelled': {
        const requestId = params.requestId as string | number | undefined;
        if (requestId !== undefined)
          session.cancel(requestId, String(params.reason ?? 'cancelled by the client'));
        return;
      }
      case 'notifications/roots/list_changed':
        session.notifyLinks(inbound.method, params);
        return;
      default:
        return; // notifications/initialized and anything else: nothing to do
    }
  }

  /** The client's answer to a request a backend (or the gateway) sent it. */
  clientResponse(session: ClientSession, inbound: Inbound): void {
    session.answer(inbound.message as JSONRPCResultResponse | JSONRPCErrorResponse);
  }

  /** A backend asks the client something: forward it to the session that caused it, with our own id. */
  private backendRequest(
    session: ClientSession,
    link: SessionLink,
    request: JSONRPCRequest,
    tag: Responder | undefined,
  ): void {
    const reply = (
      response: { result: Record<string, unknown> } | { error: { code: number; message: string } },
    ) =>
      void link
        .respond({ jsonrpc: '2.0', id: request.id, ...response } as RpcResponse)
        .catch(() => undefined);
    if (request.method === 'ping') return reply({ result: {} });
    const capability = CLIENT_CAPABILITY_FOR[request.method];
    if (capability && !session.identity.capabilities[capability]) {
      return reply({
        error: { code: ErrorCode.MethodNotFound, message: `the client does not support ${request.method}` },
      });
    }
    if (!session.forwardRequest(link, request.id, request, tag)) {
      reply({
        error: {
          code: ErrorCode.InternalError,
          message: 'the client has no open stream to receive this request',
        },
      });
    }
  }

  /** A notification from a backend link: relayed to the client session that owns the link. */
  private backendNotification(
    session: ClientSession,
    link: SessionLink,
    notification: JSONRPCNotification,
    tag: Responder | undefined,
  ): void {
    const method = notification.method;
    if (method.endsWith('/list_changed')) {
      link.connection.refresh(); // the aggregator tells every session once the catalog is re-listed
      return;
    }
    if (method === 'notifications/cancelled') {
      const upstreamId = (notification.params as { requestId?: unknown } | undefined)?.requestId;
      return session.forwardCancelled(link, upstreamId, notification);
    }
    if (method === 'notifications/resources/updated') {
      const uri = (notification.params as { uri?: unknown } | undefined)?.uri;
      if (typeof uri === 'string' && !session.isSubscribed(uri)) return;
    }
    session.deliver(notification, tag);
  }

  /** The request's audit event: one object of one shape, built once. */
  private audit(
    call: Call,
    outcome: AuditOutcome,
    responseBytes: number,
    errorCode?: number,
    errorMessage?: string,
    response?: RpcResponse,
  ): void {
    const { session, inbound, routed } = call;
    const sink = this.options.audit;
    const payloads = sink.wantsPayloads && response !== undefined;
    sink.record({
      time: call.started,
      sessionId: session.id,
      clientName: session.identity.clientInfo.name,
      clientVersion: session.identity.clientInfo.version,
      era: session.era,
      method: inbound.method,
      name: routed?.name ?? inbound.target,
      backend: routed?.backend,
      originalName: routed?.originalName,
      durationMs: msSince(call.startMark),
      outcome,
      errorCode,
      errorMessage,
      requestBytes: inbound.bytes,
      responseBytes,
      requestPayload: payloads ? inbound.params : undefined,
      responsePayload: payloads ? responsePayload(response) : undefined,
    });
  }
}

function isInputRequired(response: RpcResponse): boolean {
  return 'result' in response && resultField(response, 'resultType') === 'input_required';
}

/** What the audit trail gets of a response: a result relayed as bytes is not parsed for it. */
function responsePayload(response: RpcResponse): unknown {
  if ('error' in response) return response.error;
  const raw = rawResultOf(response);
  if (raw) return `[a result of ${raw.result[1] - raw.result[0]} bytes, relayed as bytes: not recorded]`;
  return response.result;
}

/**
 * Sends the backend's response under the client's id; returns its bytes. A modern client requires
 * resultType (a legacy backend's result means "complete"), and on a cacheable result
 * (resources/read) ttlMs and cacheScope: a legacy backend gave no cache hint, so nothing may be
 * cached, and only for this client. A result skimmed as bytes (raw-response.ts) is written as
 * those bytes inside a new envelope, the missing fields spliced in front of its members.
 */
function relayResponse(
  responder: Responder,
  id: string | number,
  response: RpcResponse,
  era: Era,
  method: string,
): number {
  let missing: Record<string, unknown> | undefined;
  if (era === 'modern' && 'result' in response) {
    const resultType = resultField(response, 'resultType');
    const uncached = method === 'resources/read' && resultType !== 'input_required';
    if (resultType === undefined) (missing ??= {}).resultType = 'complete';
    if (uncached && resultField(response, 'ttlMs') === undefined) (missing ??= {}).ttlMs = 0;
    if (uncached && resultField(response, 'cacheScope') === undefined)
      (missing ??= {}).cacheScope = 'private';
  }
  const raw = rawResultOf(response);
  if (raw) {
    const [start, end] = raw.result;
    if (!missing) return responder.respondParts(resultHead(id), raw.bytes.subarray(start, end), '}');
    const spliced = JSON.stringify(missing).slice(1, -1);
    const separator = raw.fields.size > 0 ? ',' : '';
    // The result's bytes after its opening brace: `{` + the added members + its own members.
    return responder.respondParts(
      `${resultHead(id)}{${spliced}${separator}`,
      raw.bytes.subarray(start + 1, end),
      '}',
    );
  }
  if (missing) {
    const result = (response as JSONRPCResultResponse).result;
    return responder.respond(resultJson(id, { ...result, ...missing }));
  }
  return responder.respond(relayJson(response, id));
}
