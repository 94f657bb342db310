// What the gateway does with each client message in a session: answers lists and ping from the
// advertised set (never re-aggregating), routes calls to the owning backend through the session's
// own link with names mapped back, and relays the backend's mid-call messages to the client.
import type {
  JSONRPCErrorResponse,
  JSONRPCNotification,
  JSONRPCRequest,
  JSONRPCResultResponse,
  RequestId,
} from '@modelcontextprotocol/client';
import type { Aggregator } from '../aggregate/aggregator.js';
import { resourceOwner } from '../aggregate/build.js';
import type { BackendLink } from '../backends/backend-link.js';
import { BackendTimeoutError, errorMessage } from '../backends/errors.js';
import { CancelledError, relayJson, type CancelHandle, type RpcResponse } from '../backends/rpc-peer.js';
import type { AuditEvent, AuditOutcome } from '../../common/domain/audit.js';
import type { AuditSink } from '../domain/audit.js';
import type { Clock, Logger } from '../domain/runtime.js';
import { mark, msSince } from '../support/stopwatch.js';
import type { ClientSession } from './client-session.js';
import { errorJson, resultJson } from './exchange.js';
import type { Responder } from './responder.js';

/** JSON-RPC error codes the gateway answers with. */
export const ErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  /** SDK convention for a request that timed out. */
  RequestTimeout: -32001,
  /** Legacy-era "resource not found". */
  ResourceNotFound: -32002,
} as const;

const MODERN_LIST_FIELDS = '"resultType":"complete","ttlMs":0,"cacheScope":"private"';

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
  aggregator: Aggregator;
  clock: Clock;
  logger: Logger;
  audit: AuditSink;
}

interface Target {
  backend: string;
  params: Record<string, unknown>;
  /** Advertised name (tool, prompt) or URI, for audit and messages. */
  name?: string;
  originalName?: string;
}

const LIST_METHODS = new Set(['tools/list', 'prompts/list', 'resources/list', 'resources/templates/list']);

export class Dispatcher {
  constructor(private readonly options: DispatchOptions) {}

  /** Handles one request from the client; the answer goes to `responder`. */
  async request(
    session: ClientSession,
    request: JSONRPCRequest,
    responder: Responder,
    requestBytes: number,
  ): Promise<void> {
    const started = this.options.clock.now();
    const startMark = mark();
    const id = request.id;
    const audit = (event: Partial<AuditEvent> & { outcome: AuditOutcome; responseBytes?: number }) =>
      this.record(session, request.method, started, startMark, requestBytes, event);
    // During the startup hold, lists wait for backends still making their first connection, so
    // the first answer a client gets is complete and its names follow the configured order.
    const hold = LIST_METHODS.has(request.method) ? this.options.aggregator.settled() : undefined;
    if (hold && !(await this.waitOut(session, id, responder, hold))) return this.dropped(responder, audit);
    const set = this.options.aggregator.current;

    switch (request.method) {
      case 'ping':
        return responder.respond(resultJson(id, session.era === 'modern' ? { resultType: 'complete' } : {}));
      case 'tools/list':
        return this.list(session, responder, id, set.serialized.tools, audit);
      case 'prompts/list':
        return this.list(session, responder, id, set.serialized.prompts, audit);
      case 'resources/list':
        return this.list(session, responder, id, set.serialized.resources, audit);
      case 'resources/templates/list':
        return this.list(session, responder, id, set.serialized.resourceTemplates, audit);
      case 'logging/setLevel':
        return this.setLevel(session, request, responder);
      default:
        break;
    }

    let target = this.target(session, request);
    if ('error' in target && target.name !== undefined) {
      // An unknown name may belong to a backend still on its first connection (a client that
      // kept its session across a restart calls straight away): wait for it once, then look again.
      const wait = this.options.aggregator.settled();
      if (wait) {
        if (!(await this.waitOut(session, id, responder, wait)))
          return this.dropped(responder, audit, target.name);
        target = this.target(session, request);
      }
    }
    if ('error' in target) {
      const json = errorJson(id, target.error.code, target.error.message, target.error.data);
      responder.respond(json);
      return audit({
        outcome: 'protocol_error',
        errorCode: target.error.code,
        errorMessage: target.error.message,
        responseBytes: json.length,
        ...(target.name ? { name: target.name } : {}),
      });
    }
    if (request.method === 'resources/subscribe') session.subscriptions.add(String(target.params.uri));
    if (request.method === 'resources/unsubscribe') session.subscriptions.delete(String(target.params.uri));
    await this.forward(session, request, responder, target, audit);
  }

