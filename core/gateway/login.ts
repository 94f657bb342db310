// The dashboard's login in a browser, without the token ever sitting in a URL, a history entry or
// page storage: `serve` prints a one-time link (/login?code=…), which the server exchanges once for a
// random session held in an HttpOnly, SameSite=Strict cookie; the token pasted into the dashboard is
// exchanged the same way (POST /api/login with the bearer header). The cookie only ever opens /api
// (never /mcp), and a used or expired code opens nothing.
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Clock } from '../domain/runtime.js';

/** A printed link is good for this long, and once. */
export const LOGIN_CODE_TTL_MS = 10 * 60_000;
/** A dashboard login lasts this long (then the token screen asks again). */
export const LOGIN_SESSION_TTL_MS = 7 * 24 * 3_600_000;
/** Outstanding codes and live sessions kept at most (oldest dropped first). */
const MAX_CODES = 16;
const MAX_SESSIONS = 64;

const digest = (value: string) => createHash('sha256').update(value).digest('base64url');
const random = () => randomBytes(32).toString('base64url');

export class DashboardLogins {
  /** digest(code) → expiry; digest(session) → expiry. Only digests are kept. */
  private readonly codes = new Map<string, number>();
  private readonly sessions = new Map<string, number>();

  constructor(private readonly clock: Clock) {}

  /** A new one-time code. */
  issueCode(): string {
    const code = random();
    this.codes.set(digest(code), this.clock.now() + LOGIN_CODE_TTL_MS);
    trim(this.codes, MAX_CODES);
    return code;
  }

  /** Uses up `code`; a new session id when it was valid and unused, else undefined. */
  redeem(code: string): string | undefined {
    const key = digest(code);
    const expires = this.codes.get(key);
    this.codes.delete(key);
    if (expires === undefined || expires < this.clock.now()) return undefined;
    return this.openSession();
  }

  /** A session for someone who presented the token itself. */
  openSession(): string {
    const session = random();
    this.sessions.set(digest(session), this.clock.now() + LOGIN_SESSION_TTL_MS);
    trim(this.sessions, MAX_SESSIONS);
    return session;
  }

  isSession(value: string): boolean {
    const key = digest(value);
    const expires = this.sessions.get(key);
    if (expires === undefined) return false;
    if (expires < this.clock.now()) {
      this.sessions.delete(key);
      return false;
    }
    return true;
  }

  endSession(value: string): void {
    this.sessions.delete(digest(value));
  }
}

function trim(map: Map<string, number>, max: number): void {
  while (map.size > max) map.delete(map.keys().next().value!);
}

/**
 * The cookie's name carries the port: cookies are not scoped by port, and two Switchyards on one
 * machine must not overwrite each other's login.
 */
export function cookieName(port: number): string {
  return `switchyard_${port}`;
}

export function sessionCookie(port: number, session: string, maxAgeMs = LOGIN_SESSION_TTL_MS): string {
  return `${cookieName(port)}=${session}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.floor(maxAgeMs / 1000)}`;
}

export function clearedCookie(port: number): string {
  return `${cookieName(port)}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
}

/** The session cookie this request carries, if any. */
export function presentedSession(req: IncomingMessage, port: number): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  const name = `${cookieName(port)}=`;
  for (const part of header.split(';')) {
    const item = part.trim();
    if (item.startsWith(name)) return item.slice(name.length) || undefined;
  }
  return undefined;
}

/**
 * A cookie is sent with every request the browser makes to this host, whichever page caused it
 * (SameSite does not separate ports). Only requests the dashboard itself makes may use it:
 * `Sec-Fetch-Site` is `same-origin` for those (`none` for one the user typed), and a browser never
 * lets a page forge it. (A present Origin is checked as for every request.)
 */
export function cookieAllowed(req: IncomingMessage): boolean {
  const site = req.headers['sec-fetch-site'];
  return site === undefined || site === 'same-origin' || site === 'none';
}
