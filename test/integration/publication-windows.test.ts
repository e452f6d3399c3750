// Publication windows (PRODUCT.md, flow step 4) through the HTTP API: a time outside the
// organisation's windows is refused where it is set (create, edit, post edit) and where it becomes
// binding (submit, approve), unless the release is crisis communication.
import {
  addChannels,
  approvedRelease,
  call,
  createTestOrg,
  startHarness,
  type ApiRelease,
  type Harness,
  type TestOrg,
} from '../helpers/harness';
import { cookieHeaders, signIn } from '../security/helpers';

const WEEKDAYS = [{ days: [1, 2, 3, 4, 5], from: '07:00', to: '19:00' }];
// January 2027, Central European Time (+01:00): Friday 8th, Saturday 9th, Monday 11th.
const FRIDAY_1800 = '2027-01-08T18:00:00+01:00';
const SATURDAY_1000 = '2027-01-09T10:00:00+01:00';
const MONDAY_1000 = '2027-01-11T10:00:00+01:00';
const iso = (local: string) => new Date(local).toISOString();

describe('publication windows', () => {
  let h: Harness;
  let org: TestOrg;
  let blog: string;
  const realNow = () => new Date();

  beforeAll(async () => {
    h = await startHarness();
    org = await createTestOrg(h);
    blog = (await addChannels(h, org)).blog;
  });
  beforeEach(async () => {
    h.deps.now = realNow;
    await setWindows(WEEKDAYS);
  });
  afterAll(() => h.close());

  async function setWindows(publicationWindows: unknown) {
    const res = await call(h, 'PATCH', '/api/v1/org', { token: org.admin.token, body: { policy: { publicationWindows } } });
    expect(res.statusCode).toBe(200);
  }

  const create = (fields: Record<string, unknown>, headers?: Record<string, string>) =>
    call(h, 'POST', '/api/v1/releases', {
      token: org.author.token,
      headers,
      body: { title: 'Sprechstunde im Rathaus', body: 'Der Bürgermeister lädt zur offenen Sprechstunde ein.', channelIds: [blog], ...fields },
    });

  async function draft(fields: Record<string, unknown>): Promise<ApiRelease> {
    const res = await create(fields);
    expect(res.statusCode).toBe(201);
    return res.json();
  }

  describe('PATCH /api/v1/org', () => {
    it('refuses a window over midnight and one without a weekday with 400 INVALID_PUBLICATION_WINDOW', async () => {
      for (const window of [{ days: [5], from: '22:00', to: '02:00' }, { days: [], from: '07:00', to: '19:00' }]) {
        const res = await call(h, 'PATCH', '/api/v1/org', { token: org.admin.token, body: { policy: { publicationWindows: [window] } } });
        expect(res.statusCode).toBe(400);
        expect(res.json().error.code).toBe('INVALID_PUBLICATION_WINDOW');
        expect(res.json().error.message).toContain('zwei Fenster');
      }
      expect((await call(h, 'GET', '/api/v1/org', { token: org.editor.token })).json().policy.publicationWindows).toEqual(WEEKDAYS);
    });
  });

  describe('POST /api/v1/releases', () => {
    it('refuses a Saturday time under Mon–Fri windows with 422, naming the time and the next window in German and English', async () => {
      const de = await create({ publishAt: iso(SATURDAY_1000) });
      expect(de.statusCode).toBe(422);
      expect(de.json().error).toEqual({
        code: 'OUTSIDE_PUBLICATION_WINDOW',
        message:
          'Der Zeitpunkt Sa., 09.01.2027, 10:00 liegt außerhalb der Veröffentlichungsfenster Ihrer Organisation (Mo–Fr 07:00–19:00, Zeitzone Europe/Berlin). ' +
          'Nächstes Fenster: Mo., 11.01.2027, 07:00. Nur Krisenkommunikation ist davon ausgenommen.',
        details: [{ path: 'publishAt', message: 'outside the publication windows' }],
      });
      const en = await create({ publishAt: iso(SATURDAY_1000) }, { 'accept-language': 'en' });
      expect(en.json().error.message).toBe(
        "The time Sat, 09/01/2027, 10:00 is outside your organisation's publication windows (Mon–Fri 07:00–19:00, time zone Europe/Berlin). " +
          'Next window: Mon, 11/01/2027, 07:00. Only crisis communication is exempt.',
      );
      expect(await h.deps.db.release.count({ where: { orgId: org.id, title: 'Sprechstunde im Rathaus', publishAt: new Date(SATURDAY_1000) } })).toBe(0);
    });

    it('refuses an embargo that ends outside when the release has no time of its own', async () => {
      const res = await create({ embargoUntil: iso(SATURDAY_1000) });
      expect(res.statusCode).toBe(422);
      expect(res.json().error.details).toEqual([{ path: 'embargoUntil', message: 'outside the publication windows' }]);
    });

    it('creates a release inside the window, and any release when no window is configured', async () => {
      expect((await create({ publishAt: iso(MONDAY_1000) })).statusCode).toBe(201);
      await setWindows([]);
      expect((await create({ publishAt: iso(SATURDAY_1000) })).statusCode).toBe(201);
    });

    it('lets a crisis release publish outside the windows, still with a second person approving', async () => {
      const release = await approvedRelease(h, org, { channelIds: [blog], publishAt: iso(SATURDAY_1000), crisis: true });
      expect(release).toMatchObject({ status: 'scheduled', crisis: true, approvedBy: org.approver.id });
      expect(release.posts[0]!.dueAt).toBe(iso(SATURDAY_1000));
    });
  });

  describe('changing a time', () => {
    it('refuses PATCH /api/v1/releases/:id with a publishAt outside, and keeps the release as it was', async () => {
      const release = await draft({ publishAt: iso(MONDAY_1000) });
      const res = await call(h, 'PATCH', `/api/v1/releases/${release.id}`, { token: org.author.token, body: { publishAt: iso(SATURDAY_1000) } });
      expect(res.statusCode).toBe(422);
      expect(res.json().error.code).toBe('OUTSIDE_PUBLICATION_WINDOW');
      const after = (await call(h, 'GET', `/api/v1/releases/${release.id}`, { token: org.author.token })).json();
      expect({ revision: after.revision, publishAt: after.publishAt }).toEqual({ revision: 1, publishAt: iso(MONDAY_1000) });
    });

    it('refuses PATCH /api/v1/posts/:id (the calendar reschedule) with a time outside, and accepts one inside', async () => {
      const release = await draft({ publishAt: iso(MONDAY_1000) });
      const post = release.posts[0]!;
      const outside = await call(h, 'PATCH', `/api/v1/posts/${post.id}`, { token: org.author.token, body: { publishAt: iso(FRIDAY_1800.replace('18:00', '19:00')) } });
      expect(outside.statusCode).toBe(422);
      expect(outside.json().error).toMatchObject({ code: 'OUTSIDE_PUBLICATION_WINDOW', details: [{ path: 'publishAt', message: 'outside the publication windows' }] });
      expect(outside.json().error.message).toContain('Nächstes Fenster: Mo., 11.01.2027, 07:00');
      const inside = await call(h, 'PATCH', `/api/v1/posts/${post.id}`, { token: org.author.token, body: { publishAt: iso(FRIDAY_1800) } });
      expect(inside.statusCode).toBe(200);
      expect(inside.json().publishAt).toBe(iso(FRIDAY_1800));
    });

    it('lets a crisis release move a post outside the windows', async () => {
      const release = await draft({ publishAt: iso(MONDAY_1000), crisis: true });
      const res = await call(h, 'PATCH', `/api/v1/posts/${release.posts[0]!.id}`, { token: org.author.token, body: { publishAt: iso(SATURDAY_1000) } });
      expect(res.statusCode).toBe(200);
    });
  });

  describe('when the policy is narrowed later', () => {
    const NARROW = [{ days: [1, 2, 3, 4, 5], from: '08:00', to: '17:00' }];

    it('refuses to submit a release whose time is now outside, naming the new next window', async () => {
      const release = await draft({ publishAt: iso(FRIDAY_1800) });
      await setWindows(NARROW);
      const res = await call(h, 'POST', `/api/v1/releases/${release.id}/submit`, { token: org.author.token });
      expect(res.statusCode).toBe(422);
      expect(res.json().error.code).toBe('OUTSIDE_PUBLICATION_WINDOW');
      expect(res.json().error.message).toContain('Nächstes Fenster: Mo., 11.01.2027, 08:00');
      expect((await call(h, 'GET', `/api/v1/releases/${release.id}`, { token: org.author.token })).json().status).toBe('draft');
    });

    it('refuses to approve a release submitted before the change, and audits nothing as approved', async () => {
      const release = await draft({ publishAt: iso(FRIDAY_1800) });
      expect((await call(h, 'POST', `/api/v1/releases/${release.id}/submit`, { token: org.author.token })).statusCode).toBe(200);
      await setWindows(NARROW);
      const res = await call(h, 'POST', `/api/v1/releases/${release.id}/approve`, { token: org.approver.token, body: { revision: release.revision } });
      expect(res.statusCode).toBe(422);
      expect(res.json().error.code).toBe('OUTSIDE_PUBLICATION_WINDOW');
      const after = await h.deps.db.release.findUniqueOrThrow({ where: { id: release.id }, include: { posts: true } });
      expect({ status: after.status, posts: after.posts.map((p) => p.status) }).toEqual({ status: 'in_review', posts: ['draft'] });
      expect(await h.deps.db.auditEvent.count({ where: { entityId: release.id, action: 'release.approved' } })).toBe(0);
      // The refused attempt itself is on record, as every refused approval is.
      const refused = await h.deps.db.auditEvent.findMany({ where: { entityId: release.id, action: 'release.approve_refused' } });
      expect(refused.map((e) => (e.data as { refused?: string }).refused)).toEqual(['OUTSIDE_PUBLICATION_WINDOW']);
    });

    it('leaves an already approved release scheduled (nothing is re-checked until it is edited)', async () => {
      const release = await approvedRelease(h, org, { channelIds: [blog], publishAt: iso(FRIDAY_1800) });
      await setWindows(NARROW);
      const after = (await call(h, 'GET', `/api/v1/releases/${release.id}`, { token: org.author.token })).json();
      expect({ status: after.status, dueAt: after.posts[0].dueAt }).toEqual({ status: 'scheduled', dueAt: iso(FRIDAY_1800) });
      const edit = await call(h, 'PATCH', `/api/v1/releases/${release.id}`, { token: org.author.token, body: { subtitle: 'Mit Anmeldung' } });
      expect(edit.statusCode).toBe(422);
      expect(edit.json().error.code).toBe('OUTSIDE_PUBLICATION_WINDOW');
    });
  });

  describe('publishing "as soon as approved"', () => {
    it('refuses an approval outside the windows for a release without a time, and allows it inside', async () => {
      const release = await draft({});
      expect((await call(h, 'POST', `/api/v1/releases/${release.id}/submit`, { token: org.author.token })).statusCode).toBe(200);
      h.deps.now = () => new Date(SATURDAY_1000);
      const saturday = await call(h, 'POST', `/api/v1/releases/${release.id}/approve`, { token: org.approver.token, body: { revision: release.revision } });
      expect(saturday.statusCode).toBe(422);
      expect(saturday.json().error.message).toMatch(/^Der Zeitpunkt Sa\., 09\.01\.2027, 10:00 .* Nächstes Fenster: Mo\., 11\.01\.2027, 07:00\./);
      h.deps.now = () => new Date(MONDAY_1000);
      const monday = await call(h, 'POST', `/api/v1/releases/${release.id}/approve`, { token: org.approver.token, body: { revision: release.revision } });
      expect(monday.statusCode).toBe(200);
      expect(monday.json().posts[0].dueAt).toBe(iso(MONDAY_1000));
    });

    it('approves a crisis release without a time at any hour', async () => {
      h.deps.now = () => new Date(SATURDAY_1000);
      const release = await approvedRelease(h, org, { channelIds: [blog], crisis: true });
      expect(release.posts[0]!.dueAt).toBe(iso(SATURDAY_1000));
    });
  });

  describe('documentation and the staff UI', () => {
    it('documents the code among the 422 answers of the OpenAPI document', async () => {
      const doc = (await call(h, 'GET', '/api/docs/openapi.json')).json();
      for (const [path, method] of [['/api/v1/releases', 'post'], ['/api/v1/posts/{id}', 'patch'], ['/api/v1/releases/{id}/approve', 'post']] as const) {
        expect(doc.paths[path][method].responses['422'].description).toContain('OUTSIDE_PUBLICATION_WINDOW');
      }
      expect(doc.paths['/api/v1/org'].patch.responses['400'].description).toContain('INVALID_PUBLICATION_WINDOW');
    });

    async function form(url: string, fields: Record<string, string | string[]>) {
      const session = await signIn(h, org.author.email);
      const body = new URLSearchParams({ _csrf: session.csrfToken });
      for (const [name, value] of Object.entries(fields)) for (const v of [value].flat()) body.append(name, v);
      return h.app.inject({
        method: 'POST',
        url,
        headers: { ...cookieHeaders(session), 'content-type': 'application/x-www-form-urlencoded' },
        payload: body.toString(),
      });
    }

    it('shows the windows at the time field of the editor, and a refused time at that field', async () => {
      const session = await signIn(h, org.author.email);
      const page = await h.app.inject({ method: 'GET', url: '/app/releases/new', headers: cookieHeaders(session) });
      expect(page.body).toContain('Veröffentlichungsfenster Ihrer Organisation: Mo–Fr 07:00–19:00');

      const res = await form('/app/releases', { title: 'Samstagstermin', body: 'Am Samstag ist das Bürgerbüro geschlossen.', channelIds: blog, publishAt: '2027-01-09T10:00', intent: 'save' });
      expect(res.statusCode).toBe(422);
      // The message is the field's error (aria-invalid, linked from the summary), not only a page notice.
      expect(res.body).toMatch(/id="f-publishAt"[^>]*aria-invalid="true"/);
      expect(res.body).toMatch(/href="#f-publishAt">Der Zeitpunkt Sa\., 09\.01\.2027, 10:00 liegt außerhalb/);
      expect(res.body).toContain('Nächstes Fenster: Mo., 11.01.2027, 07:00');
    });

    it('shows a refused reschedule at the time field of the post page', async () => {
      const release = await draft({ publishAt: iso(MONDAY_1000) });
      const post = release.posts[0]!;
      const res = await form(`/app/posts/${post.id}/reschedule`, { publishAt: '2027-01-09T10:00' });
      expect(res.statusCode).toBe(422);
      expect(res.body).toMatch(new RegExp(`id="reschedule-${post.id}"[^>]*aria-invalid="true"`));
      expect(res.body).toContain('Nächstes Fenster: Mo., 11.01.2027, 07:00');
    });

    it('shows the windows read-only on the crisis stop page', async () => {
      const session = await signIn(h, org.approver.email);
      const page = await h.app.inject({ method: 'GET', url: '/app/crisis', headers: cookieHeaders(session) });
      expect(page.body).toContain('Veröffentlicht wird nur Mo–Fr 07:00–19:00 (Europe/Berlin)');
    });
  });
});
