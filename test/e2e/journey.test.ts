// The staff web UI in a real browser (Debian's Chromium) against a real Herold (PostgreSQL,
// Redis, the publishing worker, the Graph and X fakes): an editor writes and submits, an approver
// reviews the changes and approves, the posts are published and show in the calendar and on the
// blog. Every page is checked for accessibility at 1280 px and 375 px and photographed for docs/.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { publishJobId } from '../../src/queue/publish-queue';
import { sweep } from '../../src/services/scheduling';
import { addDays, localDay, localToUtc } from '../../src/web/ui/time';
import { addChannels, call, createTestOrg, startHarness, type Harness, type TestOrg } from '../helpers/harness';
import { checkA11y, HAVE_AXE, type Violation } from './a11y';
import { Browser, type Page } from './browser';

const SHOTS = join(__dirname, '..', '..', 'docs', 'screenshots');
/** `HEROLD_SCREENSHOTS=1 npm run test:e2e` refreshes docs/screenshots/; other runs leave them alone. */
const TAKE_SCREENSHOTS = process.env.HEROLD_SCREENSHOTS === '1';
const FIXTURE = join(__dirname, '..', 'fixtures', 'releases', 'kbw-social-media-buergerbeteiligung.txt');
const PASSWORD = 'correct horse battery';

let h: Harness;
let org: TestOrg;
let channels: Awaited<ReturnType<typeof addChannels>>;
let browser: Browser;
let base: string;
const found: { page: string; width: number; violations: Violation[] }[] = [];

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  // The Graph and X fakes listen on loopback, which channels may use only when IT allows it.
  h = await startHarness({ HEROLD_ALLOW_PRIVATE_HOSTS: '1' });
  org = await createTestOrg(h);
  channels = await addChannels(h, org);
  h.startWorker();
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
  browser = await Browser.launch();
  if (!HAVE_AXE) console.warn('axe-core is not installed: using the built-in WCAG checks of test/e2e/a11y.ts instead');
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

/** Accessibility at both widths, and (on request) a screenshot of each for docs/screenshots/. */
async function audit(page: Page, name: string) {
  for (const width of [1280, 375]) {
    await page.setViewport(width);
    await new Promise((r) => setTimeout(r, 50));
    const violations = await checkA11y(page);
    found.push({ page: name, width, violations });
    if (TAKE_SCREENSHOTS) await page.screenshot(join(SHOTS, `${name}-${width}.png`));
  }
  await page.setViewport(1280);
  const bad = found.filter((f) => f.page === name && f.violations.length);
  expect(bad).toEqual([]);
}

/**
 * Waits until the organisation has `count` published posts, running the scheduler's sweep as
 * production does beside the worker (the harness runs no scheduler). Reads the database, not
 * the calendar page, and says on failure where each post and its job stand.
 */
