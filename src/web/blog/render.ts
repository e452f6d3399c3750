// Pure renderers for the public blog of an organisation (/blog/<org-slug>/): article page,
// index page, Atom feed and 404 page. No I/O: the caller loads the data and sends the string.
//
// The app serves these pages with a CSP that forbids inline styles and scripts, so the markup
// has no style attributes and no <script>; the look comes from BLOG_CSS at /blog/<slug>/blog.css.

import sanitizeHtml from 'sanitize-html';
import { cleanText, html, SafeHtml, xml, type HtmlValue } from './html';

export { BLOG_CSS } from './blog.css';

export interface BlogOrg {
  slug: string;
  name: string;
  blogTitle?: string | null;
  language?: string;
}

export interface BlogArticle {
  slug: string;
  title: string;
  subtitle?: string | null;
  dateline?: string | null;
  html: string;
  publishedAt: Date;
  url: string;
  imageUrl?: string | null;
  imageAlt?: string | null;
  summary?: string | null;
}

export interface RenderOptions {
  /** Public origin of the app, optionally with a path prefix, e.g. "https://herold.example.de". */
  baseUrl: string;
}

export interface FeedOptions extends RenderOptions {
  /** <updated> of a feed without entries; defaults to the current time. */
  now?: Date;
}

/** Absolute URLs of one organisation's blog; the routes must serve these paths. */
export interface BlogUrls {
  index: string;
  feed: string;
  css: string;
}

export function blogUrls(org: Pick<BlogOrg, 'slug'>, baseUrl: string): BlogUrls {
  const root = new URL(baseUrl);
  if (root.protocol !== 'http:' && root.protocol !== 'https:') {
    throw new Error(`baseUrl must be an http(s) URL: ${baseUrl}`);
  }
  const index = `${root.origin}${root.pathname.replace(/\/+$/, '')}/blog/${encodeURIComponent(org.slug)}/`;
  return { index, feed: `${index}feed.xml`, css: `${index}blog.css` };
}

// ---------------------------------------------------------------------------------------------
// Article HTML

const ARTICLE_HTML_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'h2', 'h3', 'h4', 'ul', 'ol', 'li', 'strong', 'em', 'a', 'blockquote', 'br', 'img', 'figure', 'figcaption'],
  allowedAttributes: { a: ['href'], img: ['src', 'alt'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['http', 'https'] },
  allowedSchemesAppliedToAttributes: ['href', 'src'],
  // "//host/x" would bypass the scheme check in spirit; relative paths stay allowed.
  allowProtocolRelative: false,
  // The page title is the only h1 and h4 is the deepest allowed level: map other headings
  // instead of flattening them into the surrounding text.
  transformTags: {
    h1: 'h2',
    h5: 'h4',
    h6: 'h4',
    // Screen readers announce the file name of an image without alt; alt="" marks it decorative.
    img: (tagName, attribs) => ({ tagName, attribs: { ...attribs, alt: attribs.alt ?? '' } }),
  },
  // Content of these elements is code or widgets, never readable text: drop it entirely.
  nonTextTags: ['script', 'style', 'textarea', 'option', 'xmp', 'noscript', 'iframe', 'noembed', 'noframes', 'template', 'title', 'object'],
  // An image whose src was removed (e.g. javascript:) would render as a broken image.
  exclusiveFilter: (frame) => frame.tag === 'img' && !frame.attribs.src,
};

/** Sanitises article HTML again: it comes from sanitised Markdown, but the page must not trust it. */
export function sanitizeArticleHtml(dirty: string): string {
  return sanitizeHtml(cleanText(dirty), ARTICLE_HTML_OPTIONS);
}

const TEXT_ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"' };

