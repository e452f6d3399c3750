// The per-request identity check (services/auth.ts actorFromToken / actorFromSession) reads the
// token or session with its user in plain SQL on every request, nothing kept in memory: a
// revocation, a logout, a disabled user or a role change counts from the very next request. The
// token's "last used" time is written at most once a minute.
import { call, createTestOrg, startHarness, type Harness } from '../helpers/harness';
import { TOKEN_TOUCH_INTERVAL_MS } from '../../src/services/auth';

const COOKIE = 'herold_session';

async function signIn(h: Harness, email: string) {
  const res = await h.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    remoteAddress: '10.77.0.1',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ email, password: 'correct horse battery' }),
  });
  expect(res.statusCode).toBe(200);
  const sessionId = res.cookies.find((c) => c.name === COOKIE)!.value;
  return { cookie: `${COOKIE}=${sessionId}`, csrfToken: res.json().csrfToken as string };
}

/** The token's last_used_at, once the fire-and-forget update had time to land. */
async function lastUsed(h: Harness, tokenId: string, settleMs = 300): Promise<Date | null> {
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  return (await h.deps.db.apiToken.findUniqueOrThrow({ where: { id: tokenId } })).lastUsedAt;
}

describe('identity on every request', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('takes a role away from the next request on, for a token and for a session', async () => {
    const org = await createTestOrg(h);
    const session = await signIn(h, org.approver.email);
    for (const auth of [{ token: org.approver.token }, { headers: { cookie: session.cookie } }]) {
      expect((await call(h, 'GET', '/api/v1/audit/verify', auth)).statusCode).toBe(200);
    }
    const patch = await call(h, 'PATCH', `/api/v1/users/${org.approver.id}`, { token: org.admin.token, body: { roles: ['editor'] } });
    expect(patch.statusCode).toBe(200);
    for (const auth of [{ token: org.approver.token }, { headers: { cookie: session.cookie } }]) {
      const res = await call(h, 'GET', '/api/v1/audit/verify', auth);
      // A session may also have been ended by the change; either way the role is gone.
      expect([401, 403]).toContain(res.statusCode);
    }
    const me = await call(h, 'GET', '/api/v1/me', { token: org.approver.token });
    expect(me.json().roles).toEqual(['editor']);
  });

  it('refuses a token revoked after it was used, and a session after logout, at once', async () => {
    const org = await createTestOrg(h);
    const created = await call(h, 'POST', '/api/v1/tokens', { token: org.editor.token, body: { name: 'kurzlebig' } });
    expect(created.statusCode).toBe(201);
    const { id, token } = created.json() as { id: string; token: string };
    expect((await call(h, 'GET', '/api/v1/me', { token })).statusCode).toBe(200);
    await h.deps.db.apiToken.update({ where: { id }, data: { revokedAt: new Date() } });
    expect((await call(h, 'GET', '/api/v1/me', { token })).statusCode).toBe(401);

    const session = await signIn(h, org.editor.email);
    expect((await call(h, 'GET', '/api/v1/me', { headers: { cookie: session.cookie } })).statusCode).toBe(200);
    const out = await call(h, 'POST', '/api/v1/auth/logout', { headers: { cookie: session.cookie, 'x-csrf-token': session.csrfToken } });
    expect(out.statusCode).toBe(204);
    expect((await call(h, 'GET', '/api/v1/me', { headers: { cookie: session.cookie } })).statusCode).toBe(401);
  });

  it('records a token\'s last use, at most once a minute', async () => {
    const org = await createTestOrg(h);
    const created = await call(h, 'POST', '/api/v1/tokens', { token: org.editor.token, body: { name: 'zuletzt' } });
    const { id, token } = created.json() as { id: string; token: string };
    expect(await lastUsed(h, id, 0)).toBeNull();

    const before = Date.now();
    expect((await call(h, 'GET', '/api/v1/me', { token })).statusCode).toBe(200);
    const first = await lastUsed(h, id);
    expect(first).not.toBeNull();
    expect(first!.getTime()).toBeGreaterThanOrEqual(before - 5);

    // Within the minute: not written again.
    expect((await call(h, 'GET', '/api/v1/me', { token })).statusCode).toBe(200);
    expect(await lastUsed(h, id)).toEqual(first);

    // A minute later: written again.
    const old = new Date(Date.now() - TOKEN_TOUCH_INTERVAL_MS - 1000);
    await h.deps.db.apiToken.update({ where: { id }, data: { lastUsedAt: old } });
    expect((await call(h, 'GET', '/api/v1/me', { token })).statusCode).toBe(200);
    const again = await lastUsed(h, id);
    expect(again!.getTime()).toBeGreaterThan(old.getTime() + TOKEN_TOUCH_INTERVAL_MS);
  });
});