async function waitUntilPublished(count: number, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await sweep(h.deps);
    const posts = await h.deps.db.post.findMany({
      where: { orgId: org.id },
      select: { id: true, channelType: true, status: true, errorCode: true, dueAt: true, revision: true, generation: true },
    });
    const published = posts.filter((p) => p.status === 'published').length;
    if (published >= count) return;
    const stuck = posts.filter((p) => ['failed', 'unconfirmed', 'held', 'cancelled'].includes(p.status));
    if (stuck.length || Date.now() > deadline) {
      const jobs = await Promise.all(posts.map(async (p) => {
        const job = await h.deps.queue.getJob(publishJobId({ postId: p.id, revision: p.revision, generation: p.generation }));
        return { post: p.id, channel: p.channelType, status: p.status, error: p.errorCode, job: job ? await job.getState() : 'none', attempts: await h.deps.db.publicationAttempt.count({ where: { postId: p.id } }) };
      }));
      throw new Error(`${published} of ${count} posts published: ${JSON.stringify(jobs)}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
}

async function login(page: Page, email: string) {
  await page.goto(`${base}/app/login`);
  await page.type('#f-email', email);
  await page.type('#f-password', PASSWORD);
  await page.pressAndWait('Enter');
  expect(await page.url()).toBe(`${base}/app/`);
}

describe('staff web UI journey', () => {
  let editor: Page;
  let approver: Page;
  let releaseUrl = '';

  it('the start page leads to the sign-in; the sign-in works by keyboard alone', async () => {
    editor = await browser.newPage();
    await editor.goto(`${base}/`);
    expect(await editor.url()).toMatch(/\/app\/login/);
    expect(await editor.evaluate('document.documentElement.lang')).toBe('de');
    await audit(editor, 'login');

    // The skip link comes first and has a visible focus.
    await editor.press('Tab');
    expect(await editor.evaluate('document.activeElement.getAttribute("href")')).toBe('#main');
    expect(await editor.evaluate('getComputedStyle(document.activeElement).outlineStyle')).not.toBe('none');

    // A wrong password: the error is tied to the field and announced.
    await editor.type('#f-email', org.editor.email);
    await editor.type('#f-password', 'wrong password');
    await editor.pressAndWait('Enter');
    expect(await editor.text('.error-summary')).toContain('Passwort');
    expect(await editor.evaluate('document.activeElement.className')).toContain('error-summary');
    expect(await editor.evaluate('document.querySelector("#f-password").getAttribute("aria-describedby")')).toContain('f-password-error');
    await audit(editor, 'login-error');

    // Now by keyboard: tab to the password field, type, Enter.
    await editor.focus('#f-email');
    await editor.press('Tab');
    expect(await editor.evaluate('document.activeElement.id')).toBe('f-password');
    await editor.insertText(PASSWORD);
    await editor.pressAndWait('Enter');
    expect(await editor.url()).toBe(`${base}/app/`);
    expect(await editor.text('h1')).toBe('Übersicht');
    await audit(editor, 'dashboard-editor');
  });

  it('an editor pastes the sample release, sees the previews and submits', async () => {
    const [title, ...rest] = readFileSync(FIXTURE, 'utf8').split('\n');
    const text = rest.join('\n').trim();
    await editor.clickAndWait('a[href="/app/releases/new"]');
    expect(await editor.text('h1')).toBe('Neue Mitteilung');
    expect(await editor.text('#f-publishAt-hint')).toContain('Europe/Berlin');

    await editor.type('#f-title', title!.trim());
    await editor.type('#f-dateline', 'Musterstadt');
    // Paste as a person would (a clipboard event with the text), handled by app.js.
    await editor.focus('#f-body');
    await editor.evaluate(`(() => {
      const dt = new DataTransfer();
      dt.setData('text/plain', ${JSON.stringify(text)});
      document.querySelector('#f-body').dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
    })()`);
    expect(await editor.evaluate<string>('document.querySelector("#f-body").value')).toContain('Bürger');
    expect(await editor.evaluate<string>('document.querySelector("#f-body").value')).toContain('- Facebook – Fanseiten');

    // Live previews: one card per channel with the network's counter.
    await editor.waitFor('document.querySelectorAll("#previews .card").length === 3', 'three preview cards');
    const previews = await editor.text('#previews');
    expect(previews).toContain('X (Twitter)');
    expect(previews).toContain('Facebook');
    expect(previews).toMatch(/Länge: \d+ von 280/);
    expect(await editor.text('#preview-status')).toContain('Vorschau aktualisiert');
    await audit(editor, 'editor');

    // A missing alt text is refused and tied to its field.
    await editor.type('#f-mediaUrl0', 'https://example.org/bild.jpg');
    await editor.clickAndWait('button[name="intent"][value="save"]');
    expect(await editor.text('.error-summary')).toContain('Alternativtext');
    expect(await editor.evaluate('document.querySelector("#f-mediaAlt0").getAttribute("aria-invalid")')).toBe('true');
    await audit(editor, 'editor-error');
    await editor.type('#f-mediaUrl0', '');

    await editor.clickAndWait('button[name="intent"][value="save"]');
    expect(await editor.text('.flash')).toContain('gespeichert');
    releaseUrl = await editor.url();
    expect(releaseUrl).toMatch(/\/app\/releases\/[0-9a-f-]{36}/);
    expect(await editor.evaluate('document.querySelectorAll(".card").length')).toBe(3);

    // Edit the X post by hand.
    await editor.clickAndWait('.card-twitter a[href$="/edit"]');
    const thread = await editor.evaluate<string>('document.querySelector("#f-thread").value');
    await editor.type('#f-thread', `Jetzt anmelden: ${thread}`);
    await editor.clickAndWait('button[type="submit"].button-primary');
    expect(await editor.text('.flash')).toContain('Beitrag wurde gespeichert');
    expect(await editor.text('.card-twitter')).toContain('Jetzt anmelden');
    await audit(editor, 'release-draft');

    await editor.clickAndWait('form[action$="/submit"] button');
    expect(await editor.text('.flash')).toContain('zur Freigabe eingereicht');
    expect(await editor.text('.meta-list')).toContain('In Prüfung');
  });

  it('an approver sees what changed and approves', async () => {
    approver = await browser.newPage();
    await login(approver, org.approver.email);
    expect(await approver.text('#s-await + ul, #s-await ~ ul')).toContain('Social Media');
    await audit(approver, 'dashboard-approver');

    await approver.clickAndWait('a[href="/app/approvals"]');
    await audit(approver, 'approvals');
    await approver.clickAndWait('a.button[href$="#review"]');
    const review = await approver.text('#review');
    expect(review).toContain('Änderungen seit der letzten Fassung');
    expect(review).toContain('Fassung 1 → Fassung 2');
    expect(await approver.text('#review ins')).toContain('Jetzt');
    await audit(approver, 'review');

    // The editor may not approve: the reason is shown instead of the button.
    await editor.goto(releaseUrl);
    expect(await editor.exists('form[action$="/approve"]')).toBe(false);

    await approver.clickAndWait('form[action$="/approve"] button');
    expect(await approver.text('.flash')).toContain('freigegeben');
  });

  it('the posts appear as published in the calendar and the article on the blog', async () => {
    await waitUntilPublished(3);
    await approver.goto(`${base}/app/calendar`);
    expect(await approver.evaluate<number>('document.querySelectorAll(".cal-item.cal-published").length')).toBe(3);
    expect(await approver.text('.cal-week')).toContain('Veröffentlicht');
    await audit(approver, 'calendar-week');
    await approver.goto(`${base}/app/calendar?view=month`);
    expect(await approver.evaluate('document.querySelectorAll(".cal-item.cal-published").length')).toBe(3);
    await audit(approver, 'calendar-month');

    // The ICS subscription address.
    await approver.clickAndWait('form[action="/app/calendar/feed"] button');
    const feedUrl = await approver.evaluate<string>('document.querySelector("#feed-url").value');
    expect(feedUrl).toContain('/api/v1/calendar.ics?token=');
    const ics = await fetch(feedUrl);
    expect(ics.status).toBe(200);
    expect(await ics.text()).toContain('BEGIN:VCALENDAR');

    // Post detail of the article: history and the link to the published article.
    await approver.clickAndWait('.cal-item a[href^="/app/posts/"]');
    expect(await approver.text('h1')).toMatch(/Beitrag für/);
    expect(await approver.text('#history-title + .table-wrap, #history-title ~ *')).toMatch(/succeeded|published|ok/i);
    await audit(approver, 'post-detail');

    const slug = await h.deps.db.release.findFirst({ where: { orgId: org.id }, select: { slug: true } });
    await approver.goto(`${base}/blog/${org.slug}/${slug!.slug}`);
    expect(await approver.text('h1')).toContain('Social Media');
  });

  it('reschedules an approved post from the calendar by keyboard, after the warning that the approval is void; drag and drop fills in the form', async () => {
    // An approved release for the day after tomorrow, 10:00 in the organisation's time zone.
    const tz = 'Europe/Berlin';
    const day = addDays(localDay(new Date(), tz), 2);
    const created = await call(h, 'POST', '/api/v1/releases', {
      token: org.editor.token,
      body: { title: 'Sprechstunde des Bürgermeisters', body: 'Der Bürgermeister lädt zur offenen Sprechstunde ins Rathaus ein.', channelIds: [channels.blog], publishAt: localToUtc(`${day}T10:00`, tz)!.toISOString() },
    });
    expect(created.statusCode).toBe(201);
    const release = created.json() as { id: string; posts: { id: string }[] };
    const postId = release.posts[0]!.id;
    expect((await call(h, 'POST', `/api/v1/releases/${release.id}/submit`, { token: org.editor.token })).statusCode).toBe(200);
    expect((await call(h, 'POST', `/api/v1/releases/${release.id}/approve`, { token: org.approver.token, body: { revision: 1 } })).statusCode).toBe(200);

    await approver.goto(`${base}/app/calendar?view=week&date=${day}`);
    const item = `li.cal-item[data-post="${postId}"]`;
    expect(await approver.text(item)).toContain('Geplant');
    // Keyboard only: the "Verschieben" link of the post opens the reschedule panel.
    await approver.focus(`${item} a.cal-move`);
    await approver.pressAndWait('Enter');
    expect(await approver.text('#move-warning')).toContain('Die Freigabe wird aufgehoben');
    expect(await approver.evaluate('document.activeElement.id')).toBe('move-publishAt');
    expect(await approver.evaluate('document.activeElement.getAttribute("aria-describedby")')).toContain('move-warning');
    expect(await approver.evaluate('document.querySelector("#move-publishAt").value')).toBe(`${day}T10:00`);
    expect(await approver.text('#move-publishAt-hint')).toContain(tz);
    await audit(approver, 'calendar-reschedule');

    // A time that is no time: the error is tied to the field.
    await approver.type('#move-publishAt', '');
    await approver.clickAndWait('#move button[type="submit"]');
    expect(await approver.text('.error-summary')).toContain('gültiges Datum');
    expect(await approver.evaluate('document.querySelector("#move-publishAt").getAttribute("aria-invalid")')).toBe('true');
    await audit(approver, 'calendar-reschedule-error');

    const next = addDays(day, 1);
    await approver.type('#move-publishAt', `${next}T11:30`);
    await approver.clickAndWait('#move button[type="submit"]');
    expect(await approver.text('.flash')).toContain('Die Freigabe ist aufgehoben');
    expect(await approver.url()).toContain(`date=${next}`);
    expect(await approver.text(`li.cal-moved[data-post="${postId}"]`)).toContain('Entwurf');
    expect(await approver.text(`.cal-day[data-day="${next}"]`)).toContain('Sprechstunde');
    const after = await h.deps.db.release.findUniqueOrThrow({ where: { id: release.id }, include: { approvals: true, posts: true } });
    expect({ status: after.status, voided: after.approvals.every((a) => a.voidedAt !== null), publishAt: after.posts[0]!.publishAt?.toISOString() }).toEqual({
      status: 'draft',
      voided: true,
      publishAt: localToUtc(`${next}T11:30`, tz)!.toISOString(),
    });
    await audit(approver, 'calendar-rescheduled');

    // With a mouse: drag the (now draft) post to another day of the week; the panel opens with
    // that day and the same time filled in, and the move happens only on confirmation.
    const target = await approver.evaluate<string>(`[...document.querySelectorAll('.cal-day[data-day]')].map((d) => d.dataset.day).find((d) => d !== ${JSON.stringify(next)})`);
    await approver.dragAndWait(`li.cal-item[data-post="${postId}"]`, `.cal-day[data-day="${target}"]`);
    expect(await approver.evaluate('document.querySelector("#move-publishAt").value')).toBe(`${target}T11:30`);
    expect(await approver.text('#move-warning')).not.toContain('Die Freigabe wird aufgehoben');
    await approver.clickAndWait('#move button[type="submit"]');
    expect(await approver.text('.flash')).toContain('Der Beitrag wurde verschoben');
    expect(await approver.text(`.cal-day[data-day="${target}"]`)).toContain('Sprechstunde');

    // Herold serves its own icon: no 404 for the browser's request.
    const icon = await fetch(`${base}/favicon.ico`);
    expect({ status: icon.status, type: icon.headers.get('content-type') }).toEqual({ status: 200, type: 'image/x-icon' });
  });

  it('the crisis stop asks for a reason and shows a banner on every page until resumed', async () => {
    await approver.goto(`${base}/app/crisis`);
    await approver.clickAndWait('form[action="/app/crisis/pause"] button');
    expect(await approver.text('.error-summary')).toContain('Grund');
    await approver.type('#f-reason', 'Unwetterlage: alle Beiträge prüfen');
    await approver.clickAndWait('form[action="/app/crisis/pause"] button');
    expect(await approver.text('.banner-paused')).toContain('Unwetterlage');
    await audit(approver, 'crisis-paused');

    await editor.goto(`${base}/app/`);
    expect(await editor.text('.banner-paused')).toContain('Notfall-Stopp aktiv');
    await editor.goto(`${base}/app/calendar`);
    expect(await editor.exists('.banner-paused')).toBe(true);

    await approver.clickAndWait('form[action="/app/crisis/resume"] button');
    expect(await approver.exists('.banner-paused')).toBe(false);
    expect(await approver.text('.flash')).toContain('laufen wieder');
    await audit(approver, 'crisis');
  });

  it('admins manage channels and users; the audit log verifies; English by choice', async () => {
    const admin = await browser.newPage();
    await login(admin, org.admin.email);
    await admin.clickAndWait('a[href="/app/channels"]');
    expect(await admin.text('table')).toContain('Facebook');
    await audit(admin, 'channels');
    await admin.clickAndWait('form[action$="/check"] button');
    expect(await admin.text('main')).toContain('Prüfergebnis');

    // A channel of its own network's fields (no JSON): Facebook asks for a page ID and a page token.
    await admin.select('#f-type', 'facebook');
    await admin.clickAndWait('form[action="/app/channels/new"] button');
    expect(await admin.text('h1')).toBe('Facebook-Kanal hinzufügen');
    expect(await admin.evaluate('document.querySelector("#f-credentials-pageAccessToken").type')).toBe('password');
    await audit(admin, 'channel-new');
    await admin.type('#f-name', 'Facebook Presse');
    await admin.clickAndWait('form[action="/app/channels"] button.button-primary');
    expect(await admin.text('.error-summary')).toContain('Facebook-Seiten-ID');
    expect(await admin.evaluate('document.querySelector("#f-settings-pageId").getAttribute("aria-invalid")')).toBe('true');
    expect(await admin.evaluate('document.querySelector("#f-credentials-pageAccessToken").getAttribute("aria-describedby")')).toContain('f-credentials-pageAccessToken-error');
    await audit(admin, 'channel-new-error');

    const pageId = String(200000 + Math.floor(Math.random() * 799999));
    const pageToken = `EAApresse${randomBytes(8).toString('hex')}`;
    h.graph.addPage({ id: pageId, name: 'Presseseite Musterstadt', accessToken: pageToken });
    await admin.type('#f-settings-pageId', pageId);
    await admin.type('#f-credentials-pageAccessToken', pageToken);
    await admin.click('details.advanced summary');
    await admin.type('#f-settings-apiBaseUrl', h.graph.url);
    await admin.clickAndWait('form[action="/app/channels"] button.button-primary');
    expect(await admin.text('.flash')).toContain('gespeichert');
    expect(await admin.text('table')).toContain('Facebook Presse');
    await admin.clickAndWait('tr:has-text("Facebook Presse") form[action$="/check"] button');
    expect(await admin.text('[role="status"]')).toContain('✓');

    // Editing shows the settings, never the credentials; empty credential fields keep them.
    await admin.clickAndWait('a:text("Facebook Presse")');
    expect(await admin.evaluate('document.querySelector("#f-settings-pageId").value')).toBe(pageId);
    expect(await admin.evaluate('document.querySelector("#f-credentials-pageAccessToken").value')).toBe('');
    expect(await admin.text('main')).not.toContain(pageToken);
    await audit(admin, 'channel-edit');
    await admin.clickAndWait('form[action^="/app/channels/"] button.button-primary');
    expect(await admin.text('.flash')).toContain('gespeichert');
    await admin.clickAndWait('tr:has-text("Facebook Presse") form[action$="/check"] button');
    expect(await admin.text('[role="status"]')).toContain('✓');

    await admin.clickAndWait('a[href="/app/users"]');
    expect(await admin.text('table')).toContain(org.editor.email);
    await audit(admin, 'users');

    await admin.clickAndWait('a[href="/app/audit"]');
    await admin.clickAndWait('a[href="/app/audit?verify=1"]');
    expect(await admin.text('main')).toContain('unverändert');
    expect(await admin.text('table')).toContain('release.approved');
    await audit(admin, 'audit');

    // English, remembered for the user (PATCH /api/v1/me) across sign-ins and browsers.
    await admin.clickAndWait('.lang-form button');
    expect(await admin.evaluate('document.documentElement.lang')).toBe('en');
    expect(await admin.text('h1')).toBe('Audit log');
    expect((await h.deps.db.user.findUniqueOrThrow({ where: { id: org.admin.id } })).language).toBe('en');
    await admin.clickAndWait('form[action="/app/logout"] button');
    expect(await admin.text('h1')).toBe('Sign in');
    await admin.clearCookies();
    await login(admin, org.admin.email);
    expect(await admin.text('h1')).toBe('Dashboard');
    await audit(admin, 'dashboard-admin-en');
    // The stored language wins over this browser's cookie once signed in.
    await admin.clickAndWait('form[action="/app/logout"] button');
    await admin.clickAndWait('.lang-form button');
    expect(await admin.text('h1')).toBe('Anmelden');
    await login(admin, org.admin.email);
    expect(await admin.text('h1')).toBe('Dashboard');
  });

  it('"My account" is reached from the header by keyboard; the password form ties its errors to the fields', async () => {
    await editor.goto(`${base}/app/`);
    await editor.focus('.userbox a[href="/app/me"]');
    await editor.pressAndWait('Enter');
    expect(await editor.url()).toBe(`${base}/app/me`);
    expect(await editor.text('h1')).toBe('Mein Konto');
    expect(await editor.text('main')).toContain(org.editor.email);
    await audit(editor, 'me');
    await editor.type('#f-currentPassword', PASSWORD);
    await editor.type('#f-password', 'ein ganz neues Passwort');
    await editor.type('#f-passwordRepeat', 'ein anderes neues Passwort');
    await editor.pressAndWait('Enter');
    expect(await editor.text('.error-summary')).toContain('stimmen nicht überein');
    expect(await editor.evaluate('document.activeElement.className')).toContain('error-summary');
    expect(await editor.evaluate('document.querySelector("#f-passwordRepeat").getAttribute("aria-describedby")')).toContain('f-passwordRepeat-error');
    await audit(editor, 'me-error');
  });

  it('no page had a serious or critical accessibility violation at 1280 px or 375 px', () => {
    expect(found.filter((f) => f.violations.length)).toEqual([]);
    expect(found.length).toBeGreaterThanOrEqual(30);
    expect(editor.errors.concat(approver.errors)).toEqual([]);
  });
});