/** Plain text of article HTML, whitespace collapsed; block ends become spaces so words do not merge. */
export function htmlToText(dirty: string): string {
  const spaced = cleanText(dirty).replace(/<\/(?:p|h[1-6]|li|blockquote|figcaption|div)\s*>|<br\s*\/?>/gi, '$& ');
  const text = sanitizeHtml(spaced, { allowedTags: [], allowedAttributes: {}, nonTextTags: ARTICLE_HTML_OPTIONS.nonTextTags });
  // sanitize-html re-escapes text with exactly these entities; decode in one pass (no double decoding).
  return text.replace(/&(?:amp|lt|gt|quot);/g, (e) => TEXT_ENTITIES[e] ?? e).replace(/\s+/g, ' ').trim();
}

/** Cuts text to about `max` characters at a word boundary, never inside a surrogate pair. */
export function excerpt(text: string, max = 200): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  const cut = chars.slice(0, max).join('');
  // Back up to the last space unless the cut already ends a word or that would lose too much.
  const space = /\s/.test(chars[max] ?? '') ? cut.length : cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).replace(/[\s.,;:–-]+$/, '')}…`;
}

function description(article: BlogArticle): string {
  const summary = article.summary?.trim();
  return summary ? summary : excerpt(htmlToText(article.html));
}

// ---------------------------------------------------------------------------------------------
// Dates

// Built once: constructing Intl formatters is comparatively expensive.
const GERMAN_DATE_TIME = new Intl.DateTimeFormat('de-DE', {
  timeZone: 'Europe/Berlin',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** "27. November 2026, 10:30 Uhr" in Europe/Berlin. Assembled from parts because ICU versions differ in the joiner ("um", ","). */
export function formatGermanDateTime(date: Date): string {
  const part = (type: Intl.DateTimeFormatPartTypes): string =>
    GERMAN_DATE_TIME.formatToParts(date).find((p) => p.type === type)?.value ?? '';
  return `${part('day')}. ${part('month')} ${part('year')}, ${part('hour')}:${part('minute')} Uhr`;
}

function timeTag(date: Date): SafeHtml {
  return html`<time datetime="${date.toISOString()}">${formatGermanDateTime(date)}</time>`;
}

// ---------------------------------------------------------------------------------------------
// URLs and language

/** An absolute http(s) URL, resolved against `base`, or null for anything else (javascript:, data:, garbage). */
function httpUrl(value: string | null | undefined, base: string): string | null {
  if (!value) return null;
  try {
    const url = new URL(cleanText(value).trim(), base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

function articleUrl(article: BlogArticle, urls: BlogUrls): string {
  return httpUrl(article.url, urls.index) ?? `${urls.index}${encodeURIComponent(article.slug)}`;
}

/** Same-origin links (stylesheet, navigation) are root-relative so they work under any Host and satisfy CSP 'self'. */
function localPath(absolute: string): string {
  return new URL(absolute).pathname;
}

/** A BCP 47 tag like "de" or "de-DE"; anything else falls back to German. */
function language(org: BlogOrg): string {
  const lang = org.language?.trim();
  return lang && /^[a-zA-Z]{2,3}(?:-[a-zA-Z0-9]{2,8})*$/.test(lang) ? lang : 'de';
}

const DEFAULT_REGIONS: Record<string, string> = { de: 'DE', en: 'GB', fr: 'FR', pl: 'PL', da: 'DK' };

/** og:locale wants language_TERRITORY. */
function ogLocale(lang: string): string | null {
  const [primary = '', region] = lang.split('-');
  const territory = region && /^[a-zA-Z]{2}$/.test(region) ? region.toUpperCase() : DEFAULT_REGIONS[primary.toLowerCase()];
  return territory ? `${primary.toLowerCase()}_${territory}` : null;
}

function siteTitle(org: BlogOrg): string {
  return org.blogTitle?.trim() || org.name;
}

function sortNewestFirst(articles: readonly BlogArticle[]): BlogArticle[] {
  return [...articles].sort((a, b) => b.publishedAt.getTime() - a.publishedAt.getTime());
}

// ---------------------------------------------------------------------------------------------
// Page shell

interface PageParts {
  org: BlogOrg | null;
  urls: BlogUrls | null;
  title: string;
  head?: HtmlValue;
  main: HtmlValue;
}

function page({ org, urls, title, head, main }: PageParts): string {
  const lang = org ? language(org) : 'de';
  const doc = html`<!DOCTYPE html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
