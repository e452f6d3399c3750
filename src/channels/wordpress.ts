// WordPress articles through the WordPress REST API (wp/v2), with plain node:http(s).
//
// settings:    {siteUrl, apiBaseUrl? = siteUrl, timeoutMs? = 15000}
//              The API is called at `${apiBaseUrl}/wp-json/wp/v2/…` (apiBaseUrl: e.g. an internal
//              address of the same installation); siteUrl names the site in check().
// credentials: {username, applicationPassword}  (WordPress ≥ 5.6 application password, Basic auth;
//              the spaces WordPress shows in it may stay, WordPress ignores them)
// content:     {title, html, link?, media?}  The first image becomes the featured image
//              (Beitragsbild) with its alt text; `link` is not used (the article is the target).
//
// Idempotency. WordPress has no idempotency key, so the article's slug (ctx.releaseSlug) is its
// identity on the site:
// - Before anything is sent, publish() looks for a post with that slug (or the -2 … -9 that
//   WordPress appends when a slug is taken) whose title and text equal this content.
//   - Found, and ctx.progress holds this revision's "post sent" marker: an earlier attempt of
//     this very post created it (e.g. a 502/504 from a proxy while WordPress went on, or a
//     worker that died). It is returned as the result; nothing is sent again.
//   - Found without the marker: the article is already on the site, put there by someone or
//     something else. Refused as permanent DUPLICATE; Herold never publishes it twice.
// - Progress (ctx.progress.parts, ids prefixed with ctx.idempotencyKey so a new revision starts
//   afresh): `${key}:media:${id}` after the featured image was uploaded (a retry reuses it
//   instead of uploading again), `${key}:post` right before the post is created. If that marker
//   cannot be saved, nothing is sent (retryable PROGRESS_NOT_SAVED).
// - findExisting() runs the same lookup, for the worker after an unknown outcome.
//
// Error sorting: no answer after the create request was sent → unknown_outcome
// TIMEOUT_AFTER_SEND; the same on any other request (lookups, image upload, alt text) is only
// retryable, because none of them makes anything public (a lost upload can at worst leave an
// unattached image in the media library). Credentials never appear in errors: the password
// (with and without spaces) and the Basic token are masked in every message and body.
// Every connection goes through guardedAgent (src/security/outbound.ts): an address outside the
// outbound policy fails the call with the permanent CHANNEL_HOST_PRIVATE before anything is sent.

import http from 'node:http';
import https from 'node:https';
import type { MediaItem, PostContent, Warning } from '../domain/types';
import { guardedAgent, hostRefusal, outboundPolicy } from '../security/outbound';
import {
  ChannelError,
  type ChannelAdapter,
  type CheckResult,
  type Credentials,
  type PublishContext,
  type PublishProgress,
  type PublishResult,
  type Settings,
} from './channel';
import { classifyHttpStatus, classifyTransportError, parseRetryAfter, permanentError, type Operation } from './http-errors';
import { isErrorLike, redact, redactValue } from './redact';

/**
 * Upper bound for title and HTML as JSON, in bytes. WordPress itself has no length limit; the
 * web server in front of it has one, and nginx's default (client_max_body_size 1m) is the
 * lowest common one. Larger articles (usually inline base64 images) are refused before sending;
 * a server that refuses a smaller one with 413 is sorted as TOO_LONG as well.
 */
export const WORDPRESS_MAX_POST_BYTES = 1_000_000;
const DEFAULT_TIMEOUT_MS = 15_000;
const MAX_ANSWER_BYTES = 5 * 1024 * 1024;
/** WordPress appends -2, -3 … to a taken slug; the lookup covers this many. */
const SLUG_SUFFIXES = [2, 3, 4, 5, 6, 7, 8, 9];
const LOOKUP_STATUSES = 'publish,future,draft,pending,private';
// Image types WordPress accepts by default (SVG is not among them), with the file extension
// WordPress checks against the content.
const IMAGE_EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'image/avif': 'avif',
  'image/bmp': 'bmp',
  'image/tiff': 'tif',
};
/** 401 codes WordPress gives when it did not see any credentials at all. */
const ANONYMOUS_CODES = new Set(['rest_not_logged_in', 'rest_cannot_create', 'rest_forbidden_context', 'rest_cannot_edit']);

