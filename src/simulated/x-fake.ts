// A loopback stand-in for the parts of the X API v2 that Herold uses: posting (threads as
// reply chains, with images), chunked media upload with alt text, "who am I", a user's recent
// posts and the OAuth 2 refresh-token grant. It verifies OAuth 1.0a signatures for real and
// answers with X's problem-details bodies and rate-limit headers, so the adapter's signing and
// error sorting are exercised. Used by the contract tests and the demo mode.
//
// Faithfulness notes:
// - OAuth 1.0a signatures are checked over `signatureBaseUrl` (default https://api.x.com) +
//   the request path, because clients sign the public URL even when sent elsewhere.
// - Every answer carries x-rate-limit-limit/-remaining/-reset (Unix seconds), counted per user
//   and endpoint in 15-minute windows; exhausting one answers 429 like X does.
// - An injected `{status: 429, resetInSeconds}` sets x-rate-limit-remaining 0 and the reset.
// - With `dailyTweetLimit`, POST /2/tweets also carries x-user-limit-24hour-* headers and
//   answers 429 once the user's 24-hour allowance is used up, while the 15-minute window
//   still shows requests remaining (as X does).
// - The text limit is twitter-text's weighted length (280); longer posts need X Premium,
//   which the fake does not model. Texts are stored and returned verbatim: real X shortens
//   URLs to t.co links, escapes &, < and >, and appends a t.co link for attached media.
// - Media upload (POST /2/media/upload/initialize, /{id}/append, /{id}/finalize,
//   GET /2/media/upload?command=STATUS, POST /2/media/metadata): media belong to the user
//   who initialised them (plus additional_owners) and expire after `mediaLifetimeSeconds`;
//   POST /2/tweets refuses media ids that are unknown, unfinalised, expired or someone else's.
//   Appends come as multipart/form-data (`media` as bytes, `segment_index`; what twitter-api-v2
//   sends) or as JSON (`media` base64); the fake keeps every segment's bytes as received, and
//   finalize checks that the segments are 0…n-1 and add up to total_bytes.
// - OAuth 2: tokens issued with `issueOAuth2Tokens` (standing in for the authorization-code
//   flow) expire; POST /2/oauth2/token with grant_type=refresh_token rotates the pair, and a
//   used refresh token is refused with 400 invalid_request. Confidential clients (with a
//   secret) must authenticate with HTTP Basic; public clients send client_id in the form.
//   Scopes are not modelled.

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { parseTweet } from 'twitter-text';
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

export interface XFakeUser {
  userId: string;
  username: string;
  name?: string;
  /** OAuth 1.0a: consumer keys of the app plus this user's access token and secret. */
  appKey?: string;
  appSecret?: string;
  accessToken?: string;
  accessSecret?: string;
  /** OAuth 2.0 user-context bearer token that never expires (see issueOAuth2Tokens for expiring ones). */
  bearerToken?: string;
}

export interface XFakeTweet {
  /** Numeric string (snowflake-like, grows with time). */
  id: string;
  text: string;
  authorId: string;
  /** ISO 8601, e.g. 2024-05-01T12:00:00.000Z */
  createdAt: string;
  conversationId: string;
  inReplyToTweetId?: string;
  inReplyToUserId?: string;
  mediaIds?: string[];
}

/** An OAuth 2 client (an app's "Client ID" and, for confidential clients, its secret). */
export interface XFakeOAuthClient {
  clientId: string;
  clientSecret?: string;
}

export interface XFakeTokenPair {
  accessToken: string;
  refreshToken: string;
  /** Seconds the access token lives, as the token endpoint reports it. */
  expiresIn: number;
  /** ISO 8601 */
  expiresAt: string;
}

export interface XFakeMedia {
  /** Numeric string, the media_id for POST /2/tweets. */
  id: string;
  /** `3_{id}` as X reports images. */
  mediaKey: string;
  ownerId: string;
  additionalOwners: string[];
  mediaType: string;
  mediaCategory?: string;
  totalBytes: number;
  /** One entry per append, in the order they arrived. */
  segments: { index: number; bytes: number }[];
  /** The file as uploaded: the segments' bytes in index order. */
  data: Buffer;
  finalized: boolean;
  altText?: string;
  /** ISO 8601 */
  expiresAt: string;
}

export type XEndpoint = 'tweets' | 'me' | 'timeline' | 'lookup' | 'media';

export interface XFakeOptions {
  port?: number;
  host?: string;
  users?: XFakeUser[];
  signatureBaseUrl?: string;
  /** The same text again within this window is refused as duplicate content (default 24 h). */
  duplicateWindowMs?: number;
  /** Allowed clock skew of oauth_timestamp (default 300 s). */
  timestampToleranceSeconds?: number;
  /** Requests per user and 15-minute window. */
  rateLimits?: Partial<Record<XEndpoint, number>>;
  /** POST /2/tweets requests per user and 24 hours; unlimited (and no 24-hour headers) when unset. */
  dailyTweetLimit?: number;
  oauth2Clients?: XFakeOAuthClient[];
  /** Lifetime of access tokens issued by the token endpoint (default 7200 s, as X). */
  accessTokenLifetimeSeconds?: number;
  /** How long uploaded media can be attached (default 86,400 s). */
  mediaLifetimeSeconds?: number;
}

