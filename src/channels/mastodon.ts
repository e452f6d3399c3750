// Mastodon statuses and threads through the plain REST API (fetch; no SDK).
//
// settings:    {instanceUrl, maxChars? = 500, apiBaseUrl? = instanceUrl, timeoutMs? = 15000, accountId?}
//              maxChars is the instance's configuration.statuses.max_characters (see
//              mastodonInstanceLimits); apiBaseUrl only differs from instanceUrl for tests or a proxy.
//              accountId is set by Herold, never by a client: `<id>@<instance host>` as identify()
//              reports it when credentials are saved.
// credentials: {accessToken}  (scopes write:statuses, write:media, read:accounts)
// content:     {text} or {thread: string[]} (a thread becomes a reply chain);
//              media? up to 4 images, each with alt text, attached to the first part.
//
// Why a retry cannot post twice: every status is sent with Idempotency-Key
// `${ctx.idempotencyKey}-part-${i}`, and Mastodon answers a repeated key from the same account
// within one hour with the status it created the first time (HTTP 200, nothing new). Parts that
// were accepted are saved as progress and never sent again; a retry continues after them.
// An answer that never came is still reported as unknown_outcome (the worker decides), and
// findExisting() finishes such an attempt: it first looks for the parts among the account's
// recent statuses, then sends what it did not find with the same keys again.
// Media uploads have no idempotency key: a repeated upload leaves an unattached file, which
// Mastodon removes by itself; it never becomes visible.
//
// The adapter does not declare itself `idempotent`: Mastodon forgets a key after an hour, and an
// attempt interrupted by a dead worker may be settled later than that. It goes through
// findExisting(), whose look-up does not depend on the key.
//
// Every request goes through guardedDispatcher (src/security/outbound.ts): the address fetch
// connects to must pass the outbound policy, or the call fails with CHANNEL_HOST_PRIVATE.

import { MASTODON_DEFAULT_MAX, mastodonLength, postParts } from '../domain/splitting/lengths';
import type { MediaItem, PostContent, Warning } from '../domain/types';
import { guardedDispatcher, hostRefusal, outboundPolicy } from '../security/outbound';
import {
  ChannelError,
  type AccountIdentity,
  type ChannelAdapter,
  type CheckResult,
  type Credentials,
  type PublishContext,
  type PublishProgress,
  type PublishResult,
  type Settings,
} from './channel';
import { classifyHttpStatus, classifyTransportError, parseRetryAfter, permanentError, socketErrorCode, type Operation } from './http-errors';
import { isErrorLike, redact, redactValue } from './redact';

export const MASTODON_MAX_MEDIA = 4;
/** Mastodon's limit for a media description (alt text). */
export const MASTODON_MAX_ALT_LENGTH = 1500;
const DEFAULT_TIMEOUT_MS = 15_000;
/** Waits between polls of a media attachment that is still being processed (about 20 s in all). */
const MEDIA_POLL_DELAYS_MS = [250, 500, 1000, 1000, 2000, 2000, 3000, 3000, 4000, 4000];
const USER_AGENT = 'Herold (publishing scheduler)';
interface MastodonSettings {
  instanceUrl: URL;
  /** Without trailing slash. */
  apiBase: string;
  maxChars: number;
  timeoutMs: number;
}

interface MastodonAuth {
  token: string;
  secrets: string[];
}

interface Request {
  method: 'GET' | 'POST';
  path: string;
  json?: unknown;
  form?: FormData;
  idempotencyKey?: string;
}

interface Answer {
  status: number;
  body: unknown;
  headers: Headers;
}

type Part = NonNullable<PublishProgress['parts']>[number];