  /**
   * Waits out the startup hold for one request, cancellable like a forwarded one: false when the
   * client cancelled it, closed its stream, or its session ended (or the gateway was turned off).
   */
  private async waitOut(
    session: ClientSession,
    id: RequestId,
    responder: Responder,
    hold: Promise<void>,
  ): Promise<boolean> {
    let wanted = true;
    const handle: CancelHandle = { cancel: () => (wanted = false) };
    session.inflight.set(id, handle);
    try {
      await hold;
    } finally {
      if (session.inflight.get(id) === handle) session.inflight.delete(id);
    }
    return wanted && !session.isClosed && responder.isOpen;
  }

  /** A request given up while it waited: no response (as for a cancelled call), on the record. */
  private dropped(
    responder: Responder,
    audit: (e: { outcome: AuditOutcome; responseBytes?: number; name?: string }) => void,
    name?: string,
  ): void {
    responder.accept();
    audit({ outcome: 'cancelled', responseBytes: 0, ...(name !== undefined ? { name } : {}) });
  }

  private list(
    session: ClientSession,
    responder: Responder,
    id: string | number,
    serialized: string,
    audit: (e: { outcome: AuditOutcome; responseBytes?: number }) => void,
  ): void {
    // Modern results carry resultType and cache hints; lists change live, so nothing is cacheable.
    const result =
      session.era === 'modern' ? `${serialized.slice(0, -1)},${MODERN_LIST_FIELDS}}` : serialized;
    const json = resultJson(id, result);
    this.options.aggregator.served();
    responder.respond(json);
    audit({ outcome: 'ok', responseBytes: json.length });
  }

  /** Which backend serves a request, with its params rewritten to the backend's own names. */
  private target(
    session: ClientSession,
    request: JSONRPCRequest,
  ): Target | (JSONRPCErrorResponse & { name?: string }) {
    const set = this.options.aggregator.current;
    const params = (request.params ?? {}) as Record<string, unknown>;
    const fail = (code: number, message: string, data?: unknown) => ({
      jsonrpc: '2.0' as const,
      id: request.id,
      error: { code, message, ...(data !== undefined ? { data } : {}) },
    });
    switch (request.method) {
      case 'tools/call':
      case 'prompts/get': {
        const name = params.name;
        if (typeof name !== 'string')
          return fail(ErrorCode.InvalidParams, `${request.method} needs a "name"`);
        const route = (request.method === 'tools/call' ? set.toolRoutes : set.promptRoutes).get(name);
        if (!route) {
          const kind = request.method === 'tools/call' ? 'tool' : 'prompt';
          return { ...fail(ErrorCode.InvalidParams, `Unknown ${kind}: ${name}`), name };
        }
        return {
          backend: route.backend,
          name,
          originalName: route.originalName,
          params: route.originalName === name ? params : { ...params, name: route.originalName },
        };
      }
      case 'resources/read':
      case 'resources/subscribe':
      case 'resources/unsubscribe': {
        const uri = params.uri;
        if (typeof uri !== 'string') return fail(ErrorCode.InvalidParams, `${request.method} needs a "uri"`);
        const backend = resourceOwner(set, uri);
        if (!backend)
          return { ...fail(ErrorCode.ResourceNotFound, `Resource not found: ${uri}`, { uri }), name: uri };
        if (request.method !== 'resources/read') {
          const caps = set.backendCapabilities.get(backend)?.resources as { subscribe?: boolean } | undefined;
          if (!caps?.subscribe)
            return fail(
              ErrorCode.MethodNotFound,
              `Backend "${backend}" does not support resource subscriptions`,
            );
        }
        return { backend, name: uri, originalName: uri, params };
      }
      case 'completion/complete': {
        const ref = params.ref as { type?: string; name?: string; uri?: string } | undefined;
        if (ref?.type === 'ref/prompt' && typeof ref.name === 'string') {
          const route = set.promptRoutes.get(ref.name);
          if (!route)
            return { ...fail(ErrorCode.InvalidParams, `Unknown prompt: ${ref.name}`), name: ref.name };
          return {
            backend: route.backend,
            name: ref.name,
            originalName: route.originalName,
            params: { ...params, ref: { ...ref, name: route.originalName } },
          };
        }
        if (ref?.type === 'ref/resource' && typeof ref.uri === 'string') {
          const backend =
            set.templateRoutes.find((t) => t.uriTemplate === ref.uri)?.backend ?? resourceOwner(set, ref.uri);
          if (!backend)
            return { ...fail(ErrorCode.InvalidParams, `Unknown resource: ${ref.uri}`), name: ref.uri };
          return { backend, name: ref.uri, originalName: ref.uri, params };
        }
        return fail(ErrorCode.InvalidParams, 'completion/complete needs a ref/prompt or ref/resource');
      }
      default:
        void session;
        return fail(ErrorCode.MethodNotFound, `Method not found: ${request.method}`);
    }
  }