export interface XFake {
  url: string;
  /** Copies of all created tweets, oldest first. */
  readonly tweets: XFakeTweet[];
  tweetsOf(userId: string): XFakeTweet[];
  /** Copies of all media uploads, oldest first. */
  readonly media: XFakeMedia[];
  readonly requests: LoggedRequest[];
  /**
   * A user and their tokens; the same userId again adds more tokens of that account. Every call
   * answers as the user whose token it carries (GET /2/users/me included).
   */
  addUser(user: XFakeUser): void;
  addOAuth2Client(client: XFakeOAuthClient): void;
  /**
   * An access/refresh token pair for the user, as the authorization-code flow would hand it out.
   * `expiresInSeconds` (default accessTokenLifetimeSeconds) may be 0 or negative: already expired.
   */
  issueOAuth2Tokens(userId: string, clientId: string, opts?: { expiresInSeconds?: number }): XFakeTokenPair;
  /** An OAuth 1.0a access token or OAuth 2 bearer token that answers 401 from now on. */
  revokeToken(token: string): void;
  failNext(fault: Fault, times?: number, match?: FaultMatch): void;
  /** Public URL of a tweet, as X shows it. */
  urlOf(tweet: Pick<XFakeTweet, 'id' | 'authorId'>): string;
  /**
   * Forgets tweets, media, issued OAuth 2 tokens, revocations, faults, rate-limit counters,
   * nonces and the request log; keeps users and OAuth 2 clients.
   */
  reset(): void;
  close(): Promise<void>;
}

const WINDOW_MS = 15 * 60_000;
const DAY_MS = 24 * 3_600_000;
const DEFAULT_LIMITS: Record<XEndpoint, number> = { tweets: 100, me: 75, timeline: 900, lookup: 900, media: 500 };
const TWEET_FIELDS = new Set([
  'id',
  'text',
  'created_at',
  'author_id',
  'conversation_id',
  'in_reply_to_user_id',
  'referenced_tweets',
  'edit_history_tweet_ids',
  'attachments',
]);
// Milliseconds at which X's snowflake ids start counting.
const TWITTER_EPOCH = 1_288_834_974_657n;
const TOKEN_PATH = '/2/oauth2/token';
const MAX_ALT_TEXT = 1000;
const MEDIA_LIMITS: Record<string, number> = {
  'image/jpeg': 5 * 1024 * 1024,
  'image/png': 5 * 1024 * 1024,
  'image/webp': 5 * 1024 * 1024,
  'image/bmp': 5 * 1024 * 1024,
  'image/pjpeg': 5 * 1024 * 1024,
  'image/tiff': 5 * 1024 * 1024,
  'image/gif': 15 * 1024 * 1024,
  'video/mp4': 512 * 1024 * 1024,
  'video/quicktime': 512 * 1024 * 1024,
};
const MEDIA_CATEGORIES = new Set(['tweet_image', 'tweet_gif', 'tweet_video', 'amplify_video', 'dm_image', 'dm_gif', 'dm_video', 'subtitles']);
const OAUTH2_SCOPE = 'tweet.read tweet.write users.read offline.access media.write';

interface Route {
  endpoint: XEndpoint;
  run(user: XFakeUser): FakeResponse;
}

interface IssuedAccessToken {
  userId: string;
  clientId: string;
  expiresAt: number;
}

interface IssuedRefreshToken {
  userId: string;
  clientId: string;
  used: boolean;
}