export const mastodonChannel: ChannelAdapter = {
  type: 'mastodon',

  validate(content: PostContent, settings: Settings): Warning[] {
    const warnings: Warning[] = [];
    const maxChars = maxCharsOf(settings);
    const parts = postParts(content);
    if (parts.length === 0) {
      warnings.push({ code: 'TEXT_REQUIRED', message: 'A Mastodon post needs text', severity: 'error' });
    }
    parts.forEach((part, i) => {
      const label = parts.length > 1 ? `Part ${i + 1}` : 'The post';
      if (part.trim() === '') {
        warnings.push({ code: 'PART_EMPTY', message: `${label} is empty`, severity: 'error' });
        return;
      }
      const length = mastodonStatusLength(part);
      if (length > maxChars) {
        warnings.push({
          code: 'TOO_LONG',
          message: `${label} counts ${length} characters; this instance allows ${maxChars}`,
          severity: 'error',
        });
      }
    });
    const media = content.media ?? [];
    media.forEach((item, i) => {
      if (!item.alt?.trim()) {
        warnings.push({ code: 'MEDIA_ALT_MISSING', message: `Image ${i + 1} has no alt text`, severity: 'error' });
      } else if ([...item.alt].length > MASTODON_MAX_ALT_LENGTH) {
        warnings.push({
          code: 'MEDIA_ALT_TOO_LONG',
          message: `The alt text of image ${i + 1} is longer than ${MASTODON_MAX_ALT_LENGTH} characters`,
          severity: 'error',
        });
      }
    });
    if (media.length > MASTODON_MAX_MEDIA) {
      warnings.push({
        code: 'MEDIA_TOO_MANY',
        message: `${media.length} images; Mastodon attaches at most ${MASTODON_MAX_MEDIA} to a post`,
        severity: 'error',
      });
    }
    return warnings;
  },

  async publish(content: PostContent, settings: Settings, credentials: Credentials, ctx: PublishContext): Promise<PublishResult> {
    const s = readSettings(settings);
    const auth = readCredentials(credentials);
    rejectInvalid(mastodonChannel.validate(content, settings));
    // Parts accepted by an earlier attempt are never sent again; the chain continues after them.
    return sendThread(content, s, auth, ctx, [...(ctx.progress.parts ?? [])]);
  },

  /**
   * After an unknown outcome, finishes the attempt without posting anything twice:
   * 1. parts not in the saved progress are looked for among the account's recent statuses (same
   *    text, replying to the part before), which does not depend on how much time has passed;
   * 2. the parts still missing are sent with their original Idempotency-Keys, so one that is
   *    still in flight (not yet visible) is answered with the original instead of a second one.
   * Residual risk: a status whose text the look-up does not recognise, re-sent more than an
   * hour (Mastodon's key lifetime) after it was created, would appear twice.
   */
  async findExisting(content: PostContent, settings: Settings, credentials: Credentials, ctx: PublishContext): Promise<PublishResult | null> {
    const s = readSettings(settings);
    const auth = readCredentials(credentials);
    if (mastodonChannel.validate(content, settings).some((w) => w.severity === 'error')) return null;
    const thread = postParts(content);
    const parts: Part[] = [...(ctx.progress.parts ?? [])];
    if (parts.length < thread.length) parts.push(...(await lookUpParts(s, auth, thread, parts)));
    return sendThread(content, s, auth, ctx, parts);
  },

  async check(settings: Settings, credentials: Credentials): Promise<CheckResult> {
    const { account } = await identify(settings, credentials);
    return { account };
  },

  identify,
};

/** GET /api/v1/accounts/verify_credentials: the handle and the id of the token's account. */
async function identify(settings: Settings, credentials: Credentials): Promise<AccountIdentity> {
  const s = readSettings(settings);
  const auth = readCredentials(credentials);
  const { body } = await call(s, auth, 'read', 'the account', { method: 'GET', path: '/api/v1/accounts/verify_credentials' });
  const username = isRecord(body) ? body.username : undefined;
  const accountId = isRecord(body) ? body.id : undefined;
  if (typeof username !== 'string' || username === '') {
    throw new ChannelError('retryable', 'UNEXPECTED_RESPONSE', 'Mastodon answered verify_credentials without a username');
  }
  if (!isText(accountId)) throw new ChannelError('retryable', 'UNEXPECTED_RESPONSE', 'Mastodon answered verify_credentials without an account id');
  // Account ids are numbered per instance: only id and instance together name one account.
  return { account: `@${username}@${s.instanceUrl.hostname}`, accountId: `${accountId}@${s.instanceUrl.host}` };
}

