import fc from 'fast-check';
import { BLOG_PALETTE } from '../../src/web/blog/blog.css';
import { cleanText, escapeText, html } from '../../src/web/blog/html';
import {
  BLOG_CSS,
  blogUrls,
  excerpt,
  formatGermanDateTime,
  renderArticlePage,
  renderAtomFeed,
  renderIndexPage,
  renderNotFoundPage,
  sanitizeArticleHtml,
  type BlogArticle,
  type BlogOrg,
} from '../../src/web/blog/render';

const BASE = { baseUrl: 'https://herold.example.de' };
const SCRIPT = '<script>alert(1)</script>';
const ATTR_BREAK = '" onmouseover="alert(1)';

const org: BlogOrg = { slug: 'stadt-muster', name: 'Stadt Musterstadt', blogTitle: 'Pressemitteilungen der Stadt Musterstadt' };

function article(overrides: Partial<BlogArticle> = {}): BlogArticle {
  return {
    slug: 'neue-kita',
    title: 'Neue Kita eröffnet',
    subtitle: 'Platz für 80 Kinder',
    dateline: 'Musterstadt',
    html: '<p>Die Stadt eröffnet eine <strong>neue Kita</strong>.</p><p>Mehr dazu bald.</p>',
    publishedAt: new Date('2026-11-27T09:30:00Z'),
    url: 'https://herold.example.de/blog/stadt-muster/neue-kita',
    ...overrides,
  };
}

// --- Tiny HTML inspection -------------------------------------------------------------------
// Our pages quote every attribute with "..." and escape values, so a regex scan is exact here;
// an injected attribute would show up as an extra attribute name.

interface Tag {
  name: string;
  attrs: Map<string, string>;
  attrNames: string[];
}

function decode(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos|#39|#\d+|#x[0-9a-fA-F]+);/g, (_, e: string) => {
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (named[e]) return named[e];
    return String.fromCodePoint(e.startsWith('#x') ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
  });
}

