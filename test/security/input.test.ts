// QUALITY.md "Security", row 5: bad input. Script tags, event handlers and javascript: links
// in every text field of every route are refused or stored and shown harmless — on the public
// blog, in its Atom feed and in the staff UI; oversized bodies answer 413; invalid UTF-8,
// control characters and 100,000-character fields answer 4xx. Never a 500.
//
// test/integration/bad-input.test.ts already sends malformed JSON, wrong types, invalid UTF-8
// bodies and 2 MB bodies to every route; this file adds the per-field attacks and the rendering.
import { randomUUID } from 'node:crypto';
import { apiRoutes } from '../../src/http/routes/api';
import { publishPost } from '../../src/services/publish';
import {
  call,
  cookieHeaders,
  createRelease,
  createTestOrg,
  feedHtmlContents,
  freshAddress,
  principal,
  scriptVectors,
  signIn,
  startHarness,
  type Harness,
  type Principal,
  type TestOrg,
} from './helpers';

const XSS = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '"><svg onload=alert(1)>',
  "'><iframe src=javascript:alert(1)></iframe>",
  '[klick](javascript:alert(document.cookie)) <a href="jav&#x09;ascript:alert(1)">x</a>',
];

/** For each route with a body: a valid body and the text fields (dotted paths) to poison. */
interface FieldPlan {
  fields: string[];
  /** URL fields: only http(s) may be stored. */
  urlFields?: string[];
  make(): Promise<{ url: string; body: Record<string, unknown> }>;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(target);
  const keys = path.split('.');
  let node: Record<string, unknown> = copy;
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
  node[keys[keys.length - 1]!] = value;
  return copy;
}

