// Who may call what: a role matrix driven by the route table itself (a new route is covered
// automatically), tenancy between organisations, and channel credentials that never leave.
import { randomUUID } from 'node:crypto';
import { ROLES, type Role } from '../../src/domain/types';
import { apiRoutes } from '../../src/http/routes/api';
import type { RouteDef } from '../../src/http/route';
import { decryptJson } from '../../src/security/credentials';
import { addToken, addUser } from '../../src/services/bootstrap';
import { call, createTestOrg, startHarness, type Harness, type TestOrg } from '../helpers/harness';

const SOME_ID = randomUUID();
const SECRET = 'EAA-secret-xyz';

/**
 * A minimal body that passes each route's validation, so a 403 can only come from the role
 * check. Checked against the route's own schema below, so it cannot rot silently.
 */
const VALID_BODIES: Record<string, unknown> = {
  'POST /api/v1/auth/login': { email: 'niemand@example.test', password: 'x' },
  'POST /api/v1/tokens': { name: 'Matrix' },
  'POST /api/v1/users': { email: `matrix-${randomUUID().slice(0, 8)}@example.test`, name: 'Matrix', roles: ['editor'] },
  'PATCH /api/v1/users/:id': { name: 'Matrix' },
  'POST /api/v1/channels': { type: 'blog', name: 'Matrix-Blog', settings: {} },
  'PATCH /api/v1/channels/:id': { name: 'Matrix' },
  'POST /api/v1/releases': { title: 'Matrix', body: 'Ein Text.', channelIds: [SOME_ID] },
  'PATCH /api/v1/releases/:id': { title: 'Matrix' },
  'PATCH /api/v1/posts/:id': { content: { text: 'Matrix' } },
  'POST /api/v1/releases/:id/approve': { revision: 1 },
  'POST /api/v1/releases/:id/reject': { comment: 'Bitte überarbeiten.' },
  'POST /api/v1/preview': { title: 'Matrix', body: 'Ein Text.', channelTypes: ['blog'] },
  'POST /api/v1/posts/:id/resolve': { published: true },
  'PATCH /api/v1/org': { policy: {} },
  'POST /api/v1/org/pause': { reason: 'Matrix' },
  'PATCH /api/v1/me': { language: 'en' },
};

const keyOf = (def: RouteDef) => `${def.method} ${def.path}`;
const urlOf = (def: RouteDef) => def.path.replace(/:\w+/g, SOME_ID);
const bodyOf = (def: RouteDef) => (def.body ? VALID_BODIES[keyOf(def)] : undefined);

const roleRoutes = apiRoutes.filter((def): def is RouteDef & { access: Role[] } => Array.isArray(def.access));
const signedInRoutes = apiRoutes.filter((def) => def.access !== 'public');

describe('route table', () => {
  it('has a valid-looking body for every route that takes one', () => {
    for (const def of apiRoutes.filter((d) => d.body)) {
      const sample = VALID_BODIES[keyOf(def)];
      expect({ route: keyOf(def), hasSample: sample !== undefined }).toEqual({ route: keyOf(def), hasSample: true });
      const parsed = def.body!.safeParse(sample);
      expect({ route: keyOf(def), issues: parsed.success ? [] : parsed.error.issues }).toEqual({ route: keyOf(def), issues: [] });
    }
  });

  it('guards the administrative routes with roles', () => {
    const access = (method: string, path: string) => apiRoutes.find((d) => d.method === method && d.path === path)?.access;
    expect(access('GET', '/api/v1/users')).toEqual(['admin']);
    expect(access('POST', '/api/v1/users')).toEqual(['admin']);
    expect(access('PATCH', '/api/v1/users/:id')).toEqual(['admin']);
    expect(access('POST', '/api/v1/channels')).toEqual(['admin']);
    expect(access('PATCH', '/api/v1/channels/:id')).toEqual(['admin']);
    expect(access('POST', '/api/v1/releases/:id/approve')).toEqual(['approver']);
    expect(access('PATCH', '/api/v1/org')).toEqual(['admin']);
    expect(access('POST', '/api/v1/auth/login')).toBe('public');
  });
});