export interface MastodonInstanceLimits {
  maxChars: number;
  maxMedia: number;
  charactersReservedPerUrl: number;
}

/** The instance's own limits (GET /api/v2/instance), e.g. to fill settings.maxChars when connecting. */
export async function mastodonInstanceLimits(settings: Settings, credentials: Credentials): Promise<MastodonInstanceLimits> {
  const s = readSettings(settings);
  const auth = readCredentials(credentials);
  const { body } = await call(s, auth, 'read', 'the instance configuration', { method: 'GET', path: '/api/v2/instance' });
  const statuses = isRecord(body) && isRecord(body.configuration) ? body.configuration.statuses : undefined;
  const number = (key: string, fallback: number): number => {
    const v = isRecord(statuses) ? statuses[key] : undefined;
    return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : fallback;
  };
  return {
    maxChars: number('max_characters', MASTODON_DEFAULT_MAX),
    maxMedia: number('max_media_attachments', MASTODON_MAX_MEDIA),
    charactersReservedPerUrl: number('characters_reserved_per_url', 23),
  };
}

// Account::MENTION_RE: a mention @user@domain counts only as @user.
const WORD = '\\p{L}\\p{M}\\p{N}\\p{Pc}';
const REMOTE_MENTION = new RegExp(`(?<![=/${WORD}])@([a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)@[${WORD}]+(?:[.-]+[${WORD}]+)*`, 'giu');

/** Length as Mastodon's StatusLengthValidator counts it: graphemes, URLs 23, mentions without domain. */
export function mastodonStatusLength(text: string): number {
  return mastodonLength(text.replace(REMOTE_MENTION, '@$1'));
}

// --- publishing ---------------------------------------------------------------------------

/** Sends the parts after `parts` (those already on the network), saving progress after each. */
async function sendThread(content: PostContent, s: MastodonSettings, auth: MastodonAuth, ctx: PublishContext, parts: Part[]): Promise<PublishResult> {
  const thread = postParts(content);
  for (let i = parts.length; i < thread.length; i++) {
    const what = thread.length > 1 ? `part ${i + 1} of ${thread.length}` : 'the status';
    const mediaIds = i === 0 ? await uploadMedia(content.media ?? [], s, auth, ctx) : [];
    const previous = parts[i - 1];
    const { body } = await call(s, auth, 'send', what, {
      method: 'POST',
      path: '/api/v1/statuses',
      idempotencyKey: `${ctx.idempotencyKey}-part-${i}`,
      json: {
        status: thread[i] ?? '',
        visibility: 'public',
        ...(previous ? { in_reply_to_id: previous.id } : {}),
        ...(mediaIds.length > 0 ? { media_ids: mediaIds } : {}),
      },
    });
    const id = isRecord(body) ? body.id : undefined;
    const url = isRecord(body) ? (isText(body.url) ? body.url : body.uri) : undefined;
    if (!isText(id) || !isText(url)) {
      // Sending again with the same key is safe, so findExisting() can still settle this.
      throw new ChannelError('unknown_outcome', 'UNEXPECTED_RESPONSE', `Mastodon accepted ${what} but returned no id or URL`);
    }
    parts.push({ id, url });
    try {
      await ctx.saveProgress({ parts: [...parts] });
    } catch (error) {
      const detail = isErrorLike(error) ? error.message : String(error);
      throw new ChannelError(
        'unknown_outcome',
        'PROGRESS_NOT_SAVED',
        `${what} was posted (id ${id}) but progress could not be saved: ${redact(detail, auth.secrets)}`,
      );
    }
  }

  const first = parts[0];
  if (!first) throw new ChannelError('permanent', 'TEXT_REQUIRED', 'Nothing to publish');
  return { externalId: first.id, externalUrl: first.url ?? (await statusUrl(s, auth, first.id)) };
}

