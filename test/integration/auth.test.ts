// Signing in and staying signed in: the session cookie, CSRF on cookie writes, login
// throttling, logout, session rotation, disabled users, bearer tokens.
import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { call, createTestOrg, startHarness, type Harness, type TestUser } from '../helpers/harness';

const PASSWORD = 'correct horse battery';
const COOKIE = 'herold_session';

/** Each test logs in from an address of its own, so the per-address counter cannot interfere. */
let addressSeq = 0;
const freshAddress = () => `10.0.${Math.floor(++addressSeq / 250)}.${(addressSeq % 250) + 1}`;

function login(h: Harness, email: string, password: string, remoteAddress = '10.255.255.1', headers: Record<string, string> = {}) {
  return h.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    remoteAddress,
    headers: { 'content-type': 'application/json', ...headers },
    payload: JSON.stringify({ email, password }),
  });
}

function setCookieHeaders(res: LightMyRequestResponse): string[] {
  const raw = res.headers['set-cookie'];
  if (raw === undefined) return [];
  return Array.isArray(raw) ? raw : [String(raw)];
}

function sessionCookieHeader(res: LightMyRequestResponse): string {
  const header = setCookieHeaders(res).find((c) => c.startsWith(`${COOKIE}=`));
  if (!header) throw new Error(`no ${COOKIE} cookie in ${JSON.stringify(res.headers['set-cookie'])}`);
  return header;
}

function sessionIdOf(res: LightMyRequestResponse): string {
  const cookie = res.cookies.find((c) => c.name === COOKIE);
  if (!cookie?.value) throw new Error(`no ${COOKIE} cookie: ${res.statusCode} ${res.body}`);
  return cookie.value;
}

async function signIn(h: Harness, user: TestUser) {
  const res = await login(h, user.email, PASSWORD, freshAddress());
  expect(res.statusCode).toBe(200);
  return { sessionId: sessionIdOf(res), csrfToken: res.json().csrfToken as string };
}

const withCookie = (sessionId: string, extra: Record<string, string> = {}) => ({ cookie: `${COOKIE}=${sessionId}`, ...extra });

