// A loopback stand-in for the parts of the Mastodon REST API that Herold uses: posting statuses
// (threads as reply chains) with Idempotency-Key, uploading media with a description, "who am I",
// the instance configuration and an account's recent statuses. It answers with Mastodon's
// `{"error": "…"}` bodies and rate-limit headers, so the adapter's error sorting is exercised.
// Used by the contract tests and the demo mode.
//
// Faithfulness notes (Mastodon 4.x, PostStatusService, StatusLengthValidator, rack-attack):
// - Idempotency-Key: the same key from the same account within `idempotencyTtlMs` (default one
//   hour, like Mastodon's Redis entry) answers 200 with the status created the first time,
//   whatever the body says; nothing new is created. Keys are remembered only for successes.
// - Length: spoiler_text + status, counted in grapheme clusters; every http(s) URL counts 23 and
//   a mention @user@domain counts as @user, as Mastodon's StatusLengthValidator does. Over the
//   instance's `maxChars` → 422 "Validation failed: Text character limit of N exceeded".
// - Statuses are created with 200 (not 201), also for new ones, as Mastodon does.
// - Rate limits: every answer carries X-RateLimit-Limit/-Remaining/-Reset (ISO 8601), per account
//   (or per client for requests without a valid token) in windows aligned to the period, as
//   rack-attack counts them: 300 requests per 5 minutes, media uploads also 30 per 30 minutes.
// - Auth: `Authorization: Bearer <token>`; unknown or revoked tokens answer 401
//   {"error":"The access token is invalid"}; an account's `scopes` are checked (403). An account
//   may have more tokens (`addToken`); verify_credentials answers the account of the token used.
// - Media: POST /api/v2/media answers 200 with the attachment (images are processed at once) or,
//   with `mediaProcessing: 'async'`, 202 with url null; GET /api/v1/media/:id then answers 206
//   until `processingPolls` polls have been made, then 200.
// - `content` is HTML as Mastodon renders it: paragraphs, <br />, links with their hidden parts
//   in "invisible" spans, mentions showing only the username. Not modelled: hashtag links,
//   custom emoji, polls, scheduled statuses, federation, pagination Link headers.
//
// Injected faults (FaultQueue from http-util): `{status}` answers in Mastodon's shape — 429
// {"error":"Too many requests"} with the window exhausted until `resetInSeconds` (default 300,
// Mastodon's 5-minute window), 401 invalid token, 403 scopes, 404 not found, 422 the character
// limit message, 502/503/504 an nginx-style HTML page (as the reverse proxy in front of Mastodon
// answers), anything else {"error": "<reason phrase>"}; `body` replaces the body. `{delayMs}` and
// `{drop}` behave as documented in http-util. Media uploads are multipart/form-data, read from the
// raw request bytes that http-util's startFakeServer hands every route.

import { STATUS_CODES } from 'node:http';
import { extractUrlsWithIndices } from 'twitter-text';
import {
  createIdSource,
  parseMultipart,
  startFakeServer,
  type Fault,
  type FakeRequest,
  type FakeResponse,
  type FaultMatch,
  type LoggedRequest,
  type StatusFault,
} from './http-util';

export interface MastodonFakeAccount {
  /** Numeric string, as Mastodon's account ids are. */
  id: string;
  username: string;
  displayName?: string;
  accessToken: string;
  /** OAuth scopes granted to the token (default read and write: everything Herold needs). */
  scopes?: string[];
}

export interface MastodonFakeStatus {
  /** Numeric string (snowflake-like, grows with time). */
  id: string;
  accountId: string;
  /** The text as sent (Mastodon's `text` source field). */
  text: string;
  spoilerText: string;
  visibility: string;
  language?: string;
  inReplyToId?: string;
  mediaIds: string[];
  /** ISO 8601 */
  createdAt: string;
  url: string;
  idempotencyKey?: string;
}

export interface MastodonFakeMedia {
  id: string;
  accountId: string;
  type: 'image' | 'video' | 'gifv' | 'audio';
  description?: string;
  filename: string;
  contentType: string;
  size: number;
  /** False while the fake still "processes" it (mediaProcessing 'async'). */
  processed: boolean;
  /** The status it is attached to, once posted. */
  statusId?: string;
}