/** How far back findExisting looks among the account's statuses. */
export const MASTODON_FIND_EXISTING_LOOKBACK_MS = 3 * 24 * 3_600_000;
const LOOKUP_LIMIT = 40;

/**
 * The parts after `known` found among the account's 40 newest statuses: each with the part's
 * text and replying to the part before it (the first to nothing). Newest match wins.
 */
async function lookUpParts(s: MastodonSettings, auth: MastodonAuth, thread: string[], known: Part[]): Promise<Part[]> {
  const me = await call(s, auth, 'read', 'the account', { method: 'GET', path: '/api/v1/accounts/verify_credentials' });
  const accountId = isRecord(me.body) ? me.body.id : undefined;
  if (!isText(accountId)) throw new ChannelError('retryable', 'UNEXPECTED_RESPONSE', 'Mastodon answered verify_credentials without an account id');
  const { body } = await call(s, auth, 'read', 'the recent statuses', {
    method: 'GET',
    path: `/api/v1/accounts/${encodeURIComponent(accountId)}/statuses?limit=${LOOKUP_LIMIT}&exclude_reblogs=true`,
  });
  const since = Date.now() - MASTODON_FIND_EXISTING_LOOKBACK_MS;
  const recent = (Array.isArray(body) ? body : []).filter(
    (st): st is Record<string, unknown> => isRecord(st) && isText(st.id) && typeof st.content === 'string' && !(Date.parse(String(st.created_at)) < since),
  );
  const found: Part[] = [];
  for (let i = known.length; i < thread.length; i++) {
    const previous = found.at(-1) ?? known.at(-1);
    const wanted = comparable(thread[i] ?? '');
    const match = recent.find(
      (st) => (st.in_reply_to_id ?? null) === (previous?.id ?? null) && comparable(statusText(String(st.content))) === wanted,
    );
    const url = match && (isText(match.url) ? match.url : match.uri);
    if (!match || !isText(url)) break;
    found.push({ id: String(match.id), url });
  }
  return found;
}

/** The plain text of a status' HTML `content`: Mastodon keeps a link's hidden parts in spans. */
function statusText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/p>\s*<p[^>]*>/gi, '\n\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos|nbsp);/gi, (_, entity: string) => {
      const lower = entity.toLowerCase();
      if (lower.startsWith('#')) {
        const code = lower.startsWith('#x') ? parseInt(lower.slice(2), 16) : parseInt(lower.slice(1), 10);
        return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '\ufffd';
      }
      return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' }[lower] ?? '';
    });
}

/** Text as the look-up compares it: remote mentions show without their domain in `content`. */
function comparable(text: string): string {
  return text.replace(REMOTE_MENTION, '@$1').normalize('NFC').replace(/\s+/g, ' ').trim();
}

/** Progress saved without a URL (never by this adapter, but possible in old records). */
async function statusUrl(s: MastodonSettings, auth: MastodonAuth, id: string): Promise<string> {
  const { body } = await call(s, auth, 'read', 'the status URL', { method: 'GET', path: `/api/v1/statuses/${encodeURIComponent(id)}` });
  const url = isRecord(body) ? (isText(body.url) ? body.url : body.uri) : undefined;
  if (!isText(url)) throw new ChannelError('retryable', 'UNEXPECTED_RESPONSE', `Mastodon returned no URL for status ${id}`);
  return url;
}