describe('authentication', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  describe('login', () => {
    it('signs in with the right password and sets an HttpOnly, SameSite=Lax session cookie', async () => {
      const org = await createTestOrg(h);
      const res = await login(h, org.editor.email, PASSWORD, freshAddress());
      expect(res.statusCode).toBe(200);

      const header = sessionCookieHeader(res);
      expect(header).toMatch(/;\s*HttpOnly/i);
      expect(header).toMatch(/;\s*SameSite=Lax/i);
      expect(header).toMatch(/;\s*Path=\//i);
      // The harness runs with HEROLD_PUBLIC_URL=http://…: a Secure cookie would never come back.
      expect(header).not.toMatch(/;\s*Secure/i);
      const cookie = res.cookies.find((c) => c.name === COOKIE)!;
      expect(cookie.value.length).toBeGreaterThanOrEqual(20);

      const body = res.json();
      expect(typeof body.csrfToken).toBe('string');
      expect(body.csrfToken.length).toBeGreaterThanOrEqual(20);
      expect(body.user).toMatchObject({ id: org.editor.id, email: org.editor.email, roles: ['editor'] });
      // The session id travels only in the HttpOnly cookie, never in the body.
      expect(res.body).not.toContain(cookie.value);
      expect(JSON.stringify(body.user)).not.toMatch(/password|hash/i);
    });

    it('accepts the e-mail address in any case and with surrounding spaces', async () => {
      const org = await createTestOrg(h);
      const res = await login(h, `  ${org.editor.email.toUpperCase()} `, PASSWORD, freshAddress());
      expect(res.statusCode).toBe(200);
      expect(res.json().user.id).toBe(org.editor.id);
    });

    it('refuses a wrong password and an unknown e-mail address with the identical 401 body', async () => {
      const org = await createTestOrg(h);
      const wrongPassword = await login(h, org.editor.email, 'wrong horse battery', freshAddress());
      const unknownEmail = await login(h, `nobody-${randomUUID()}@${org.slug}.test`, PASSWORD, freshAddress());

      expect(wrongPassword.statusCode).toBe(401);
      expect(unknownEmail.statusCode).toBe(401);
      expect(wrongPassword.json().error.code).toBe('INVALID_CREDENTIALS');
      expect(unknownEmail.body).toBe(wrongPassword.body);
      expect(setCookieHeaders(wrongPassword).some((c) => c.startsWith(`${COOKIE}=`))).toBe(false);
      expect(setCookieHeaders(unknownEmail).some((c) => c.startsWith(`${COOKIE}=`))).toBe(false);
    });

    it('refuses a disabled user with the same 401 body as a wrong password', async () => {
      const org = await createTestOrg(h);
      const disable = await call(h, 'PATCH', `/api/v1/users/${org.editor.id}`, { token: org.admin.token, body: { disabled: true } });
      expect(disable.statusCode).toBe(200);
      const disabled = await login(h, org.editor.email, PASSWORD, freshAddress());
      const wrong = await login(h, org.approver.email, 'wrong horse battery', freshAddress());
      expect(disabled.statusCode).toBe(401);
      expect(disabled.body).toBe(wrong.body);
    });

    it('refuses the 6th attempt after 5 failures for one account, even with the right password', async () => {
      const org = await createTestOrg(h);
      for (let i = 0; i < 5; i++) {
        // Different addresses: the account counter alone must trigger the throttle.
        const res = await login(h, org.editor.email, `wrong password ${i}`, freshAddress());
        expect(res.statusCode).toBe(401);
        expect(res.json().error.code).toBe('INVALID_CREDENTIALS');
      }
      const sixth = await login(h, org.editor.email, PASSWORD, freshAddress());
      expect(sixth.statusCode).toBe(429);
      expect(sixth.json().error.code).toBe('LOGIN_THROTTLED');
      expect(setCookieHeaders(sixth).some((c) => c.startsWith(`${COOKIE}=`))).toBe(false);

      // The same account written differently is the same account.
      const shouted = await login(h, org.editor.email.toUpperCase(), PASSWORD, freshAddress());
      expect(shouted.statusCode).toBe(429);

      // Other accounts are not locked out by it.
      const other = await login(h, org.approver.email, PASSWORD, freshAddress());
      expect(other.statusCode).toBe(200);
    });

    it('checks at most 5 passwords for one account when the attempts arrive at the same time', async () => {
      const org = await createTestOrg(h);
      const burst = await Promise.all(
        Array.from({ length: 20 }, (_, i) => login(h, org.editor.email, `parallel guess ${i}`, freshAddress())),
      );
      const statuses = burst.map((r) => r.statusCode);
      // Every attempt is refused; only the first five may have been checked against the password.
      expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
      expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(15);
    });

    it('throttles one client address after 30 failures across accounts', async () => {
      const org = await createTestOrg(h);
      const address = freshAddress();
      for (let i = 0; i < 30; i++) {
        const res = await login(h, `guess-${i}-${randomUUID().slice(0, 6)}@${org.slug}.test`, 'guess', address);
        expect(res.statusCode).toBe(401);
      }
      const fromThere = await login(h, org.admin.email, PASSWORD, address);
      expect(fromThere.statusCode).toBe(429);
      expect(fromThere.json().error.code).toBe('LOGIN_THROTTLED');
      const fromElsewhere = await login(h, org.admin.email, PASSWORD, freshAddress());
      expect(fromElsewhere.statusCode).toBe(200);
    });

    it('refuses a login sent as a form or plain text, which another site could submit', async () => {
      const org = await createTestOrg(h);
      for (const [contentType, payload] of [
        ['application/x-www-form-urlencoded', `email=${encodeURIComponent(org.editor.email)}&password=correct+horse+battery`],
        ['text/plain', JSON.stringify({ email: org.editor.email, password: PASSWORD })],
        ['multipart/form-data; boundary=x', `--x\r\nContent-Disposition: form-data; name="email"\r\n\r\n${org.editor.email}\r\n--x--\r\n`],
      ] as const) {
        const res = await h.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: freshAddress(), headers: { 'content-type': contentType }, payload });
        expect({ contentType, status: res.statusCode }).toEqual({ contentType, status: 415 });
        expect(setCookieHeaders(res).some((c) => c.startsWith(`${COOKIE}=`))).toBe(false);
      }
    });

    it('gives a new session id at every login, also when a session cookie was sent along', async () => {
      const org = await createTestOrg(h);
      const planted = 'hs_planted_by_someone_else_0123456789';
      const first = await login(h, org.editor.email, PASSWORD, freshAddress(), withCookie(planted));
      const second = await login(h, org.editor.email, PASSWORD, freshAddress());
      expect(first.statusCode).toBe(200);
      expect(second.statusCode).toBe(200);
      const a = sessionIdOf(first);
      const b = sessionIdOf(second);
      expect(a).not.toBe(planted);
      expect(a).not.toBe(b);
      expect(first.json().csrfToken).not.toBe(second.json().csrfToken);

      // The planted id is worthless; the issued ones work.
      expect((await call(h, 'GET', '/api/v1/me', { headers: withCookie(planted) })).statusCode).toBe(401);
      expect((await call(h, 'GET', '/api/v1/me', { headers: withCookie(a) })).statusCode).toBe(200);
      expect((await call(h, 'GET', '/api/v1/me', { headers: withCookie(b) })).statusCode).toBe(200);
    });
  });

  describe('session cookie and CSRF', () => {
    it('needs no CSRF token for GET', async () => {
      const org = await createTestOrg(h);
      const { sessionId } = await signIn(h, org.editor);
      const res = await call(h, 'GET', '/api/v1/me', { headers: withCookie(sessionId) });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ id: org.editor.id, email: org.editor.email, org: { id: org.id, slug: org.slug } });
    });

    it('refuses a cookie-authenticated POST without X-CSRF-Token with 403 CSRF_FAILED', async () => {
      const org = await createTestOrg(h);
      const { sessionId } = await signIn(h, org.editor);
      const res = await call(h, 'POST', '/api/v1/tokens', { headers: withCookie(sessionId), body: { name: 'ohne CSRF' } });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('CSRF_FAILED');
      expect(await h.deps.db.apiToken.count({ where: { userId: org.editor.id, name: 'ohne CSRF' } })).toBe(0);
    });

    it('refuses a cookie-authenticated write with a wrong or another session\'s CSRF token', async () => {
      const org = await createTestOrg(h);
      const mine = await signIn(h, org.admin);
      const theirs = await signIn(h, org.editor);
      for (const token of ['x', `${mine.csrfToken}x`, theirs.csrfToken, '']) {
        const res = await call(h, 'PATCH', `/api/v1/users/${org.editor.id}`, {
          headers: withCookie(mine.sessionId, { 'x-csrf-token': token }),
          body: { name: 'Umbenannt' },
        });
        expect(res.statusCode).toBe(403);
        expect(res.json().error.code).toBe('CSRF_FAILED');
      }
      const user = await h.deps.db.user.findUnique({ where: { id: org.editor.id } });
      expect(user!.name).not.toBe('Umbenannt');
    });

    it('accepts a cookie-authenticated POST with the session\'s CSRF token', async () => {
      const org = await createTestOrg(h);
      const { sessionId, csrfToken } = await signIn(h, org.editor);
      const res = await call(h, 'POST', '/api/v1/tokens', { headers: withCookie(sessionId, { 'x-csrf-token': csrfToken }), body: { name: 'mit CSRF' } });
      expect(res.statusCode).toBe(201);
      expect(res.json().token).toEqual(expect.any(String));
      // The new token acts as the same user.
      const me = await call(h, 'GET', '/api/v1/me', { token: res.json().token });
      expect(me.statusCode).toBe(200);
      expect(me.json().id).toBe(org.editor.id);
    });

    it('returns the session\'s CSRF token from GET /api/v1/me', async () => {
      const org = await createTestOrg(h);
      const { sessionId, csrfToken } = await signIn(h, org.editor);
      const res = await call(h, 'GET', '/api/v1/me', { headers: withCookie(sessionId) });
      expect(res.json().csrfToken).toBe(csrfToken);
    });

    it('still checks the role for cookie writes with a valid CSRF token', async () => {
      const org = await createTestOrg(h);
      const { sessionId, csrfToken } = await signIn(h, org.editor);
      const res = await call(h, 'PATCH', `/api/v1/users/${org.approver.id}`, {
        headers: withCookie(sessionId, { 'x-csrf-token': csrfToken }),
        body: { name: 'Nicht erlaubt' },
      });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('FORBIDDEN');
    });
  });

  describe('logout', () => {
    it('ends the session on the server: 204, and the old cookie answers 401', async () => {
      const org = await createTestOrg(h);
      const { sessionId, csrfToken } = await signIn(h, org.editor);
      const res = await call(h, 'POST', '/api/v1/auth/logout', { headers: withCookie(sessionId, { 'x-csrf-token': csrfToken }) });
      expect(res.statusCode).toBe(204);
      expect(res.body).toBe('');
      // The browser is told to drop the cookie.
      const cleared = sessionCookieHeader(res);
      expect(cleared).toMatch(/Expires=Thu, 01 Jan 1970|Max-Age=0/i);

      const after = await call(h, 'GET', '/api/v1/me', { headers: withCookie(sessionId) });
      expect(after.statusCode).toBe(401);
      expect(after.json().error.code).toBe('UNAUTHENTICATED');
    });

    it('refuses logout without the CSRF token and keeps the session', async () => {
      const org = await createTestOrg(h);
      const { sessionId } = await signIn(h, org.editor);
      const res = await call(h, 'POST', '/api/v1/auth/logout', { headers: withCookie(sessionId) });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('CSRF_FAILED');
      expect((await call(h, 'GET', '/api/v1/me', { headers: withCookie(sessionId) })).statusCode).toBe(200);
    });

    it('ends only the session that logged out', async () => {
      const org = await createTestOrg(h);
      const one = await signIn(h, org.editor);
      const two = await signIn(h, org.editor);
      const res = await call(h, 'POST', '/api/v1/auth/logout', { headers: withCookie(one.sessionId, { 'x-csrf-token': one.csrfToken }) });
      expect(res.statusCode).toBe(204);
      expect((await call(h, 'GET', '/api/v1/me', { headers: withCookie(one.sessionId) })).statusCode).toBe(401);
      expect((await call(h, 'GET', '/api/v1/me', { headers: withCookie(two.sessionId) })).statusCode).toBe(200);
    });
  });

  describe('disabled users', () => {
    it('refuses existing sessions and tokens of a user an admin disabled', async () => {
      const org = await createTestOrg(h);
      const { sessionId } = await signIn(h, org.editor);
      expect((await call(h, 'GET', '/api/v1/me', { headers: withCookie(sessionId) })).statusCode).toBe(200);
      expect((await call(h, 'GET', '/api/v1/me', { token: org.editor.token })).statusCode).toBe(200);

      const res = await call(h, 'PATCH', `/api/v1/users/${org.editor.id}`, { token: org.admin.token, body: { disabled: true } });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ id: org.editor.id, disabled: true });

      const bySession = await call(h, 'GET', '/api/v1/me', { headers: withCookie(sessionId) });
      expect(bySession.statusCode).toBe(401);
      expect(bySession.json().error.code).toBe('UNAUTHENTICATED');
      const byToken = await call(h, 'GET', '/api/v1/me', { token: org.editor.token });
      expect(byToken.statusCode).toBe(401);
      expect(byToken.json().error.code).toBe('UNAUTHENTICATED');
      // Writes too, not only reads.
      const write = await call(h, 'POST', '/api/v1/tokens', { token: org.editor.token, body: { name: 'nach Sperre' } });
      expect(write.statusCode).toBe(401);
    });

    it('ends the sessions of a user whose password an admin changed', async () => {
      const org = await createTestOrg(h);
      const { sessionId } = await signIn(h, org.editor);
      const res = await call(h, 'PATCH', `/api/v1/users/${org.editor.id}`, { token: org.admin.token, body: { password: 'a brand new passphrase' } });
      expect(res.statusCode).toBe(200);
      expect((await call(h, 'GET', '/api/v1/me', { headers: withCookie(sessionId) })).statusCode).toBe(401);
      expect((await login(h, org.editor.email, PASSWORD, freshAddress())).statusCode).toBe(401);
      expect((await login(h, org.editor.email, 'a brand new passphrase', freshAddress())).statusCode).toBe(200);
    });
  });

  describe('bearer tokens and anonymous calls', () => {
    it('accepts a valid bearer token without any CSRF token, also for writes', async () => {
      const org = await createTestOrg(h);
      const me = await call(h, 'GET', '/api/v1/me', { token: org.approver.token });
      expect(me.statusCode).toBe(200);
      expect(me.json()).toMatchObject({ id: org.approver.id, email: org.approver.email, roles: ['approver'] });
      const write = await call(h, 'POST', '/api/v1/tokens', { token: org.approver.token, body: { name: 'per Token' } });
      expect(write.statusCode).toBe(201);
    });

    it('refuses an invalid bearer token with 401 UNAUTHENTICATED', async () => {
      const org = await createTestOrg(h);
      for (const authorization of [`Bearer hrd_${randomUUID()}`, `Bearer ${org.editor.token}x`, 'Bearer', `Basic ${Buffer.from('a:b').toString('base64')}`]) {
        const res = await call(h, 'GET', '/api/v1/me', { headers: { authorization } });
        expect(res.statusCode).toBe(401);
        expect(res.json().error.code).toBe('UNAUTHENTICATED');
      }
    });

    it('refuses a revoked token', async () => {
      const org = await createTestOrg(h);
      const created = await call(h, 'POST', '/api/v1/tokens', { token: org.editor.token, body: { name: 'wird widerrufen' } });
      expect(created.statusCode).toBe(201);
      await h.deps.db.apiToken.update({ where: { id: created.json().id }, data: { revokedAt: new Date() } });
      const res = await call(h, 'GET', '/api/v1/me', { token: created.json().token });
      expect(res.statusCode).toBe(401);
    });

    it('refuses a call with neither Authorization nor a session cookie with 401', async () => {
      const res = await call(h, 'GET', '/api/v1/me');
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('UNAUTHENTICATED');
      const write = await call(h, 'POST', '/api/v1/tokens', { body: { name: 'anonym' } });
      expect(write.statusCode).toBe(401);
      expect(write.json().error.code).toBe('UNAUTHENTICATED');
    });

    it('serves the calendar feed to a valid token in the query and refuses anything else', async () => {
      const org = await createTestOrg(h);
      const ok = await call(h, 'GET', `/api/v1/calendar.ics?token=${encodeURIComponent(org.editor.token)}`);
      expect(ok.statusCode).toBe(200);
      expect(ok.headers['content-type']).toMatch(/^text\/calendar/);
      expect(ok.body).toMatch(/^BEGIN:VCALENDAR/);

      const wrong = await call(h, 'GET', `/api/v1/calendar.ics?token=hrd_${randomUUID()}`);
      expect(wrong.statusCode).toBe(401);
      expect(wrong.json().error.code).toBe('UNAUTHENTICATED');
      expect(wrong.body).not.toContain('VCALENDAR');

      // A session cookie is no calendar token.
      const { sessionId } = await signIn(h, org.editor);
      const byCookie = await call(h, 'GET', '/api/v1/calendar.ics', { headers: withCookie(sessionId) });
      expect(byCookie.statusCode).toBeGreaterThanOrEqual(400);
      expect(byCookie.statusCode).toBeLessThan(500);
      expect(byCookie.body).not.toContain('VCALENDAR');

      const disable = await call(h, 'PATCH', `/api/v1/users/${org.editor.id}`, { token: org.admin.token, body: { disabled: true } });
      expect(disable.statusCode).toBe(200);
      const disabled = await call(h, 'GET', `/api/v1/calendar.ics?token=${encodeURIComponent(org.editor.token)}`);
      expect(disabled.statusCode).toBe(401);
      expect(disabled.body).not.toContain('VCALENDAR');
    });

    it('refuses an unknown session cookie with 401', async () => {
      const res = await call(h, 'GET', '/api/v1/me', { headers: withCookie(`hs_${randomUUID()}`) });
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('UNAUTHENTICATED');
    });
  });
});

describe('authentication behind https', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ HEROLD_PUBLIC_URL: 'https://herold.example.de' });
  });
  afterAll(() => h.close());

  it('sets the Secure flag on the session cookie when the public URL is https', async () => {
    const org = await createTestOrg(h);
    const res = await login(h, org.editor.email, PASSWORD, freshAddress());
    expect(res.statusCode).toBe(200);
    const header = sessionCookieHeader(res);
    expect(header).toMatch(/;\s*Secure/i);
    expect(header).toMatch(/;\s*HttpOnly/i);
    expect(header).toMatch(/;\s*SameSite=Lax/i);
    expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
  });
});
