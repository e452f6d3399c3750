// The staff web UI in a real browser (Debian's Chromium) against a real Herold (PostgreSQL,
// Redis, the publishing worker, the Graph and X fakes): an editor writes and submits, an approver
// reviews the changes and approves, the posts are published and show in the calendar and on the
// blog. Every page is checked for accessibility at 1280 px and 375 px and photographed for docs/.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { sweep } from '../../src/services/scheduling';
import { addChannels, createTestOrg, startHarness, type Harness, type TestOrg } from '../helpers/harness';
import { checkA11y, HAVE_AXE, type Violation } from './a11y';
import { Browser, type Page } from './browser';

const SHOTS = join(__dirname, '..', '..', 'docs', 'screenshots');
/** `HEROLD_SCREENSHOTS=1 npm run test:e2e` refreshes docs/screenshots/; other runs leave them alone. */
const TAKE_SCREENSHOTS = process.env.HEROLD_SCREENSHOTS === '1';
const FIXTURE = join(__dirname, '..', 'fixtures', 'releases', 'kbw-social-media-buergerbeteiligung.txt');
const PASSWORD = 'correct horse battery';

let h: Harness;
let org: TestOrg;
let browser: Browser;
let base: string;
const found: { page: string; width: number; violations: Violation[] }[] = [];

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  h = await startHarness();
  org = await createTestOrg(h);
  await addChannels(h, org);
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
    const deadline = Date.now() + 60_000;
    for (;;) {
      // Production runs the scheduler's sweep beside the worker; the harness does not, so do it here.
      await sweep(h.deps);
      await approver.goto(`${base}/app/calendar`);
      const published = await approver.evaluate<number>('document.querySelectorAll(".cal-item.cal-published").length');
      if (published === 3) break;
      if (Date.now() > deadline) throw new Error(`calendar shows ${published} published posts: ${await approver.text('.cal-week')}`);
      await new Promise((r) => setTimeout(r, 500));
    }
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

    await admin.clickAndWait('a[href="/app/users"]');
    expect(await admin.text('table')).toContain(org.editor.email);
    await audit(admin, 'users');

    await admin.clickAndWait('a[href="/app/audit"]');
    await admin.clickAndWait('a[href="/app/audit?verify=1"]');
    expect(await admin.text('main')).toContain('unverändert');
    expect(await admin.text('table')).toContain('release.approved');
    await audit(admin, 'audit');

    // English, remembered for the user across sign-ins.
    await admin.clickAndWait('.lang-form button');
    expect(await admin.evaluate('document.documentElement.lang')).toBe('en');
    expect(await admin.text('h1')).toBe('Audit log');
    await admin.clickAndWait('form[action="/app/logout"] button');
    await admin.clearCookies();
    await login(admin, org.admin.email);
    expect(await admin.text('h1')).toBe('Dashboard');
    await audit(admin, 'dashboard-admin-en');
  });

  it('no page had a serious or critical accessibility violation at 1280 px or 375 px', () => {
    expect(found.filter((f) => f.violations.length)).toEqual([]);
    expect(found.length).toBeGreaterThanOrEqual(30);
    expect(editor.errors.concat(approver.errors)).toEqual([]);
  });
});