interface WordPressSettings {
  siteUrl: URL;
  /** Without trailing slash; requests go to `${apiBase}/wp-json${route}`. */
  apiBase: string;
  timeoutMs: number;
}

interface WordPressAuth {
  username: string;
  authorization: string;
  secrets: string[];
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON, or undefined when the body is not JSON. */
  json: unknown;
  text: string;
}

interface RequestSpec {
  method: 'GET' | 'POST';
  route: string;
  query?: Record<string, string>;
  json?: unknown;
  body?: Buffer;
  headers?: Record<string, string>;
}

interface FoundPost {
  id: number;
  link: string;
}

export const wordpressChannel: ChannelAdapter = {
  type: 'wordpress',

  validate(content: PostContent): Warning[] {
    const warnings: Warning[] = [];
    if (!content.title?.trim()) warnings.push({ code: 'TITLE_MISSING', message: 'A WordPress article needs a title', severity: 'error' });
    if (!content.html?.trim()) {
      warnings.push({ code: 'BODY_MISSING', message: 'A WordPress article needs text', severity: 'error' });
    } else {
      const bytes = postBytes(content);
      if (bytes > WORDPRESS_MAX_POST_BYTES) {
        warnings.push({
          code: 'TOO_LONG',
          message: `The article has ${bytes} bytes; Herold sends at most ${WORDPRESS_MAX_POST_BYTES} bytes to WordPress (embedded images count: upload them instead)`,
          severity: 'error',
        });
      }
    }
    const media = content.media ?? [];
    media.forEach((item, i) => {
      if (!item.alt?.trim()) {
        warnings.push({ code: 'MEDIA_ALT_MISSING', message: `Image ${i + 1} has no alt text`, severity: 'error' });
      }
      if (!isHttpUrl(item.url)) {
        warnings.push({ code: 'MEDIA_URL_INVALID', message: `Image ${i + 1} needs an http(s) URL`, severity: 'error' });
      }
    });
    if (media.length > 1) {
      warnings.push({
        code: 'MEDIA_NOT_PUBLISHED',
        message: `WordPress gets the first image as featured image only; images 2 to ${media.length} are not uploaded`,
        severity: 'warning',
      });
    }
    return warnings;
  },

  async publish(content: PostContent, settings: Settings, credentials: Credentials, ctx: PublishContext): Promise<PublishResult> {
    const s = readSettings(settings);
    const auth = readCredentials(credentials);
    rejectInvalid(wordpressChannel.validate(content, settings));

    const key = ctx.idempotencyKey;
    const parts = (ctx.progress.parts ?? []).filter((p) => p.id.startsWith(`${key}:`));
    const sentBefore = parts.some((p) => p.id === `${key}:post`);

    const existing = await lookup(s, auth, content, ctx.releaseSlug);
    if (existing) {
      if (sentBefore) return result(existing);
      throw new ChannelError(
        'permanent',
        'DUPLICATE',
        `WordPress already has this article (post ${existing.id}, ${existing.link}); it is not published twice`,
      );
    }

    const image = content.media?.[0];
    const featuredMedia = image ? await featuredImage(s, auth, image, ctx, parts) : undefined;

    if (!sentBefore) parts.push({ id: `${key}:post` });
    await save(ctx, parts, auth, 'before creating the post; nothing was sent');

    const created = await call(s, auth, 'send', 'the post', {
      method: 'POST',
      route: '/wp/v2/posts',
      json: {
        title: content.title,
        content: content.html,
        status: 'publish',
        slug: ctx.releaseSlug,
        ...(featuredMedia !== undefined ? { featured_media: featuredMedia } : {}),
      },
    });
    const body = isRecord(created.json) ? created.json : {};
    if (typeof body.id !== 'number' || !Number.isInteger(body.id) || body.id <= 0) {
      throw new ChannelError('unknown_outcome', 'UNEXPECTED_RESPONSE', `WordPress answered ${created.status} to the post without a post id`, {
        status: created.status,
      });
    }
    const link = typeof body.link === 'string' && isHttpUrl(body.link) ? body.link : `${s.siteUrl.href.replace(/\/+$/, '')}/?p=${body.id}`;
    return result({ id: body.id, link });
  },

  async check(settings: Settings, credentials: Credentials): Promise<CheckResult> {
    const s = readSettings(settings);
    const auth = readCredentials(credentials);
    const me = await call(s, auth, 'read', 'the account', { method: 'GET', route: '/wp/v2/users/me', query: { context: 'edit' } });
    const body = isRecord(me.json) ? me.json : undefined;
    if (!body || typeof body.id !== 'number') throw notRestApi(s, me, 'the account');
    const name = typeof body.name === 'string' && body.name ? body.name : auth.username;
    // Only in the edit context, which every user has for their own profile.
    const caps = isRecord(body.capabilities) ? body.capabilities : undefined;
    if (caps) {
      const missing = ['publish_posts', 'upload_files'].filter((cap) => caps[cap] !== true);
      if (missing.length > 0) {
        const roles = Array.isArray(body.roles) ? body.roles.filter((r): r is string => typeof r === 'string').join(', ') : '';
        throw new ChannelError(
          'permanent',
          'PERMISSION_DENIED',
          `The WordPress user ${name}${roles ? ` (role ${roles})` : ''} lacks ${missing.join(' and ')}; Herold needs the Author or Editor role`,
        );
      }
    }
    return { account: `${name} @ ${s.siteUrl.host}` };
  },

  async findExisting(content: PostContent, settings: Settings, credentials: Credentials, ctx: PublishContext): Promise<PublishResult | null> {
    const s = readSettings(settings);
    const auth = readCredentials(credentials);
    const found = await lookup(s, auth, content, ctx.releaseSlug);
    return found ? result(found) : null;
  },
};