/** Request log entry: no headers except the Idempotency-Key, so no tokens end up in it. */
export interface MastodonLoggedRequest extends LoggedRequest {
  idempotencyKey?: string;
}

export interface MastodonFakeOptions {
  port?: number;
  host?: string;
  accounts?: MastodonFakeAccount[];
  /** The instance's character limit (configuration.statuses.max_characters), default 500. */
  maxChars?: number;
  /** How long an Idempotency-Key is remembered (default one hour, as Mastodon). */
  idempotencyTtlMs?: number;
  /** 'sync' (default): uploads answer 200, processed. 'async': 202, processed after polling. */
  mediaProcessing?: 'sync' | 'async';
  /** With 'async': how many GET /api/v1/media/:id answer 206 before the media is ready (default 2). */
  processingPolls?: number;
  /** Requests per window: api (default 300 per 5 minutes), media uploads (default 30 per 30 minutes). */
  rateLimits?: Partial<Record<Bucket, number>>;
  /** Shown in /api/v2/instance `domain` (default the host:port the fake listens on). */
  domain?: string;
}

export interface MastodonFake {
  url: string;
  /** Copies of all created statuses, oldest first. */
  readonly statuses: MastodonFakeStatus[];
  /** Copies of all uploaded media, oldest first. */
  readonly media: MastodonFakeMedia[];
  readonly requests: MastodonLoggedRequest[];
  addAccount(account: MastodonFakeAccount): void;
  /** Another access token of a known account (a second application, or a regenerated token). */
  addToken(accountId: string, token: string): void;
  /** The token answers 401 from now on, like a token revoked under Preferences → Development. */
  revoke(token: string): void;
  failNext(fault: Fault, times?: number, match?: FaultMatch): void;
  /** Public URL of a status: `${url}/@${username}/${id}`. */
  urlOf(status: Pick<MastodonFakeStatus, 'id' | 'accountId'>): string;
  /** Forgets statuses, media, idempotency keys, revocations, faults, rate-limit counters and the request log; keeps accounts and their tokens. */
  reset(): void;
  close(): Promise<void>;
}

type Bucket = 'api' | 'media';

const URL_LENGTH = 23;
const MAX_MEDIA = 4;
const DESCRIPTION_LIMIT = 1500;
const MAX_BODY_BYTES = 20 * 1024 * 1024;
const VISIBILITIES = new Set(['public', 'unlisted', 'private', 'direct']);
const WINDOWS: Record<Bucket, { limit: number; periodMs: number }> = {
  api: { limit: 300, periodMs: 5 * 60_000 },
  media: { limit: 30, periodMs: 30 * 60_000 },
};
const DEFAULT_SCOPES = ['read', 'write'];

interface Route {
  bucket: Bucket;
  /** Scopes any of which allows the call; undefined: public (a token is optional). */
  scopes?: string[];
  run(account: MastodonFakeAccount | undefined): FakeResponse;
}

/** Form or JSON parameters: strings, string arrays (`media_ids[]`) and, from JSON, anything. */
type Params = Record<string, unknown>;

