// "My account" in the staff web UI (/app/me) over HTTP with a session cookie and the form's CSRF
// token: the page for every role, changing one's own password (errors at their fields, nothing
// changed on an error, the session goes on after success, other sessions end), and the link to it
// where an approval is refused with FOUR_EYES_ACCOUNT_CONTROL.
import { createHash, randomUUID } from 'node:crypto';
import { addChannels, call, createTestOrg, startHarness, type Harness, type TestOrg } from '../helpers/harness';
import { comboName, cookieHeaders, createRelease, login, principal, PASSWORD, ROLE_COMBOS, signIn, type Session } from '../security/helpers';

describe('staff UI: my account (/app/me)', () => {
  let h: Harness;
  let org: TestOrg;
  let blog: string;

  beforeAll(async () => {
    h = await startHarness();
    org = await createTestOrg(h);
    blog = (await addChannels(h, org)).blog;
  });
  afterAll(() => h.close());

  const page = (session: Session, url = '/app/me') => h.app.inject({ method: 'GET', url, headers: cookieHeaders(session) });

  function form(session: Session, url: string, fields: Record<string, string>, csrf: string | undefined = session.csrfToken) {
    const body = new URLSearchParams(fields);
    if (csrf !== undefined) body.set('_csrf', csrf);
    return h.app.inject({
      method: 'POST',
      url,
      headers: { ...cookieHeaders(session), 'content-type': 'application/x-www-form-urlencoded' },
      payload: body.toString(),
    });
  }

  const changePassword = (session: Session, currentPassword: string, password: string, passwordRepeat = password, csrf?: string) =>
    form(session, '/app/me', { currentPassword, password, passwordRepeat }, csrf ?? session.csrfToken);

  const passwordHash = async (id: string) => (await h.deps.db.user.findUniqueOrThrow({ where: { id } })).passwordHash;
  const auditCount = async () => (await h.deps.db.auditHead.findUnique({ where: { orgId: org.id } }))?.events ?? 0;

  it('shows name, e-mail, roles and the password form to every role, linked from the header', async () => {
    const labels: Record<string, string> = { editor: 'Redaktion', approver: 'Freigabe', admin: 'Administration' };
    for (const roles of ROLE_COMBOS) {
      const p = await principal(h, org.slug, roles, `me-${roles.join('-')}`);
      const session = await signIn(h, p.email);
      const res = await page(session);
      expect({ roles: comboName(roles), status: res.statusCode }).toEqual({ roles: comboName(roles), status: 200 });
      expect(res.body).toContain('<h1>Mein Konto</h1>');
      expect(res.body).toContain(p.email);
      for (const r of roles) expect(res.body).toContain(labels[r]);
      expect(res.body).toMatch(/<a href="\/app\/me" aria-current="page">Mein Konto<\/a>/);
      expect(res.body).toMatch(/id="f-currentPassword"[^>]*autocomplete="current-password"[^>]*type="password"/);
      expect(res.body).toMatch(/id="f-password"[^>]*aria-describedby="f-password-hint"[^>]*autocomplete="new-password"[^>]*type="password"/);
      expect(res.body).toMatch(/id="f-passwordRepeat"[^>]*aria-describedby="f-password-hint"[^>]*autocomplete="new-password"/);
      expect(res.body).toContain('<p class="hint" id="f-password-hint">Mindestens 10 Zeichen');
      expect(res.body).toMatch(/<label for="f-passwordRepeat">Neues Passwort wiederholen/);
      expect(res.body).toMatch(/<form method="post" action="\/app\/me"[^>]*>\s*<input type="hidden" name="_csrf" value="csrf_/);
      // Every other page links to it from the header, without marking it current.
      const dashboard = await page(session, '/app/');
      expect(dashboard.body).toMatch(/<a href="\/app\/me">Mein Konto<\/a>/);
    }
  });

  it('speaks the user\'s language', async () => {
    const p = await principal(h, org.slug, ['editor'], 'me-english');
    await h.deps.db.user.update({ where: { id: p.id }, data: { language: 'en' } });
    const res = await page(await signIn(h, p.email));
    expect(res.body).toContain('<h1>My account</h1>');
    expect(res.body).toContain('Repeat the new password');
    expect(res.body).toContain('At least 10 characters');
  });

  it('shows a wrong current password at its field and changes nothing', async () => {
    const p = await principal(h, org.slug, ['approver'], 'me-wrong');
    const session = await signIn(h, p.email);
    const before = await passwordHash(p.id);
    const res = await changePassword(session, 'geraten geraten', 'ein ganz neues Passwort');
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(/id="f-currentPassword"[^>]*aria-invalid="true"[^>]*aria-describedby="f-currentPassword-error"/);
    expect(res.body).toContain('<p class="error-text" id="f-currentPassword-error">Das bisherige Passwort ist falsch.</p>');
    expect(res.body).toContain('href="#f-currentPassword"');
    // Passwords are never written back into the page.
    expect(res.body).not.toContain('geraten geraten');
    expect(res.body).not.toContain('ein ganz neues Passwort');
    expect(await passwordHash(p.id)).toBe(before);
    const refused = await h.deps.db.auditEvent.findMany({ where: { orgId: org.id, entityId: p.id, action: 'user.password_change_refused' } });
    expect(refused).toHaveLength(1);
    expect((await login(h, p.email, PASSWORD)).statusCode).toBe(200);
    expect((await login(h, p.email, 'ein ganz neues Passwort')).statusCode).toBe(401);
  });

  it('refuses two different new passwords in the form, without asking the API', async () => {
    const p = await principal(h, org.slug, ['editor'], 'me-mismatch');
    const session = await signIn(h, p.email);
    const before = { hash: await passwordHash(p.id), audit: await auditCount() };
    // Even a wrong current password is not tried (it would be audited and counted): the form stops first.
    const res = await changePassword(session, 'geraten geraten', 'ein ganz neues Passwort', 'ein ganz anderes Passwort');
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(/id="f-passwordRepeat"[^>]*aria-invalid="true"[^>]*aria-describedby="f-password-hint f-passwordRepeat-error"/);
    expect(res.body).toContain('<p class="error-text" id="f-passwordRepeat-error">Die beiden neuen Passwörter stimmen nicht überein.</p>');
    expect(res.body).not.toContain('id="f-currentPassword-error"');
    expect({ hash: await passwordHash(p.id), audit: await auditCount() }).toEqual(before);
    expect(await h.deps.redis.get(`herold:login:account:${createHash('sha256').update(p.email).digest('hex')}`)).toBeNull();

    const missing = await changePassword(session, '', '', '');
    expect(missing.statusCode).toBe(400);
    for (const name of ['currentPassword', 'password', 'passwordRepeat']) expect(missing.body).toMatch(new RegExp(`id="f-${name}"[^>]*aria-invalid="true"`));
    expect({ hash: await passwordHash(p.id), audit: await auditCount() }).toEqual(before);
  });

  it('shows a too short and an unchanged password at the new password field', async () => {
    const p = await principal(h, org.slug, ['editor'], 'me-rules');
    const session = await signIn(h, p.email);
    const before = await passwordHash(p.id);
    const short = await changePassword(session, PASSWORD, 'kurz');
    expect(short.statusCode).toBe(400);
    expect(short.body).toContain('<p class="error-text" id="f-password-error">Das Passwort muss mindestens 10 Zeichen lang sein.</p>');
    expect(short.body).toMatch(/id="f-password"[^>]*aria-invalid="true"[^>]*aria-describedby="f-password-hint f-password-error"/);
    const same = await changePassword(session, PASSWORD, PASSWORD);
    expect(same.statusCode).toBe(400);
    expect(same.body).toContain('<p class="error-text" id="f-password-error">Das neue Passwort muss sich vom bisherigen unterscheiden.</p>');
    expect(await passwordHash(p.id)).toBe(before);
  });

  it('changes the password: this session goes on with a message, other sessions end, only the new password signs in', async () => {
    const p = await principal(h, org.slug, ['approver', 'admin'], 'me-ok');
    const session = await signIn(h, p.email);
    const other = await signIn(h, p.email);
    const fresh = `mein eigenes ${randomUUID().slice(0, 8)}`;
    const res = await changePassword(session, PASSWORD, fresh);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/app/me?msg=me.passwordChanged');

    const after = await page(session, res.headers.location as string);
    expect(after.statusCode).toBe(200);
    expect(after.body).toContain('<div class="flash" role="status">Ihr Passwort wurde geändert.');
    expect((await page(session, '/app/')).statusCode).toBe(200);
    const ended = await page(other);
    expect({ status: ended.statusCode, location: ended.headers.location }).toEqual({ status: 303, location: '/app/login?next=%2Fapp%2Fme' });

    expect((await login(h, p.email, PASSWORD)).statusCode).toBe(401);
    expect((await login(h, p.email, fresh)).statusCode).toBe(200);
    expect((await h.deps.db.user.findUniqueOrThrow({ where: { id: p.id } })).passwordSetById).toBe(p.id);
  });

  it('refuses the form without the session\'s CSRF token and changes nothing', async () => {
    const p = await principal(h, org.slug, ['editor'], 'me-csrf');
    const session = await signIn(h, p.email);
    const anotherSessions = (await signIn(h, org.editor.email)).csrfToken;
    const before = { hash: await passwordHash(p.id), audit: await auditCount() };
    for (const csrf of [undefined, '', 'csrf_falsch', anotherSessions]) {
      const body = new URLSearchParams({ currentPassword: PASSWORD, password: 'ein ganz neues Passwort', passwordRepeat: 'ein ganz neues Passwort' });
      if (csrf !== undefined) body.set('_csrf', csrf);
      const res = await h.app.inject({
        method: 'POST',
        url: '/app/me',
        headers: { ...cookieHeaders(session), 'content-type': 'application/x-www-form-urlencoded' },
        payload: body.toString(),
      });
      expect({ csrf, status: res.statusCode }).toEqual({ csrf, status: 403 });
    }
    expect({ hash: await passwordHash(p.id), audit: await auditCount() }).toEqual(before);
    expect((await login(h, p.email, PASSWORD)).statusCode).toBe(200);
  });

  it('links a FOUR_EYES_ACCOUNT_CONTROL refusal on the release page to /app/me; after a password of one\'s own the approval goes through', async () => {
    // An admin who also writes creates an approver account with a password of the admin's choosing.
    const admin = await principal(h, org.slug, ['admin', 'editor'], 'me-admin-author');
    const email = `zweitkonto-${randomUUID().slice(0, 8)}@${org.slug}.test`;
    const adminPassword = 'vom Admin gesetzt 123';
    const created = await call(h, 'POST', '/api/v1/users', { token: admin.token, body: { email, name: 'Zweitkonto', roles: ['approver'], password: adminPassword } });
    expect(created.statusCode).toBe(201);
    const release = await createRelease(h, admin.token, [blog], { publishAt: new Date(Date.now() + 3_600_000).toISOString() }, { submit: true });

    const session = await signIn(h, email, adminPassword);
    const refused = await form(session, `/app/releases/${release.id}/approve`, { revision: String(release.revision) });
    expect(refused.statusCode).toBeGreaterThanOrEqual(400);
    const summary = /<div class="error-summary"[\s\S]*?<\/div>/.exec(refused.body)?.[0] ?? '';
    expect(summary).toContain('Bitte ändern Sie Ihr Passwort selbst');
    expect(summary).toContain('<a href="/app/me">Eigenes Passwort jetzt festlegen (Mein Konto)</a>');
    expect((await h.deps.db.release.findUniqueOrThrow({ where: { id: release.id } })).status).toBe('in_review');

    const changed = await changePassword(session, adminPassword, `ganz meins ${randomUUID().slice(0, 8)}`);
    expect(changed.statusCode).toBe(303);
    // Other refusals carry no such link.
    const stale = await form(session, `/app/releases/${release.id}/approve`, { revision: String(release.revision + 5) });
    expect(stale.body).toContain('nicht mehr aktuell');
    expect(stale.body).not.toContain('Eigenes Passwort jetzt festlegen');
    const approved = await form(session, `/app/releases/${release.id}/approve`, { revision: String(release.revision) });
    expect(approved.statusCode).toBe(303);
    expect((await h.deps.db.release.findUniqueOrThrow({ where: { id: release.id } })).status).toBe('scheduled');
  });
});