function result(post: FoundPost): PublishResult {
  return { externalId: String(post.id), externalUrl: post.link };
}

// --- lookup -------------------------------------------------------------------------------

/** This article on the site: a post with the release slug (or a suffixed one), same title and text. */
async function lookup(s: WordPressSettings, auth: WordPressAuth, content: PostContent, releaseSlug: string): Promise<FoundPost | null> {
  const slugs = [releaseSlug, ...SLUG_SUFFIXES.map((n) => `${releaseSlug}-${n}`)];
  const answer = await call(s, auth, 'read', 'the lookup of existing posts', {
    method: 'GET',
    route: '/wp/v2/posts',
    query: {
      slug: slugs.join(','),
      status: LOOKUP_STATUSES,
      context: 'edit',
      per_page: '20',
      _fields: 'id,link,slug,status,title,content',
    },
  });
  if (!Array.isArray(answer.json)) throw notRestApi(s, answer, 'the lookup of existing posts');
  const title = normalise(content.title ?? '');
  const text = normalise(content.html ?? '');
  for (const post of answer.json as unknown[]) {
    if (!isRecord(post) || typeof post.id !== 'number') continue;
    if (normalise(field(post.title)) !== title || normalise(field(post.content)) !== text) continue;
    const link = typeof post.link === 'string' && isHttpUrl(post.link) ? post.link : `${s.siteUrl.href.replace(/\/+$/, '')}/?p=${post.id}`;
    return { id: post.id, link };
  }
  return null;
}

/** `raw` (edit context) or `rendered` of a title/content object. */
function field(value: unknown): string {
  if (typeof value === 'string') return value;
  if (!isRecord(value)) return '';
  if (typeof value.raw === 'string') return value.raw;
  return typeof value.rendered === 'string' ? value.rendered : '';
}

/**
 * Text for comparing what was sent with what WordPress stored: tags and comments removed,
 * entities decoded, whitespace collapsed. WordPress filters HTML of users without
 * unfiltered_html (Authors, Editors on multisite), so markup may differ while the text does not.
 */
function normalise(html: string): string {
  return html
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, entity: string) => {
      const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };
      if (entity[0] !== '#') return named[entity.toLowerCase()] ?? whole;
      const code = entity[1] === 'x' || entity[1] === 'X' ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    })
    .normalize('NFC')
    .replace(/\s+/g, ' ')
    .trim();
}

// --- featured image -----------------------------------------------------------------------