function startTags(doc: string): Tag[] {
  const tags: Tag[] = [];
  for (const m of doc.matchAll(/<([a-zA-Z][a-zA-Z0-9]*)([^>]*)>/g)) {
    const attrs = new Map<string, string>();
    const attrNames: string[] = [];
    for (const a of (m[2] ?? '').matchAll(/([^\s=/>"']+)(?:="([^"]*)")?/g)) {
      const attrName = (a[1] ?? '').toLowerCase();
      attrNames.push(attrName);
      attrs.set(attrName, decode(a[2] ?? ''));
    }
    tags.push({ name: (m[1] ?? '').toLowerCase(), attrs, attrNames });
  }
  return tags;
}

function meta(doc: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const t of startTags(doc).filter((t) => t.name === 'meta')) {
    const key = t.attrs.get('property') ?? t.attrs.get('name');
    if (key) out.set(key, t.attrs.get('content') ?? '');
  }
  return out;
}

function textOf(doc: string, tag: string): string[] {
  return [...doc.matchAll(new RegExp(`<${tag}[^>]*>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => decode((m[1] ?? '').replace(/<[^>]+>/g, '')));
}

const ALLOWED_ATTRS = new Set(['lang', 'charset', 'name', 'content', 'property', 'rel', 'href', 'type', 'title', 'class', 'id', 'tabindex', 'datetime', 'src', 'alt']);

/** Nothing executable: no script, no event handlers, no inline styles, no dangerous URLs. */
function expectInert(doc: string): void {
  expect(doc).not.toContain(SCRIPT);
  expect(doc).not.toContain('onmouseover="');
  expect(doc).not.toMatch(/<script/i);
  for (const t of startTags(doc)) {
    for (const name of t.attrNames) expect(ALLOWED_ATTRS).toContain(name);
    for (const key of ['href', 'src']) {
      const url = t.attrs.get(key);
      if (url !== undefined) expect(url).not.toMatch(/^\s*(javascript|data|vbscript):/i);
    }
  }
}

// --- Tiny XML well-formedness check -----------------------------------------------------------

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITY = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;
// eslint-disable-next-line no-control-regex -- control characters are what this matches
const INVALID_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|\p{Surrogate}/u;

function parseXml(doc: string): XmlElement {
  expect(doc).not.toMatch(INVALID_XML_CHAR);
  const decl = /^<\?xml version="1\.0" encoding="utf-8"\?>\s*/.exec(doc);
  if (!decl) throw new Error('missing XML declaration');
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  for (const [token] of doc.slice(decl[0].length).matchAll(/<[^>]*>|[^<]+/g)) {
    const top = stack[stack.length - 1];
    if (!token.startsWith('<')) {
      if (token.replace(ENTITY, '').includes('&')) throw new Error(`bare & in ${JSON.stringify(token)}`);
      if (!top) {
        if (token.trim()) throw new Error(`text outside root: ${token}`);
        continue;
      }
      top.text += decode(token);
      continue;
    }
    const end = /^<\/([A-Za-z_][\w.:-]*)\s*>$/.exec(token);
    if (end) {
      if (top?.name !== end[1]) throw new Error(`</${end[1]}> closes <${top?.name}>`);
      stack.pop();
      continue;
    }
    const start = /^<([A-Za-z_][\w.:-]*)((?:\s+[A-Za-z_][\w.:-]*="[^"<]*")*)\s*(\/?)>$/.exec(token);
    if (!start) throw new Error(`malformed tag ${token}`);
    const el: XmlElement = { name: start[1] ?? '', attrs: {}, children: [], text: '' };
    for (const a of (start[2] ?? '').matchAll(/([A-Za-z_][\w.:-]*)="([^"]*)"/g)) {
      const [, key = '', value = ''] = a;
      if (key in el.attrs) throw new Error(`duplicate attribute ${key}`);
      if (value.replace(ENTITY, '').includes('&')) throw new Error(`bare & in attribute ${key}`);
      el.attrs[key] = decode(value);
    }
    if (top) top.children.push(el);
    else if (root) throw new Error('second root element');
    else root = el;
    if (start[3] !== '/') stack.push(el);
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack[stack.length - 1]?.name}>`);
  if (!root) throw new Error('no root element');
  return root;
}

function child(el: XmlElement, name: string): XmlElement {
  const found = el.children.find((c) => c.name === name);
  if (!found) throw new Error(`<${el.name}> has no <${name}>`);
  return found;
}

// --- Tests -----------------------------------------------------------------------------------

describe('escaping', () => {
  it('escapes markup and quotes in the template helper and strips invalid characters', () => {
    expect(escapeText(`a&b<c>"d"'e'`)).toBe('a&amp;b&lt;c&gt;&quot;d&quot;&#39;e&#39;');
    expect(html`<p title="${ATTR_BREAK}">${SCRIPT}</p>`.value).toBe(
      '<p title="&quot; onmouseover=&quot;alert(1)">&lt;script&gt;alert(1)&lt;/script&gt;</p>',
    );
    expect(cleanText('a\u0000b\u0007c\u001Bd\te\nf\u007F\u0085g\uD800h🎉')).toBe('abcd\te\nfgh🎉');
  });

  const hostile = `${SCRIPT}${ATTR_BREAK}`;
  const hostileOrg: BlogOrg = { slug: 'a"b<c', name: hostile, blogTitle: hostile, language: '" onmouseover="x' };
  const hostileArticle = article({
    slug: hostile,
    title: hostile,
    subtitle: hostile,
    dateline: hostile,
    summary: hostile,
    imageUrl: `https://img.example/a.jpg${ATTR_BREAK}`,
    imageAlt: hostile,
    url: `https://herold.example.de/x${ATTR_BREAK}`,
    html:
      `<p>ok</p><img src="x" onerror="alert(1)"><img src="javascript:alert(1)"><a href="javascript:alert(1)">js</a>` +
      `<a href="JaVaScRiPt&colon;alert(1)">js2</a><a href=" javascript:alert(1)">js3</a>` +
      `<p style="color:red" onclick="alert(1)">x</p><iframe src="https://evil.example">frame</iframe>` +
      `<style>body{}</style>${SCRIPT}<svg onload="alert(1)"></svg><img src="data:image/png;base64,AAAA">`,
  });

  it.each([
    ['article page', () => renderArticlePage(hostileOrg, hostileArticle, BASE)],
    ['index page', () => renderIndexPage(hostileOrg, [hostileArticle], BASE)],
    ['404 page', () => renderNotFoundPage(hostileOrg, BASE)],
  ])('keeps every user field inert on the %s', (_, render) => {
    const doc = render();
    expectInert(doc);
    // The hostile text is shown as text, not dropped.
    expect(doc).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot; onmouseover=&quot;alert(1)');
    expect(doc).toContain('<html lang="de">');
  });

  it('shows title, subtitle and dateline verbatim as text', () => {
    const doc = renderArticlePage(hostileOrg, hostileArticle, BASE);
    expect(textOf(doc, 'h1')).toEqual([hostile]);
    expect(textOf(doc, 'span')).toContain(hostile);
    expect(meta(doc).get('og:title')).toBe(hostile);
    expect(meta(doc).get('og:image:alt')).toBe(hostile);
  });

  it('sanitises article HTML to the allowlist', () => {
    const out = sanitizeArticleHtml(hostileArticle.html);
    // Links lose only their dangerous href; event handlers, styles, frames, data: images and scripts go.
    expect(out).toBe('<p>ok</p><img src="x" alt="" /><a>js</a><a>js2</a><a>js3</a><p>x</p>');
    const kept = sanitizeArticleHtml(
      '<h1>Eins</h1><h2>Zwei</h2><h5>Fünf</h5><ul><li><em>a</em></li></ul><ol><li>b</li></ol><blockquote>z</blockquote>' +
        '<figure><img src="https://img.example/b.png" alt="Bild"><figcaption>Foto: Stadt</figcaption></figure>' +
        '<p><a href="mailto:presse@example.de">Mail</a><br><a href="https://example.de/" target="_blank" rel="x">Web</a></p>' +
        '<img src="//evil.example/x.png"><a href="ftp://example.de/">ftp</a>',
    );
    expect(kept).toBe(
      '<h2>Eins</h2><h2>Zwei</h2><h4>Fünf</h4><ul><li><em>a</em></li></ul><ol><li>b</li></ol><blockquote>z</blockquote>' +
        '<figure><img src="https://img.example/b.png" alt="Bild" /><figcaption>Foto: Stadt</figcaption></figure>' +
        '<p><a href="mailto:presse@example.de">Mail</a><br /><a href="https://example.de/">Web</a></p>' +
        '<a>ftp</a>',
    );
  });

  it('drops a javascript: article URL and a non-http image instead of linking them', () => {
    const a = article({ url: 'javascript:alert(1)', imageUrl: 'javascript:alert(2)', imageAlt: 'x' });
    const doc = renderIndexPage(org, [a], BASE);
    expectInert(doc);
    expect(doc).toContain('href="https://herold.example.de/blog/stadt-muster/neue-kita"');
    const page = renderArticlePage(org, a, BASE);
    expectInert(page);
    expect(meta(page).has('og:image')).toBe(false);
    expect(page).not.toContain('<figure');
  });

  it('stays inert and round-trips the title for arbitrary input', () => {
    const nasty = fc.constantFrom('&', '<', '>', '"', "'", '\u0000', '\u0007', '\u001F', '\uD800', '\uDFFF', '\uFFFF', '🎉', ']]>', 'on', '=', ' ', 'a');
    const text = fc.oneof(fc.string({ unit: nasty }), fc.string({ unit: 'binary' }));
    fc.assert(
      fc.property(text, text, (title, name) => {
        const o = { ...org, name };
        const a = article({ title, subtitle: title, html: `<p>${title}</p>` });
        const doc = renderArticlePage(o, a, BASE);
        expectInert(doc);
        expect(doc).not.toMatch(INVALID_XML_CHAR);
        expect(textOf(doc, 'h1')).toEqual([cleanText(title)]);
        const feed = parseXml(renderAtomFeed(o, [a], BASE));
        expect(child(child(feed, 'entry'), 'title').text).toBe(cleanText(title));
        expect(child(child(feed, 'author'), 'name').text).toBe(cleanText(name));
      }),
      { numRuns: 300 },
    );
  });
});

describe('renderArticlePage', () => {
  const withImage = article({ imageUrl: 'https://img.example/kita.jpg', imageAlt: 'Kinder spielen im Garten', summary: 'Kurz: neue Kita.' });

  it('has OpenGraph, Twitter, canonical and feed links with the right values', () => {
    const doc = renderArticlePage(org, withImage, BASE);
    const m = meta(doc);
    expect(Object.fromEntries(m)).toEqual({
      description: 'Kurz: neue Kita.',
      'og:type': 'article',
      'og:title': 'Neue Kita eröffnet',
      'og:description': 'Kurz: neue Kita.',
      'og:url': 'https://herold.example.de/blog/stadt-muster/neue-kita',
      'og:site_name': 'Pressemitteilungen der Stadt Musterstadt',
      'og:locale': 'de_DE',
      'article:published_time': '2026-11-27T09:30:00.000Z',
      'og:image': 'https://img.example/kita.jpg',
      'og:image:alt': 'Kinder spielen im Garten',
      'twitter:card': 'summary_large_image',
      'twitter:title': 'Neue Kita eröffnet',
      'twitter:description': 'Kurz: neue Kita.',
      'twitter:image': 'https://img.example/kita.jpg',
      'twitter:image:alt': 'Kinder spielen im Garten',
      viewport: 'width=device-width, initial-scale=1',
    });
    const links = startTags(doc).filter((t) => t.name === 'link');
    expect(links.find((l) => l.attrs.get('rel') === 'canonical')?.attrs.get('href')).toBe(withImage.url);
    expect(links.find((l) => l.attrs.get('rel') === 'alternate')?.attrs.get('type')).toBe('application/atom+xml');
    expect(links.find((l) => l.attrs.get('rel') === 'alternate')?.attrs.get('href')).toBe('https://herold.example.de/blog/stadt-muster/feed.xml');
    expect(links.find((l) => l.attrs.get('rel') === 'stylesheet')?.attrs.get('href')).toBe('/blog/stadt-muster/blog.css');
    expect(doc).toContain('<img src="https://img.example/kita.jpg" alt="Kinder spielen im Garten">');
  });

  it('derives og:description from the article text when there is no summary, and omits image tags without image', () => {
    const long = `<h2>Zwischen&shy;titel</h2><p>${'Wort '.repeat(80)}</p><p>Ende &amp; <a href="https://x.example">Link</a></p>`;
    const m = meta(renderArticlePage(org, article({ html: `<p>Erster Absatz.</p><p>Zweiter &amp; &lt;letzter&gt;.</p>` }), BASE));
    expect(m.get('og:description')).toBe('Erster Absatz. Zweiter & <letzter>.');
    expect(m.get('twitter:card')).toBe('summary');
    expect(m.has('og:image')).toBe(false);
    expect(m.has('og:image:alt')).toBe(false);
    const d = meta(renderArticlePage(org, article({ html: long }), BASE)).get('og:description') ?? '';
    expect(d.startsWith('Zwischen\u00ADtitel Wort Wort')).toBe(true);
    expect(d.endsWith('Wort…')).toBe(true);
    expect(Array.from(d).length).toBeLessThanOrEqual(201);
    expect(d).not.toMatch(/[<>]/);
  });

  it('is an accessible HTML5 document with landmarks, skip link, one h1 and a German <time>', () => {
    const doc = renderArticlePage(org, withImage, BASE);
    expect(doc.startsWith('<!DOCTYPE html>\n<html lang="de">')).toBe(true);
    expect(doc).toContain('<meta charset="utf-8">');
    expect(doc).toMatch(/<a class="skip-link" href="#inhalt">Zum Inhalt springen<\/a>[\s\S]*<header[\s\S]*<main id="inhalt"[\s\S]*<\/main>\s*<footer/);
    expect(doc.match(/<h1[ >]/g)).toHaveLength(1);
    expect(doc).toContain('<time datetime="2026-11-27T09:30:00.000Z">27. November 2026, 10:30 Uhr</time>');
    expect(doc).toContain('<p class="subtitle">Platz für 80 Kinder</p>');
    expect(doc).toContain('<span class="dateline">Musterstadt</span>');
    // CSP: no inline styles or scripts anywhere.
    expect(doc).not.toMatch(/\sstyle=|<style|<script/);
  });

  it('uses the organisation language and a path prefix of baseUrl', () => {
    const doc = renderArticlePage({ ...org, language: 'en' }, article({ url: '/blog/stadt-muster/neue-kita' }), { baseUrl: 'https://example.org/herold/' });
    expect(doc).toContain('<html lang="en">');
    expect(meta(doc).get('og:locale')).toBe('en_GB');
    expect(meta(doc).get('og:url')).toBe('https://example.org/blog/stadt-muster/neue-kita');
    expect(doc).toContain('href="/herold/blog/stadt-muster/blog.css"');
    expect(blogUrls(org, 'https://example.org/herold/')).toEqual({
      index: 'https://example.org/herold/blog/stadt-muster/',
      feed: 'https://example.org/herold/blog/stadt-muster/feed.xml',
      css: 'https://example.org/herold/blog/stadt-muster/blog.css',
    });
    expect(() => blogUrls(org, 'javascript:alert(1)')).toThrow();
  });
});

describe('formatGermanDateTime', () => {
  it.each([
    ['2026-11-27T09:30:00Z', '27. November 2026, 10:30 Uhr'], // CET, UTC+1
    ['2026-07-01T22:05:00Z', '2. Juli 2026, 00:05 Uhr'], // CEST, UTC+2, crosses midnight
    ['2026-03-29T00:59:00Z', '29. März 2026, 01:59 Uhr'], // last minute before the DST switch
    ['2026-03-29T01:00:00Z', '29. März 2026, 03:00 Uhr'],
    ['2025-12-31T23:00:00Z', '1. Januar 2026, 00:00 Uhr'],
  ])('formats %s as %s', (iso, expected) => {
    expect(formatGermanDateTime(new Date(iso))).toBe(expected);
  });
});

describe('renderIndexPage', () => {
  it('shows the empty state', () => {
    const doc = renderIndexPage(org, [], BASE);
    expect(doc).toContain('<p class="empty">Noch keine Beiträge veröffentlicht.</p>');
    expect(doc).not.toContain('<ol');
    expect(doc).toContain('type="application/atom+xml"');
    expect(textOf(doc, 'h1')).toEqual(['Pressemitteilungen der Stadt Musterstadt']);
  });

  it('lists articles newest first with date, link and subtitle', () => {
    const older = article({ slug: 'alt', title: 'Älter', url: 'https://herold.example.de/blog/stadt-muster/alt', publishedAt: new Date('2026-01-05T08:00:00Z'), subtitle: null });
    const newer = article({ slug: 'neu', title: 'Neuer', url: 'https://herold.example.de/blog/stadt-muster/neu', subtitle: 'Untertitel neu' });
    const input = [older, newer];
    const doc = renderIndexPage(org, input, BASE);
    expect(input).toEqual([older, newer]); // caller's array untouched
    expect(textOf(doc, 'h2')).toEqual(['Neuer', 'Älter']);
    expect(doc).toContain('<h2><a href="https://herold.example.de/blog/stadt-muster/neu">Neuer</a></h2>\n<p class="subtitle">Untertitel neu</p>');
    expect(textOf(doc, 'time')).toEqual(['27. November 2026, 10:30 Uhr', '5. Januar 2026, 09:00 Uhr']);
    expect(doc).not.toContain('Noch keine Beiträge');
    expect(doc.match(/<h1[ >]/g)).toHaveLength(1);
  });
});

describe('renderNotFoundPage', () => {
  it('is a German, non-indexed page that links back to the blog', () => {
    const doc = renderNotFoundPage(org, BASE);
    expect(textOf(doc, 'h1')).toEqual(['Seite nicht gefunden']);
    expect(doc).toContain('<meta name="robots" content="noindex">');
    expect(doc).toContain('<a href="/blog/stadt-muster/">Zur Übersicht aller Beiträge</a>');
    expect(doc).toContain('type="application/atom+xml"');
    expectInert(doc);
  });

  it('works without an organisation', () => {
    const doc = renderNotFoundPage(null, BASE);
    expect(doc).toContain('<html lang="de">');
    expect(textOf(doc, 'h1')).toEqual(['Seite nicht gefunden']);
    expect(doc).not.toContain('stylesheet');
  });
});

describe('renderAtomFeed', () => {
  const tricky = article({
    slug: 'tricky',
    title: 'Kita & Schule <neu> "jetzt" 🎉\u0000\u0008\u000B\u001F\tTab',
    summary: 'Zusammenfassung & mehr\u0007',
    url: 'https://herold.example.de/blog/stadt-muster/tricky?a=1&b=2',
    html: '<p>A &amp; B <a href="https://x.example/?q=1&amp;r=2">Link</a></p>' + SCRIPT,
    imageUrl: 'https://img.example/x.jpg',
    imageAlt: 'Alt "Text"',
    publishedAt: new Date('2026-11-28T07:00:00Z'),
  });
  const plain = article();

  it('is well-formed Atom 1.0 with feed metadata', () => {
    const feed = parseXml(renderAtomFeed({ ...org, name: 'Stadt & Land' }, [plain, tricky], BASE));
    expect(feed.name).toBe('feed');
    expect(feed.attrs.xmlns).toBe('http://www.w3.org/2005/Atom');
    expect(child(feed, 'id').text).toBe('https://herold.example.de/blog/stadt-muster/');
    expect(child(feed, 'title').text).toBe('Pressemitteilungen der Stadt Musterstadt');
    expect(child(feed, 'updated').text).toBe('2026-11-28T07:00:00.000Z');
    expect(child(child(feed, 'author'), 'name').text).toBe('Stadt & Land');
    const links = feed.children.filter((c) => c.name === 'link').map((l) => l.attrs);
    expect(links).toEqual([
      { rel: 'self', type: 'application/atom+xml', href: 'https://herold.example.de/blog/stadt-muster/feed.xml' },
      { rel: 'alternate', type: 'text/html', href: 'https://herold.example.de/blog/stadt-muster/' },
    ]);
  });

  it('has complete entries, newest first, with escaped HTML content and control characters stripped', () => {
    const raw = renderAtomFeed(org, [plain, tricky], BASE);
    // eslint-disable-next-line no-control-regex -- control characters are what this matches
    expect(raw).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
    const entries = parseXml(raw).children.filter((c) => c.name === 'entry');
    expect(entries.map((e) => child(e, 'id').text)).toEqual([tricky.url, plain.url]);
    const [first] = entries;
    if (!first) throw new Error('no entry');
    expect(first.children.map((c) => c.name)).toEqual(['id', 'title', 'published', 'updated', 'link', 'summary', 'content']);
    expect(child(first, 'title').text).toBe('Kita & Schule <neu> "jetzt" 🎉\tTab');
    expect(child(first, 'published').text).toBe('2026-11-28T07:00:00.000Z');
    expect(child(first, 'updated').text).toBe('2026-11-28T07:00:00.000Z');
    expect(child(first, 'link').attrs).toEqual({ rel: 'alternate', type: 'text/html', href: tricky.url });
    expect(child(first, 'summary').text).toBe('Zusammenfassung & mehr');
    const content = child(first, 'content');
    expect(content.attrs.type).toBe('html');
    expect(content.children).toEqual([]); // HTML is escaped text, not XML elements
    expect(content.text).toBe(
      '<figure><img src="https://img.example/x.jpg" alt="Alt &quot;Text&quot;"></figure><p>A &amp; B <a href="https://x.example/?q=1&amp;r=2">Link</a></p>',
    );
    expect(child(entries[1] as XmlElement, 'summary').text).toBe('Die Stadt eröffnet eine neue Kita. Mehr dazu bald.');
  });

  it('is valid without entries', () => {
    const feed = parseXml(renderAtomFeed(org, [], { ...BASE, now: new Date('2026-01-01T00:00:00Z') }));
    expect(child(feed, 'updated').text).toBe('2026-01-01T00:00:00.000Z');
    expect(feed.children.some((c) => c.name === 'entry')).toBe(false);
  });
});

describe('excerpt', () => {
  it('keeps short text and cuts long text at a word without splitting emoji', () => {
    expect(excerpt('kurz')).toBe('kurz');
    expect(excerpt('eins zwei drei', 11)).toBe('eins zwei…');
    expect(excerpt('eins zwei drei', 9)).toBe('eins zwei…'); // cut falls exactly on a space
    expect(excerpt('Donaudampfschifffahrt', 10)).toBe('Donaudampf…'); // no space: hard cut
    expect(excerpt('🎉'.repeat(10), 5)).toBe('🎉🎉🎉🎉🎉…');
  });
});

describe('BLOG_CSS', () => {
  function luminance(hex: string): number {
    const [r = 0, g = 0, b = 0] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  }
  function contrast(a: string, b: string): number {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
    return (hi + 0.05) / (lo + 0.05);
  }

  it.each(Object.entries(BLOG_PALETTE))('meets WCAG AA contrast in the %s scheme', (_, p) => {
    for (const fg of [p.text, p.muted, p.link, p.linkVisited]) expect(contrast(fg, p.background)).toBeGreaterThanOrEqual(4.5);
    expect(contrast(p.focus, p.background)).toBeGreaterThanOrEqual(3);
  });

  it('styles focus and the skip link and uses the palette', () => {
    expect(BLOG_CSS).toContain(':focus-visible { outline: 3px solid var(--focus)');
    expect(BLOG_CSS).toContain('.skip-link:focus');
    expect(BLOG_CSS).toContain(BLOG_PALETTE.light.text);
    expect(BLOG_CSS).toContain('prefers-color-scheme: dark');
    // No external resources: the blog's CSP allows styles from 'self' only.
    expect(BLOG_CSS).not.toMatch(/url\(|@import/);
  });
});