${urls ? html`<link rel="stylesheet" href="${localPath(urls.css)}">
<link rel="alternate" type="application/atom+xml" title="${org ? siteTitle(org) : ''} (Atom-Feed)" href="${urls.feed}">
` : ''}${head}</head>
<body>
<a class="skip-link" href="#inhalt">Zum Inhalt springen</a>
<header class="site-header"><div class="wrap">${org && urls ? html`<a class="site-name" href="${localPath(urls.index)}">${org.name}</a>` : html`<span class="site-name">Blog</span>`}</div></header>
<main id="inhalt" tabindex="-1"><div class="wrap">
${main}
</div></main>
${org && urls ? html`<footer class="site-footer"><div class="wrap">
<p>Herausgegeben von ${org.name}</p>
<p><a href="${localPath(urls.index)}">Alle Beiträge</a> · <a href="${urls.feed}">Atom-Feed abonnieren</a></p>
</div></footer>
` : ''}</body>
</html>
`;
  return doc.value;
}

function metaProperty(property: string, content: string | null | undefined): SafeHtml | '' {
  return content ? html`<meta property="${property}" content="${content}">\n` : '';
}

function metaName(name: string, content: string | null | undefined): SafeHtml | '' {
  return content ? html`<meta name="${name}" content="${content}">\n` : '';
}

// ---------------------------------------------------------------------------------------------
// Pages

export function renderArticlePage(org: BlogOrg, article: BlogArticle, opts: RenderOptions): string {
  const urls = blogUrls(org, opts.baseUrl);
  const url = articleUrl(article, urls);
  const desc = description(article);
  const image = httpUrl(article.imageUrl, urls.index);
  const imageAlt = article.imageAlt?.trim() || null;
  const published = article.publishedAt.toISOString();
  const lang = language(org);

  const head = [
    metaName('description', desc),
    html`<link rel="canonical" href="${url}">\n`,
    metaProperty('og:type', 'article'),
    metaProperty('og:title', article.title),
    metaProperty('og:description', desc),
    metaProperty('og:url', url),
    metaProperty('og:site_name', siteTitle(org)),
    metaProperty('og:locale', ogLocale(lang)),
    metaProperty('article:published_time', published),
    metaProperty('og:image', image),
    image ? metaProperty('og:image:alt', imageAlt) : '',
    metaName('twitter:card', image ? 'summary_large_image' : 'summary'),
    metaName('twitter:title', article.title),
    metaName('twitter:description', desc),
    metaName('twitter:image', image),
    image ? metaName('twitter:image:alt', imageAlt) : '',
  ];

  const main = html`<article>
<h1>${article.title}</h1>
${article.subtitle ? html`<p class="subtitle">${article.subtitle}</p>\n` : ''}<p class="meta">${article.dateline ? html`<span class="dateline">${article.dateline}</span> · ` : ''}${timeTag(article.publishedAt)}</p>
${image ? html`<figure class="lead-image"><img src="${image}" alt="${imageAlt ?? ''}"></figure>\n` : ''}<div class="article-body">
${new SafeHtml(sanitizeArticleHtml(article.html))}
</div>
</article>
<p><a href="${localPath(urls.index)}">← Zurück zur Übersicht</a></p>`;

  return page({ org, urls, title: `${article.title} – ${siteTitle(org)}`, head, main });
}

export function renderIndexPage(org: BlogOrg, articles: BlogArticle[], opts: RenderOptions): string {
  const urls = blogUrls(org, opts.baseUrl);
  const title = siteTitle(org);
  const desc = `Aktuelle Beiträge von ${org.name}`;
  const head = [
    metaName('description', desc),
    html`<link rel="canonical" href="${urls.index}">\n`,
    metaProperty('og:type', 'website'),
    metaProperty('og:title', title),
    metaProperty('og:description', desc),
    metaProperty('og:url', urls.index),
    metaProperty('og:site_name', title),
    metaProperty('og:locale', ogLocale(language(org))),
  ];

  const items = sortNewestFirst(articles).map(
    (a) => html`<li><article>
