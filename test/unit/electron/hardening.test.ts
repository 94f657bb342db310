// The window's security settings (electron/hardening.ts) and the app:// file handler
// (electron/app-protocol.ts). Each flag is asserted: loosening one fails a test.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD_CSP, PAGE_CSP } from '../../../common/security/csp.js';
import { createAppProtocolHandler } from '../../../electron/app-protocol.js';
import { contentSecurityPolicy } from '../../../renderer/vite.config.js';
import {
  APP_INDEX_URL,
  hardenSession,
  hardenWebContents,
  isAppUrl,
  openExternalAllowed,
  requestAllowed,
  WINDOW_CSP,
  windowOptions,
  type PreventableEvent,
  type SessionLike,
  type WebContentsLike,
} from '../../../electron/hardening.js';

describe('window options', () => {
  const options = windowOptions({ preload: '/app/dist/electron/preload.cjs' });
  const prefs = options.webPreferences!;

  it('isolates and sandboxes the page, with no Node, no webviews and no DevTools', () => {
    expect(prefs).toEqual({
      preload: '/app/dist/electron/preload.cjs',
      devTools: false,
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
    });
  });

  it('never sets a preference that loosens the defaults', () => {
    for (const key of ['enableBlinkFeatures', 'additionalArguments', 'partition', 'disableBlinkFeatures'])
      expect(prefs).not.toHaveProperty(key);
  });

  it('DevTools only when asked for (unpackaged builds)', () => {
    expect(windowOptions({ preload: 'p', devTools: true }).webPreferences?.devTools).toBe(true);
  });

  it('starts hidden (shown when ready) and loads only the app URL', () => {
    expect(options.show).toBe(false);
    expect(isAppUrl(APP_INDEX_URL)).toBe(true);
    expect(APP_INDEX_URL).toBe('app://switchyard/index.html');
  });
});

describe('openExternal allow-list', () => {
  it.each([
    ['https://github.com/switchyard/switchyard', true],
    ['HTTPS://GITHUB.COM/x', true],
    ['https://docs.github.com/en', true],
    ['http://modelcontextprotocol.io/specification', true],
    ['https://github.com.evil.example/', false],
    ['https://evilgithub.com/', false],
    ['https://user:pass@github.com/', false],
    ['file:///etc/passwd', false],
    ['javascript:alert(1)', false],
    ['ftp://github.com/', false],
    ['smb://github.com/share', false],
    ['http://127.0.0.1:4750/api/status', false],
    ['not a url', false],
  ])('%s → %s', (url, allowed) => {
    expect(openExternalAllowed(url)).toBe(allowed);
  });
});

function fakeContents() {
  const handlers = new Map<string, (...args: unknown[]) => void>();
  let openHandler: ((details: { url: string }) => { action: 'deny' }) | undefined;
  const contents: WebContentsLike = {
    on(event: string, listener: (...args: never[]) => void) {
      handlers.set(event, listener as (...args: unknown[]) => void);
      return contents;
    },
    setWindowOpenHandler(handler) {
      openHandler = handler;
    },
  } as WebContentsLike;
  const event = (url = '') => {
    const e = { url, prevented: false, preventDefault: () => (e.prevented = true) };
    return e;
  };
  return { contents, handlers, event, open: (url: string) => openHandler!({ url }) };
}

describe('web contents', () => {
  const opened: string[] = [];
  const fake = fakeContents();
  hardenWebContents(fake.contents, (url) => opened.push(url));

  it('denies every navigation; an allow-listed link goes to the browser instead', () => {
    const away = fake.event();
    fake.handlers.get('will-navigate')!(away, 'https://evil.example/');
    expect(away.prevented).toBe(true);
    const docs = fake.event();
    fake.handlers.get('will-navigate')!(docs, 'https://github.com/x');
    expect(docs.prevented).toBe(true);
    expect(opened).toEqual(['https://github.com/x']);
  });

  it('denies frame navigations away from the app, redirects and webviews', () => {
    const frame = fake.event('https://evil.example/');
    fake.handlers.get('will-frame-navigate')!(frame);
    expect(frame.prevented).toBe(true);
    const own = fake.event('app://switchyard/index.html');
    fake.handlers.get('will-frame-navigate')!(own);
    expect(own.prevented).toBe(false);
    const redirect = fake.event();
    fake.handlers.get('will-redirect')!(redirect, 'https://evil.example/');
    expect(redirect.prevented).toBe(true);
    const webview = fake.event();
    fake.handlers.get('will-attach-webview')!(webview);
    expect(webview.prevented).toBe(true);
  });

  it('window.open is always denied; only allow-listed http(s) URLs are opened outside', () => {
    opened.length = 0;
    for (const url of [
      'https://evil.example/',
      'file:///etc/passwd',
      'app://switchyard/x',
      'https://github.com/',
    ])
      expect(fake.open(url)).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://github.com/']);
  });
});