export async function startXFake(opts: XFakeOptions = {}): Promise<XFake> {
  const users: XFakeUser[] = [];
  const clients = new Map<string, XFakeOAuthClient>();
  const accessTokens = new Map<string, IssuedAccessToken>();
  const refreshTokens = new Map<string, IssuedRefreshToken>();
  const revoked = new Set<string>();
  const tweets: XFakeTweet[] = [];
  const media = new Map<string, XFakeMedia>();
  /** Bytes of each appended segment, by `${mediaId}:${segmentIndex}`. */
  const segmentData = new Map<string, Buffer>();
  const nonces = new Map<string, number>(); // nonce → expiry (ms)
  const buckets = new Map<string, { count: number; resetAt: number }>();
  const nextId = createIdSource((ms) => (ms - TWITTER_EPOCH) << 22n);
  const signatureBase = (opts.signatureBaseUrl ?? 'https://api.x.com').replace(/\/+$/, '');
  const duplicateWindowMs = opts.duplicateWindowMs ?? 24 * 3_600_000;
  const toleranceMs = (opts.timestampToleranceSeconds ?? 300) * 1000;
  const limits = { ...DEFAULT_LIMITS, ...opts.rateLimits };
  const tokenLifetime = opts.accessTokenLifetimeSeconds ?? 7200;
  const mediaLifetime = opts.mediaLifetimeSeconds ?? 86_400;

  const addUser = (user: XFakeUser): void => {
    users.push({ ...user });
  };
  for (const user of opts.users ?? []) addUser(user);
  const addOAuth2Client = (client: XFakeOAuthClient): void => {
    clients.set(client.clientId, { ...client });
  };
  for (const client of opts.oauth2Clients ?? []) addOAuth2Client(client);

  const userById = (id: string): XFakeUser | undefined => users.find((u) => u.userId === id);

  function issueTokens(userId: string, clientId: string, expiresInSeconds = tokenLifetime): XFakeTokenPair {
    const accessToken = `${randomBytes(24).toString('base64url')}:${Date.now()}:1:0:at:1`;
    const refreshToken = `${randomBytes(24).toString('base64url')}:${Date.now()}:1:0:rt:1`;
    const expiresAt = Date.now() + expiresInSeconds * 1000;
    accessTokens.set(accessToken, { userId, clientId, expiresAt });
    refreshTokens.set(refreshToken, { userId, clientId, used: false });
    return { accessToken, refreshToken, expiresIn: expiresInSeconds, expiresAt: new Date(expiresAt).toISOString() };
  }

  function authenticate(req: FakeRequest): XFakeUser | undefined {
    const header = req.headers.authorization ?? '';
    const bearer = /^Bearer\s+(\S+)$/i.exec(header);
    if (bearer) {
      const token = bearer[1] ?? '';
      if (revoked.has(token)) return undefined;
      const issued = accessTokens.get(token);
      if (issued) return issued.expiresAt > Date.now() ? userById(issued.userId) : undefined;
      return users.find((u) => u.bearerToken === token);
    }
    if (/^OAuth\s/i.test(header)) return verifyOAuth1(req, header);
    return undefined;
  }

  function verifyOAuth1(req: FakeRequest, header: string): XFakeUser | undefined {
    const oauth = parseOAuthHeader(header);
    const signature = oauth.get('oauth_signature');
    const consumerKey = oauth.get('oauth_consumer_key');
    const token = oauth.get('oauth_token');
    const nonce = oauth.get('oauth_nonce');
    const timestamp = Number(oauth.get('oauth_timestamp'));
    if (!signature || !consumerKey || !token || !nonce || !Number.isFinite(timestamp)) return undefined;
    if (oauth.get('oauth_signature_method') !== 'HMAC-SHA1') return undefined;
    if ((oauth.get('oauth_version') ?? '1.0') !== '1.0') return undefined;

    const now = Date.now();
    if (Math.abs(now - timestamp * 1000) > toleranceMs) return undefined;
    const user = users.find((u) => u.appKey === consumerKey && u.accessToken === token);
    if (!user?.appSecret || !user.accessSecret || revoked.has(token)) return undefined;

    // Signature base string per RFC 5849 §3.4.1: oauth_* header params, query and form params.
    const pairs: [string, string][] = [];
    for (const [k, v] of oauth) if (k !== 'oauth_signature' && k !== 'realm') pairs.push([k, v]);
    for (const [k, v] of req.query) pairs.push([k, v]);
    const contentType = req.headers['content-type'] ?? '';
    if (contentType.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
      for (const [k, v] of Object.entries(req.body)) pairs.push([k, String(v)]);
    }
    const paramString = pairs
      .map(([k, v]) => [percentEncode(k), percentEncode(v)] as const)
      .sort(([ak, av], [bk, bv]) => (ak === bk ? compare(av, bv) : compare(ak, bk)))
      .map(([k, v]) => `${k}=${v}`)
      .join('&');
    const base = [req.method, percentEncode(signatureBase + req.path), percentEncode(paramString)].join('&');
    const key = `${percentEncode(user.appSecret)}&${percentEncode(user.accessSecret)}`;
    const expected = createHmac('sha1', key).update(base).digest();
    const given = Buffer.from(signature, 'base64');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;

    // A replayed nonce is refused like a bad signature (checked only once it is authentic).
    for (const [n, expiry] of nonces) if (expiry < now) nonces.delete(n);
    const nonceKey = `${consumerKey}:${token}:${nonce}`;
    if (nonces.has(nonceKey)) return undefined;
    nonces.set(nonceKey, now + 2 * toleranceMs);
    return user;
  }

  /** Counts the request in the user's window for that endpoint; returns headers and whether it is over. */
  function rateLimit(userKey: string, endpoint: XEndpoint, resetInSeconds?: number) {
    const now = Date.now();
    const key = `${userKey}:${endpoint}`;
    let bucket = buckets.get(key);
    if (!bucket || bucket.resetAt <= now) {
      bucket = { count: 0, resetAt: now + WINDOW_MS };
      buckets.set(key, bucket);
    }
    bucket.count += 1;
    const limit = limits[endpoint];
    if (resetInSeconds !== undefined) {
      // An injected 429: the window is exhausted until the given time.
      bucket.count = limit + 1;
      bucket.resetAt = now + resetInSeconds * 1000;
    }
    const remaining = Math.max(0, limit - bucket.count);
    return {
      over: bucket.count > limit,
      headers: {
        'x-rate-limit-limit': String(limit),
        'x-rate-limit-remaining': String(remaining),
        'x-rate-limit-reset': String(Math.ceil(bucket.resetAt / 1000)),
      },
    };
  }

  /** The user's 24-hour allowance for POST /2/tweets, when one is configured. */
  function dailyLimit(userId: string): { over: boolean; headers: Record<string, string> } {
    const limit = opts.dailyTweetLimit;
    if (limit === undefined) return { over: false, headers: {} };
    const now = Date.now();
    const key = `${userId}:tweets-24h`;
    let bucket = buckets.get(key);
    if (!bucket || bucket.resetAt <= now) {
      bucket = { count: 0, resetAt: now + DAY_MS };
      buckets.set(key, bucket);
    }
    bucket.count += 1;
    return {
      over: bucket.count > limit,
      headers: {
        'x-user-limit-24hour-limit': String(limit),
        'x-user-limit-24hour-remaining': String(Math.max(0, limit - bucket.count)),
        'x-user-limit-24hour-reset': String(Math.ceil(bucket.resetAt / 1000)),
      },
    };
  }

  function route(req: FakeRequest): Route | undefined {
    const { method, path } = req;
    if (method === 'POST' && path === '/2/tweets') return { endpoint: 'tweets', run: (u) => createTweet(req, u) };
    if (method === 'GET' && path === '/2/users/me') {
      return {
        endpoint: 'me',
        run: (u) => ok(200, { data: { id: u.userId, name: u.name ?? u.username, username: u.username } }),
      };
    }
    const timeline = /^\/2\/users\/([^/]+)\/tweets$/.exec(path);
    if (method === 'GET' && timeline) {
      return { endpoint: 'timeline', run: () => listTweets(req, decodeURIComponent(timeline[1] ?? '')) };
    }
    const lookup = /^\/2\/tweets\/([^/]+)$/.exec(path);
    if (method === 'GET' && lookup) {
      return { endpoint: 'lookup', run: () => lookupTweet(req, decodeURIComponent(lookup[1] ?? '')) };
    }
    if (method === 'POST' && path === '/2/media/upload/initialize') {
      return { endpoint: 'media', run: (u) => initializeUpload(req, u) };
    }
    const upload = /^\/2\/media\/upload\/([^/]+)\/(append|finalize)$/.exec(path);
    if (method === 'POST' && upload) {
      const id = decodeURIComponent(upload[1] ?? '');
      return { endpoint: 'media', run: (u) => (upload[2] === 'append' ? appendUpload(req, u, id) : finalizeUpload(u, id)) };
    }
    if (method === 'GET' && path === '/2/media/upload') return { endpoint: 'media', run: (u) => uploadStatus(req, u) };
    if (method === 'POST' && path === '/2/media/metadata') return { endpoint: 'media', run: (u) => createMetadata(req, u) };
    return undefined;
  }

  function handle(req: FakeRequest): FakeResponse {
    if (req.path === TOKEN_PATH) {
      return req.method === 'POST' ? tokenGrant(req) : problem(405, 'Method Not Allowed', 'Method Not Allowed');
    }
    const found = route(req);
    if (!found) {
      return { status: 404, body: { errors: [{ message: 'Sorry, that page does not exist', code: 34 }] } };
    }
    const user = authenticate(req);
    if (!user) return withHeaders(unauthorized(), rateLimit('anonymous', found.endpoint).headers);
    const limit = rateLimit(user.userId, found.endpoint);
    if (limit.over) return withHeaders(tooManyRequests(), limit.headers);
    if (found.endpoint === 'tweets') {
      const daily = dailyLimit(user.userId);
      if (daily.over) return withHeaders(tooManyRequests(), { ...limit.headers, ...daily.headers });
      return withHeaders(found.run(user), { ...limit.headers, ...daily.headers });
    }
    return withHeaders(found.run(user), limit.headers);
  }

  // --- OAuth 2 token endpoint -------------------------------------------------------------

  function tokenGrant(req: FakeRequest): FakeResponse {
    const contentType = String(req.headers['content-type'] ?? '').toLowerCase();
    if (!contentType.startsWith('application/x-www-form-urlencoded')) {
      return oauthError(400, 'invalid_request', 'Missing required parameter [grant_type].');
    }
    const form = req.body;
    const grantType = typeof form.grant_type === 'string' ? form.grant_type : '';
    if (grantType === '') return oauthError(400, 'invalid_request', 'Missing required parameter [grant_type].');
    if (grantType !== 'refresh_token') return oauthError(400, 'unsupported_grant_type', 'Grant type is not supported.');

    // Client authentication: Basic for confidential clients, client_id in the form for public ones.
    let client: XFakeOAuthClient | undefined;
    const basic = /^Basic\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''));
    if (basic) {
      const decoded = Buffer.from(basic[1] ?? '', 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      const id = safeDecode(decoded.slice(0, Math.max(0, colon)));
      const secret = safeDecode(decoded.slice(colon + 1));
      const known = clients.get(id);
      if (colon < 0 || !known?.clientSecret || known.clientSecret !== secret) {
        return oauthError(401, 'unauthorized_client', 'Missing valid authorization header');
      }
      client = known;
    } else {
      const id = typeof form.client_id === 'string' ? form.client_id : '';
      if (id === '') return oauthError(400, 'invalid_request', 'Missing required parameter [client_id].');
      client = clients.get(id);
      if (!client) return oauthError(400, 'invalid_request', 'Value passed for the client_id was invalid.');
      if (client.clientSecret) return oauthError(401, 'unauthorized_client', 'Missing valid authorization header');
    }

    const token = typeof form.refresh_token === 'string' ? form.refresh_token : '';
    if (token === '') return oauthError(400, 'invalid_request', 'Missing required parameter [refresh_token].');
    const issued = refreshTokens.get(token);
    if (!issued || issued.used || issued.clientId !== client.clientId || revoked.has(token)) {
      return oauthError(400, 'invalid_request', 'Value passed for the token was invalid.');
    }
    // Rotation: the refresh token works exactly once.
    issued.used = true;
    const pair = issueTokens(issued.userId, client.clientId);
    return ok(200, {
      token_type: 'bearer',
      expires_in: pair.expiresIn,
      access_token: pair.accessToken,
      scope: OAUTH2_SCOPE,
      refresh_token: pair.refreshToken,
    });
  }

  // --- posts ------------------------------------------------------------------------------

  function createTweet(req: FakeRequest, user: XFakeUser): FakeResponse {
    const contentType = String(req.headers['content-type'] ?? '');
    if (req.bodyInvalid || !contentType.toLowerCase().startsWith('application/json')) {
      return invalidRequest([{ message: 'Requests with bodies must have content-type of application/json.' }]);
    }
    const { text, reply, media: mediaParam } = req.body;
    if (text !== undefined && typeof text !== 'string') {
      return invalidRequest([{ parameters: { text: [JSON.stringify(text)] }, message: '$.text: expected a string' }]);
    }

    let mediaIds: string[] | undefined;
    if (mediaParam !== undefined) {
      const ids: unknown[] = isRecord(mediaParam) && Array.isArray(mediaParam.media_ids) ? (mediaParam.media_ids as unknown[]) : [];
      mediaIds = ids.filter((id): id is string => typeof id === 'string');
      if (mediaIds.length < 1 || mediaIds.length > 4 || mediaIds.length !== ids.length) {
        return invalidRequest([{ message: '$.media.media_ids: expected 1 to 4 media id strings' }]);
      }
      const invalid = mediaIds.filter((id) => !usableMedia(id, user.userId));
      if (invalid.length > 0) {
        return invalidRequest([{ parameters: { 'media.media_ids': invalid }, message: 'Your media IDs are invalid.' }]);
      }
    }
    if ((text ?? '').trim() === '' && !mediaIds) {
      return invalidRequest([{ message: 'Your request must contain text or media' }]);
    }
    if (text) {
      const parsed = parseTweet(text);
      if (!parsed.valid) {
        const reason =
          parsed.weightedLength > 280
            ? `Tweet text is too long: weighted length ${parsed.weightedLength} exceeds 280`
            : 'Tweet text contains invalid characters';
        return invalidRequest([{ parameters: { text: [text] }, message: reason }]);
      }
    }

    let parent: XFakeTweet | undefined;
    if (reply !== undefined) {
      const parentId = isRecord(reply) ? reply.in_reply_to_tweet_id : undefined;
      if (typeof parentId !== 'string' || !/^\d{1,19}$/.test(parentId)) {
        return invalidRequest([{ message: '$.reply.in_reply_to_tweet_id: expected a tweet id string' }]);
      }
      parent = tweets.find((t) => t.id === parentId);
      if (!parent) {
        return problem(403, 'Forbidden', 'You attempted to reply to a Tweet that is deleted or not visible to you.');
      }
    }

    const since = Date.now() - duplicateWindowMs;
    if (text && tweets.some((t) => t.authorId === user.userId && t.text === text && Date.parse(t.createdAt) >= since)) {
      return problem(403, 'Forbidden', 'You are not allowed to create a Tweet with duplicate content.');
    }

    const id = nextId().toString();
    const tweet: XFakeTweet = {
      id,
      text: text ?? '',
      authorId: user.userId,
      createdAt: new Date().toISOString(),
      conversationId: parent ? parent.conversationId : id,
      ...(parent ? { inReplyToTweetId: parent.id, inReplyToUserId: parent.authorId } : {}),
      ...(mediaIds ? { mediaIds } : {}),
    };
    tweets.push(tweet);
    return ok(201, { data: { id, text: tweet.text, edit_history_tweet_ids: [id] } });
  }

  function listTweets(req: FakeRequest, userId: string): FakeResponse {
    if (!/^\d{1,19}$/.test(userId)) {
      return invalidRequest([{ parameters: { id: [userId] }, message: 'The `id` query parameter value is not valid' }]);
    }
    const fields = tweetFields(req);
    if (typeof fields === 'string') return invalidRequest([{ message: fields }]);
    if (!userById(userId)) {
      return ok(200, {
        errors: [
          {
            value: userId,
            detail: `Could not find user with id: [${userId}].`,
            title: 'Not Found Error',
            resource_type: 'user',
            parameter: 'id',
            resource_id: userId,
            type: 'https://api.twitter.com/2/problems/resource-not-found',
          },
        ],
      });
    }
    const maxResults = Number(req.query.get('max_results') ?? 10);
    if (!Number.isInteger(maxResults) || maxResults < 5 || maxResults > 100) {
      return invalidRequest([
        { message: `The \`max_results\` query parameter value [${maxResults}] is not between 5 and 100` },
      ]);
    }
    const startTimeParam = req.query.get('start_time');
    const startTime = startTimeParam === null ? 0 : Date.parse(startTimeParam);
    if (Number.isNaN(startTime)) {
      return invalidRequest([{ message: `Invalid 'start_time':'${startTimeParam}'. 'start_time' must be a valid RFC 3339 date` }]);
    }
    const exclude = (req.query.get('exclude') ?? '').split(',').filter(Boolean);
    const unknownExclude = exclude.find((e) => e !== 'replies' && e !== 'retweets');
    if (unknownExclude) {
      return invalidRequest([{ message: `The \`exclude\` query parameter value [${unknownExclude}] is not one of [replies,retweets]` }]);
    }
    const sinceId = req.query.get('since_id');
    const data = tweets
      .filter(
        (t) =>
          t.authorId === userId &&
          (!sinceId || BigInt(t.id) > BigInt(sinceId)) &&
          Date.parse(t.createdAt) >= startTime &&
          !(exclude.includes('replies') && t.inReplyToTweetId),
      )
      .reverse()
      .slice(0, maxResults);
    if (data.length === 0) return ok(200, { meta: { result_count: 0 } });
    return ok(200, {
      data: data.map((t) => renderTweet(t, fields)),
      meta: { result_count: data.length, newest_id: data[0]?.id, oldest_id: data[data.length - 1]?.id },
    });
  }

  function lookupTweet(req: FakeRequest, id: string): FakeResponse {
    const fields = tweetFields(req);
    if (typeof fields === 'string') return invalidRequest([{ message: fields }]);
    const tweet = tweets.find((t) => t.id === id);
    if (!tweet) {
      return ok(200, {
        errors: [
          {
            value: id,
            detail: `Could not find tweet with id: [${id}].`,
            title: 'Not Found Error',
            resource_type: 'tweet',
            parameter: 'id',
            resource_id: id,
            type: 'https://api.twitter.com/2/problems/resource-not-found',
          },
        ],
      });
    }
    return ok(200, { data: renderTweet(tweet, fields) });
  }

  // --- media ------------------------------------------------------------------------------

  function usableMedia(id: string, userId: string): boolean {
    const item = media.get(id);
    return (
      item !== undefined &&
      item.finalized &&
      Date.parse(item.expiresAt) > Date.now() &&
      (item.ownerId === userId || item.additionalOwners.includes(userId))
    );
  }

  /** The upload if this user may work on it, else X's answer for an id it cannot see. */
  function ownUpload(id: string, user: XFakeUser): XFakeMedia | FakeResponse {
    const item = media.get(id);
    if (!item || item.ownerId !== user.userId || Date.parse(item.expiresAt) <= Date.now()) {
      return invalidRequest([{ parameters: { id: [id] }, message: `Media id ${id} is invalid or has expired.` }]);
    }
    return item;
  }

  function initializeUpload(req: FakeRequest, user: XFakeUser): FakeResponse {
    if (!isJson(req)) return invalidRequest([{ message: 'Requests with bodies must have content-type of application/json.' }]);
    const { media_type: mediaType, total_bytes: totalBytes, media_category: category, additional_owners: owners } = req.body;
    if (typeof mediaType !== 'string' || MEDIA_LIMITS[mediaType] === undefined) {
      return invalidRequest([{ parameters: { media_type: [String(mediaType)] }, message: 'The media type is not supported.' }]);
    }
    const limit = MEDIA_LIMITS[mediaType] ?? 0;
    if (typeof totalBytes !== 'number' || !Number.isInteger(totalBytes) || totalBytes < 1 || totalBytes > limit) {
      return invalidRequest([
        { parameters: { total_bytes: [String(totalBytes)] }, message: `total_bytes must be between 1 and ${limit} for ${mediaType}` },
      ]);
    }
    if (category !== undefined && (typeof category !== 'string' || !MEDIA_CATEGORIES.has(category))) {
      return invalidRequest([{ parameters: { media_category: [String(category)] }, message: 'The media category is not valid.' }]);
    }
    const additionalOwners = Array.isArray(owners) ? owners.filter((o): o is string => typeof o === 'string') : [];
    if (owners !== undefined && (!Array.isArray(owners) || additionalOwners.length !== owners.length)) {
      return invalidRequest([{ message: '$.additional_owners: expected an array of user id strings' }]);
    }
    const id = nextId().toString();
    const item: XFakeMedia = {
      id,
      mediaKey: `3_${id}`,
      ownerId: user.userId,
      additionalOwners,
      mediaType,
      ...(typeof category === 'string' ? { mediaCategory: category } : {}),
      totalBytes,
      segments: [],
      data: Buffer.alloc(0),
      finalized: false,
      expiresAt: new Date(Date.now() + mediaLifetime * 1000).toISOString(),
    };
    media.set(id, item);
    return ok(200, { data: { id, media_key: item.mediaKey, expires_after_secs: mediaLifetime } });
  }

  function appendUpload(req: FakeRequest, user: XFakeUser, id: string): FakeResponse {
    const item = ownUpload(id, user);
    if (!isMedia(item)) return item;
    if (item.finalized) return invalidRequest([{ message: `Media id ${id} is already finalized.` }]);
    const segment = readSegment(req);
    if ('status' in segment) return segment;
    const { index, bytes } = segment;
    if (index < 0 || index > 999) {
      return invalidRequest([{ parameters: { segment_index: [String(index)] }, message: 'segment_index must be between 0 and 999' }]);
    }
    if (bytes.length === 0) return invalidRequest([{ message: 'media parameter is missing.' }]);
    if (item.segments.some((seg) => seg.index === index)) {
      return invalidRequest([{ message: `Segment ${index} was already uploaded.` }]);
    }
    item.segments.push({ index, bytes: bytes.length });
    segmentData.set(`${id}:${index}`, bytes);
    const ordered = [...item.segments].sort((a, b) => a.index - b.index);
    item.data = Buffer.concat(ordered.map((seg) => segmentData.get(`${id}:${seg.index}`) ?? Buffer.alloc(0)));
    return ok(200, { data: { expires_at: Math.floor(Date.parse(item.expiresAt) / 1000) } });
  }

  function finalizeUpload(user: XFakeUser, id: string): FakeResponse {
    const item = ownUpload(id, user);
    if (!isMedia(item)) return item;
    if (item.finalized) return invalidRequest([{ message: `Media id ${id} is already finalized.` }]);
    if (item.segments.length === 0) return invalidRequest([{ message: 'No segments were uploaded.' }]);
    const indexes = item.segments.map((seg) => seg.index).sort((a, b) => a - b);
    const size = item.segments.reduce((sum, seg) => sum + seg.bytes, 0);
    if (indexes.some((index, i) => index !== i) || size !== item.totalBytes) {
      return invalidRequest([{ message: 'Segments do not add up to provided total file size.' }]);
    }
    item.finalized = true;
    const remaining = Math.max(0, Math.floor((Date.parse(item.expiresAt) - Date.now()) / 1000));
    return ok(200, { data: { id, media_key: item.mediaKey, size: item.totalBytes, expires_after_secs: remaining } });
  }

  function uploadStatus(req: FakeRequest, user: XFakeUser): FakeResponse {
    const id = req.query.get('media_id') ?? '';
    if ((req.query.get('command') ?? 'STATUS') !== 'STATUS') return invalidRequest([{ message: 'command must be STATUS' }]);
    const item = ownUpload(id, user);
    if (!isMedia(item)) return item;
    return ok(200, { data: { id, media_key: item.mediaKey, processing_info: { state: 'succeeded', progress_percent: 100 } } });
  }

  function createMetadata(req: FakeRequest, user: XFakeUser): FakeResponse {
    if (!isJson(req)) return invalidRequest([{ message: 'Requests with bodies must have content-type of application/json.' }]);
    const { id, metadata } = req.body;
    if (typeof id !== 'string' || !/^\d{1,19}$/.test(id)) return invalidRequest([{ message: '$.id: expected a media id string' }]);
    const item = ownUpload(id, user);
    if (!isMedia(item)) return item;
    const altText = isRecord(metadata) && isRecord(metadata.alt_text) ? metadata.alt_text.text : undefined;
    if (typeof altText !== 'string' || altText.trim() === '') {
      return invalidRequest([{ message: '$.metadata.alt_text.text: expected a non-empty string' }]);
    }
    if ([...altText].length > MAX_ALT_TEXT) {
      return invalidRequest([
        { parameters: { 'metadata.alt_text.text': [altText.slice(0, 50)] }, message: `Alt text must be at most ${MAX_ALT_TEXT} characters` },
      ]);
    }
    item.altText = altText;
    return ok(200, { data: { id, associated_metadata: { alt_text: { text: altText } } } });
  }

  function faultAnswer(fault: StatusFault, req: FakeRequest): FakeResponse {
    if (req.path === TOKEN_PATH && fault.body === undefined && fault.status < 500 && fault.status !== 429) {
      return fault.status === 401
        ? oauthError(401, 'unauthorized_client', 'Missing valid authorization header')
        : oauthError(fault.status, 'invalid_request', 'Value passed for the token was invalid.');
    }
    const endpoint = route(req)?.endpoint ?? 'lookup';
    const userKey = authenticate(req)?.userId ?? 'anonymous';
    const is429 = fault.status === 429;
    const { headers } = rateLimit(userKey, endpoint, is429 ? (fault.resetInSeconds ?? 900) : undefined);
    if (fault.body !== undefined) return withHeaders({ status: fault.status, body: fault.body }, headers);
    if (is429) return withHeaders(tooManyRequests(), headers);
    if (fault.status === 401) return withHeaders(unauthorized(), headers);
    if (fault.status === 403) {
      return withHeaders(problem(403, 'Forbidden', 'You are not permitted to perform this action.'), headers);
    }
    if (fault.status === 400) return withHeaders(invalidRequest([{ message: 'Invalid request' }]), headers);
    const title = STATUS_CODES[fault.status] ?? 'Error';
    return withHeaders(problem(fault.status, title, title), headers);
  }

  const server = await startFakeServer({
    port: opts.port,
    host: opts.host,
    handle,
    faultAnswer,
    internalError: () => problem(500, 'Internal Server Error', 'Internal Server Error'),
  });

  return {
    url: server.url,
    get tweets() {
      return tweets.map((t) => ({ ...t }));
    },
    tweetsOf: (userId) => tweets.filter((t) => t.authorId === userId).map((t) => ({ ...t })),
    get media() {
      return [...media.values()].map((m) => ({ ...m, additionalOwners: [...m.additionalOwners], segments: m.segments.map((seg) => ({ ...seg })), data: Buffer.from(m.data) }));
    },
    get requests() {
      return [...server.requests];
    },
    addUser,
    addOAuth2Client,
    issueOAuth2Tokens: (userId, clientId, tokenOpts = {}) => {
      if (!userById(userId)) throw new Error(`unknown user ${userId}`);
      if (!clients.has(clientId)) throw new Error(`unknown OAuth 2 client ${clientId}`);
      return issueTokens(userId, clientId, tokenOpts.expiresInSeconds);
    },
    revokeToken: (token) => {
      revoked.add(token);
    },
    failNext: (fault, times = 1, match) => server.faults.add(fault, times, match),
    urlOf: (tweet) => `https://x.com/${userById(tweet.authorId)?.username ?? 'i'}/status/${tweet.id}`,
    reset: () => {
      tweets.length = 0;
      media.clear();
      segmentData.clear();
      accessTokens.clear();
      refreshTokens.clear();
      revoked.clear();
      nonces.clear();
      buckets.clear();
      server.faults.clear();
      server.requests.length = 0;
    },
    close: () => server.close(),
  };
}