export async function startMastodonFake(opts: MastodonFakeOptions = {}): Promise<MastodonFake> {
  const accounts: MastodonFakeAccount[] = [];
  /** Tokens beyond each account's own `accessToken`: token → account id. */
  const moreTokens = new Map<string, string>();
  const revoked = new Set<string>();
  const statuses: MastodonFakeStatus[] = [];
  const media: MastodonFakeMedia[] = [];
  const pendingPolls = new Map<string, number>();
  const idempotency = new Map<string, { statusId: string; expiresAt: number }>();
  const buckets = new Map<string, { count: number; resetAt: number }>();
  const nextId = createIdSource((ms) => ms << 16n);
  const maxChars = opts.maxChars ?? 500;
  const ttlMs = opts.idempotencyTtlMs ?? 3_600_000;
  const processingPolls = opts.processingPolls ?? 2;
  const limits: Record<Bucket, number> = {
    api: opts.rateLimits?.api ?? WINDOWS.api.limit,
    media: opts.rateLimits?.media ?? WINDOWS.media.limit,
  };
  if (!Number.isInteger(maxChars) || maxChars < 1) throw new RangeError('maxChars must be a positive integer');
  let baseUrl = '';

  const addAccount = (account: MastodonFakeAccount): void => {
    if (!/^\d+$/.test(account.id)) throw new Error(`account id must be numeric: ${account.id}`);
    if (accounts.some((a) => a.id === account.id || a.accessToken === account.accessToken) || moreTokens.has(account.accessToken)) {
      throw new Error(`account ${account.id} or its token is already known`);
    }
    accounts.push({ ...account, scopes: account.scopes ?? DEFAULT_SCOPES });
  };
  for (const account of opts.accounts ?? []) addAccount(account);

  const accountById = (id: string): MastodonFakeAccount | undefined => accounts.find((a) => a.id === id);
  const addToken = (accountId: string, token: string): void => {
    if (!accountById(accountId)) throw new Error(`account ${accountId} is not known`);
    if (accounts.some((a) => a.accessToken === token) || moreTokens.has(token)) throw new Error('token is already known');
    moreTokens.set(token, accountId);
  };
  const statusUrl = (s: Pick<MastodonFakeStatus, 'id' | 'accountId'>): string =>
    `${baseUrl}/@${accountById(s.accountId)?.username ?? 'unknown'}/${s.id}`;

  // --- auth and rate limits -------------------------------------------------------------

  function bearer(req: FakeRequest): string | undefined {
    const header = req.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    return match?.[1];
  }

  function accountFor(token: string | undefined): MastodonFakeAccount | undefined {
    if (!token || revoked.has(token)) return undefined;
    const extra = moreTokens.get(token);
    return extra ? accountById(extra) : accounts.find((a) => a.accessToken === token);
  }

  /** Counts the request; headers of the tightest window and whether any window is over. */
  function rateLimit(who: string, route: Route | undefined, exhaustForSeconds?: number) {
    const now = Date.now();
    const names: Bucket[] = route?.bucket === 'media' ? ['api', 'media'] : ['api'];
    let tightest: { limit: number; remaining: number; resetAt: number } | undefined;
    let over = false;
    for (const name of names) {
      const key = `${who}:${name}`;
      const { periodMs } = WINDOWS[name];
      let bucket = buckets.get(key);
      if (!bucket || bucket.resetAt <= now) {
        bucket = { count: 0, resetAt: (Math.floor(now / periodMs) + 1) * periodMs };
        buckets.set(key, bucket);
      }
      bucket.count += 1;
      const limit = limits[name];
      if (exhaustForSeconds !== undefined && name === names[names.length - 1]) {
        // An injected 429: this window is used up until the given time.
        bucket.count = limit + 1;
        bucket.resetAt = now + exhaustForSeconds * 1000;
      }
      if (bucket.count > limit) over = true;
      const remaining = Math.max(0, limit - bucket.count);
      if (!tightest || remaining < tightest.remaining) tightest = { limit, remaining, resetAt: bucket.resetAt };
    }
    const t = tightest ?? { limit: limits.api, remaining: limits.api, resetAt: now };
    return {
      over,
      headers: {
        'x-ratelimit-limit': String(t.limit),
        'x-ratelimit-remaining': String(t.remaining),
        'x-ratelimit-reset': new Date(t.resetAt).toISOString(),
      },
    };
  }

  // --- routes ---------------------------------------------------------------------------

  function route(req: FakeRequest): Route | undefined {
    const { method, path } = req;
    if (method === 'GET' && path === '/api/v1/accounts/verify_credentials') {
      return { bucket: 'api', scopes: ['read', 'read:accounts', 'profile'], run: (a) => ok(200, renderAccount(a!)) };
    }
    if (method === 'GET' && (path === '/api/v2/instance' || path === '/api/v1/instance')) {
      return { bucket: 'api', run: () => ok(200, renderInstance()) };
    }
    if (method === 'POST' && path === '/api/v1/statuses') {
      return { bucket: 'api', scopes: ['write', 'write:statuses'], run: (a) => createStatus(req, a!) };
    }
    if (method === 'POST' && (path === '/api/v2/media' || path === '/api/v1/media')) {
      return { bucket: 'media', scopes: ['write', 'write:media'], run: (a) => uploadMedia(req, a!, path === '/api/v1/media') };
    }
    const mediaItem = /^\/api\/v1\/media\/([^/]+)$/.exec(path);
    if (method === 'GET' && mediaItem) {
      return { bucket: 'api', scopes: ['write', 'write:media'], run: (a) => showMedia(decodeURIComponent(mediaItem[1] ?? ''), a!) };
    }
    const statusItem = /^\/api\/v1\/statuses\/([^/]+)$/.exec(path);
    if (method === 'GET' && statusItem) {
      return { bucket: 'api', run: () => showStatus(decodeURIComponent(statusItem[1] ?? '')) };
    }
    const timeline = /^\/api\/v1\/accounts\/([^/]+)\/statuses$/.exec(path);
    if (method === 'GET' && timeline) {
      return { bucket: 'api', run: () => listStatuses(req, decodeURIComponent(timeline[1] ?? '')) };
    }
    return undefined;
  }

  function handle(req: FakeRequest): FakeResponse {
    const found = route(req);
    const token = bearer(req);
    const account = accountFor(token);
    const limit = rateLimit(account ? `account:${account.id}` : 'client', found);
    if (!found) return withHeaders(error(404, 'Record not found'), limit.headers);
    // A wrong token is refused even on public endpoints, as Doorkeeper does.
    if (token && !account) return withHeaders(error(401, 'The access token is invalid'), limit.headers);
    if (found.scopes) {
      if (!account) return withHeaders(error(401, 'This method requires an authenticated user'), limit.headers);
      const granted = account.scopes ?? DEFAULT_SCOPES;
      if (!found.scopes.some((s) => granted.includes(s))) {
        return withHeaders(error(403, 'This action is outside the authorized scopes'), limit.headers);
      }
    }
    if (limit.over) return withHeaders(error(429, 'Too many requests'), limit.headers);
    return withHeaders(found.run(account), limit.headers);
  }

  function createStatus(req: FakeRequest, account: MastodonFakeAccount): FakeResponse {
    const params = parseParams(req);
    if (!params) return error(400, 'Error occurred while parsing request parameters');
    const key = headerValue(req.headers['idempotency-key']);
    const now = Date.now();
    for (const [k, entry] of idempotency) if (entry.expiresAt <= now) idempotency.delete(k);
    if (key) {
      // PostStatusService looks the key up first: a repeat gets the original, whatever it carries.
      const known = idempotency.get(`${account.id}:${key}`);
      const original = known && statuses.find((s) => s.id === known.statusId);
      if (original) return ok(200, renderStatus(original));
    }

    const text = params.status;
    const spoiler = params.spoiler_text;
    const visibility = params.visibility ?? 'public';
    const language = params.language;
    const replyTo = params.in_reply_to_id;
    if (text !== undefined && typeof text !== 'string') return error(422, 'Validation failed: Text is invalid');
    if (spoiler !== undefined && typeof spoiler !== 'string') return error(422, 'Validation failed: Spoiler text is invalid');
    if (typeof visibility !== 'string' || !VISIBILITIES.has(visibility)) {
      return error(422, 'Validation failed: Visibility is not included in the list');
    }
    if (language !== undefined && language !== null && typeof language !== 'string') return error(422, 'Validation failed: Language is invalid');

    let parent: MastodonFakeStatus | undefined;
    if (replyTo !== undefined && replyTo !== null && replyTo !== '') {
      parent = statuses.find((s) => s.id === String(replyTo));
      if (!parent) return error(404, 'The post you are trying to reply to does not appear to exist.');
    }

    const rawIds = params.media_ids ?? [];
    const ids = (Array.isArray(rawIds) ? rawIds : [rawIds]).map(String);
    if (ids.length > MAX_MEDIA) return error(422, `Cannot attach more than ${MAX_MEDIA} files`);
    const attached = ids.map((id) => media.find((m) => m.id === id && m.accountId === account.id && !m.statusId));
    const missing = ids.filter((_, i) => !attached[i]);
    if (missing.length > 0) return error(422, `Media ${missing.join(', ')} not found or already attached to another post`);
    if (attached.some((m) => m && !m.processed)) {
      return error(422, 'Cannot attach files that have not finished processing. Try again in a moment!');
    }

    const body = text ?? '';
    if (body.trim() === '' && ids.length === 0) return error(422, "Validation failed: Text can't be blank");
    if (countableLength((spoiler ?? '') + body) > maxChars) {
      return error(422, `Validation failed: Text character limit of ${maxChars} exceeded`);
    }

    const id = nextId().toString();
    const status: MastodonFakeStatus = {
      id,
      accountId: account.id,
      text: body,
      spoilerText: spoiler ?? '',
      visibility,
      ...(typeof language === 'string' && language ? { language } : {}),
      ...(parent ? { inReplyToId: parent.id } : {}),
      mediaIds: ids,
      createdAt: new Date(now).toISOString(),
      url: '',
      ...(key ? { idempotencyKey: key } : {}),
    };
    status.url = statusUrl(status);
    statuses.push(status);
    for (const m of attached) if (m) m.statusId = id;
    if (key) idempotency.set(`${account.id}:${key}`, { statusId: id, expiresAt: now + ttlMs });
    return ok(200, renderStatus(status));
  }

  function uploadMedia(req: FakeRequest, account: MastodonFakeAccount, v1: boolean): FakeResponse {
    const type = String(req.headers['content-type'] ?? '');
    const form = type.toLowerCase().startsWith('multipart/form-data') ? parseMultipart(req.raw, type) : undefined;
    const file = form?.files.get('file');
    if (!file) return error(422, "Validation failed: File can't be blank");
    const description = form?.fields.get('description')?.[0];
    const kind = mediaType(file.contentType);
    if (!kind) return error(422, 'Validation failed: File content type is invalid, File is invalid');
    if (description !== undefined && [...description].length > DESCRIPTION_LIMIT) {
      return error(422, `Validation failed: Description is too long (maximum is ${DESCRIPTION_LIMIT} characters)`);
    }
    const async = !v1 && opts.mediaProcessing === 'async';
    const item: MastodonFakeMedia = {
      id: nextId().toString(),
      accountId: account.id,
      type: kind,
      ...(description !== undefined ? { description } : {}),
      filename: file.filename,
      contentType: file.contentType,
      size: file.bytes.length,
      processed: !async,
    };
    media.push(item);
    if (async) pendingPolls.set(item.id, processingPolls);
    return ok(async ? 202 : 200, renderMedia(item));
  }

  function showMedia(id: string, account: MastodonFakeAccount): FakeResponse {
    const item = media.find((m) => m.id === id && m.accountId === account.id);
    if (!item) return error(404, 'Record not found');
    if (!item.processed) {
      const left = pendingPolls.get(id) ?? 0;
      if (left > 0) {
        pendingPolls.set(id, left - 1);
        return ok(206, renderMedia(item));
      }
      item.processed = true;
      pendingPolls.delete(id);
    }
    return ok(200, renderMedia(item));
  }

  function showStatus(id: string): FakeResponse {
    const status = statuses.find((s) => s.id === id);
    return status ? ok(200, renderStatus(status)) : error(404, 'Record not found');
  }

  function listStatuses(req: FakeRequest, accountId: string): FakeResponse {
    if (!accountById(accountId)) return error(404, 'Record not found');
    const limit = Math.min(40, Math.max(1, Number(req.query.get('limit') ?? 20) || 20));
    const maxId = req.query.get('max_id');
    const sinceId = req.query.get('since_id');
    const excludeReplies = req.query.get('exclude_replies') === 'true';
    const list = statuses
      .filter((s) => s.accountId === accountId)
      .filter((s) => !maxId || BigInt(s.id) < BigInt(maxId))
      .filter((s) => !sinceId || BigInt(s.id) > BigInt(sinceId))
      .filter((s) => !excludeReplies || !s.inReplyToId)
      .reverse()
      .slice(0, limit);
    return ok(200, list.map(renderStatus));
  }

  function faultAnswer(fault: StatusFault, req: FakeRequest): FakeResponse {
    const found = route(req);
    const account = accountFor(bearer(req));
    const is429 = fault.status === 429;
    const { headers } = rateLimit(account ? `account:${account.id}` : 'client', found, is429 ? (fault.resetInSeconds ?? 300) : undefined);
    if (fault.body !== undefined) return withHeaders({ status: fault.status, body: fault.body }, headers);
    if (is429) return withHeaders(error(429, 'Too many requests'), headers);
    if (fault.status === 401) return withHeaders(error(401, 'The access token is invalid'), headers);
    if (fault.status === 403) return withHeaders(error(403, 'This action is outside the authorized scopes'), headers);
    if (fault.status === 404) return withHeaders(error(404, 'Record not found'), headers);
    if (fault.status === 422) return withHeaders(error(422, `Validation failed: Text character limit of ${maxChars} exceeded`), headers);
    if (fault.status === 502 || fault.status === 503 || fault.status === 504) {
      const title = `${fault.status} ${STATUS_CODES[fault.status] ?? 'Error'}`;
      return withHeaders(
        { status: fault.status, contentType: 'text/html', body: `<html><head><title>${title}</title></head><body><center><h1>${title}</h1></center><hr><center>nginx</center></body></html>` },
        headers,
      );
    }
    return withHeaders(error(fault.status, STATUS_CODES[fault.status] ?? 'Error'), headers);
  }

  // --- rendering ------------------------------------------------------------------------

  function renderAccount(a: MastodonFakeAccount): Record<string, unknown> {
    return {
      id: a.id,
      username: a.username,
      acct: a.username,
      display_name: a.displayName ?? a.username,
      locked: false,
      bot: false,
      discoverable: true,
      group: false,
      created_at: '2023-01-01T00:00:00.000Z',
      note: '',
      url: `${baseUrl}/@${a.username}`,
      avatar: `${baseUrl}/avatars/original/missing.png`,
      header: `${baseUrl}/headers/original/missing.png`,
      followers_count: 0,
      following_count: 0,
      statuses_count: statuses.filter((s) => s.accountId === a.id).length,
      emojis: [],
      fields: [],
      source: { privacy: 'public', sensitive: false, language: 'de', note: '', fields: [] },
    };
  }

  function renderInstance(): Record<string, unknown> {
    return {
      domain: opts.domain ?? new URL(baseUrl).host,
      title: 'Mastodon (fake)',
      version: '4.3.0',
      source_url: 'https://github.com/mastodon/mastodon',
      description: 'Loopback stand-in for tests',
      languages: ['de'],
      configuration: {
        urls: { streaming: baseUrl.replace(/^http/, 'ws') },
        accounts: { max_featured_tags: 10 },
        statuses: { max_characters: maxChars, max_media_attachments: MAX_MEDIA, characters_reserved_per_url: URL_LENGTH },
        media_attachments: {
          supported_mime_types: ['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/avif', 'video/mp4', 'audio/mpeg'],
          image_size_limit: 16_777_216,
          image_matrix_limit: 33_177_600,
          video_size_limit: 103_809_024,
          description_limit: DESCRIPTION_LIMIT,
        },
        polls: { max_options: 4, max_characters_per_option: 50, min_expiration: 300, max_expiration: 2_629_746 },
      },
      registrations: { enabled: false, approval_required: true },
      contact: { email: 'presse@example.org' },
      rules: [],
    };
  }

  function renderMedia(m: MastodonFakeMedia): Record<string, unknown> {
    const file = `${baseUrl}/system/media_attachments/files/${m.id}/original/${encodeURIComponent(m.filename)}`;
    return {
      id: m.id,
      type: m.type,
      url: m.processed ? file : null,
      preview_url: `${baseUrl}/system/media_attachments/files/${m.id}/small/${encodeURIComponent(m.filename)}`,
      remote_url: null,
      text_url: null,
      meta: {},
      description: m.description ?? null,
      blurhash: null,
    };
  }

  function renderStatus(s: MastodonFakeStatus): Record<string, unknown> {
    const account = accountById(s.accountId);
    const parent = s.inReplyToId ? statuses.find((p) => p.id === s.inReplyToId) : undefined;
    return {
      id: s.id,
      created_at: s.createdAt,
      in_reply_to_id: s.inReplyToId ?? null,
      in_reply_to_account_id: parent?.accountId ?? null,
      sensitive: s.spoilerText !== '',
      spoiler_text: s.spoilerText,
      visibility: s.visibility,
      language: s.language ?? null,
      uri: `${baseUrl}/users/${account?.username ?? 'unknown'}/statuses/${s.id}`,
      url: s.url,
      replies_count: statuses.filter((r) => r.inReplyToId === s.id).length,
      reblogs_count: 0,
      favourites_count: 0,
      edited_at: null,
      content: toHtml(s.text, baseUrl),
      reblog: null,
      application: { name: 'Herold', website: null },
      account: account ? renderAccount(account) : null,
      media_attachments: s.mediaIds.flatMap((id) => {
        const m = media.find((x) => x.id === id);
        return m ? [renderMedia(m)] : [];
      }),
      mentions: [],
      tags: [],
      emojis: [],
      card: null,
      poll: null,
    };
  }

  // --- server ---------------------------------------------------------------------------

  const server = await startFakeServer<MastodonLoggedRequest>({
    port: opts.port,
    host: opts.host,
    handle,
    faultAnswer,
    internalError: () => error(500, 'Internal Server Error'),
    maxBodyBytes: MAX_BODY_BYTES,
    tooLarge: () => error(413, 'Request Entity Too Large'),
    logFields: ({ headers }) => {
      const key = headerValue(headers['idempotency-key']);
      return key ? { idempotencyKey: key } : {};
    },
  });
  baseUrl = server.url;

  return {
    url: baseUrl,
    get statuses() {
      return statuses.map((s) => ({ ...s, mediaIds: [...s.mediaIds] }));
    },
    get media() {
      return media.map((m) => ({ ...m }));
    },
    get requests() {
      return server.requests.map((r) => ({ ...r }));
    },
    addAccount,
    addToken,
    revoke: (token) => {
      revoked.add(token);
    },
    failNext: (fault, times = 1, match) => server.faults.add(fault, times, match),
    urlOf: statusUrl,
    reset: () => {
      statuses.length = 0;
      media.length = 0;
      pendingPolls.clear();
      idempotency.clear();
      revoked.clear();
      buckets.clear();
      server.faults.clear();
      server.requests.length = 0;
    },
    close: () => server.close(),
  };
}

