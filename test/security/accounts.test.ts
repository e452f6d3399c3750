// Accounts across organisations, Unicode normalisation and the audit export for the records
// office. The e-mail address is the installation-wide login name (POST /auth/login takes no
// organisation), so an address can exist only once; an admin of organisation A must not learn
// more about organisation B's users from that than the one unavoidable bit, and must not be able
// to ask for it at scale.
import { randomUUID } from 'node:crypto';
import { PASSWORD, call, createTestOrg, login, signIn, cookieHeaders, startHarness, type Harness, type TestOrg } from './helpers';

const EMAIL_REFUSALS_PER_HOUR = 10;

describe('accounts across organisations', () => {
  let h: Harness;
  let a: TestOrg;
  let b: TestOrg;

  beforeAll(async () => {
    h = await startHarness();
    [a, b] = [await createTestOrg(h), await createTestOrg(h)];
  });
  afterAll(() => h.close());

  const newUser = (org: TestOrg, email: string, lang = 'de') =>
    call(h, 'POST', '/api/v1/users', { token: org.admin.token, body: { email, name: 'Neu', roles: ['editor'], password: 'ein langes Passwort' }, headers: { 'accept-language': lang } });

  /** Everything of an answer that could tell one case from another (ids and times aside). */
  const shape = (res: Awaited<ReturnType<typeof call>>) => ({ status: res.statusCode, body: res.body, type: res.headers['content-type'] });

  describe('an e-mail address that exists in another organisation', () => {
    it('is answered exactly like one that exists in the own organisation, naming nothing of the other', async () => {
      const foreign = await newUser(a, b.editor.email);
      const own = await newUser(a, a.editor.email);
      expect(shape(foreign)).toEqual(shape(own));
      expect(foreign.json().error.code).toBe('EMAIL_TAKEN');
      for (const secret of [b.slug, b.id, b.editor.id, 'Stadt org-']) expect(foreign.body).not.toContain(secret);
      // The same through PATCH.
      const patched = await call(h, 'PATCH', `/api/v1/users/${a.approver.id}`, { token: a.admin.token, body: { email: b.editor.email } });
      const patchedOwn = await call(h, 'PATCH', `/api/v1/users/${a.approver.id}`, { token: a.admin.token, body: { email: a.editor.email } });
      expect(shape(patched)).toEqual(shape(patchedOwn));
      // B's user is untouched and still signs in to B.
      const signedIn = await login(h, b.editor.email, PASSWORD);
      expect(signedIn.statusCode).toBe(200);
      expect((await call(h, 'GET', '/api/v1/me', { headers: { cookie: `herold_session=${signedIn.cookies[0]!.value}` } })).json().org.id).toBe(b.id);
    });

    it('writes each refusal to the refusing organisation\'s audit log only', async () => {
      const before = await h.deps.db.auditEvent.count({ where: { orgId: b.id } });
      await newUser(a, b.approver.email);
      const events = await h.deps.db.auditEvent.findMany({ where: { orgId: a.id, action: 'user.email_refused' } });
      expect(events.length).toBeGreaterThan(0);
      expect(events.at(-1)).toMatchObject({ actorId: a.admin.id, data: { refused: 'EMAIL_TAKEN' } });
      expect(await h.deps.db.auditEvent.count({ where: { orgId: b.id } })).toBe(before);
    });

    it(`cannot be used to probe addresses at scale: after ${EMAIL_REFUSALS_PER_HOUR} refusals an hour, every address answers 429, taken or free`, async () => {
      const c = await createTestOrg(h);
      for (let i = 0; i < EMAIL_REFUSALS_PER_HOUR; i += 1) expect((await newUser(c, b.editor.email)).statusCode).toBe(409);
      const free = await newUser(c, `frei-${randomUUID().slice(0, 8)}@${c.slug}.test`, 'en');
      const taken = await newUser(c, b.admin.email, 'en');
      expect(free.statusCode).toBe(429);
      expect(free.json().error).toMatchObject({ code: 'EMAIL_CHECKS_THROTTLED', message: expect.stringMatching(/Please wait \d+ seconds/) });
      expect(shape(taken)).toEqual(shape(free));
      const patch = await call(h, 'PATCH', `/api/v1/users/${c.editor.id}`, { token: c.admin.token, body: { email: `frei-${randomUUID().slice(0, 8)}@${c.slug}.test` } });
      expect(patch.statusCode).toBe(429);
      // Changes that do not touch an address go on; other organisations are not affected.
      expect((await call(h, 'PATCH', `/api/v1/users/${c.editor.id}`, { token: c.admin.token, body: { name: 'Umbenannt' } })).statusCode).toBe(200);
      expect((await newUser(a, `frei-${randomUUID().slice(0, 8)}@${a.slug}.test`)).statusCode).toBe(201);
      const ttl = await h.deps.redis.ttl(`herold:users:email-refused:${c.id}`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(3600);
    });
  });

  describe('Unicode normalisation', () => {
    it('stores text in NFC, so a decomposed umlaut and a composed one are the same text everywhere', async () => {
      const blog = await call(h, 'POST', '/api/v1/channels', { token: a.admin.token, body: { type: 'blog', name: 'Blog\u0308', settings: {} } });
      expect(blog.statusCode).toBe(201);
      expect(blog.json().name).toBe('Blog\u0308'.normalize('NFC'));
      const created = await call(h, 'POST', '/api/v1/releases', {
        token: a.editor.token,
        body: { title: 'Mu\u0308nchen gru\u0308ßt', subtitle: 'Stra\u00dfe und Ca\u0301fe\u0301', dateline: 'Mu\u0308nster', body: 'A\u0308nderung der O\u0308ffnungszeiten.', channelIds: [blog.json().id] },
      });
      expect(created.statusCode).toBe(201);
      const row = await h.deps.db.release.findUniqueOrThrow({ where: { id: created.json().id } });
      expect({ title: row.title, subtitle: row.subtitle, dateline: row.dateline, body: row.body }).toEqual({
        title: 'München grüßt',
        subtitle: 'Straße und Cáfé',
        dateline: 'Münster',
        body: 'Änderung der Öffnungszeiten.',
      });
      const user = await newUser(a, `nfc-${randomUUID().slice(0, 8)}@${a.slug}.test`);
      const named = await call(h, 'PATCH', `/api/v1/users/${user.json().id}`, { token: a.admin.token, body: { name: 'Jo\u0308rg Mu\u0308ller' } });
      expect(named.json().name).toBe('Jörg Müller');
    });
  });

  describe('audit export for the records office (JSON Lines)', () => {
    it('exports one JSON object per line with the chain hashes, of the own organisation only, to approvers and admins', async () => {
      const session = await signIn(h, a.approver.email);
      const res = await h.app.inject({ method: 'GET', url: '/app/audit/export.jsonl', headers: cookieHeaders(session) });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/jsonl/);
      expect(res.headers['content-disposition']).toMatch(/attachment/);
      expect(res.headers['cache-control']).toMatch(/no-store/);
      const lines = res.body.split('\n').filter(Boolean);
      expect(lines.length).toBeGreaterThan(3);
      // The last line is the chain head (test/security/audit-export.test.ts), not an event.
      expect(JSON.parse(lines[lines.length - 1]!)).toMatchObject({ type: 'chain_head' });
      const events = lines.slice(0, -1).map((l) => JSON.parse(l) as { id: string; seq: number; action: string; hash: string; prevHash: string | null });
      const own = new Set((await h.deps.db.auditEvent.findMany({ where: { orgId: a.id }, select: { id: true } })).map((e) => e.id));
      expect(events.filter((e) => !own.has(e.id))).toEqual([]);
      for (const e of events) expect(e).toEqual(expect.objectContaining({ seq: expect.any(Number), action: expect.any(String), hash: expect.stringMatching(/^[0-9a-f]{64}$/) }));
      // Consecutive events are linked: each names its predecessor's hash.
      const bySeq = [...events].sort((x, y) => x.seq - y.seq);
      for (let i = 1; i < bySeq.length; i += 1) if (bySeq[i]!.seq === bySeq[i - 1]!.seq + 1) expect(bySeq[i]!.prevHash).toBe(bySeq[i - 1]!.hash);
      expect(res.body).not.toContain(b.id);

      const editor = await signIn(h, a.editor.email);
      const refused = await h.app.inject({ method: 'GET', url: '/app/audit/export.jsonl', headers: cookieHeaders(editor) });
      expect(refused.statusCode).not.toBe(200);
      expect(refused.body).not.toMatch(/"prevHash"/);
    });
  });
});