function isMedia(value: XFakeMedia | FakeResponse): value is XFakeMedia {
  return 'mediaKey' in value;
}

/** segment_index and the bytes of one append, from a multipart form or a JSON body (base64). */
function readSegment(req: FakeRequest): { index: number; bytes: Buffer } | FakeResponse {
  const contentType = String(req.headers['content-type'] ?? '');
  let index: unknown;
  let bytes: Buffer;
  if (/^multipart\/form-data;.*boundary=/i.test(contentType)) {
    const form = parseMultipart(req.raw, contentType);
    if (!form) return invalidRequest([{ message: 'The multipart body could not be parsed.' }]);
    const raw = form.fields.get('segment_index')?.[0];
    index = raw !== undefined && /^\d+$/.test(raw.trim()) ? Number(raw) : raw;
    bytes = form.files.get('media')?.bytes ?? Buffer.alloc(0);
  } else if (isJson(req)) {
    const { segment_index: jsonIndex, media: data } = req.body;
    if (typeof data !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(data)) return invalidRequest([{ message: 'media parameter is missing.' }]);
    index = jsonIndex;
    bytes = Buffer.from(data, 'base64');
  } else {
    return invalidRequest([{ message: 'Requests with bodies must have content-type of application/json or multipart/form-data.' }]);
  }
  if (typeof index !== 'number' || !Number.isInteger(index)) {
    return invalidRequest([{ parameters: { segment_index: [String(index)] }, message: 'segment_index must be between 0 and 999' }]);
  }
  return { index, bytes };
}

