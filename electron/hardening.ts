// The desktop window's security settings, as plain data and functions over Electron-shaped objects,
// so tests assert every flag without an Electron binary (test/unit/electron/hardening.test.ts).
// main.ts applies them to the real BrowserWindow, webContents and session.
import type { BrowserWindowConstructorOptions, WebPreferences } from 'electron';

/** The custom protocol the dashboard is served from (never a remote URL, never file://). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'switchyard';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

/**
 * The Content-Security-Policy header sent with every file of the dashboard (the page also declares
 * its own in a <meta>; both apply). Nothing but the app's own files; no inline script, no eval,
 * no plugins, not framable.
 */
export const WINDOW_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
  "worker-src 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Hosts the dashboard may open in the user's browser (links to documentation). Anything else — in
 * particular any URL a backend or a container label supplied — is never handed to the OS.
 */
export const EXTERNAL_HOSTS: readonly string[] = ['modelcontextprotocol.io', 'github.com', 'www.npmjs.com'];

/** True for an http(s) URL on the allow-list (exact host or a subdomain of it), without credentials. */
export function openExternalAllowed(url: string, hosts: readonly string[] = EXTERNAL_HOSTS): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return false;
  if (parsed.username || parsed.password) return false;
  const host = parsed.hostname.toLowerCase();
  return hosts.some((allowed) => host === allowed || host.endsWith(`.${allowed}`));
}

/** True for the app's own pages: `app://switchyard/…`. */
export function isAppUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST;
  } catch {
    return false;
  }
}

/** The web preferences of the dashboard window: isolated, sandboxed, no Node, no webviews. */
export function webPreferences(preload: string, devTools = false): WebPreferences {
  return {
    preload,
    // DevTools only in an unpackaged (development) build.
    devTools,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webviewTag: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
    // Chromium's autoplay and background throttling defaults stay; nothing here loosens a default.
  };
}

export function windowOptions(options: {
  preload: string;
  icon?: string;
  title?: string;
  devTools?: boolean;
}): BrowserWindowConstructorOptions {
  return {
    width: 1180,
    height: 780,
    minWidth: 720,
    minHeight: 480,
    show: false,
    title: options.title ?? 'Switchyard',
    ...(options.icon ? { icon: options.icon } : {}),
    autoHideMenuBar: true,
    webPreferences: webPreferences(options.preload, options.devTools ?? false),
  };
}

// --- Electron-shaped seams (the real objects are passed in main.ts, which tsc checks) -----------------

export interface PreventableEvent {
  preventDefault(): void;
}

export interface WebContentsLike {
  on(event: 'will-navigate', listener: (event: PreventableEvent, url: string) => void): unknown;
  on(event: 'will-redirect', listener: (event: PreventableEvent, url: string) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown;
  on(event: 'will-frame-navigate', listener: (details: PreventableEvent & { url: string }) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

export interface SessionLike {
  setPermissionRequestHandler(
    handler: (webContents: unknown, permission: string, callback: (granted: boolean) => void) => void,
  ): void;
  setPermissionCheckHandler(handler: (webContents: unknown, permission: string) => boolean): void;
  setDevicePermissionHandler(handler: (details: unknown) => boolean): void;
  setDisplayMediaRequestHandler(handler: (request: unknown, callback: (streams: null) => void) => void): void;
  on(event: 'will-download', listener: (event: PreventableEvent) => void): unknown;
  webRequest: {
    onBeforeRequest(
      filter: { urls: string[] },
      listener: (details: { url: string }, callback: (response: { cancel: boolean }) => void) => void,
    ): void;
  };
}

/** Requests the window's session may make: its own files, and the inline data: images the CSP allows. */
export function requestAllowed(url: string): boolean {
  if (isAppUrl(url)) return true;
  if (url.startsWith('data:')) return true;
  // DevTools' own pages (only reachable in an unpackaged build, see main.ts).
  if (url.startsWith('devtools://')) return true;
  return false;
}

/**
 * Denies every navigation away from the app, every new window (an allow-listed http(s) link goes to
 * the user's browser instead), and every <webview>.
 */
export function hardenWebContents(
  contents: WebContentsLike,
  openExternal: (url: string) => void,
  allowed: (url: string) => boolean = openExternalAllowed,
): void {
  const refuse = (event: PreventableEvent, url: string) => {
    event.preventDefault();
    if (allowed(url)) openExternal(url);
  };
  contents.on('will-navigate', refuse);
  contents.on('will-frame-navigate', (details) => {
    // In-page navigations to the app itself (reload) are fine; anything else is refused.
    if (!isAppUrl(details.url)) details.preventDefault();
  });
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (allowed(url)) openExternal(url);
    return { action: 'deny' };
  });
}

/**
 * Refuses every permission (camera, notifications, clipboard read, devices, screen capture…),
 * downloads, and every network request that is not the app's own files.
 */
export function hardenSession(session: SessionLike): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  session.setDisplayMediaRequestHandler((_request, callback) => callback(null));
  session.on('will-download', (event) => event.preventDefault());
  session.webRequest.onBeforeRequest({ urls: ['<all_urls>'] }, (details, callback) =>
    callback({ cancel: !requestAllowed(details.url) }),
  );
}
