// The gateway's on/off state, in one place. The engine gives it the two steps (what turning on and
// turning off do); this class owns the state machine around them: one change at a time, `running`
// as the single truth, and a change event the control API turns into snapshots. The pause
// semantics of the "Life cycle" contract plug in here (the steps change, the seam does not).
import type { GatewayState } from '../../common/control/snapshot.js';
import type { Clock, Logger } from '../domain/runtime.js';
import { Emitter } from '../support/emitter.js';

export interface GatewaySteps {
  turnOn(): Promise<void>;
  turnOff(): Promise<void>;
}

export class GatewaySwitch {
  /** The state changed (starting, running, stopping, stopped, error). */
  readonly changed = new Emitter<GatewayState>();
  private current: GatewayState = 'stopped';
  private since: number | undefined;
  private failure: string | undefined;
  private pending: Promise<void> = Promise.resolve();

  constructor(
    private readonly steps: GatewaySteps,
    private readonly deps: { clock: Clock; logger: Logger },
  ) {}

  get state(): GatewayState {
    return this.current;
  }

  get running(): boolean {
    return this.current === 'running';
  }

  /** When the gateway last came up (for the dashboard's uptime). */
  get startedAt(): number | undefined {
    return this.since;
  }

  get error(): string | undefined {
    return this.failure;
  }

  /** Set by the engine's own start and stop (the process coming up or going down). */
  enter(state: GatewayState, error?: string): void {
    if (state === 'running') {
      this.since = this.deps.clock.now();
      this.failure = undefined;
    }
    if (state === 'error') this.failure = error;
    this.current = state;
    this.changed.emit(state);
  }

  /**
   * Turns the gateway on or off (the HTTP port, dashboard and /api stay up either way). Calls are
   * queued so that a quick off/on runs both steps in order instead of interleaving them.
   */
  setRunning(running: boolean): Promise<void> {
    const next = this.pending.then(() => this.apply(running));
    this.pending = next.catch(() => undefined);
    return next;
  }

  private async apply(running: boolean): Promise<void> {
    if (running === this.running) return;
    if (this.current !== 'running' && this.current !== 'stopped') {
      throw new Error(`the gateway is ${this.current}`);
    }
    if (running) {
      this.enter('starting');
      await this.steps.turnOn();
      this.enter('running');
      this.deps.logger.info('gateway turned on');
    } else {
      this.enter('stopping');
      await this.steps.turnOff();
      this.enter('stopped');
      this.deps.logger.info('gateway turned off (sessions kept)');
    }
  }
}