// --- length as Mastodon counts it --------------------------------------------------------

const WORD = '\\p{L}\\p{M}\\p{N}\\p{Pc}';
// Account::MENTION_RE: @user or @user@domain, not after "=", "/" or a word character.
const MENTION_RE = new RegExp(`(?<![=/${WORD}])@([a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)(?:@[${WORD}]+(?:[.-]+[${WORD}]+)*)?`, 'giu');
const segmenter = new Intl.Segmenter('de', { granularity: 'grapheme' });

interface Entity {
  start: number;
  end: number;
  kind: 'url' | 'mention';
  /** The URL, or the mention's local username. */
  value: string;
}

/** URLs (with protocol) and mentions, overlapping ones dropped in favour of the earlier (Extractor). */
function entitiesOf(text: string): Entity[] {
  const entities: Entity[] = [];
  for (const { url, indices } of extractUrlsWithIndices(text, { extractUrlsWithoutProtocol: false })) {
    entities.push({ start: indices[0], end: indices[1], kind: 'url', value: url });
  }
  for (const match of text.matchAll(MENTION_RE)) {
    const start = match.index ?? 0;
    const end = start + match[0].length;
    // Twitter::TwitterText::Regex[:end_mention_match]: not a mention if "@" or "://" follows.
    if (/^(?:@|:\/\/)/.test(text.slice(end))) continue;
    entities.push({ start, end, kind: 'mention', value: match[1] ?? '' });
  }
  entities.sort((a, b) => a.start - b.start);
  const kept: Entity[] = [];
  for (const e of entities) if (e.start >= (kept.at(-1)?.end ?? 0)) kept.push(e);
  return kept;
}