describe('session', () => {
  const calls: Record<string, unknown> = {};
  let request: (wc: unknown, permission: string, cb: (granted: boolean) => void) => void = () => undefined;
  let check: (wc: unknown, permission: string) => boolean = () => true;
  let device: (details: unknown) => boolean = () => true;
  let display: (req: unknown, cb: (streams: null) => void) => void = () => undefined;
  let download: (event: PreventableEvent) => void = () => undefined;
  let beforeRequest: (details: { url: string }, cb: (r: { cancel: boolean }) => void) => void = () =>
    undefined;
  const session: SessionLike = {
    setPermissionRequestHandler: (h) => void (request = h),
    setPermissionCheckHandler: (h) => void (check = h),
    setDevicePermissionHandler: (h) => void (device = h),
    setDisplayMediaRequestHandler: (h) => void (display = h),
    on: (_event, listener) => {
      download = listener;
      return session;
    },
    webRequest: {
      onBeforeRequest: (filter, listener) => {
        calls.filter = filter;
        beforeRequest = listener;
      },
    },
  };
  hardenSession(session);

  it.each(['media', 'notifications', 'clipboard-read', 'geolocation', 'openExternal', 'hid', 'fullscreen'])(
    'denies the %s permission (request and check)',
    (permission) => {
      let granted: boolean | undefined;
      request({}, permission, (g) => (granted = g));
      expect(granted).toBe(false);
      expect(check({}, permission)).toBe(false);
    },
  );

  it('denies devices, screen capture and downloads', () => {
    expect(device({ deviceType: 'usb' })).toBe(false);
    let streams: unknown = 'unset';
    display({}, (s) => (streams = s));
    expect(streams).toBeNull();
    const e = { prevented: false, preventDefault: () => (e.prevented = true) };
    download(e);
    expect(e.prevented).toBe(true);
  });

  it.each([
    ['app://switchyard/assets/index.js', false],
    ['data:image/png;base64,AAAA', false],
    ['https://example.com/', true],
    ['http://127.0.0.1:4750/api/status', true],
    ['ws://127.0.0.1:4750/', true],
    ['file:///etc/passwd', true],
    ['app://other/index.html', true],
  ])('a request to %s is cancelled: %s', (url, cancelled) => {
    expect(calls.filter).toEqual({ urls: ['<all_urls>'] });
    let response: { cancel: boolean } | undefined;
    beforeRequest({ url }, (r) => (response = r));
    expect(response).toEqual({ cancel: cancelled });
    expect(requestAllowed(url)).toBe(!cancelled);
  });
});

describe('Content-Security-Policy', () => {
  const directives = (csp: string) =>
    new Map(
      csp
        .split(';')
        .map((d) => d.trim().split(/\s+/) as [string, ...string[]])
        .map(([k, ...v]) => [k, v]),
    );
  const desktop = directives(WINDOW_CSP);

  it('allows only the app itself: no inline script, no eval, no objects, not framable', () => {
    expect(desktop.get('default-src')).toEqual(["'none'"]);
    expect(desktop.get('script-src')).toEqual(["'self'"]);
    expect(desktop.get('object-src')).toEqual(["'none'"]);
    expect(desktop.get('frame-ancestors')).toEqual(["'none'"]);
    expect(desktop.get('base-uri')).toEqual(["'none'"]);
    expect(WINDOW_CSP).not.toMatch(/unsafe-|\*|https?:/);
  });

  it('the built page states the headless policy itself, less frame-ancestors (a <meta> cannot)', () => {
    const plugin = contentSecurityPolicy();
    const tags = (plugin.transformIndexHtml as unknown as () => { attrs: Record<string, string> }[])();
    expect(tags).toEqual([
      expect.objectContaining({ attrs: { 'http-equiv': 'Content-Security-Policy', content: PAGE_CSP } }),
    ]);
    expect(PAGE_CSP).not.toMatch(/frame-ancestors/);
    expect(DASHBOARD_CSP).toBe(`${PAGE_CSP}; frame-ancestors 'none'`);
  });

  it('is at least as strict as the headless dashboard policy', () => {
    for (const [name, values] of directives(DASHBOARD_CSP)) {
      const mine = desktop.get(name) ?? desktop.get('default-src')!;
      for (const value of mine)
        expect(value === "'none'" || values.includes(value), `${name} ${value}`).toBe(true);
    }
  });
});

describe('app:// files', () => {
  let base: string;
  let handle: (request: Request) => Promise<Response>;
  beforeAll(async () => {
    // <base>/secret.txt beside <base>/renderer, the folder served.
    base = await mkdtemp(path.join(os.tmpdir(), 'switchyard-app-'));
    const root = path.join(base, 'renderer');
    await mkdir(path.join(root, 'assets'), { recursive: true });
    await writeFile(path.join(root, 'index.html'), '<!doctype html><title>Switchyard</title>');
    await writeFile(path.join(root, 'assets/index.js'), 'console.log(1)');
    await writeFile(path.join(base, 'secret.txt'), 'secret');
    handle = createAppProtocolHandler(root);
  });
  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('serves the dashboard with the CSP and nosniff headers', async () => {
    const response = await handle(new Request('app://switchyard/index.html'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(WINDOW_CSP);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await response.text()).toContain('Switchyard');
    const script = await handle(new Request('app://switchyard/assets/index.js'));
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('content-security-policy')).toBe(WINDOW_CSP);
  });

  it('answers app routes with index.html and a missing asset with 404', async () => {
    expect(await (await handle(new Request('app://switchyard/conflicts'))).text()).toContain('Switchyard');
    expect((await handle(new Request('app://switchyard/'))).status).toBe(200);
    expect((await handle(new Request('app://switchyard/assets/missing.js'))).status).toBe(404);
  });

  it('never leaves the folder, never serves another host, only reads', async () => {
    for (const url of [
      'app://switchyard/%2e%2e/secret.txt',
      'app://switchyard/..%2fsecret.txt',
      'app://switchyard/assets/..%2f..%2fsecret.txt',
      'app://switchyard/%00.js',
    ]) {
      const response = await handle(new Request(url));
      expect([400, 404], url).toContain(response.status);
      expect(await response.text()).not.toContain('secret');
    }
    expect((await handle(new Request('app://evil/index.html'))).status).toBe(404);
    expect(
      (await handle(new Request('app://switchyard/index.html', { method: 'POST', body: 'x' }))).status,
    ).toBe(405);
  });
});