async function uploadMedia(media: MediaItem[], s: MastodonSettings, auth: MastodonAuth, ctx: PublishContext): Promise<string[]> {
  const ids: string[] = [];
  for (const [i, item] of media.entries()) {
    const what = `image ${i + 1}`;
    const file = await ctx.fetchMedia(item.url);
    const form = new FormData();
    form.append('file', new Blob([file.bytes], { type: file.contentType }), file.filename);
    form.append('description', item.alt);
    const { status, body } = await call(s, auth, 'upload', what, { method: 'POST', path: '/api/v2/media', form });
    const id = isRecord(body) ? body.id : undefined;
    if (!isText(id)) throw new ChannelError('retryable', 'UNEXPECTED_RESPONSE', `Mastodon accepted ${what} but returned no id`);
    // 202 (or url null): the file is still being processed and cannot be attached yet.
    if (status === 202 || (isRecord(body) && body.url === null)) await waitUntilProcessed(s, auth, id, what);
    ids.push(id);
  }
  return ids;
}

async function waitUntilProcessed(s: MastodonSettings, auth: MastodonAuth, id: string, what: string): Promise<void> {
  for (const delay of MEDIA_POLL_DELAYS_MS) {
    await new Promise((resolve) => setTimeout(resolve, delay));
    const { status, body } = await call(s, auth, 'read', what, { method: 'GET', path: `/api/v1/media/${encodeURIComponent(id)}` });
    // 206 Partial Content while processing; 200 with a URL once done.
    if (status === 200 && isRecord(body) && body.url !== null) return;
  }
  throw new ChannelError('retryable', 'MEDIA_NOT_READY', `Mastodon was still processing ${what} after ${sum(MEDIA_POLL_DELAYS_MS)} ms`);
}

// --- HTTP ---------------------------------------------------------------------------------

async function call(s: MastodonSettings, auth: MastodonAuth, op: Operation, what: string, req: Request): Promise<Answer> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, s.timeoutMs);
  const headers: Record<string, string> = {
    Authorization: `Bearer ${auth.token}`,
    Accept: 'application/json',
    'User-Agent': USER_AGENT,
  };
  if (req.idempotencyKey) headers['Idempotency-Key'] = req.idempotencyKey;
  let body: string | FormData | undefined;
  if (req.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(req.json);
  } else if (req.form) body = req.form;

  let answer: Answer;
  try {
    // Redirects are not followed: a POST would silently turn into a GET, and the token travel on.
    // The dispatcher judges the address each connection really goes to (DNS rebinding).
    const response = await fetch(`${s.apiBase}${req.path}`, {
      method: req.method,
      headers,
      body,
      signal: controller.signal,
      redirect: 'manual',
      dispatcher: guardedDispatcher(outboundPolicy()),
    });
    const text = await response.text();
    answer = { status: response.status, body: parseBody(text), headers: response.headers };
  } catch (error) {
    throw transportError(error, timedOut, op, what, s.timeoutMs, auth.secrets);
  } finally {
    clearTimeout(timer);
  }
  if (answer.status >= 200 && answer.status < 300) return answer;
  throw fromAnswer(answer, what, auth.secrets);
}

function parseBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text.slice(0, 500);
  }
}

// --- error sorting ------------------------------------------------------------------------

function transportError(error: unknown, timedOut: boolean, op: Operation, what: string, timeoutMs: number, secrets: string[]): ChannelError {
  if (error instanceof ChannelError) return error;
  const refused = hostRefusal(error);
  if (refused) return refused;
  const code = redact(socketErrorCode(error) ?? (isErrorLike(error) ? error.name : 'unknown'), secrets);
  return classifyTransportError({ network: 'Mastodon', op, what, timeoutMs, timedOut, code });
}