async function featuredImage(
  s: WordPressSettings,
  auth: WordPressAuth,
  image: MediaItem,
  ctx: PublishContext,
  parts: { id: string; url?: string }[],
): Promise<number> {
  const prefix = `${ctx.idempotencyKey}:media:`;
  const earlier = parts.find((p) => p.id.startsWith(prefix));
  let mediaId = earlier ? Number(earlier.id.slice(prefix.length)) : NaN;

  if (!Number.isInteger(mediaId) || mediaId <= 0) {
    const file = await ctx.fetchMedia(image.url); // its ChannelErrors pass through unchanged
    const extension = IMAGE_EXTENSIONS[file.contentType.toLowerCase()];
    if (!extension) {
      throw new ChannelError('permanent', 'MEDIA_REJECTED', `WordPress does not accept ${file.contentType} images by default`);
    }
    const uploaded = await call(s, auth, 'upload', 'the featured image', {
      method: 'POST',
      route: '/wp/v2/media',
      body: file.bytes,
      headers: {
        'content-type': file.contentType,
        'content-disposition': `attachment; filename="${uploadFilename(file.filename, extension)}"`,
      },
    });
    const body = isRecord(uploaded.json) ? uploaded.json : {};
    if (typeof body.id !== 'number' || !Number.isInteger(body.id) || body.id <= 0) {
      throw new ChannelError('retryable', 'UNEXPECTED_RESPONSE', `WordPress answered ${uploaded.status} to the image upload without a media id`, {
        status: uploaded.status,
      });
    }
    mediaId = body.id;
    parts.push({ id: `${prefix}${mediaId}`, ...(typeof body.source_url === 'string' ? { url: body.source_url } : {}) });
    await save(ctx, parts, auth, `after uploading image ${mediaId}; the post was not sent`);
  }

  await call(s, auth, 'read', 'the alt text of the featured image', {
    method: 'POST',
    route: `/wp/v2/media/${mediaId}`,
    json: { alt_text: image.alt },
  });
  return mediaId;
}

/** An ASCII file name with the extension WordPress expects for the type (it checks both). */
function uploadFilename(original: string, extension: string): string {
  const stem = original
    .replace(/\.[A-Za-z0-9]{1,5}$/, '')
    .replace(/ä/g, 'ae')
    .replace(/ö/g, 'oe')
    .replace(/ü/g, 'ue')
    .replace(/Ä/g, 'Ae')
    .replace(/Ö/g, 'Oe')
    .replace(/Ü/g, 'Ue')
    .replace(/ß/g, 'ss')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 100);
  return `${stem || 'bild'}.${extension}`;
}

async function save(ctx: PublishContext, parts: { id: string; url?: string }[], auth: WordPressAuth, when: string): Promise<void> {
  const progress: PublishProgress = { parts: parts.map((p) => ({ ...p })) };
  try {
    await ctx.saveProgress(progress);
  } catch (error) {
    const detail = isErrorLike(error) ? error.message : String(error);
    throw new ChannelError('retryable', 'PROGRESS_NOT_SAVED', `Progress could not be saved ${when}: ${redact(detail, auth.secrets)}`);
  }
}

// --- transport ----------------------------------------------------------------------------