/** `text` with each entity replaced; plain stretches passed through `plain`. */
function rewrite(text: string, replace: (e: Entity) => string, plain: (s: string) => string = (s) => s): string {
  let out = '';
  let at = 0;
  for (const e of entitiesOf(text)) {
    out += plain(text.slice(at, e.start)) + replace(e);
    at = e.end;
  }
  return out + plain(text.slice(at));
}

/**
 * StatusLengthValidator#countable_text: URLs (with protocol) become 23 characters, mentions only
 * their local part; then grapheme clusters are counted.
 */
export function countableLength(text: string): number {
  const countable = rewrite(text, (e) => (e.kind === 'url' ? 'x'.repeat(URL_LENGTH) : `@${e.value}`));
  let count = 0;
  for (const _ of segmenter.segment(countable)) count++;
  return count;
}

/**
 * Roughly Mastodon's TextFormatter: paragraphs and line breaks, links with their hidden parts in
 * "invisible" spans (display cut after 30 characters), mentions showing only the username.
 */
function toHtml(text: string, base: string): string {
  const html = rewrite(
    text,
    (e) => {
      if (e.kind === 'mention') {
        return `<span class="h-card" translate="no"><a href="${escapeHtml(`${base}/@${e.value}`)}" class="u-url mention">@<span>${escapeHtml(e.value)}</span></a></span>`;
      }
      const prefix = /^https?:\/\/(?:www\.)?/i.exec(e.value)?.[0] ?? '';
      const display = e.value.slice(prefix.length);
      const shown =
        display.length > 30
          ? `<span class="ellipsis">${escapeHtml(display.slice(0, 30))}</span><span class="invisible">${escapeHtml(display.slice(30))}</span>`
          : `<span class="">${escapeHtml(display)}</span>`;
      return `<a href="${escapeHtml(e.value)}" target="_blank" rel="nofollow noopener" translate="no"><span class="invisible">${escapeHtml(prefix)}</span>${shown}</a>`;
    },
    escapeHtml,
  );
  return html
    .split(/\n{2,}/)
    .map((p) => `<p>${p.replace(/\n/g, '<br />')}</p>`)
    .join('');
}