describe('bad input', () => {
  let h: Harness;
  let org: TestOrg;
  let all: Principal;
  let blogId: string;
  let facebookId: string;
  let draft: Awaited<ReturnType<typeof createRelease>>;

  beforeAll(async () => {
    h = await startHarness();
    org = await createTestOrg(h);
    all = await principal(h, org.slug, ['editor', 'approver', 'admin'], 'alle');
    const blog = await call(h, 'POST', '/api/v1/channels', { token: org.admin.token, body: { type: 'blog', name: 'Blog', settings: {} } });
    blogId = blog.json().id;
    const fb = await call(h, 'POST', '/api/v1/channels', {
      token: org.admin.token,
      body: { type: 'facebook', name: 'Facebook', settings: { pageId: '4711', apiBaseUrl: h.graph.url }, credentials: { pageAccessToken: 'EAAunused' } },
    });
    facebookId = fb.json().id;
    draft = await createRelease(h, org.editor.token, [blogId, facebookId]);
  });
  afterAll(() => h.close());

  const PLANS: Record<string, FieldPlan> = {
    'POST /api/v1/auth/login': { fields: ['email', 'password'], make: async () => ({ url: '/api/v1/auth/login', body: { email: 'niemand@example.test', password: 'x' } }) },
    'POST /api/v1/tokens': { fields: ['name'], make: async () => ({ url: '/api/v1/tokens', body: { name: 'Token' } }) },
    'PATCH /api/v1/me': { fields: ['name'], make: async () => ({ url: '/api/v1/me', body: { name: 'Alle Rollen', language: 'de' } }) },
    'POST /api/v1/users': {
      fields: ['name', 'email', 'password'],
      make: async () => ({ url: '/api/v1/users', body: { email: `u-${randomUUID().slice(0, 8)}@${org.slug}.test`, name: 'Neu', roles: ['editor'], password: 'ein langes Passwort' } }),
    },
    'PATCH /api/v1/users/:id': { fields: ['name', 'email'], make: async () => ({ url: `/api/v1/users/${org.editor.id}`, body: { name: 'Redakteurin' } }) },
    'POST /api/v1/channels': {
      fields: ['name', 'settings.title'],
      urlFields: ['settings.apiBaseUrl'],
      make: async () => ({ url: '/api/v1/channels', body: { type: 'blog', name: 'Noch ein Blog', settings: { title: 'Blog', apiBaseUrl: 'https://example.org' } } }),
    },
    'PATCH /api/v1/channels/:id': {
      fields: ['name', 'settings.pageId'],
      urlFields: ['settings.apiBaseUrl'],
      make: async () => ({ url: `/api/v1/channels/${facebookId}`, body: { name: 'Facebook', settings: { pageId: '4711', apiBaseUrl: h.graph.url } } }),
    },
    'POST /api/v1/releases': {
      fields: ['title', 'body', 'subtitle', 'dateline', 'media.0.alt'],
      urlFields: ['media.0.url'],
      make: async () => ({
        url: '/api/v1/releases',
        body: { title: 'Titel', body: 'Text.', subtitle: 'Unterzeile', dateline: 'Ort', channelIds: [blogId], media: [{ url: 'https://example.org/a.jpg', alt: 'Bild' }] },
      }),
    },
    'PATCH /api/v1/releases/:id': {
      fields: ['title', 'body', 'subtitle', 'dateline', 'media.0.alt'],
      urlFields: ['media.0.url'],
      make: async () => ({ url: `/api/v1/releases/${draft.id}`, body: { title: 'Titel', body: 'Text.', subtitle: 'U', dateline: 'O', media: [{ url: 'https://example.org/a.jpg', alt: 'Bild' }] } }),
    },
    'PATCH /api/v1/posts/:id': {
      fields: ['content.title', 'content.html', 'content.text', 'content.thread.0', 'content.media.0.alt'],
      urlFields: ['content.link', 'content.media.0.url'],
      make: async () => ({
        url: `/api/v1/posts/${draft.posts[0]!.id}`,
        body: { content: { title: 'T', html: '<p>x</p>', text: 't', thread: ['eins'], link: 'https://example.org/', media: [{ url: 'https://example.org/a.jpg', alt: 'Bild' }] } },
      }),
    },
    'POST /api/v1/releases/:id/approve': { fields: [], make: async () => ({ url: `/api/v1/releases/${draft.id}/approve`, body: { revision: 1 } }) },
    'POST /api/v1/releases/:id/reject': {
      fields: ['comment'],
      make: async () => ({ url: `/api/v1/releases/${(await createRelease(h, org.editor.token, [blogId], {}, { submit: true })).id}/reject`, body: { comment: 'Bitte ändern.' } }),
    },
    'POST /api/v1/preview': {
      fields: ['title', 'body', 'subtitle', 'dateline', 'media.0.alt'],
      urlFields: ['media.0.url'],
      make: async () => ({ url: '/api/v1/preview', body: { title: 'T', body: 'B', subtitle: 'S', dateline: 'D', channelTypes: ['blog', 'facebook'], media: [{ url: 'https://example.org/a.jpg', alt: 'Bild' }] } }),
    },
    'POST /api/v1/posts/:id/resolve': {
      fields: [],
      urlFields: ['externalUrl'],
      make: async () => {
        const r = await createRelease(h, org.editor.token, [facebookId]);
        await h.deps.db.post.update({ where: { id: r.posts[0]!.id }, data: { status: 'unconfirmed' } });
        return { url: `/api/v1/posts/${r.posts[0]!.id}/resolve`, body: { published: true, externalUrl: 'https://www.facebook.com/1/posts/2' } };
      },
    },
    'PATCH /api/v1/org': {
      fields: ['policy.guidelines.signature', 'policy.guidelines.hashtags.0', 'policy.guidelines.bannedPhrases.0'],
      make: async () => ({ url: '/api/v1/org', body: { policy: { guidelines: { signature: 'Presseamt', hashtags: ['#stadt'], bannedPhrases: ['geheim'] } } } }),
    },
    'POST /api/v1/org/pause': { fields: ['reason'], make: async () => ({ url: '/api/v1/org/pause', body: { reason: 'Übung' } }) },
  };

  const bodyRoutes = apiRoutes.filter((d) => d.body);
  const send = (def: (typeof apiRoutes)[number], url: string, payload: string | Buffer, contentType = 'application/json') =>
    h.app.inject({ method: def.method, url, remoteAddress: freshAddress(), headers: { authorization: `Bearer ${all.token}`, 'content-type': contentType }, payload });

  it('has a plan for every route that takes a body', () => {
    expect(bodyRoutes.map((d) => `${d.method} ${d.path}`).filter((k) => !PLANS[k])).toEqual([]);
  });

  describe('script in every text field', () => {
    for (const def of bodyRoutes) {
      const key = `${def.method} ${def.path}`;
      const plan = PLANS[key];
      if (!plan || plan.fields.length === 0) continue;
      it(`${key}: ${plan.fields.join(', ')} → refused or stored, never a 500, never an HTML answer`, async () => {
        const problems: string[] = [];
        for (const field of plan.fields) {
          for (const payload of XSS) {
            const { url, body } = await plan.make();
            const res = await send(def, url, JSON.stringify(setPath(body, field, payload)));
            if (res.statusCode >= 500) problems.push(`${field} ${payload}: ${res.statusCode}`);
            if (!/^application\/json/.test(String(res.headers['content-type']))) problems.push(`${field}: answered ${res.headers['content-type']}`);
            if (res.statusCode >= 400 && !/^[A-Z_]+$/.test(res.json().error?.code ?? '')) problems.push(`${field}: no error code`);
          }
        }
        expect(problems).toEqual([]);
      });
    }
  });

  describe('URL fields', () => {
    const bad = ['javascript:alert(1)', 'JaVaScRiPt:alert(document.cookie)', 'data:text/html,<script>alert(1)</script>', 'vbscript:msgbox(1)'];
    for (const def of bodyRoutes) {
      const key = `${def.method} ${def.path}`;
      const plan = PLANS[key];
      if (!plan?.urlFields?.length) continue;
      it(`${key}: ${plan.urlFields.join(', ')} accept only http(s)`, async () => {
        const accepted: string[] = [];
        for (const field of plan.urlFields!) {
          for (const value of bad) {
            const { url, body } = await plan.make();
            const res = await send(def, url, JSON.stringify(setPath(body, field, value)));
            expect(res.statusCode).toBeLessThan(500);
            if (res.statusCode < 400) accepted.push(`${field} = ${value}`);
          }
        }
        expect(accepted).toEqual([]);
      });
    }
  });

  describe('lengths and control characters in every text field', () => {
    for (const def of bodyRoutes) {
      const key = `${def.method} ${def.path}`;
      const plan = PLANS[key];
      if (!plan || plan.fields.length === 0) continue;
      it(`${key}: 100,000 characters and control characters → 4xx or stored, never a 500`, async () => {
        const problems: string[] = [];
        const cases: [string, string, 'refuse' | 'either'][] = [
          ['100,000 characters', 'Straße '.repeat(14_285).padEnd(100_000, 'x'), 'either'],
          ['100,001 characters', 'Wort '.repeat(20_001).slice(0, 100_001), 'either'],
          ['NUL', 'a\u0000b', 'refuse'],
          ['ESC', 'a\u001b[31mb', 'refuse'],
          ['DEL', 'a\u007fb', 'refuse'],
          ['C1 NEL', 'a\u0085b', 'refuse'],
          ['right-to-left override', 'a\u202egnp.exe', 'either'],
        ];
        for (const field of plan.fields) {
          for (const [name, value, expectation] of cases) {
            const { url, body } = await plan.make();
            const res = await send(def, url, JSON.stringify(setPath(body, field, value)));
            if (res.statusCode >= 500) problems.push(`${field} ${name}: ${res.statusCode}`);
            // Passwords are secrets, not text: any character may be part of one.
            else if (expectation === 'refuse' && res.statusCode < 400 && field !== 'password') problems.push(`${field} ${name}: accepted (${res.statusCode})`);
          }
        }
        expect(problems).toEqual([]);
      });
    }

    it('answers a lone UTF-16 surrogate ("\\ud800" in JSON) in any text field with a 4xx, not a 500', async () => {
      // Valid JSON, but not valid Unicode: it cannot be stored as UTF-8.
      const failures: string[] = [];
      for (const def of bodyRoutes) {
        const plan = PLANS[`${def.method} ${def.path}`];
        for (const field of plan?.fields ?? []) {
          const { url, body } = await plan!.make();
          const res = await send(def, url, JSON.stringify(setPath(body, field, 'a\ud800b')));
          if (res.statusCode >= 500) failures.push(`${def.method} ${def.path} ${field}`);
        }
      }
      expect(failures).toEqual([]);
    });
  });

  describe('bodies and bytes', () => {
    it('answers a 10 MB body with 413 on every route that takes one, without reading it into a 500', async () => {
      const big = JSON.stringify({ title: 'x', body: 'x'.repeat(10 * 1024 * 1024) });
      for (const def of bodyRoutes) {
        const url = def.path.replace(':id', draft.id);
        const res = await send(def, url, big);
        expect({ route: `${def.method} ${def.path}`, status: res.statusCode, code: res.json().error?.code }).toEqual({
          route: `${def.method} ${def.path}`,
          status: 413,
          code: 'BODY_TOO_LARGE',
        });
      }
    });

    it('refuses a 10 MB body announced with a false small Content-Length or sent chunked', async () => {
      const big = Buffer.alloc(10 * 1024 * 1024, 0x61);
      const chunked = await h.app.inject({
        method: 'POST',
        url: '/api/v1/releases',
        headers: { authorization: `Bearer ${all.token}`, 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
        payload: big,
      });
      expect(chunked.statusCode).toBeGreaterThanOrEqual(400);
      expect(chunked.statusCode).toBeLessThan(500);
    });

    it('refuses invalid UTF-8, overlong forms, encoded surrogates and UTF-16 with 4xx', async () => {
      const def = apiRoutes.find((d) => d.method === 'POST' && d.path === '/api/v1/releases')!;
      const wrap = (bytes: number[]) => Buffer.concat([Buffer.from('{"title":"'), Buffer.from(bytes), Buffer.from(`","body":"x","channelIds":["${blogId}"]}`)]);
      for (const [name, payload] of [
        ['lone continuation byte', wrap([0x80])],
        ['truncated sequence', wrap([0xe2, 0x82])],
        ['overlong slash', wrap([0xc0, 0xaf])],
        ['UTF-8-encoded surrogate', wrap([0xed, 0xa0, 0x80])],
        ['code point above U+10FFFF', wrap([0xf4, 0x90, 0x80, 0x80])],
        ['Latin-1 umlaut', wrap([0xe4])],
        ['UTF-16 body', Buffer.from(`{"title":"x","body":"y","channelIds":["${blogId}"]}`, 'utf16le')],
      ] as const) {
        const res = await send(def, '/api/v1/releases', payload);
        expect({ name, status: res.statusCode >= 400 && res.statusCode < 500 }).toEqual({ name, status: true });
      }
    });

    it('never answers 500 to invalid bytes or control characters in the URL, query or headers', async () => {
      const urls = [
        '/api/v1/releases/%C3%28',
        '/api/v1/releases?status=%FF%FE',
        '/api/v1/releases?status=%00',
        '/api/v1/posts?from=%E2%82',
        '/blog/%C3%28/',
        `/blog/${org.slug}/%ED%A0%80`,
        `/blog/${org.slug}/%00`,
        '/blog/%00/',
        '/blog/%00/feed.xml',
        '/api/v1/audit?entityId=%00',
        '/api/v1/audit?entityId=%ED%A0%80',
        '/api/v1/calendar.ics?token=%FF%FF%FF%FF%FF%FF%FF%FF%FF%FF',
        '/app/releases/%C3%28',
      ];
      const failures: string[] = [];
      for (const url of urls) {
        const res = await h.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${all.token}` } });
        if (res.statusCode >= 500) failures.push(`GET ${url}: ${res.statusCode}`);
      }
      for (const headers of [
        { authorization: 'Bearer \u00ff\u00fe' },
        { cookie: 'herold_session=%FF%00%C3%28' },
        { 'accept-language': '\u00ff'.repeat(200) },
        { 'x-csrf-token': '\u00e4' },
      ]) {
        const res = await h.app.inject({ method: 'GET', url: '/api/v1/me', headers });
        if (res.statusCode >= 500) failures.push(`GET /api/v1/me with ${JSON.stringify(headers)}: ${res.statusCode}`);
      }
      expect(failures).toEqual([]);
    });

    it('splits a long body in time, even when it is one long word', async () => {
      // A word longer than a post is cut into parts; the cost must grow about linearly with its
      // length, or one request of an editor (POST /releases, PATCH /releases, /preview) blocks
      // the API process for every user. 100,000 characters is the documented maximum.
      const timed = async (n: number) => {
        const started = process.hrtime.bigint();
        const res = await call(h, 'POST', '/api/v1/preview', { token: all.token, body: { title: 'Lang', body: 'x'.repeat(n), channelTypes: ['twitter'] } });
        expect(res.statusCode).toBe(200);
        return Number(process.hrtime.bigint() - started) / 1e6;
      };
      // Both sizes once to warm up, then alternating, the fastest of each (a busy machine only
      // ever adds time). Eight times the text: linear work takes about 8×, quadratic 64×.
      await timed(10_000);
      await timed(80_000);
      const small: number[] = [];
      const large: number[] = [];
      for (let i = 0; i < 3; i += 1) {
        small.push(await timed(10_000));
        large.push(await timed(80_000));
      }
      const times = { ms10k: Math.round(Math.min(...small)), ms80k: Math.round(Math.min(...large)) };
      expect({ ...times, aboutLinear: Math.min(...large) / Math.min(...small) < 24 }).toEqual({ ...times, aboutLinear: true });
    }, 90_000);

    it('survives deeply nested JSON with a 4xx', async () => {
      const depth = 100_000;
      for (const payload of [
        `{"type":"blog","name":"x","settings":${'['.repeat(depth)}${']'.repeat(depth)}}`,
        `{"type":"facebook","name":"x","settings":{"pageId":"1"},"credentials":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`,
      ]) {
        const res = await send(apiRoutes.find((d) => d.method === 'POST' && d.path === '/api/v1/channels')!, '/api/v1/channels', payload);
        expect(res.statusCode).toBeGreaterThanOrEqual(400);
        expect(res.statusCode).toBeLessThan(500);
      }
    });
  });

  describe('script stored in a published release', () => {
    let page: string;
    let index: string;
    let feed: string;
    let release: Awaited<ReturnType<typeof createRelease>>;
    let edited: Awaited<ReturnType<typeof createRelease>>;

    beforeAll(async () => {
      const blogOrg = await createTestOrg(h);
      const ch = await call(h, 'POST', '/api/v1/channels', {
        token: blogOrg.admin.token,
        body: { type: 'blog', name: '<script>alert("kanal")</script>', settings: { title: '<img src=x onerror=alert("blogtitel")>' } },
      });
      expect(ch.statusCode).toBe(201);
      const body = [
        'Absatz mit <script>alert("body")</script> und <b onmouseover="alert(1)">fett</b>.',
        '',
        '<img src="https://example.org/x.png" onerror="alert(2)">',
        '',
        '[Link](javascript:alert(3)) und <a href="javascript:alert(4)">noch einer</a> und <a href="JAVA&#x09;SCRIPT:alert(5)">x</a>.',
        '',
        '<iframe src="https://evil.example"></iframe><svg><script>alert(6)</script></svg><style>body{}</style>',
        '',
        '<div style="background:url(javascript:alert(7))">stil</div> <form action="https://evil.example"><input></form>',
        '',
        '![Bild](javascript:alert(8)) <meta http-equiv="refresh" content="0;url=javascript:alert(9)">',
      ].join('\n');
      release = await createRelease(h, blogOrg.author.token, [ch.json().id], {
        title: '<script>alert("titel")</script>',
        subtitle: '"><img src=x onerror=alert("unterzeile")>',
        dateline: "'><svg onload=alert('ort')>",
        body,
        media: [{ url: 'https://example.org/bild.jpg', alt: '"><script>alert("alt")</script>' }],
      });
      // A second article whose HTML an editor wrote by hand.
      edited = await createRelease(h, blogOrg.author.token, [ch.json().id], { title: 'Von Hand' });
      const hand = await call(h, 'PATCH', `/api/v1/posts/${edited.posts[0]!.id}`, {
        token: blogOrg.author.token,
        body: { content: { title: 'Von Hand', html: '<p onclick="alert(10)">Text</p><script>alert(11)</script><a href="javascript:alert(12)">x</a><img src=x onerror=alert(13)>', link: 'javascript:alert(14)' } },
      });
      expect(hand.statusCode).toBeLessThan(500);

      for (const r of [release, edited]) {
        const submitted = await call(h, 'POST', `/api/v1/releases/${r.id}/submit`, { token: blogOrg.author.token });
        expect(submitted.statusCode).toBe(200);
        const approved = await call(h, 'POST', `/api/v1/releases/${r.id}/approve`, { token: blogOrg.approver.token, body: { revision: submitted.json().revision } });
        expect(approved.statusCode).toBe(200);
        for (const p of approved.json().posts as { id: string; revision: number }[]) {
          const row = await h.deps.db.post.findUniqueOrThrow({ where: { id: p.id } });
          const outcome = await publishPost(h.deps, { postId: p.id, revision: row.revision, generation: row.generation }, { workerId: 'xss', lastAttempt: true });
          expect(outcome.kind).toBe('published');
        }
      }
      page = (await call(h, 'GET', `/blog/${blogOrg.slug}/${release.slug}`)).body;
      index = (await call(h, 'GET', `/blog/${blogOrg.slug}/`)).body;
      feed = (await call(h, 'GET', `/blog/${blogOrg.slug}/feed.xml`)).body;
      const handPage = await call(h, 'GET', `/blog/${blogOrg.slug}/${edited.slug}`);
      expect(handPage.statusCode).toBe(200);
      page += handPage.body;

      // A post an approver marked as published by hand, with a link that is not one.
      const fbChannel = await call(h, 'POST', '/api/v1/channels', {
        token: blogOrg.admin.token,
        body: { type: 'facebook', name: 'Facebook', settings: { pageId: '4711', apiBaseUrl: h.graph.url }, credentials: { pageAccessToken: 'EAAunused' } },
      });
      const unconfirmed = await createRelease(h, blogOrg.author.token, [fbChannel.json().id]);
      await h.deps.db.post.update({ where: { id: unconfirmed.posts[0]!.id }, data: { status: 'unconfirmed' } });
      const resolved = await call(h, 'POST', `/api/v1/posts/${unconfirmed.posts[0]!.id}/resolve`, {
        token: blogOrg.approver.token,
        body: { published: true, externalUrl: 'javascript:alert(document.cookie)' },
      });
      expect(resolved.statusCode).toBeLessThan(500);

      // The staff UI shows the same text to editors and approvers.
      const session = await signIn(h, blogOrg.author.email);
      uiPages = [];
      for (const url of ['/app/', '/app/releases', `/app/releases/${release.id}`, `/app/releases/${edited.id}`, `/app/posts/${release.posts[0]!.id}`, `/app/posts/${edited.posts[0]!.id}`, `/app/posts/${unconfirmed.posts[0]!.id}`, '/app/approvals', '/app/calendar', '/app/audit', '/app/channels', '/app/me']) {
        const res = await call(h, 'GET', url, { headers: cookieHeaders(session) });
        uiPages.push({ url, status: res.statusCode, body: res.body });
      }
    });
    let uiPages: { url: string; status: number; body: string }[] = [];

    it('shows the article, with the hostile text visible as text', () => {
      expect(page).toContain('&lt;script&gt;alert(&quot;titel&quot;)&lt;/script&gt;');
      expect(page).toContain('fett');
    });

    it('has no executable script, event handler, javascript: URL or dangerous element on the article pages', () => {
      expect(scriptVectors(page)).toEqual([]);
    });

    it('has none on the index page', () => {
      expect(index).toContain('&lt;script&gt;');
      expect(scriptVectors(index)).toEqual([]);
    });

    it('has none in the Atom feed, neither in its markup nor in the HTML it carries', () => {
      expect(scriptVectors(feed)).toEqual([]);
      const contents = feedHtmlContents(feed);
      expect(contents.length).toBe(2);
      for (const html of contents) expect(scriptVectors(html)).toEqual([]);
    });

    it('has none in the staff UI pages that show the release and its posts', () => {
      // The UI's own forms and its one script file are allowed (CSP script-src 'self'); nothing else.
      const found = uiPages.flatMap((p) => scriptVectors(p.body, { allowTags: ['form'], allowScriptSrc: /^\/app\/assets\/[\w.-]+\.js$/ }).map((v) => `${p.url}: ${v}`));
      const inlineScripts = uiPages.flatMap((p) => [...p.body.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/gi)].filter((m) => m[1]!.trim() !== '').map(() => `${p.url}: inline script`));
      expect(uiPages.filter((p) => p.status >= 500).map((p) => `${p.url}: ${p.status}`)).toEqual([]);
      expect([...found, ...inlineScripts]).toEqual([]);
    });
  });
});
