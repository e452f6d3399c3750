// QUALITY.md "Security", row 6: login. test/integration/auth.test.ts already shows the cookie
// flags (HttpOnly, SameSite=Lax, Secure behind TLS), throttling per account and per address,
// session rotation, logout, disabled users and CSRF on three write routes; the CSRF check of
// every write route of the API table is in matrix.test.ts. This file adds what those leave out:
// how passwords are stored on every path that sets one, that no hash ever leaves the API, that
// throttling does not tell known from unknown accounts, server-side session expiry, and the
// staff UI's own forms (login CSRF, the _csrf field on every UI write).
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { addUser } from '../../src/services/bootstrap';
import { sha256 } from '../../src/security/tokens';
import {
  PASSWORD,
  SESSION_COOKIE,
  call,
  cookieHeaders,
  createRelease,
  createTestOrg,
  freshAddress,
  login,
  signIn,
  startHarness,
  type Harness,
  type TestOrg,
} from './helpers';

const ARGON2ID = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$[A-Za-z0-9+/]{16,}\$[A-Za-z0-9+/]{32,}$/;

describe('login and sessions', () => {
  let h: Harness;
  let org: TestOrg;

  beforeAll(async () => {
    h = await startHarness();
    org = await createTestOrg(h);
  });
  afterAll(() => h.close());

  describe('password storage', () => {
    it('stores argon2id hashes (OWASP parameters or stronger, salted) on every path that sets a password', async () => {
      const same = 'dasselbe lange Passwort';
      const viaCli = await addUser(h.deps.db, { orgSlug: org.slug, email: `cli-${randomUUID().slice(0, 6)}@${org.slug}.test`, name: 'CLI', roles: ['editor'], password: same });
      const viaApi = await call(h, 'POST', '/api/v1/users', {
        token: org.admin.token,
        body: { email: `api-${randomUUID().slice(0, 6)}@${org.slug}.test`, name: 'API', roles: ['editor'], password: same },
      });
      expect(viaApi.statusCode).toBe(201);
      const changed = await call(h, 'PATCH', `/api/v1/users/${org.editor.id}`, { token: org.admin.token, body: { password: same } });
      expect(changed.statusCode).toBe(200);

      const rows = await h.deps.db.user.findMany({ where: { id: { in: [viaCli.id, viaApi.json().id, org.editor.id] } } });
      expect(rows).toHaveLength(3);
      for (const row of rows) {
        const m = ARGON2ID.exec(row.passwordHash ?? '');
        expect({ user: row.name, argon2id: Boolean(m) }).toEqual({ user: row.name, argon2id: true });
        const [memory, time, parallelism] = [Number(m![1]), Number(m![2]), Number(m![3])];
        // OWASP: m=19456 (19 MiB), t=2, p=1 at least.
        expect(memory).toBeGreaterThanOrEqual(19_456);
        expect(time).toBeGreaterThanOrEqual(2);
        expect(parallelism).toBeGreaterThanOrEqual(1);
        expect(row.passwordHash).not.toContain(same);
      }
      // Same password, different salt, different hash.
      expect(new Set(rows.map((r) => r.passwordHash)).size).toBe(3);
      expect((await login(h, org.editor.email, same)).statusCode).toBe(200);
    });

    it('never returns a password or its hash from any user-facing answer', async () => {
      const answers = [
        await call(h, 'GET', '/api/v1/users', { token: org.admin.token }),
        await call(h, 'GET', '/api/v1/me', { token: org.admin.token }),
        await call(h, 'PATCH', `/api/v1/users/${org.approver.id}`, { token: org.admin.token, body: { password: 'noch ein langes Passwort' } }),
        await call(h, 'POST', '/api/v1/users', { token: org.admin.token, body: { email: `x-${randomUUID().slice(0, 6)}@${org.slug}.test`, name: 'X', roles: ['editor'], password: 'noch ein langes Passwort' } }),
        await login(h, org.admin.email, PASSWORD),
        await call(h, 'GET', '/api/v1/audit', { token: org.admin.token }),
      ];
      for (const res of answers) {
        expect(res.statusCode).toBeLessThan(300);
        expect(res.body).not.toMatch(/\$argon2|passwordHash|password_hash|noch ein langes Passwort|correct horse/);
      }
    });

    it('stores session ids and API tokens only as SHA-256 hashes', async () => {
      const { sessionId } = await signIn(h, org.author.email);
      expect(await h.deps.db.session.count({ where: { idHash: sessionId } })).toBe(0);
      expect(await h.deps.db.session.count({ where: { idHash: sha256(sessionId) } })).toBe(1);
      expect(await h.deps.db.apiToken.count({ where: { tokenHash: org.author.token } })).toBe(0);
      expect(await h.deps.db.apiToken.count({ where: { tokenHash: sha256(org.author.token) } })).toBe(1);
    });
  });

  describe('throttling', () => {
    it('throttles an unknown account exactly like a known one, so the lockout reveals nothing', async () => {
      const known = org.approver.email;
      const unknown = `niemand-${randomUUID().slice(0, 8)}@${org.slug}.test`;
      const bodies: Record<string, string[]> = { known: [], unknown: [] };
      for (const [who, email] of [['known', known], ['unknown', unknown]] as const) {
        for (let i = 0; i < 7; i++) {
          const res = await login(h, email, `falsch ${i}`, freshAddress());
          bodies[who]!.push(`${res.statusCode} ${res.json().error.code}`);
        }
      }
      expect(bodies.unknown).toEqual(bodies.known);
      expect(bodies.known!.slice(-1)).toEqual(['429 LOGIN_THROTTLED']);
    });

    it('locks out only for a limited time (a Redis key with a TTL of at most 15 minutes)', async () => {
      const email = org.author.email;
      for (let i = 0; i < 6; i++) await login(h, email, `falsch ${i}`, freshAddress());
      const key = `herold:login:account:${sha256(email.toLowerCase())}`;
      const ttl = await h.deps.redis.ttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(15 * 60);
      const throttled = await login(h, email, PASSWORD, freshAddress());
      expect(throttled.statusCode).toBe(429);
      expect(throttled.json().error.message).toMatch(/\d/);
      // After the lockout the right password works again.
      await h.deps.redis.del(key);
      expect((await login(h, email, PASSWORD, freshAddress())).statusCode).toBe(200);
    });

    it('records failed logins of existing accounts in the audit log, with the address', async () => {
      const address = freshAddress();
      await login(h, org.admin.email, 'ganz falsch', address);
      const events = await h.deps.db.auditEvent.findMany({ where: { orgId: org.id, action: 'auth.login_failed', entityId: org.admin.id } });
      expect(events.map((e) => e.data)).toContainEqual({ address });
    });
  });

  describe('sessions', () => {
    it('ends a session on the server when it expires, whatever the browser keeps', async () => {
      const { sessionId } = await signIn(h, org.admin.email);
      expect((await call(h, 'GET', '/api/v1/me', { headers: cookieHeaders({ sessionId, csrfToken: '' }) })).statusCode).toBe(200);
      await h.deps.db.session.update({ where: { idHash: sha256(sessionId) }, data: { expiresAt: new Date(Date.now() - 1000) } });
      const after = await call(h, 'GET', '/api/v1/me', { headers: cookieHeaders({ sessionId, csrfToken: '' }) });
      expect(after.statusCode).toBe(401);
    });

    it('sets a host-only session cookie whose lifetime matches the server-side session', async () => {
      const res = await login(h, org.admin.email, PASSWORD);
      const header = ([] as string[]).concat(res.headers['set-cookie'] as string | string[]).find((c) => c.startsWith(`${SESSION_COOKIE}=`))!;
      expect(header).not.toMatch(/;\s*Domain=/i);
      const maxAge = Number(/Max-Age=(\d+)/i.exec(header)?.[1]);
      expect(maxAge).toBe(h.config.sessionHours * 3600);
      const session = await h.deps.db.session.findUniqueOrThrow({ where: { idHash: sha256(res.cookies.find((c) => c.name === SESSION_COOKIE)!.value) } });
      expect(Math.abs(session.expiresAt.getTime() - Date.now() - maxAge * 1000)).toBeLessThan(60_000);
    });
  });

  describe('the staff UI\'s forms', () => {
    /** Every POST route of the UI, read from its source so a new form is covered automatically. */
    function uiPostRoutes(): string[] {
      const dir = join(__dirname, '../../src/web/ui/pages');
      const routes = new Set<string>();
      for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
        const source = readFileSync(join(dir, file), 'utf8');
        for (const m of source.matchAll(/router\.post\(\s*['`]([^'`$]+)['`]/g)) routes.add(m[1]!);
        const template = /router\.post\(\s*`([^`]*)\$\{name\}`/.exec(source);
        if (template) for (const m of source.matchAll(/\bact\(\s*'(\w+)'/g)) routes.add(`${template[1]}${m[1]}`);
      }
      return [...routes].sort();
    }

    it('refuses every signed-in UI write without the session\'s _csrf field, and changes nothing', async () => {
      const routes = uiPostRoutes();
      expect(routes.length).toBeGreaterThanOrEqual(10);
      const all = await addUser(h.deps.db, { orgSlug: org.slug, email: `ui-${randomUUID().slice(0, 6)}@${org.slug}.test`, name: 'UI', roles: ['editor', 'approver', 'admin'], password: PASSWORD });
      const session = await signIn(h, all.email);
      const blog = await call(h, 'POST', '/api/v1/channels', { token: org.admin.token, body: { type: 'blog', name: 'UI-Blog', settings: {} } });
      const release = await createRelease(h, org.editor.token, [blog.json().id], {}, { submit: true });
      const ids: Record<string, string> = { releases: release.id, posts: release.posts[0]!.id, channels: blog.json().id, users: org.editor.id };
      const head = async () => (await h.deps.db.auditHead.findUnique({ where: { orgId: org.id } }))?.events ?? 0;

      const accepted: string[] = [];
      const before = await head();
      for (const route of routes) {
        const url = route.replace(/\/(\w+)\/:id/, (_m, kind: string) => `/${kind}/${ids[kind] ?? randomUUID()}`);
        for (const csrf of [undefined, 'falsch', '']) {
          const form = new URLSearchParams({ name: 'CSRF', title: 'CSRF', body: 'CSRF', reason: 'CSRF', comment: 'CSRF', revision: String(release.revision), published: 'false' });
          if (csrf !== undefined) form.set('_csrf', csrf);
          const res = await h.app.inject({
            method: 'POST',
            url,
            headers: { ...cookieHeaders(session), 'content-type': 'application/x-www-form-urlencoded', origin: 'https://angreifer.example' },
            payload: form.toString(),
          });
          // /app/login and /app/language need no session; all others must refuse.
          if (res.statusCode !== 403 && !['/app/login', '/app/language'].includes(route)) accepted.push(`${route} (_csrf=${csrf ?? 'none'}): ${res.statusCode}`);
        }
      }
      expect(accepted).toEqual([]);
      expect(await head()).toBe(before);
    });

    it('does not let another site sign a browser in through the UI login form (login CSRF)', async () => {
      // The API refuses form-encoded logins for this reason (auth.test.ts); the UI form must not reopen it.
      const res = await h.app.inject({
        method: 'POST',
        url: '/app/login',
        remoteAddress: freshAddress(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://angreifer.example', 'sec-fetch-site': 'cross-site' },
        payload: new URLSearchParams({ email: org.admin.email, password: PASSWORD }).toString(),
      });
      const cookies = ([] as string[]).concat((res.headers['set-cookie'] as string | string[] | undefined) ?? []);
      expect({ status: res.statusCode, sessionCookieSet: cookies.some((c) => c.startsWith(`${SESSION_COOKIE}=`)) }).toEqual({
        status: expect.any(Number),
        sessionCookieSet: false,
      });
    });
  });
});
