// Security headers on every kind of answer: API JSON (success and error), the public blog and
// its feed, the start page, the staff UI and operational endpoints. A CSP without inline
// script, nosniff, and no framing by other sites (issue 7, "Login": "security headers including
// a CSP without inline scripts").
import { publishPost } from '../../src/services/publish';
import { call, createRelease, createTestOrg, parseCsp, signIn, startHarness, startTags, type Harness, type TestOrg } from './helpers';

describe('security headers', () => {
  let h: Harness;
  let org: TestOrg;
  let slug: string;
  const pages: { what: string; url: string; method?: string; payload?: string; contentType?: string; cookie?: boolean; token?: boolean }[] = [];
  let cookie = '';

  beforeAll(async () => {
    h = await startHarness();
    org = await createTestOrg(h);
    const blog = await call(h, 'POST', '/api/v1/channels', { token: org.admin.token, body: { type: 'blog', name: 'Blog', settings: {} } });
    const r = await createRelease(h, org.author.token, [blog.json().id], {}, { submit: true });
    const approved = await call(h, 'POST', `/api/v1/releases/${r.id}/approve`, { token: org.approver.token, body: { revision: r.revision } });
    const post = await h.deps.db.post.findUniqueOrThrow({ where: { id: approved.json().posts[0].id } });
    expect((await publishPost(h.deps, { postId: post.id, revision: post.revision, generation: post.generation }, { workerId: 'headers', lastAttempt: true })).kind).toBe('published');
    slug = r.slug;
    const session = await signIn(h, org.admin.email);
    cookie = `herold_session=${session.sessionId}`;

    pages.push(
      { what: 'start page', url: '/' },
      { what: 'API JSON', url: '/api/v1/me', token: true },
      { what: 'API 401', url: '/api/v1/me' },
      { what: 'API 404', url: '/api/v1/nirgendwo', token: true },
      { what: 'API 400', url: '/api/v1/releases', method: 'POST', payload: '{', contentType: 'application/json', token: true },
      { what: 'API 413', url: '/api/v1/releases', method: 'POST', payload: JSON.stringify({ body: 'x'.repeat(2 * 1024 * 1024) }), contentType: 'application/json', token: true },
      { what: 'API 415', url: '/api/v1/releases', method: 'POST', payload: 'a=b', contentType: 'application/x-www-form-urlencoded', token: true },
      { what: 'calendar feed', url: `/api/v1/calendar.ics?token=${encodeURIComponent(org.editor.token)}` },
      { what: 'OpenAPI document', url: '/api/docs/openapi.json' },
      { what: 'blog index', url: `/blog/${org.slug}/` },
      { what: 'blog article', url: `/blog/${org.slug}/${slug}` },
      { what: 'blog feed', url: `/blog/${org.slug}/feed.xml` },
      { what: 'blog stylesheet', url: `/blog/${org.slug}/blog.css` },
      { what: 'blog 404', url: `/blog/${org.slug}/gibt-es-nicht` },
      { what: 'unknown blog', url: '/blog/unbekannt/' },
      { what: 'health', url: '/healthz' },
      { what: 'readiness', url: '/readyz' },
      { what: 'metrics', url: '/metrics' },
      { what: 'UI login page', url: '/app/login' },
      { what: 'UI dashboard', url: '/app/', cookie: true },
      { what: 'UI release page', url: `/app/releases/${r.id}`, cookie: true },
      { what: 'UI account page', url: '/app/me', cookie: true },
      { what: 'UI redirect to login', url: '/app/' },
      { what: 'UI script', url: '/app/assets/app.js' },
    );
  });
  afterAll(() => h.close());

  async function fetch(p: (typeof pages)[number]) {
    return h.app.inject({
      method: (p.method ?? 'GET') as 'GET',
      url: p.url,
      headers: {
        ...(p.token ? { authorization: `Bearer ${org.admin.token}` } : {}),
        ...(p.cookie ? { cookie } : {}),
        ...(p.contentType ? { 'content-type': p.contentType } : {}),
      },
      payload: p.payload,
    });
  }

  it('sends a Content-Security-Policy without inline or eval script, nosniff and no framing on every answer', async () => {
    const problems: string[] = [];
    for (const p of pages) {
      const res = await fetch(p);
      const csp = parseCsp(res.headers['content-security-policy']);
      const script = csp.get('script-src') ?? csp.get('default-src');
      const where = `${p.what} (${res.statusCode} ${p.url.slice(0, 40)})`;
      if (!script) problems.push(`${where}: no script-src/default-src`);
      else {
        for (const bad of ["'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", '*', 'data:', 'http:', 'https:']) {
          if (script.includes(bad)) problems.push(`${where}: script-src allows ${bad}`);
        }
      }
      if (!(csp.get('object-src') ?? []).includes("'none'")) problems.push(`${where}: object-src not 'none'`);
      if (!(csp.get('base-uri') ?? []).some((s) => s === "'none'" || s === "'self'")) problems.push(`${where}: base-uri not restricted`);
      const frameAncestors = csp.get('frame-ancestors') ?? [];
      const xfo = String(res.headers['x-frame-options'] ?? '').toUpperCase();
      if (!(frameAncestors.includes("'none'") || frameAncestors.includes("'self'")) && !['DENY', 'SAMEORIGIN'].includes(xfo)) problems.push(`${where}: can be framed`);
      if (res.headers['x-content-type-options'] !== 'nosniff') problems.push(`${where}: no nosniff`);
      if (res.body.length > 0 && !res.headers['content-type']) problems.push(`${where}: no content-type`);
      if (/text\/html/.test(String(res.headers['content-type'])) && !/charset=utf-8/i.test(String(res.headers['content-type']))) problems.push(`${where}: HTML without charset`);
    }
    expect(problems).toEqual([]);
  });

  it('serves pages whose markup needs no inline script or style, so the CSP does not have to be weakened', async () => {
    const problems: string[] = [];
    for (const p of pages) {
      const res = await fetch(p);
      if (!/text\/html/.test(String(res.headers['content-type']))) continue;
      for (const tag of startTags(res.body)) {
        if (tag.name === 'script' && !tag.attrs.some((a) => a.name === 'src')) problems.push(`${p.what}: inline <script>`);
        if (tag.name === 'style') problems.push(`${p.what}: inline <style>`);
        for (const a of tag.attrs) {
          if (a.name.startsWith('on')) problems.push(`${p.what}: <${tag.name} ${a.name}>`);
          if (a.name === 'style') problems.push(`${p.what}: <${tag.name} style>`);
          if ((a.name === 'href' || a.name === 'src' || a.name === 'action') && /^\s*javascript:/i.test(a.value)) problems.push(`${p.what}: javascript: URL`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('keeps staff pages and API answers with personal data out of shared caches', async () => {
    for (const p of pages.filter((x) => x.cookie || (x.token && x.url === '/api/v1/me'))) {
      const res = await fetch(p);
      expect({ page: p.what, cacheControl: String(res.headers['cache-control'] ?? '') }).not.toEqual({ page: p.what, cacheControl: expect.stringMatching(/public/) });
    }
  });

  it('answers cross-origin API calls without CORS permission', async () => {
    const res = await h.app.inject({
      method: 'OPTIONS',
      url: '/api/v1/me',
      headers: { origin: 'https://angreifer.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-csrf-token' },
    });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    const get = await call(h, 'GET', '/api/v1/me', { token: org.admin.token, headers: { origin: 'https://angreifer.example' } });
    expect(get.headers['access-control-allow-origin']).toBeUndefined();
  });
});