function isJson(req: FakeRequest): boolean {
  return !req.bodyInvalid && String(req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json');
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** RFC 3986 encoding as OAuth 1.0a requires (encodeURIComponent leaves !*'() alone). */
function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!*'()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function parseOAuthHeader(header: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const match of header.replace(/^OAuth\s+/i, '').matchAll(/([A-Za-z0-9_]+)="([^"]*)"/g)) {
    try {
      params.set(match[1] ?? '', decodeURIComponent(match[2] ?? ''));
    } catch {
      params.set(match[1] ?? '', '');
    }
  }
  return params;
}

function tweetFields(req: FakeRequest): string[] | string {
  const raw = req.query.get('tweet.fields');
  const fields = raw ? raw.split(',').filter(Boolean) : [];
  const unknown = fields.find((f) => !TWEET_FIELDS.has(f));
  if (unknown) return `The \`tweet.fields\` query parameter value [${unknown}] is not one of [${[...TWEET_FIELDS].join(',')}]`;
  return fields;
}

function renderTweet(tweet: XFakeTweet, fields: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { id: tweet.id, text: tweet.text, edit_history_tweet_ids: [tweet.id] };
  if (fields.includes('created_at')) out.created_at = tweet.createdAt;
  if (fields.includes('author_id')) out.author_id = tweet.authorId;
  if (fields.includes('conversation_id')) out.conversation_id = tweet.conversationId;
  if (fields.includes('in_reply_to_user_id') && tweet.inReplyToUserId) out.in_reply_to_user_id = tweet.inReplyToUserId;
  if (fields.includes('referenced_tweets') && tweet.inReplyToTweetId) {
    out.referenced_tweets = [{ type: 'replied_to', id: tweet.inReplyToTweetId }];
  }
  if (fields.includes('attachments') && tweet.mediaIds) {
    out.attachments = { media_keys: tweet.mediaIds.map((id) => `3_${id}`) };
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function ok(status: number, body: unknown): FakeResponse {
  return { status, body };
}

function withHeaders(res: FakeResponse, headers: Record<string, string>): FakeResponse {
  return { ...res, headers: { ...res.headers, ...headers } };
}

function problem(status: number, title: string, detail: string, type = 'about:blank'): FakeResponse {
  return { status, contentType: 'application/problem+json', body: { title, type, status, detail } };
}

function unauthorized(): FakeResponse {
  return problem(401, 'Unauthorized', 'Unauthorized');
}

function tooManyRequests(): FakeResponse {
  return problem(429, 'Too Many Requests', 'Too Many Requests');
}

function invalidRequest(errors: { parameters?: Record<string, string[]>; message: string }[]): FakeResponse {
  return {
    status: 400,
    contentType: 'application/problem+json',
    body: {
      errors,
      title: 'Invalid Request',
      detail: 'One or more parameters to your request was invalid.',
      type: 'https://api.twitter.com/2/problems/invalid-request',
    },
  };
}

/** The token endpoint's error shape (RFC 6749 §5.2), not a problem-details body. */
function oauthError(status: number, error: string, description: string): FakeResponse {
  return { status, body: { error, error_description: description } };
}