<p class="meta">${a.dateline ? html`<span class="dateline">${a.dateline}</span> · ` : ''}${timeTag(a.publishedAt)}</p>
<h2><a href="${articleUrl(a, urls)}">${a.title}</a></h2>
${a.subtitle ? html`<p class="subtitle">${a.subtitle}</p>\n` : ''}${a.summary?.trim() ? html`<p>${a.summary.trim()}</p>\n` : ''}</article></li>
`,
  );

  const main = html`<h1>${title}</h1>
${items.length > 0 ? html`<ol class="post-list">
${items}</ol>` : html`<p class="empty">Noch keine Beiträge veröffentlicht.</p>`}`;

  return page({ org, urls, title, head, main });
}

/** German 404 page; with an organisation it links back to that blog's index. */
export function renderNotFoundPage(org: BlogOrg | null, opts: RenderOptions): string {
  const urls = org ? blogUrls(org, opts.baseUrl) : null;
  const main = html`<h1>Seite nicht gefunden</h1>
<p>Die angeforderte Seite gibt es nicht oder nicht mehr. Vielleicht wurde der Beitrag verschoben oder die Adresse ist falsch geschrieben.</p>${urls ? html`\n<p><a href="${localPath(urls.index)}">Zur Übersicht aller Beiträge</a></p>` : ''}`;
  return page({
    org,
    urls,
    title: org ? `Seite nicht gefunden – ${siteTitle(org)}` : 'Seite nicht gefunden',
    head: html`<meta name="robots" content="noindex">\n`,
    main,
  });
}

// ---------------------------------------------------------------------------------------------
// Atom feed

/** Atom 1.0 (RFC 4287), to be served as application/atom+xml. Entries newest first. */
export function renderAtomFeed(org: BlogOrg, articles: BlogArticle[], opts: FeedOptions): string {
  const urls = blogUrls(org, opts.baseUrl);
  const sorted = sortNewestFirst(articles);
  const updated = (sorted[0]?.publishedAt ?? opts.now ?? new Date()).toISOString();

  const entries = sorted.map((a) => {
    const url = articleUrl(a, urls);
    const image = httpUrl(a.imageUrl, urls.index);
    // Feed readers show `content`; the lead image belongs to it like on the page.
    const content =
      (image ? html`<figure><img src="${image}" alt="${a.imageAlt ?? ''}"></figure>`.value : '') + sanitizeArticleHtml(a.html);
    const published = a.publishedAt.toISOString();
    return xml`  <entry>
    <id>${url}</id>
    <title type="text">${a.title}</title>
    <published>${published}</published>
    <updated>${published}</updated>
    <link rel="alternate" type="text/html" href="${url}"/>
    <summary type="text">${description(a)}</summary>
    <content type="html">${content}</content>
  </entry>
`;
  });

  // xml:base lets readers resolve relative links inside the article HTML.
  return xml`<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${language(org)}" xml:base="${urls.index}">
  <id>${urls.index}</id>
  <title type="text">${siteTitle(org)}</title>
  <updated>${updated}</updated>
  <link rel="self" type="application/atom+xml" href="${urls.feed}"/>
  <link rel="alternate" type="text/html" href="${urls.index}"/>
  <author><name>${org.name}</name></author>
  <generator>Herold</generator>
${entries}</feed>
`.value;
}
