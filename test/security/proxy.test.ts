// Login and operations behind a reverse proxy (nginx in front of Herold, TLS ends there), and the
// session life cycle the login row of QUALITY.md asks for: the per-address throttle must see the
// client's address (HEROLD_TRUST_PROXY), not the proxy's, yet a client must not be able to name
// its own address; cookies are Secure behind TLS; the session id changes at login and dies at
// logout; /metrics is not public.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/http/app';
import { PASSWORD, SESSION_COOKIE, call, cookieHeaders, createTestOrg, freshAddress, login, startHarness, type Harness, type TestOrg } from './helpers';

const PROXY = '10.0.0.1';
const FAILURES_PER_ADDRESS = 30;

describe('behind a reverse proxy; sessions; operations', () => {
  let h: Harness;
  let org: TestOrg;
  const apps: FastifyInstance[] = [];

  /** The same Herold with other configuration (same database, Redis and users). */
  async function appWith(config: Partial<Harness['config']>): Promise<FastifyInstance> {
    const app = await buildApp({ ...h.deps, config: { ...h.deps.config, ...config } });
    apps.push(app);
    return app;
  }

  function loginThrough(app: FastifyInstance, opts: { socket: string; forwardedFor?: string; proto?: string; email?: string; password?: string }) {
    return app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      remoteAddress: opts.socket,
      headers: {
        'content-type': 'application/json',
        ...(opts.forwardedFor ? { 'x-forwarded-for': opts.forwardedFor } : {}),
        ...(opts.proto ? { 'x-forwarded-proto': opts.proto } : {}),
      },
      payload: JSON.stringify({ email: opts.email ?? `niemand-${randomUUID().slice(0, 8)}@example.org`, password: opts.password ?? 'falsch' }),
    });
  }

  /** Spends the per-address budget: 30 failed logins, each for another unknown account. */
  async function exhaust(app: FastifyInstance, opts: { socket: string; forwardedFor?: () => string }) {
    for (let i = 0; i < FAILURES_PER_ADDRESS; i += 1) {
      const res = await loginThrough(app, { socket: opts.socket, forwardedFor: opts.forwardedFor?.() });
      expect(res.statusCode).toBe(401);
    }
  }

  beforeAll(async () => {
    h = await startHarness();
    org = await createTestOrg(h);
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await h.close();
  });

  describe('client addresses (HEROLD_TRUST_PROXY)', () => {
    beforeEach(async () => {
      // Each test starts with empty throttle counters (the proxy's address is shared between tests).
      const keys = await h.deps.redis.keys('herold:login:*');
      if (keys.length) await h.deps.redis.del(...keys);
    });

    it('without it, believes no X-Forwarded-For: a client cannot escape the address throttle by naming another address', async () => {
      const attacker = freshAddress();
      let n = 0;
      await exhaust(h.app, { socket: attacker, forwardedFor: () => `198.51.100.${(n += 1)}` });
      const next = await loginThrough(h.app, { socket: attacker, forwardedFor: '203.0.113.77', email: org.editor.email, password: PASSWORD });
      expect(next.statusCode).toBe(429);
      expect(next.json().error.code).toBe('LOGIN_THROTTLED');
    });

    it('without it, behind a proxy every client shares the proxy\'s address: one attacker locks everybody out (why it exists)', async () => {
      await exhaust(h.app, { socket: PROXY, forwardedFor: () => '198.51.100.66' });
      const colleague = await loginThrough(h.app, { socket: PROXY, forwardedFor: '198.51.100.7', email: org.editor.email, password: PASSWORD });
      expect(colleague.statusCode).toBe(429);
    });

    it('with the proxy trusted, throttles the attacking client only; colleagues behind the same proxy still sign in', async () => {
      const app = await appWith({ trustProxy: [PROXY] });
      await exhaust(app, { socket: PROXY, forwardedFor: () => '198.51.100.66' });
      expect((await loginThrough(app, { socket: PROXY, forwardedFor: '198.51.100.66', email: org.editor.email, password: PASSWORD })).statusCode).toBe(429);
      const colleague = await loginThrough(app, { socket: PROXY, forwardedFor: '198.51.100.7', email: org.editor.email, password: PASSWORD });
      expect(colleague.statusCode).toBe(200);
      // The audit log names the client, not the proxy.
      const events = await h.deps.db.auditEvent.findMany({ where: { orgId: org.id, action: 'auth.login', entityId: org.editor.id }, orderBy: { seq: 'desc' }, take: 1 });
      expect(events[0]!.data).toEqual({ address: '198.51.100.7' });
    });

    it('with the proxy trusted, still ignores X-Forwarded-For from anyone who is not the proxy', async () => {
      const app = await appWith({ trustProxy: [PROXY] });
      const attacker = freshAddress();
      let n = 0;
      await exhaust(app, { socket: attacker, forwardedFor: () => `198.51.100.${(n += 1)}` });
      expect((await loginThrough(app, { socket: attacker, forwardedFor: '203.0.113.1' })).statusCode).toBe(429);
    });

    it('with the proxy trusted, takes the last address the proxy added, not one the client sent along', async () => {
      const app = await appWith({ trustProxy: [PROXY] });
      // The client forges a first entry; nginx appends the real client address.
      await exhaust(app, { socket: PROXY, forwardedFor: () => `203.0.113.${Math.floor(Math.random() * 250) + 1}, 198.51.100.99` });
      expect((await loginThrough(app, { socket: PROXY, forwardedFor: '203.0.113.200, 198.51.100.99' })).statusCode).toBe(429);
    });
  });

  describe('session cookie behind TLS', () => {
    it('is Secure, HttpOnly and SameSite when the public URL is https, also when the proxy speaks plain http to Herold', async () => {
      const app = await appWith({ trustProxy: [PROXY], publicUrl: 'https://presse.stadt.example', secureCookies: true });
      const res = await loginThrough(app, { socket: PROXY, forwardedFor: freshAddress(), proto: 'https', email: org.editor.email, password: PASSWORD });
      expect(res.statusCode).toBe(200);
      const cookie = ([] as string[]).concat(res.headers['set-cookie'] as string[]).find((c) => c.startsWith(`${SESSION_COOKIE}=`))!;
      expect(cookie).toMatch(/;\s*Secure/i);
      expect(cookie).toMatch(/;\s*HttpOnly/i);
      expect(cookie).toMatch(/;\s*SameSite=(Lax|Strict)/i);
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d{7,}/);
    });

    it('cannot be made non-Secure by a forged X-Forwarded-Proto: http', async () => {
      const app = await appWith({ trustProxy: [PROXY], publicUrl: 'https://presse.stadt.example', secureCookies: true });
      const res = await loginThrough(app, { socket: PROXY, forwardedFor: freshAddress(), proto: 'http', email: org.editor.email, password: PASSWORD });
      const cookie = ([] as string[]).concat(res.headers['set-cookie'] as string[]).find((c) => c.startsWith(`${SESSION_COOKIE}=`))!;
      expect(cookie).toMatch(/;\s*Secure/i);
    });
  });

  describe('session life cycle', () => {
    it('gives a new session id at login, so a session id planted before login (session fixation) is worthless', async () => {
      const planted = 'hs_planted-by-attacker';
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        remoteAddress: freshAddress(),
        headers: { 'content-type': 'application/json', cookie: `${SESSION_COOKIE}=${planted}` },
        payload: JSON.stringify({ email: org.editor.email, password: PASSWORD }),
      });
      expect(res.statusCode).toBe(200);
      const issued = res.cookies.find((c) => c.name === SESSION_COOKIE)!.value;
      expect(issued).not.toBe(planted);
      expect((await call(h, 'GET', '/api/v1/me', { headers: { cookie: `${SESSION_COOKIE}=${planted}` } })).statusCode).toBe(401);
      const again = await login(h, org.editor.email, PASSWORD);
      expect(again.cookies.find((c) => c.name === SESSION_COOKIE)!.value).not.toBe(issued);
    });

    it('answers an unknown address, a wrong password and a disabled account with the identical 401', async () => {
      const disabled = await call(h, 'POST', '/api/v1/users', { token: org.admin.token, body: { email: `aus-${randomUUID().slice(0, 8)}@${org.slug}.test`, name: 'Aus', roles: ['editor'], password: PASSWORD } });
      await call(h, 'PATCH', `/api/v1/users/${disabled.json().id}`, { token: org.admin.token, body: { disabled: true } });
      const answers = await Promise.all([
        login(h, `niemand-${randomUUID().slice(0, 8)}@${org.slug}.test`, PASSWORD),
        login(h, org.editor.email, 'falsches Passwort'),
        login(h, disabled.json().email, PASSWORD),
      ]);
      const shapes = answers.map((r) => ({ status: r.statusCode, body: r.body, cookie: r.headers['set-cookie'] ?? null }));
      expect(shapes[0]).toEqual({ status: 401, body: shapes[0]!.body, cookie: null });
      expect(shapes[1]).toEqual(shapes[0]);
      expect(shapes[2]).toEqual(shapes[0]);
    });

    it('ends the session on the server at logout: the old cookie and CSRF token answer 401 afterwards', async () => {
      const res = await login(h, org.editor.email, PASSWORD);
      const session = { sessionId: res.cookies.find((c) => c.name === SESSION_COOKIE)!.value, csrfToken: res.json().csrfToken as string };
      const out = await call(h, 'POST', '/api/v1/auth/logout', { headers: cookieHeaders(session, session.csrfToken) });
      expect(out.statusCode).toBe(204);
      expect((await call(h, 'GET', '/api/v1/me', { headers: cookieHeaders(session) })).statusCode).toBe(401);
      const write = await call(h, 'POST', '/api/v1/tokens', { headers: cookieHeaders(session, session.csrfToken), body: { name: 'nach Abmeldung' } });
      expect(write.statusCode).toBe(401);
    });
  });

  describe('GET /metrics', () => {
    afterEach(() => {
      h.deps.config.metricsToken = null;
    });
    const metrics = (remoteAddress: string, headers: Record<string, string> = {}) => h.app.inject({ method: 'GET', url: '/metrics', remoteAddress, headers });

    it('without HEROLD_METRICS_TOKEN, answers only direct connections from this host', async () => {
      expect((await metrics('127.0.0.1')).statusCode).toBe(200);
      expect((await metrics('::1')).statusCode).toBe(200);
      for (const address of ['203.0.113.9', '10.0.0.1', '::ffff:192.0.2.1']) {
        const res = await metrics(address);
        expect({ address, status: res.statusCode, code: res.json().error?.code }).toEqual({ address, status: 403, code: 'FORBIDDEN' });
        expect(res.body).not.toMatch(/herold_posts/);
      }
    });

    it('without a token, refuses a loopback connection that came through a proxy on the same host', async () => {
      for (const header of ['x-forwarded-for', 'forwarded', 'x-real-ip']) {
        const res = await metrics('127.0.0.1', { [header]: header === 'forwarded' ? 'for=203.0.113.9' : '203.0.113.9' });
        expect({ header, status: res.statusCode }).toEqual({ header, status: 403 });
      }
    });

    it('with HEROLD_METRICS_TOKEN, wants exactly that bearer token, from anywhere, and nothing else', async () => {
      const token = `metrics-${randomUUID()}`;
      h.deps.config.metricsToken = token;
      const cases: [string, Record<string, string>, number][] = [
        ['203.0.113.9', { authorization: `Bearer ${token}` }, 200],
        ['127.0.0.1', {}, 401],
        ['203.0.113.9', {}, 401],
        ['203.0.113.9', { authorization: `Bearer ${token}x` }, 401],
        ['203.0.113.9', { authorization: `Bearer ${token.slice(0, -1)}` }, 401],
        ['203.0.113.9', { authorization: `Basic ${Buffer.from(`x:${token}`).toString('base64')}` }, 401],
        ['203.0.113.9', { authorization: `Bearer ${org.admin.token}` }, 401],
      ];
      for (const [address, headers, status] of cases) {
        const res = await metrics(address, headers);
        expect({ address, headers, status: res.statusCode }).toEqual({ address, headers, status });
      }
      const ok = await metrics('203.0.113.9', { authorization: `Bearer ${token}` });
      expect(ok.body).toMatch(/^herold_up 1$/m);
    });

    it('keeps /healthz and /readyz open for load balancers, and they tell nothing but up or down', async () => {
      const ready = await h.app.inject({ method: 'GET', url: '/readyz', remoteAddress: '203.0.113.9' });
      expect(ready.statusCode).toBe(200);
      expect(ready.json()).toEqual({ status: 'ready', database: 'ok', redis: 'ok' });
      expect((await h.app.inject({ method: 'GET', url: '/healthz', remoteAddress: '203.0.113.9' })).json()).toEqual({ status: 'ok' });
    });
  });
});
