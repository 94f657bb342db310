// Issue 10 items 7, 8 and 9 (server side), over real HTTP against the engine with a real SQLite
// store: refused requests are counted, not audited one row each; unknown paths (OAuth discovery
// probes among them) are JSON 404s while the dashboard keeps / and its files; a missing token reads
// "token required"; the dashboard login trades a one-time code for an HttpOnly cookie that opens
// /api (not /mcp) and only for the dashboard's own requests.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaticHandler } from '../../core/gateway/static-files.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { sendRaw, type RawReply, type RawRequest } from '../helpers/http.js';

let gateway: TestGateway;
let port: number;
let site: string;

const send = (options: RawRequest) => sendRaw(port, options);

const auth = () => ({ authorization: `Bearer ${gateway.token}` });

beforeAll(async () => {
  site = await mkdtemp(path.join(os.tmpdir(), 'sy-site-'));
  await mkdir(path.join(site, 'assets'));
  await writeFile(path.join(site, 'index.html'), '<!doctype html><title>dash</title>');
  await writeFile(path.join(site, 'assets', 'app.js'), 'console.log(1)');
  gateway = await startGateway({}, { dashboard: createStaticHandler(site) });
  port = Number(new URL(gateway.url).port);
});

afterAll(async () => {
  await gateway?.stop();
  await rm(site, { recursive: true, force: true });
});

describe('refused requests (item 7)', () => {
  it('are counted per reason, and leave the audit trail alone', async () => {
    const store = gateway.app.store!;
    await store.audit.flush();
    const before = store.query.query({ limit: 1000 }).rows.length;
    for (let i = 0; i < 60; i++) {
      await send({ path: '/api/status', headers: { origin: 'http://evil.example' } });
      await send({ path: '/api/status' });
      await send({ path: '/api/status', headers: { authorization: 'Bearer wrong' } });
      await send({ path: '/mcp', method: 'POST', headers: { host: 'evil.example' } });
    }
    await store.audit.flush();
    const rows = store.query.query({ limit: 1000 }).rows;
    expect(rows.length).toBe(before);
    expect(rows.filter((r) => r.outcome === 'denied')).toHaveLength(0);
    const refusals = gateway.app.control.snapshotNow().gateway.refusals!;
    expect(refusals.lastHour).toEqual({ host: 60, origin: 60, 'token-missing': 60, 'token-invalid': 60 });
    expect(refusals.last?.reason).toBe('host');
  });
});

describe('unknown paths and the token (item 8)', () => {
  it('answers OAuth discovery probes and other unknown paths with a JSON 404', async () => {
    for (const [method, probe] of [
      ['GET', '/.well-known/oauth-protected-resource'],
      ['GET', '/.well-known/oauth-protected-resource/mcp'],
      ['GET', '/.well-known/oauth-authorization-server'],
      ['GET', '/.well-known/openid-configuration'],
      ['POST', '/register'],
      ['GET', '/register'],
      ['GET', '/nowhere/at/all'],
      ['GET', '/assets/missing.js'],
    ] as const) {
      const r = await send({ method, path: probe });
      expect(r.status, probe).toBe(404);
      expect(r.headers['content-type'], probe).toBe('application/json');
      const body = JSON.parse(r.body) as { error: string; error_description?: string };
      expect(body.error, probe).toBe(`Not found: ${probe}`);
      if (probe.startsWith('/.well-known/o') || probe === '/register')
        expect(body.error_description, probe).toMatch(/does not use OAuth: 401, token required/);
      else expect(body.error_description).toBeUndefined();
    }
  });

  it('still serves the dashboard at / and its files', async () => {
    const page = await send({ path: '/' });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<!doctype html>');
    const script = await send({ path: '/assets/app.js' });
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toMatch(/javascript/);
  });

  it('says "token required" in WWW-Authenticate and the body', async () => {
    const missing = await send({ method: 'POST', path: '/mcp', body: '{}' });
    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toMatch(/^Bearer .*error_description="token required"/);
    expect(JSON.parse(missing.body).error.message).toMatch(/token required/);
    const wrong = await send({
      method: 'POST',
      path: '/mcp',
      body: '{}',
      headers: { authorization: 'Bearer x' },
    });
    expect(wrong.headers['www-authenticate']).toMatch(/error="invalid_token"/);
  });
});

describe('the dashboard login (item 9)', () => {
  const cookieOf = (r: RawReply) => (r.headers['set-cookie'] ?? [])[0] ?? '';

  it('trades a one-time code for an HttpOnly, SameSite=Strict cookie, once', async () => {
    const link = new URL(gateway.app.issueLoginUrl()!);
    expect(link.pathname).toBe('/login');
    expect(link.href).not.toContain(gateway.token!);
    const first = await send({ path: `${link.pathname}${link.search}` });
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/');
    const cookie = cookieOf(first);
    expect(cookie).toMatch(new RegExp(`^switchyard_${port}=[\\w-]{40,}; Path=/; HttpOnly; SameSite=Strict`));
    expect(cookie).not.toContain(gateway.token!);
    const session = cookie.split(';')[0]!;

    const api = await send({
      path: '/api/status',
      headers: { cookie: session, 'sec-fetch-site': 'same-origin' },
    });
    expect(api.status).toBe(200);
    // The cookie is the dashboard's: never for /mcp, never for a request another site's page caused.
    const mcp = await send({ method: 'POST', path: '/mcp', headers: { cookie: session }, body: '{}' });
    expect(mcp.status).toBe(401);
    const sameSite = await send({
      path: '/api/status',
      headers: { cookie: session, 'sec-fetch-site': 'same-site' },
    });
    expect(sameSite.status).toBe(401);
    const forged = await send({ path: '/api/status', headers: { cookie: `switchyard_${port}=guess` } });
    expect(forged.status).toBe(401);

    const again = await send({ path: `${link.pathname}${link.search}` });
    expect(again.status).toBe(303);
    expect(again.headers.location).toBe('/#login=expired');
    expect(again.headers['set-cookie']).toBeUndefined();
  });

  it('trades a pasted token for the cookie; a cross-origin page cannot', async () => {
    const login = await send({ method: 'POST', path: '/api/login', headers: auth() });
    expect(login.status).toBe(204);
    const session = cookieOf(login).split(';')[0]!;
    expect((await send({ path: '/api/status', headers: { cookie: session } })).status).toBe(200);
    const csrf = await send({
      method: 'POST',
      path: '/api/gateway',
      headers: { cookie: session, origin: 'http://evil.example', 'content-type': 'application/json' },
      body: '{"running":false}',
    });
    expect(csrf.status).toBe(403);
    const logout = await send({ method: 'POST', path: '/api/logout', headers: { cookie: session } });
    expect(logout.status).toBe(204);
    expect((await send({ path: '/api/status', headers: { cookie: session } })).status).toBe(401);
  });
});

describe('odd input to /api (item 14)', () => {
  it('answers a garbage audit cursor with 400 and says what to pass', async () => {
    for (const cursor of ['garbage', '1.2.3', `${'9'.repeat(400)}.1`, '%E0%A4%A']) {
      const r = await send({ path: `/api/audit?cursor=${cursor}`, headers: auth() });
      expect(r.status, cursor).toBe(400);
      expect(JSON.parse(r.body).error, cursor).toMatch(/invalid audit cursor/);
    }
    const ok = await send({ path: '/api/audit?limit=1', headers: auth() });
    expect(ok.status).toBe(200);
  });
});