  private async forward(
    session: ClientSession,
    request: JSONRPCRequest,
    responder: Responder,
    target: Target,
    audit: (e: Partial<AuditEvent> & { outcome: AuditOutcome; responseBytes?: number }) => void,
  ): Promise<void> {
    const id = request.id;
    const base = {
      backend: target.backend,
      ...(target.name !== undefined ? { name: target.name } : {}),
      ...(target.originalName !== undefined ? { originalName: target.originalName } : {}),
    };
    const link = session.link(target.backend);
    if (!link) {
      const json = this.failure(session, request, `backend "${target.backend}" is not registered`);
      responder.respond(json);
      return audit({
        ...base,
        outcome: 'backend_down',
        errorMessage: 'not registered',
        responseBytes: json.length,
      });
    }
    const handle: CancelHandle = {};
    session.inflight.set(id, handle);
    // Modern clients cancel by closing the request's stream; legacy clients send notifications/cancelled.
    if (session.era === 'modern') responder.onClose(() => handle.cancel?.('the client closed the stream'));
    session.calls++;
    try {
      const send = (params: Record<string, unknown>) =>
        link.request(request.method, params, {
          timeoutMs: link.connection.spec.timeoutMs,
          cancel: handle,
          tag: responder,
        });
      let response = await send(target.params);
      // A modern backend asks for input by returning input_required (MRTR). A legacy client only
      // understands server-initiated requests, so the gateway asks it those and retries for it.
      for (let round = 0; session.era === 'legacy' && isInputRequired(response); round++) {
        const retry =
          round < MAX_INPUT_ROUNDS
            ? await this.gatherInput(session, responder, response, target.params)
            : undefined;
        if (!retry || 'error' in retry) {
          const json = this.failure(
            session,
            request,
            `backend "${target.backend}" needs input the client did not give${retry ? `: ${retry.error}` : ''}`,
          );
          responder.respond(json);
          return audit({
            ...base,
            outcome: 'protocol_error',
            errorMessage: 'input_required not satisfied',
            responseBytes: json.length,
          });
        }
        response = await send(retry.params);
      }
      const answer: RpcResponse = response;
      const json = responseJson(id, answer, session.era);
      responder.respond(json);
      const isError = 'error' in answer;
      const toolError = !isError && (answer.result as { isError?: unknown }).isError === true;
      audit({
        ...base,
        outcome: isError ? 'protocol_error' : toolError ? 'tool_error' : 'ok',
        responseBytes: json.length,
        ...(isError ? { errorCode: answer.error.code, errorMessage: answer.error.message } : {}),
        ...(this.options.audit.wantsPayloads
          ? { requestPayload: request.params, responsePayload: isError ? answer.error : answer.result }
          : {}),
      });
    } catch (error) {
      if (error instanceof CancelledError) {
        responder.accept(); // a cancelled request gets no response
        return audit({ ...base, outcome: 'cancelled', responseBytes: 0 });
      }
      const timedOut = error instanceof BackendTimeoutError;
      const message = timedOut
        ? `backend "${target.backend}" did not answer within ${link.connection.spec.timeoutMs} ms`
        : `backend "${target.backend}" is unavailable: ${errorMessage(error)}`;
      const json = this.failure(session, request, message, timedOut);
      responder.respond(json);
      audit({
        ...base,
        outcome: timedOut ? 'timeout' : 'backend_down',
        errorMessage: message,
        responseBytes: json.length,
      });
    } finally {
      session.inflight.delete(id);
    }
  }