describe('access rules', () => {
  let h: Harness;
  let org: TestOrg;
  /** One token per combination of roles, e.g. "approver+editor". */
  const tokens = new Map<string, string>();

  async function tokenFor(roles: Role[]): Promise<string> {
    const key = [...roles].sort().join('+');
    let token = tokens.get(key);
    if (!token) {
      const email = `${key.replace(/\+/g, '-')}-${randomUUID().slice(0, 8)}@${org.slug}.test`;
      await addUser(h.deps.db, { orgSlug: org.slug, email, name: key, roles, password: 'correct horse battery' });
      token = await addToken(h.deps.db, { email, name: 'matrix' });
      tokens.set(key, token);
    }
    return token;
  }

  beforeAll(async () => {
    h = await startHarness();
    org = await createTestOrg(h);
  });
  afterAll(() => h.close());

  describe('role matrix', () => {
    for (const def of roleRoutes) {
      const lacking = ROLES.filter((r) => !def.access.includes(r));
      if (lacking.length === 0) continue;

      it(`refuses ${keyOf(def)} to a user with only ${lacking.join('+')} with 403 FORBIDDEN`, async () => {
        const token = await tokenFor(lacking);
        const res = await call(h, def.method, urlOf(def), { token, body: bodyOf(def) });
        expect({ status: res.statusCode, body: res.json() }).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
      });

      if (def.body) it(`refuses ${keyOf(def)} to a user with only ${lacking.join('+')} before looking at the body`, async () => {
        const token = await tokenFor(lacking);
        const res = await call(h, def.method, urlOf(def), { token, body: { unerwartet: 'x'.repeat(10) } });
        expect({ status: res.statusCode, code: res.json().error?.code }).toEqual({ status: 403, code: 'FORBIDDEN' });
      });

      for (const role of def.access) {
        it(`lets a user with only ${role} past the role check of ${keyOf(def)}`, async () => {
          const token = await tokenFor([role]);
          const res = await call(h, def.method, urlOf(def), { token, body: bodyOf(def) });
          expect(res.statusCode).not.toBe(401);
          if (res.statusCode === 403) expect(res.json().error.code).not.toBe('FORBIDDEN');
          expect(res.statusCode).toBeLessThan(500);
        });
      }
    }
  });

  describe('routes for any signed-in user', () => {
    for (const def of signedInRoutes.filter((d) => d.access === 'user')) {
      for (const role of ROLES) {
        it(`lets a user with only ${role} past the access check of ${keyOf(def)}`, async () => {
          const token = await tokenFor([role]);
          const res = await call(h, def.method, urlOf(def), { token, body: bodyOf(def) });
          expect(res.statusCode).not.toBe(401);
          if (res.statusCode === 403) expect(res.json().error.code).not.toBe('FORBIDDEN');
          expect(res.statusCode).toBeLessThan(500);
        });
      }
    }
  });

  describe('role changes', () => {
    it('takes a removed role away from existing tokens at once', async () => {
      const email = `demoted-${randomUUID().slice(0, 8)}@${org.slug}.test`;
      const user = await addUser(h.deps.db, { orgSlug: org.slug, email, name: 'Bald kein Admin', roles: ['admin'], password: 'correct horse battery' });
      const token = await addToken(h.deps.db, { email, name: 'test' });
      expect((await call(h, 'GET', '/api/v1/users', { token })).statusCode).toBe(200);

      const demote = await call(h, 'PATCH', `/api/v1/users/${user.id}`, { token: org.admin.token, body: { roles: ['editor'] } });
      expect(demote.statusCode).toBe(200);
      expect(demote.json().roles).toEqual(['editor']);

      const after = await call(h, 'GET', '/api/v1/users', { token });
      expect(after.statusCode).toBe(403);
      expect(after.json().error.code).toBe('FORBIDDEN');
      const promoteSelf = await call(h, 'PATCH', `/api/v1/users/${user.id}`, { token, body: { roles: ['admin'] } });
      expect(promoteSelf.statusCode).toBe(403);
    });

    it('refuses to disable or demote the last active admin of an organisation', async () => {
      const lonely = await createTestOrg(h);
      const disable = await call(h, 'PATCH', `/api/v1/users/${lonely.admin.id}`, { token: lonely.admin.token, body: { disabled: true } });
      expect(disable.statusCode).toBe(409);
      expect(disable.json().error.code).toBe('LAST_ADMIN');
      const demote = await call(h, 'PATCH', `/api/v1/users/${lonely.admin.id}`, { token: lonely.admin.token, body: { roles: ['editor'] } });
      expect(demote.statusCode).toBe(409);
      expect((await call(h, 'GET', '/api/v1/users', { token: lonely.admin.token })).statusCode).toBe(200);
    });
  });

  describe('anonymous calls', () => {
    for (const def of signedInRoutes) {
      it(`refuses ${keyOf(def)} without sign-in with 401 UNAUTHENTICATED`, async () => {
        const res = await call(h, def.method, urlOf(def), { body: bodyOf(def) });
        expect({ status: res.statusCode, code: res.json().error?.code }).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
      });
    }

    it('covers every signed-in route of the table, including those for any user', () => {
      expect(signedInRoutes.filter((d) => d.access === 'user').map(keyOf)).toEqual(
        expect.arrayContaining(['GET /api/v1/me', 'GET /api/v1/channels', 'GET /api/v1/releases', 'GET /api/v1/posts', 'GET /api/v1/org']),
      );
    });
  });

  describe('another organisation', () => {
    let other: TestOrg;
    let otherChannelId: string;

    beforeAll(async () => {
      other = await createTestOrg(h);
      const res = await call(h, 'POST', '/api/v1/channels', { token: other.admin.token, body: { type: 'blog', name: 'Fremder Blog', settings: {} } });
      expect(res.statusCode).toBe(201);
      otherChannelId = res.json().id;
    });

    it('answers 404 for PATCH of a user of another organisation and changes nothing', async () => {
      const res = await call(h, 'PATCH', `/api/v1/users/${other.editor.id}`, { token: org.admin.token, body: { name: 'Übernommen', roles: ['admin'] } });
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('NOT_FOUND');
      const user = await h.deps.db.user.findUnique({ where: { id: other.editor.id } });
      expect(user).toMatchObject({ name: 'editor', roles: ['editor'], disabled: false });
    });

    it('answers 404 for disabling a user of another organisation', async () => {
      const res = await call(h, 'PATCH', `/api/v1/users/${other.admin.id}`, { token: org.admin.token, body: { disabled: true } });
      expect(res.statusCode).toBe(404);
      expect((await call(h, 'GET', '/api/v1/me', { token: other.admin.token })).statusCode).toBe(200);
    });

    it('does not list users of another organisation', async () => {
      const res = await call(h, 'GET', '/api/v1/users', { token: org.admin.token });
      expect(res.statusCode).toBe(200);
      const ids = res.json().map((u: { id: string }) => u.id);
      expect(ids).toEqual(expect.arrayContaining([org.admin.id, org.editor.id]));
      for (const id of [other.admin.id, other.editor.id, other.approver.id, other.author.id]) expect(ids).not.toContain(id);
    });

    it('answers 404 for PATCH of a channel of another organisation and changes nothing', async () => {
      const res = await call(h, 'PATCH', `/api/v1/channels/${otherChannelId}`, { token: org.admin.token, body: { name: 'Übernommen', enabled: false } });
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('NOT_FOUND');
      const channel = await h.deps.db.channel.findUnique({ where: { id: otherChannelId } });
      expect(channel).toMatchObject({ name: 'Fremder Blog', enabled: true });
    });

    it('answers 404 for checking a channel of another organisation', async () => {
      const res = await call(h, 'POST', `/api/v1/channels/${otherChannelId}/check`, { token: org.admin.token });
      expect(res.statusCode).toBe(404);
    });

    it('does not list channels of another organisation', async () => {
      const res = await call(h, 'GET', '/api/v1/channels', { token: org.editor.token });
      expect(res.statusCode).toBe(200);
      expect(res.json().map((c: { id: string }) => c.id)).not.toContain(otherChannelId);
      const theirs = await call(h, 'GET', '/api/v1/channels', { token: other.editor.token });
      expect(theirs.json().map((c: { id: string }) => c.id)).toContain(otherChannelId);
    });

    it('answers 404 for GET of a release and a post of another organisation', async () => {
      const created = await call(h, 'POST', '/api/v1/releases', {
        token: other.author.token,
        body: { title: 'Interna', body: 'Nur für die andere Stadt.', channelIds: [otherChannelId] },
      });
      expect(created.statusCode).toBe(201);
      const release = created.json();
      const postId = release.posts[0].id as string;
      expect((await call(h, 'GET', `/api/v1/releases/${release.id}`, { token: other.editor.token })).statusCode).toBe(200);

      const foreignRelease = await call(h, 'GET', `/api/v1/releases/${release.id}`, { token: org.editor.token });
      expect(foreignRelease.statusCode).toBe(404);
      expect(foreignRelease.json().error.code).toBe('NOT_FOUND');
      expect(foreignRelease.body).not.toContain('Interna');
      const foreignPost = await call(h, 'GET', `/api/v1/posts/${postId}`, { token: org.editor.token });
      expect(foreignPost.statusCode).toBe(404);
      const patch = await call(h, 'PATCH', `/api/v1/releases/${release.id}`, { token: org.author.token, body: { title: 'Übernommen' } });
      expect(patch.statusCode).toBe(404);
      const list = await call(h, 'GET', '/api/v1/releases', { token: org.editor.token });
      expect(list.json().map((r: { id: string }) => r.id)).not.toContain(release.id);
    });

    it('keeps posts of another organisation out of the calendar feed', async () => {
      const title = `Geheimsache ${randomUUID().slice(0, 8)}`;
      const created = await call(h, 'POST', '/api/v1/releases', {
        token: other.author.token,
        body: { title, body: 'Erscheint erst nächste Woche.', channelIds: [otherChannelId], publishAt: new Date(Date.now() + 7 * 86_400_000).toISOString() },
      });
      expect(created.statusCode).toBe(201);
      const id = created.json().id as string;
      expect((await call(h, 'POST', `/api/v1/releases/${id}/submit`, { token: other.author.token })).statusCode).toBe(200);
      const approved = await call(h, 'POST', `/api/v1/releases/${id}/approve`, { token: other.approver.token, body: { revision: created.json().revision } });
      expect(approved.statusCode).toBe(200);

      const theirs = await call(h, 'GET', `/api/v1/calendar.ics?token=${encodeURIComponent(other.editor.token)}`);
      expect(theirs.statusCode).toBe(200);
      expect(theirs.body).toContain(title);
      const ours = await call(h, 'GET', `/api/v1/calendar.ics?token=${encodeURIComponent(org.editor.token)}`);
      expect(ours.statusCode).toBe(200);
      expect(ours.body).not.toContain(title);
    });

    it('refuses a release on a channel of another organisation', async () => {
      const before = await h.deps.db.post.count({ where: { channelId: otherChannelId } });
      const res = await call(h, 'POST', '/api/v1/releases', {
        token: org.author.token,
        body: { title: 'Fremd', body: 'Auf einem fremden Kanal.', channelIds: [otherChannelId] },
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('CHANNEL_NOT_FOUND');
      expect(await h.deps.db.post.count({ where: { channelId: otherChannelId } })).toBe(before);
    });
  });

  describe('channel credentials', () => {
    let channelId: string;
    const responses: { what: string; body: string }[] = [];

    beforeAll(async () => {
      const created = await call(h, 'POST', '/api/v1/channels', {
        token: org.admin.token,
        body: { type: 'facebook', name: 'Facebook Stadt', settings: { pageId: '123456789' }, credentials: { pageAccessToken: SECRET } },
      });
      expect(created.statusCode).toBe(201);
      channelId = created.json().id;
      responses.push({ what: 'POST /api/v1/channels', body: created.body });
    });

    it('returns no credential value when a channel is created', () => {
      const created = responses.find((r) => r.what === 'POST /api/v1/channels')!;
      expect(created.body).not.toContain(SECRET);
      const json = JSON.parse(created.body);
      expect(json).toMatchObject({ id: channelId, type: 'facebook', hasCredentials: true });
      expect(json).not.toHaveProperty('credentials');
      expect(json).not.toHaveProperty('credentialsEnc');
    });

    it('returns no credential value when a channel is changed', async () => {
      const renamed = await call(h, 'PATCH', `/api/v1/channels/${channelId}`, { token: org.admin.token, body: { name: 'Facebook Rathaus' } });
      expect(renamed.statusCode).toBe(200);
      expect(renamed.body).not.toContain(SECRET);
      expect(renamed.body).not.toMatch(/credentialsEnc|credentials_enc/);

      const rekeyed = await call(h, 'PATCH', `/api/v1/channels/${channelId}`, {
        token: org.admin.token,
        body: { credentials: { pageAccessToken: `${SECRET}-2` } },
      });
      expect(rekeyed.statusCode).toBe(200);
      expect(rekeyed.body).not.toContain(SECRET);
      expect(rekeyed.json()).toMatchObject({ id: channelId, hasCredentials: true });
    });

    it('never lists a credential value', async () => {
      for (const token of [org.admin.token, org.editor.token]) {
        const res = await call(h, 'GET', '/api/v1/channels', { token });
        expect(res.statusCode).toBe(200);
        expect(res.json().map((c: { id: string }) => c.id)).toContain(channelId);
        expect(res.body).not.toContain(SECRET);
        expect(res.body).not.toMatch(/credentialsEnc|credentials_enc/);
        // Nor the ciphertext: it is no business of API clients either.
        const row = await h.deps.db.channel.findUnique({ where: { id: channelId } });
        expect(res.body).not.toContain(row!.credentialsEnc!.split(':').pop()!);
      }
    });

    it('never echoes a credential value in a validation error', async () => {
      const tooLong = `${SECRET}${'x'.repeat(4000)}`;
      const res = await call(h, 'POST', '/api/v1/channels', {
        token: org.admin.token,
        body: { type: 'facebook', name: 'Kaputt', settings: { pageId: 'keine Zahl' }, credentials: { pageAccessToken: tooLong } },
      });
      expect(res.statusCode).toBe(400);
      expect(res.body).not.toContain(SECRET);
      const patch = await call(h, 'PATCH', `/api/v1/channels/${channelId}`, { token: org.admin.token, body: { credentials: { pageAccessToken: tooLong } } });
      expect(patch.statusCode).toBe(400);
      expect(patch.body).not.toContain(SECRET);
    });

    it('keeps credential values out of the audit log', async () => {
      const res = await call(h, 'GET', '/api/v1/audit', { token: org.admin.token });
      expect(res.statusCode).toBe(200);
      const actions = res.json().map((e: { action: string }) => e.action);
      expect(actions).toEqual(expect.arrayContaining(['channel.created', 'channel.credentials_changed']));
      expect(res.body).not.toContain(SECRET);
      const rows = await h.deps.db.auditEvent.findMany({ where: { orgId: org.id } });
      expect(JSON.stringify(rows, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))).not.toContain(SECRET);
    });

    it('stores the credentials encrypted, never in clear', async () => {
      const rows = await h.deps.db.$queryRaw<{ credentials_enc: string | null }[]>`SELECT credentials_enc FROM channel WHERE id = ${channelId}::uuid`;
      expect(rows).toHaveLength(1);
      const stored = rows[0]!.credentials_enc;
      expect(stored).toEqual(expect.any(String));
      expect(stored).not.toContain(SECRET);
      expect(stored).not.toContain(Buffer.from(SECRET).toString('base64'));
      expect(stored).not.toContain(Buffer.from(SECRET).toString('hex'));
      // It is the token, encrypted: decrypting with the configured key gives it back.
      expect(decryptJson(stored!, h.config.secretKeys)).toEqual({ pageAccessToken: `${SECRET}-2` });

      const anywhere = await h.deps.db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM channel WHERE credentials_enc LIKE ${'%' + SECRET + '%'}`;
      expect(Number(anywhere[0]!.n)).toBe(0);
    });
  });
});
