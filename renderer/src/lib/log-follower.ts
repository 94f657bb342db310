// Follows one backend's log ring (the engine's bounded stderr + connection history) while a view
// shows it: one page at open, then only what is new (`after` the cursor) each time the engine says
// the ring grew (a `backendLog` event, throttled by the engine). Never polls. At most one read is
// in flight; growth seen during a read is fetched right after it. Keeps at most `maxLines` entries,
// so a backend flooding stderr costs a bounded amount of memory and DOM.
import type { BackendLogEntry, BackendLogPage, ControlApi, ControlEvent } from '../contract.js';
import { errorMessage } from '../bridge/bridge.js';

/** Lines kept (and rendered) for one backend. */
export const LOG_LINES_MAX = 500;

export interface LogView {
  entries: BackendLogEntry[];
  /** Newest seq read (the cursor for the next read). */
  cursor: number;
  /** Entries the view never held: older than the first page, dropped by the ring, or beyond maxLines. */
  skipped: number;
  loaded: boolean;
  error: string | null;
  /** The user cleared the view at this seq: only later entries show. */
  clearedAt: number | null;
}

export const EMPTY_LOG_VIEW: LogView = {
  entries: [],
  cursor: 0,
  skipped: 0,
  loaded: false,
  error: null,
  clearedAt: null,
};

export class LogFollower {
  private view: LogView = EMPTY_LOG_VIEW;
  private reading = false;
  /** Growth announced while a read was in flight. */
  private behind = false;
  private stopped = false;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly bridge: Pick<ControlApi, 'backendLog' | 'subscribe'>,
    readonly backend: string,
    private readonly onChange: (view: LogView) => void,
    private readonly maxLines = LOG_LINES_MAX,
  ) {}

  start(): void {
    this.unsubscribe = this.bridge.subscribe((event) => this.onEvent(event));
    void this.read();
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
  }

  /** Reads what may have been missed (the event stream was down for a while). */
  catchUp(): void {
    void this.read();
  }

  /** Hides what is shown; later entries still arrive. */
  clear(): void {
    this.set({ ...this.view, entries: [], skipped: 0, clearedAt: this.view.cursor });
  }

  private onEvent(event: ControlEvent): void {
    if (event.type !== 'backendLog' || event.backend !== this.backend) return;
    if (event.lastSeq <= this.view.cursor) return;
    void this.read();
  }

  private async read(): Promise<void> {
    if (this.stopped) return;
    if (this.reading) {
      this.behind = true;
      return;
    }
    this.reading = true;
    try {
      do {
        this.behind = false;
        const first = !this.view.loaded;
        let page: BackendLogPage;
        try {
          page = await this.bridge.backendLog(this.backend, {
            ...(first ? {} : { after: this.view.cursor }),
            limit: this.maxLines,
          });
        } catch (error) {
          if (!this.stopped) this.set({ ...this.view, loaded: true, error: errorMessage(error) });
          return;
        }
        if (this.stopped) return;
        this.apply(page);
      } while (this.behind && !this.stopped);
    } finally {
      this.reading = false;
    }
  }

  private apply(page: BackendLogPage): void {
    // A ring that started over (the engine restarted, or the backend was removed and added again:
    // its newest seq is below our cursor) is read again from scratch.
    if (page.lastSeq < this.view.cursor) {
      this.view = EMPTY_LOG_VIEW;
      this.behind = true;
      return;
    }
    const base = this.view;
    const fresh = page.entries.filter((e) => e.seq > base.cursor);
    const all = [...base.entries, ...fresh];
    const overflow = Math.max(0, all.length - this.maxLines);
    this.set({
      entries: overflow > 0 ? all.slice(overflow) : all,
      cursor: Math.max(base.cursor, page.lastSeq),
      skipped: base.skipped + page.skipped + overflow,
      loaded: true,
      error: null,
      clearedAt: base.clearedAt,
    });
  }

  private set(view: LogView): void {
    this.view = view;
    this.onChange(view);
  }
}

// What a line may not carry into the page: ANSI escape sequences, then any other control, line
// separator or bidi-override character. The engine strips these already; the view does it again
// because bytes from a backend are never trusted on the strength of another layer's check.
/* eslint-disable no-control-regex -- matching control characters is the point */
const ESCAPES = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[@-Z\\-_])/g;
const UNPRINTABLE =
  /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g;
/* eslint-enable no-control-regex */

/** Characters of one line shown (the engine caps a line at 4 KiB; the view at this many characters). */
export const LOG_LINE_CHARS_MAX = 2000;

/** A log line as the page shows it: printable, tabs as spaces, at most LOG_LINE_CHARS_MAX characters. */
export function displayLine(text: string): string {
  const clean = text.replace(ESCAPES, '').replace(UNPRINTABLE, '').replace(/\t/g, ' ');
  return clean.length > LOG_LINE_CHARS_MAX ? `${clean.slice(0, LOG_LINE_CHARS_MAX - 1)}…` : clean;
}

/** The view's lines as plain text (for "Copy"): time, kind, pid and text, one entry a line. */
export function logAsText(entries: readonly BackendLogEntry[]): string {
  return entries
    .map((e) => {
      const pid = e.pid !== undefined ? ` [${e.pid}]` : '';
      return `${new Date(e.at).toISOString()} ${e.kind}${pid} ${displayLine(e.text)}`;
    })
    .join('\n');
}