function call(s: WordPressSettings, auth: WordPressAuth, op: Operation, what: string, spec: RequestSpec): Promise<Answer> {
  const url = new URL(`${s.apiBase}/wp-json${spec.route}`);
  for (const [name, value] of Object.entries(spec.query ?? {})) url.searchParams.set(name, value);
  const payload = spec.json !== undefined ? Buffer.from(JSON.stringify(spec.json), 'utf8') : spec.body;
  const headers: Record<string, string> = {
    accept: 'application/json',
    'user-agent': 'Herold (publishing scheduler)',
    authorization: auth.authorization,
    ...(spec.json !== undefined ? { 'content-type': 'application/json; charset=utf-8' } : {}),
    ...spec.headers,
  };
  if (payload) headers['content-length'] = String(payload.length);
  const client = url.protocol === 'https:' ? https : http;

  return new Promise<Answer>((resolve, reject) => {
    // `sent`: the whole request was handed to the operating system. Before that, WordPress
    // cannot have acted on it (PHP waits for the full body).
    let sent = false;
    let timedOut = false;
    let settled = false;
    let req: http.ClientRequest | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      req?.destroy(new Error(`no answer within ${s.timeoutMs} ms`));
    }, s.timeoutMs);
    const finish = (error: ChannelError | null, answer?: Answer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(answer!);
    };
    const lost = (cause: unknown): void => {
      finish(transportError(cause, { sent, timedOut, op, what, timeoutMs: s.timeoutMs, secrets: auth.secrets }));
    };

    // A fresh connection per request: a reused keep-alive socket closed by the server would
    // look like "connection lost after sending" although nothing arrived. The agent judges the
    // address it connects to (outbound policy, DNS rebinding).
    try {
      const agent = guardedAgent(url.protocol, outboundPolicy(), { keepAlive: false });
      req = client.request(url, { method: spec.method, headers, agent }, onResponse);
    } catch (error) {
      lost(error); // e.g. a header value Node refuses: nothing was sent
      return;
    }
    req.on('finish', () => {
      sent = true;
    });
    req.on('error', lost);
    req.end(payload);

    function onResponse(res: http.IncomingMessage): void {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_ANSWER_BYTES) {
          res.destroy(new Error('answer too large'));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const answer: Answer = { status: res.statusCode ?? 0, headers: res.headers, json: parseJson(text), text };
        if (answer.status >= 200 && answer.status < 300) finish(null, answer);
        else finish(answerError(answer, s, op, what, auth.secrets));
      });
      res.on('error', lost);
      res.on('aborted', () => lost(new Error('answer aborted')));
    }
  });
}

function parseJson(text: string): unknown {
  const trimmed = text.trimStart();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return undefined;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return undefined;
  }
}

// --- error sorting ------------------------------------------------------------------------

function transportError(
  cause: unknown,
  c: { sent: boolean; timedOut: boolean; op: Operation; what: string; timeoutMs: number; secrets: string[] },
): ChannelError {
  const refused = hostRefusal(cause);
  if (refused) return refused;
  const code = redact((cause as NodeJS.ErrnoException | undefined)?.code ?? (isErrorLike(cause) ? cause.message : String(cause)), c.secrets);
  // WordPress (PHP) acts only on a complete body, so a request not fully written never arrived.
  return classifyTransportError({
    network: 'WordPress',
    op: c.op,
    what: c.what,
    timeoutMs: c.timeoutMs,
    timedOut: c.timedOut,
    code: c.timedOut ? 'timeout' : code,
    notSent: !c.sent,
    ...(c.op === 'upload' ? { hint: '; an unattached image may remain in the media library' } : {}),
  });
}

function answerError(answer: Answer, s: WordPressSettings, op: Operation, what: string, secrets: string[]): ChannelError {
  const { status } = answer;
  const wp = isRecord(answer.json) && typeof answer.json.code === 'string' ? answer.json : undefined;
  const wpCode = wp ? String(wp.code) : undefined;
  const detail = wp && typeof wp.message === 'string' ? plain(wp.message) : plain(answer.text) || 'no details';
  const base = `WordPress answered ${status}${wpCode ? ` (${wpCode})` : ''} to ${what}: ${detail}`;
  const options = { status, body: redactValue(answer.json ?? plain(answer.text), secrets) };
  const error = (kind: ChannelError['kind'], code: string, hint = ''): ChannelError => new ChannelError(kind, code, redact(base + hint, secrets), options);

  if (status >= 300 && status < 400) {
    const location = typeof answer.headers.location === 'string' ? answer.headers.location : 'another address';
    return error('permanent', 'SETTINGS_INVALID', ` — the site redirects to ${location}; set siteUrl or apiBaseUrl to the final address`);
  }
  if (status === 413) {
    return op === 'upload'
      ? error('permanent', 'MEDIA_TOO_LARGE', ' — the web server refuses an image this large')
      : error('permanent', 'TOO_LONG', ' — the web server refuses an article this large');
  }
  // WordPress answers a refused file type with 500 rest_upload_sideload_error: no retry helps.
  if (wpCode?.startsWith('rest_upload_')) return error('permanent', 'MEDIA_REJECTED');
  const wait = parseRetryAfter(typeof answer.headers['retry-after'] === 'string' ? answer.headers['retry-after'] : undefined);
  const common = classifyHttpStatus(status, redact(base + authHint(status, wpCode), secrets), { body: options.body, resetMs: wait, retryAfterMs: wait });
  if (common) return common;
  // A user without edit_posts may not list drafts: WordPress reports that as an invalid parameter.
  if (status === 403 || (status === 400 && JSON.stringify(wp?.data ?? null).includes('rest_forbidden_status'))) {
    const hint = wp
      ? ' — the WordPress user needs the Author or Editor role'
      : ' — not an answer of WordPress: a security plugin or firewall may block the REST API';
    return error('permanent', 'PERMISSION_DENIED', hint);
  }
  if (status === 404 && (!wp || wpCode === 'rest_no_route')) return notRestApi(s, answer, what);
  return permanentError('CONTENT_REJECTED', redact(base, secrets), status, options.body);
}

