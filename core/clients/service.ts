// The clients as the dashboard sees them: each known client with its installed / connected state,
// the profile its entry uses and when it was last seen (from the sessions' clientInfo), and
// connect / disconnect with this engine's own endpoint, token and bridge command.
import {
  CLIENTS,
  clientSpec,
  DEFAULT_ENDPOINT,
  type ClientId,
  type ClientSpec,
  type ConnectTarget,
} from './catalogue.js';
import { clientState, connectClient, disconnectClient } from './connector.js';
import { ClientFileError } from './editor.js';
import { currentEnvironment, type ClientEnvironment } from './platform.js';
import type { ClientSummary } from '../../common/domain/client.js';

export type { ClientSummary };

export interface SessionSeen {
  clientName: string;
  clientVersion: string;
  lastSeen: number;
}

export interface ClientsDeps {
  /** Where this engine is reached (the running gateway's URL, its token, the bridge command). */
  target(): Promise<ConnectTarget> | ConnectTarget;
  /** Sessions the gateway knows now. */
  sessions(): SessionSeen[];
  environment?: ClientEnvironment;
}

/**
 * What the Connect view writes, from this engine's own ConnectInfo. The bridge entry carries the
 * token in its env: the engine may hold it anywhere (a keyring in the desktop app, a config
 * literal), and the bridge still falls back to the data dir's file if it ever stops working.
 */
export function connectTarget(info: {
  url: string;
  token: string | null;
  bridgeCommand: { command: string; args: string[] };
}): ConnectTarget {
  const { command, args } = info.bridgeCommand;
  // The engine may listen on a port chosen at start (port 0): the bridge must be told.
  const withUrl =
    args.includes('--url') || info.url === DEFAULT_ENDPOINT ? args : [...args, '--url', info.url];
  return {
    url: info.url,
    token: info.token,
    bridge: { command, args: withUrl, ...(info.token ? { env: { SWITCHYARD_TOKEN: info.token } } : {}) },
  };
}

/** A client id the catalogue does not know, or a client file connect will not edit. */
export class ClientRequestError extends Error {}

export class ClientsService {
  constructor(private readonly deps: ClientsDeps) {}

  private get env(): ClientEnvironment {
    return this.deps.environment ?? currentEnvironment();
  }

  private spec(id: string): ClientSpec {
    const spec = clientSpec(id);
    if (!spec) throw new ClientRequestError(`unknown client "${id}"`);
    return spec;
  }

  private async summary(spec: ClientSpec, target: ConnectTarget): Promise<ClientSummary> {
    const state: ClientSummary = await clientState(spec, this.env, target);
    let newest: SessionSeen | undefined;
    for (const s of this.deps.sessions())
      if (spec.clientInfo.test(s.clientName) && (!newest || s.lastSeen > newest.lastSeen)) newest = s;
    if (newest)
      Object.assign(state, {
        lastSeen: newest.lastSeen,
        lastClient: `${newest.clientName} ${newest.clientVersion}`,
      });
    return state;
  }

  async list(): Promise<ClientSummary[]> {
    const target = await this.deps.target();
    return Promise.all(CLIENTS.map((spec) => this.summary(spec, target)));
  }

  async connect(id: ClientId | string): Promise<ClientSummary> {
    const spec = this.spec(id);
    const target = await this.deps.target();
    await this.guard(spec, () => connectClient(spec, target, this.env));
    return this.summary(spec, target);
  }

  async disconnect(id: ClientId | string): Promise<ClientSummary> {
    const spec = this.spec(id);
    const result = await this.guard(spec, () => disconnectClient(spec, this.env));
    if (result.action === 'foreign')
      throw new ClientRequestError(
        `the "switchyard" entry in ${result.file} points somewhere else now (edited by hand?), so it was left as it is`,
      );
    return this.summary(spec, await this.deps.target());
  }

  private async guard<T>(spec: ClientSpec, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof ClientFileError)
        throw new ClientRequestError(
          `cannot edit ${spec.file(this.env)}: ${error.message}; nothing was written`,
        );
      throw error;
    }
  }
}