  /** Asks the client each of a backend's input requests; the params for the retry, or why not. */
  private async gatherInput(
    session: ClientSession,
    responder: Responder,
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
      if (capability && !session.identity.capabilities[capability]) {
        return { error: `the client does not support ${input.method}` };
      }
      const answer = await session.ask(input.method, input.params, responder, CLIENT_ANSWER_TIMEOUT_MS);
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
  private failure(
    session: ClientSession,
    request: JSONRPCRequest,
    message: string,
    timedOut = false,
  ): string {
    if (request.method === 'tools/call') {
      return resultJson(request.id, {
        content: [{ type: 'text', text: `Switchyard: ${message}.` }],
        isError: true,
        ...(session.era === 'modern' ? { resultType: 'complete' } : {}),
      });
    }
    return errorJson(request.id, timedOut ? ErrorCode.RequestTimeout : ErrorCode.InternalError, message);
  }

  private async setLevel(
    session: ClientSession,
    request: JSONRPCRequest,
    responder: Responder,
  ): Promise<void> {
    const level = (request.params as { level?: unknown } | undefined)?.level;
    if (typeof level !== 'string') {
      return responder.respond(
        errorJson(request.id, ErrorCode.InvalidParams, 'logging/setLevel needs a "level"'),
      );
    }
    session.logLevel = level;
    const set = this.options.aggregator.current;
    await Promise.all(
      [...session.links.values()].map(async (link) => {
        link.logLevel = level;
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
    responder.respond(resultJson(request.id, {}));
  }

  /** A notification from the client. */
  notification(session: ClientSession, notification: JSONRPCNotification): void {
    const params = (notification.params ?? {}) as Record<string, unknown>;
    switch (notification.method) {
      case 'notifications/initialized':
        session.initialized = true;
        return;
      case 'notifications/cancelled': {
        const requestId = params.requestId as string | number | undefined;
        if (requestId !== undefined)
          session.inflight.get(requestId)?.cancel?.(String(params.reason ?? 'cancelled by the client'));
        return;
      }
      case 'notifications/roots/list_changed':
        for (const link of session.links.values())
          void link.notify(notification.method, params).catch(() => undefined);
        return;
      default:
        return;
    }
  }

  /** The client's answer to a request a backend sent it. */
  clientResponse(session: ClientSession, response: JSONRPCResultResponse | JSONRPCErrorResponse): void {
    const id = response.id;
    if (id === undefined || id === null) return;
    const outgoing = session.outgoing.get(id);
    if (!outgoing) return;
    session.outgoing.delete(id);
    if ('resolve' in outgoing) {
      clearTimeout(outgoing.timer);
      outgoing.resolve(response);
      return;
    }
    void outgoing.link
      .respond({ ...response, id: outgoing.upstreamId } as RpcResponse)
      .catch(() => undefined);
  }

  /** A backend asks the client something: forward it to the session that caused it, with our own id. */
  backendRequest(session: ClientSession, link: BackendLink, request: JSONRPCRequest, tag: unknown): void {
    const reply = (response: Omit<RpcResponse, 'jsonrpc' | 'id'>) =>
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
    const id = session.trackOutgoing(link, request.id);
    const delivered = session.deliver({ ...request, id }, asResponder(tag));
    if (!delivered) {
      session.outgoing.delete(id);
      reply({
        error: {
          code: ErrorCode.InternalError,
          message: 'the client has no open stream to receive this request',
        },
      });
    }
  }

  /** A notification from a backend link: relayed to the client session that owns the link. */
  backendNotification(
    session: ClientSession,
    link: BackendLink,
    notification: JSONRPCNotification,
    tag: unknown,
  ): void {
    const method = notification.method;
    if (method.endsWith('/list_changed')) {
      link.connection.refresh(); // the aggregator tells every session once the catalog is re-listed
      return;
    }
    if (method === 'notifications/cancelled') {
      const upstreamId = (notification.params as { requestId?: unknown } | undefined)?.requestId;
      for (const [id, outgoing] of session.outgoing) {
        if ('link' in outgoing && outgoing.link === link && outgoing.upstreamId === upstreamId) {
          session.outgoing.delete(id);
          session.deliver({ ...notification, params: { ...notification.params, requestId: id } });
        }
      }
      return;
    }
    if (method === 'notifications/resources/updated') {
      const uri = (notification.params as { uri?: unknown } | undefined)?.uri;
      if (typeof uri === 'string' && !session.subscriptions.has(uri)) return;
    }
    session.deliver(notification, asResponder(tag));
  }

  private record(
    session: ClientSession | undefined,
    method: string,
    started: number,
    startMark: number,
    requestBytes: number,
    event: Partial<AuditEvent> & { outcome: AuditOutcome; responseBytes?: number },
  ): void {
    this.options.audit.record({
      time: started,
      method,
      durationMs: msSince(startMark),
      requestBytes,
      responseBytes: 0,
      era: session?.era ?? 'legacy',
      ...(session
        ? {
            sessionId: session.id,
            clientName: session.identity.clientInfo.name,
            clientVersion: session.identity.clientInfo.version,
          }
        : {}),
      ...event,
    });
  }
}

function isInputRequired(response: RpcResponse): boolean {
  return (
    'result' in response && (response.result as { resultType?: unknown }).resultType === 'input_required'
  );
}

/** A link's request tag is the responder of the client request that caused the backend's message. */
function asResponder(tag: unknown): Responder | undefined {
  return tag && typeof (tag as Responder).send === 'function' ? (tag as Responder) : undefined;
}

function responseJson(id: string | number, response: RpcResponse, era: 'legacy' | 'modern'): string {
  if ('result' in response && era === 'modern') {
    // A modern client requires resultType; a legacy backend's result means "complete".
    const result = response.result as Record<string, unknown>;
    if (result.resultType === undefined) return resultJson(id, { ...result, resultType: 'complete' });
  }
  return relayJson(response, id);
}
