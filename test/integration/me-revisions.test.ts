// PATCH /api/v1/me (a user's own language and name) and GET /api/v1/releases/:id/revisions
// (the history the approval inbox's diff reads).
import { addChannels, call, createTestOrg, startHarness, type Harness, type TestOrg } from '../helpers/harness';

describe('PATCH /api/v1/me and GET /api/v1/releases/:id/revisions', () => {
  let h: Harness;
  let org: TestOrg;
  let blog: string;

  beforeAll(async () => {
    h = await startHarness({ HEROLD_ALLOW_PRIVATE_HOSTS: '1' });
    org = await createTestOrg(h);
    blog = (await addChannels(h, org)).blog;
  });
  afterAll(() => h.close());

  it('lets any signed-in user change their own language and name, audited', async () => {
    const res = await call(h, 'PATCH', '/api/v1/me', { token: org.editor.token, body: { language: 'en', name: 'Eva Editor' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: org.editor.id, language: 'en', name: 'Eva Editor', roles: ['editor'] });
    expect((await call(h, 'GET', '/api/v1/me', { token: org.editor.token })).json()).toMatchObject({ language: 'en', name: 'Eva Editor' });
    const events = await h.deps.db.auditEvent.findMany({ where: { orgId: org.id, entityId: org.editor.id, action: 'user.updated' } });
    expect(events.length).toBe(1);
  });

  it('refuses other languages, unknown fields and roles', async () => {
    for (const body of [{}, { language: 'fr' }, { roles: ['admin'] }, { email: 'x@example.test' }, { name: '' }]) {
      const res = await call(h, 'PATCH', '/api/v1/me', { token: org.editor.token, body });
      expect({ body, status: res.statusCode, code: res.json().error?.code }).toEqual({ body, status: 400, code: 'VALIDATION_FAILED' });
    }
    expect((await call(h, 'PATCH', '/api/v1/me', { body: { language: 'de' } })).statusCode).toBe(401);
  });

  it('returns every revision with its content, post by post; ?since= from a revision on', async () => {
    const created = await call(h, 'POST', '/api/v1/releases', { token: org.author.token, body: { title: 'Fassungen', body: 'Erste Fassung des Textes.', channelIds: [blog] } });
    expect(created.statusCode).toBe(201);
    const release = created.json();
    const edited = await call(h, 'PATCH', `/api/v1/releases/${release.id}`, { token: org.author.token, body: { body: 'Zweite Fassung des Textes.' } });
    expect(edited.statusCode).toBe(200);

    const all = await call(h, 'GET', `/api/v1/releases/${release.id}/revisions`, { token: org.editor.token });
    expect(all.statusCode).toBe(200);
    const history = all.json();
    expect(history.map((r: { revision: number }) => r.revision)).toEqual([1, 2]);
    expect(history[0]).toMatchObject({ title: 'Fassungen', body: 'Erste Fassung des Textes.', editorId: org.author.id });
    expect(history[1].body).toBe('Zweite Fassung des Textes.');
    expect(history[1].posts).toEqual([expect.objectContaining({ id: release.posts[0].id, channelId: blog, content: expect.objectContaining({ html: expect.stringContaining('Zweite') }) })]);

    const since = await call(h, 'GET', `/api/v1/releases/${release.id}/revisions?since=2`, { token: org.editor.token });
    expect(since.json().map((r: { revision: number }) => r.revision)).toEqual([2]);
    expect((await call(h, 'GET', `/api/v1/releases/${release.id}/revisions?since=0`, { token: org.editor.token })).statusCode).toBe(400);
  });

  it('answers 404 for a release of another organisation', async () => {
    const other = await createTestOrg(h);
    const created = await call(h, 'POST', '/api/v1/releases', { token: org.author.token, body: { title: 'Intern', body: 'Nur für uns.', channelIds: [blog] } });
    const res = await call(h, 'GET', `/api/v1/releases/${created.json().id}/revisions`, { token: other.admin.token });
    expect({ status: res.statusCode, code: res.json().error?.code }).toEqual({ status: 404, code: 'NOT_FOUND' });
  });
});