// --- helpers -----------------------------------------------------------------------------

function ok(status: number, body: unknown): FakeResponse {
  return { status, body };
}

function error(status: number, message: string): FakeResponse {
  return { status, body: { error: message } };
}

function withHeaders(answer: FakeResponse, headers: Record<string, string>): FakeResponse {
  return { ...answer, headers: { ...answer.headers, ...headers } };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v && v.trim() !== '' ? v : undefined;
}

/** JSON object, url-encoded or multipart form fields (`name[]` collected into arrays); undefined if unparseable. */
function parseParams(req: FakeRequest): Params | undefined {
  const type = String(req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const text = req.raw.toString('utf8');
  if (text.trim() === '') return {};
  if (type === 'application/json' || type.endsWith('+json')) {
    try {
      const value: unknown = JSON.parse(text);
      return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Params) : undefined;
    } catch {
      return undefined;
    }
  }
  let pairs: [string, string][];
  if (type === 'application/x-www-form-urlencoded') pairs = [...new URLSearchParams(text)];
  else if (type === 'multipart/form-data') {
    const form = parseMultipart(req.raw, String(req.headers['content-type']));
    if (!form) return undefined;
    pairs = [...form.fields].flatMap(([k, values]) => values.map((v): [string, string] => [k, v]));
  } else return undefined;
  const params: Params = {};
  for (const [k, v] of pairs) {
    if (k.endsWith('[]')) {
      const name = k.slice(0, -2);
      const list = Array.isArray(params[name]) ? (params[name] as string[]) : [];
      list.push(v);
      params[name] = list;
    } else params[k] = v;
  }
  return params;
}

function mediaType(contentType: string): MastodonFakeMedia['type'] | undefined {
  if (contentType === 'image/gif') return 'gifv';
  if (/^image\/(jpeg|png|webp|avif|heic|heif)$/.test(contentType)) return 'image';
  if (/^video\/(mp4|webm|quicktime)$/.test(contentType)) return 'video';
  if (/^audio\/(mpeg|mp3|ogg|wav|flac|aac|mp4)$/.test(contentType)) return 'audio';
  return undefined;
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