function fromAnswer(answer: Answer, what: string, secrets: string[]): ChannelError {
  const { status, body, headers } = answer;
  const text = describeProblem(body);
  const message = redact(`Mastodon answered ${status} for ${what}: ${text}`, secrets);
  const options = { status, body: redactValue(body, secrets) };

  if (status >= 300 && status < 400) {
    const location = redact(headers.get('location') ?? 'elsewhere', secrets);
    return new ChannelError('permanent', 'SETTINGS_INVALID', `Mastodon redirected ${what} to ${location}; set instanceUrl to the address the instance answers on`, { status });
  }
  const common = classifyHttpStatus(status, message, { body: options.body, resetMs: resetMs(headers) });
  if (common) return common;
  if (status === 403) return permanentError('PERMISSION_DENIED', message, status, options.body);
  if (status === 422 && /character limit/i.test(text)) return permanentError('TOO_LONG', message, status, options.body);
  // A file still being processed cannot be attached yet: a moment later it can.
  if (status === 422 && /not finished processing/i.test(text)) return new ChannelError('retryable', 'MEDIA_NOT_READY', message, options);
  if (status === 404 && !isRecord(body)) {
    return permanentError('SETTINGS_INVALID', `No Mastodon API answered ${what} (404); check instanceUrl`, status, options.body);
  }
  return permanentError('CONTENT_REJECTED', message, status, options.body);
}

/** Mastodon's `{error, error_description?}`, or the start of a non-JSON body (a proxy's page). */
function describeProblem(body: unknown): string {
  if (isRecord(body)) {
    const parts = [body.error, body.error_description].filter(isText);
    return parts.join(' — ') || 'no details';
  }
  if (typeof body === 'string' && body) return body.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 200) || 'no details';
  return 'no details';
}

/** Until the window resets: X-RateLimit-Reset is an ISO 8601 time; Retry-After as a fallback. */
function resetMs(headers: Headers): number | undefined {
  const reset = Date.parse(headers.get('x-ratelimit-reset') ?? '');
  if (Number.isFinite(reset)) return Math.max(1000, reset - Date.now());
  return parseRetryAfter(headers.get('retry-after'));
}

// --- settings and credentials -------------------------------------------------------------

function readSettings(settings: Settings): MastodonSettings {
  const invalid = (why: string): ChannelError => new ChannelError('permanent', 'SETTINGS_INVALID', `Mastodon settings: ${why}`);
  const { instanceUrl, apiBaseUrl = instanceUrl, maxChars = MASTODON_DEFAULT_MAX, timeoutMs = DEFAULT_TIMEOUT_MS } = settings;
  const instance = httpUrl(instanceUrl);
  if (!instance) throw invalid('instanceUrl must be the http(s) address of the instance, e.g. https://social.bund.de');
  const api = httpUrl(apiBaseUrl);
  if (!api) throw invalid('apiBaseUrl must be an http(s) URL');
  if (typeof maxChars !== 'number' || !Number.isInteger(maxChars) || maxChars < 1) throw invalid('maxChars must be a positive integer');
  if (typeof timeoutMs !== 'number' || !(timeoutMs > 0)) throw invalid('timeoutMs must be a positive number');
  return { instanceUrl: instance, apiBase: api.href.replace(/\/+$/, ''), maxChars, timeoutMs };
}

/** validate() must not throw: a malformed maxChars counts as the default here (publish refuses it). */
function maxCharsOf(settings: Settings): number {
  const { maxChars } = settings;
  return typeof maxChars === 'number' && Number.isInteger(maxChars) && maxChars > 0 ? maxChars : MASTODON_DEFAULT_MAX;
}

function readCredentials(credentials: Credentials): MastodonAuth {
  const { accessToken } = credentials;
  if (!isText(accessToken)) throw new ChannelError('auth', 'CREDENTIALS_MISSING', 'Mastodon credentials need an accessToken');
  // A header cannot carry anything else, and fetch would quote the value in its error.
  if (!/^[\x21-\x7e]+$/.test(accessToken)) {
    throw new ChannelError('auth', 'CREDENTIALS_MISSING', 'The Mastodon accessToken contains characters a token cannot have');
  }
  return { token: accessToken, secrets: Object.values(credentials).filter(isText) };
}

function rejectInvalid(warnings: Warning[]): void {
  const error = warnings.find((w) => w.severity === 'error');
  if (error) throw new ChannelError('permanent', error.code, error.message);
}

function httpUrl(value: unknown): URL | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