/** The two usual causes of a 401 on WordPress, for the admin who has to fix it. */
function authHint(status: number, wpCode: string | undefined): string {
  if (status !== 401) return '';
  if (wpCode && ANONYMOUS_CODES.has(wpCode)) return ' — WordPress did not see the credentials: the web server may drop the Authorization header';
  if (wpCode?.startsWith('application_passwords_disabled')) return ' — application passwords are switched off (they need HTTPS, and plugins can disable them)';
  return '';
}

/** A 2xx that is not the REST API's JSON (plain permalinks serve the home page), or a 404 for a route. */
function notRestApi(s: WordPressSettings, answer: Answer, what: string): ChannelError {
  const type = String(answer.headers['content-type'] ?? 'no content type').split(';')[0];
  return new ChannelError(
    'permanent',
    'REST_API_NOT_FOUND',
    `No WordPress REST API answer at ${s.apiBase}/wp-json/ for ${what} (HTTP ${answer.status}, ${type}): check siteUrl, the permalink setting (not "Plain") and security plugins`,
    { status: answer.status },
  );
}

/** Text of an error message or HTML page, shortened for the log. */
function plain(text: string): string {
  return text
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300);
}

// --- settings and credentials -------------------------------------------------------------

function readSettings(settings: Settings): WordPressSettings {
  const invalid = (why: string): ChannelError => new ChannelError('permanent', 'SETTINGS_INVALID', `WordPress settings: ${why}`);
  const { siteUrl, apiBaseUrl = siteUrl, timeoutMs = DEFAULT_TIMEOUT_MS } = settings;
  if (typeof siteUrl !== 'string' || !isHttpUrl(siteUrl)) throw invalid('siteUrl must be an http(s) URL');
  if (typeof apiBaseUrl !== 'string' || !isHttpUrl(apiBaseUrl)) throw invalid('apiBaseUrl must be an http(s) URL');
  if (typeof timeoutMs !== 'number' || !(timeoutMs > 0)) throw invalid('timeoutMs must be a positive number');
  const api = new URL(apiBaseUrl);
  api.search = '';
  api.hash = '';
  return { siteUrl: new URL(siteUrl), apiBase: api.href.replace(/\/+$/, ''), timeoutMs };
}

function readCredentials(credentials: Credentials): WordPressAuth {
  const { username, applicationPassword } = credentials;
  if (typeof username !== 'string' || username.trim() === '' || typeof applicationPassword !== 'string' || applicationPassword.trim() === '') {
    throw new ChannelError('auth', 'CREDENTIALS_MISSING', 'WordPress credentials need a username and an applicationPassword');
  }
  const token = Buffer.from(`${username}:${applicationPassword}`, 'utf8').toString('base64');
  const others = Object.entries(credentials)
    .filter(([name, value]) => name !== 'username' && typeof value === 'string' && value !== '')
    .map(([, value]) => value as string);
  return {
    username,
    authorization: `Basic ${token}`,
    // The password as WordPress shows it, without its spaces, and the Basic token.
    secrets: [...others, applicationPassword.replace(/\s+/g, ''), token],
  };
}

function rejectInvalid(warnings: Warning[]): void {
  const error = warnings.find((w) => w.severity === 'error');
  if (error) throw new ChannelError('permanent', error.code, error.message);
}

function postBytes(content: PostContent): number {
  return Buffer.byteLength(JSON.stringify({ title: content.title ?? '', content: content.html ?? '' }), 'utf8');
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
