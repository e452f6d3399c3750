// A loopback stand-in for the parts of the X API v2 that Herold uses: posting (threads as
// reply chains), "who am I" and a user's recent posts. It verifies OAuth 1.0a signatures for
// real and answers with X's problem-details bodies and rate-limit headers, so the adapter's
// signing and error sorting are exercised. Used by the contract tests and the demo mode.
//
// Faithfulness notes:
// - OAuth 1.0a signatures are checked over `signatureBaseUrl` (default https://api.x.com) +
//   the request path, because clients sign the public URL even when sent elsewhere.
// - Every answer carries x-rate-limit-limit/-remaining/-reset (Unix seconds), counted per user
//   and endpoint in 15-minute windows; exhausting one answers 429 like X does.
// - An injected `{status: 429, resetInSeconds}` sets x-rate-limit-remaining 0 and the reset.
// - The text limit is twitter-text's weighted length (280); longer posts need X Premium,
//   which the fake does not model.

import { createHmac, timingSafeEqual } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { parseTweet } from 'twitter-text';
import {
  createIdSource,
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
  /** OAuth 2.0 user-context bearer token. */
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

export type XEndpoint = 'tweets' | 'me' | 'timeline' | 'lookup';

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
}

export interface XFake {
  url: string;
  /** Copies of all created tweets, oldest first. */
  readonly tweets: XFakeTweet[];
  tweetsOf(userId: string): XFakeTweet[];
  readonly requests: LoggedRequest[];
  addUser(user: XFakeUser): void;
  /** An OAuth 1.0a access token or OAuth 2 bearer token that answers 401 from now on. */
  revokeToken(token: string): void;
  failNext(fault: Fault, times?: number, match?: FaultMatch): void;
  /** Public URL of a tweet, as X shows it. */
  urlOf(tweet: Pick<XFakeTweet, 'id' | 'authorId'>): string;
  /** Forgets tweets, revocations, faults, rate-limit counters, nonces and the request log; keeps users. */
  reset(): void;
  close(): Promise<void>;
}

const WINDOW_MS = 15 * 60_000;
const DEFAULT_LIMITS: Record<XEndpoint, number> = { tweets: 100, me: 75, timeline: 900, lookup: 900 };
const TWEET_FIELDS = new Set([
  'id',
  'text',
  'created_at',
  'author_id',
  'conversation_id',
  'in_reply_to_user_id',
  'referenced_tweets',
  'edit_history_tweet_ids',
]);
// Milliseconds at which X's snowflake ids start counting.
const TWITTER_EPOCH = 1_288_834_974_657n;

interface Route {
  endpoint: XEndpoint;
  run(user: XFakeUser): FakeResponse;
}

export async function startXFake(opts: XFakeOptions = {}): Promise<XFake> {
  const users: XFakeUser[] = [];
  const revoked = new Set<string>();
  const tweets: XFakeTweet[] = [];
  const nonces = new Map<string, number>(); // nonce → expiry (ms)
  const buckets = new Map<string, { count: number; resetAt: number }>();
  const nextId = createIdSource((ms) => (ms - TWITTER_EPOCH) << 22n);
  const signatureBase = (opts.signatureBaseUrl ?? 'https://api.x.com').replace(/\/+$/, '');
  const duplicateWindowMs = opts.duplicateWindowMs ?? 24 * 3_600_000;
  const toleranceMs = (opts.timestampToleranceSeconds ?? 300) * 1000;
  const limits = { ...DEFAULT_LIMITS, ...opts.rateLimits };

  const addUser = (user: XFakeUser): void => {
    users.push({ ...user });
  };
  for (const user of opts.users ?? []) addUser(user);

  const userById = (id: string): XFakeUser | undefined => users.find((u) => u.userId === id);

  function authenticate(req: FakeRequest): XFakeUser | undefined {
    const header = req.headers.authorization ?? '';
    const bearer = /^Bearer\s+(\S+)$/i.exec(header);
    if (bearer) {
      const token = bearer[1] ?? '';
      return revoked.has(token) ? undefined : users.find((u) => u.bearerToken === token);
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
    return undefined;
  }

  function handle(req: FakeRequest): FakeResponse {
    const found = route(req);
    if (!found) {
      return { status: 404, body: { errors: [{ message: 'Sorry, that page does not exist', code: 34 }] } };
    }
    const user = authenticate(req);
    if (!user) return withHeaders(unauthorized(), rateLimit('anonymous', found.endpoint).headers);
    const limit = rateLimit(user.userId, found.endpoint);
    if (limit.over) return withHeaders(tooManyRequests(), limit.headers);
    return withHeaders(found.run(user), limit.headers);
  }

  function createTweet(req: FakeRequest, user: XFakeUser): FakeResponse {
    const contentType = String(req.headers['content-type'] ?? '');
    if (req.bodyInvalid || !contentType.toLowerCase().startsWith('application/json')) {
      return invalidRequest([{ message: 'The request body must be a JSON object' }]);
    }
    const { text, reply, media } = req.body;
    if (text !== undefined && typeof text !== 'string') {
      return invalidRequest([{ parameters: { text: [JSON.stringify(text)] }, message: '$.text: expected a string' }]);
    }

    let mediaIds: string[] | undefined;
    if (media !== undefined) {
      const ids: unknown[] = isRecord(media) && Array.isArray(media.media_ids) ? (media.media_ids as unknown[]) : [];
      mediaIds = ids.filter((id): id is string => typeof id === 'string');
      if (mediaIds.length < 1 || mediaIds.length > 4 || mediaIds.length !== ids.length) {
        return invalidRequest([{ message: '$.media.media_ids: expected 1 to 4 media id strings' }]);
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
    const sinceId = req.query.get('since_id');
    const data = tweets
      .filter((t) => t.authorId === userId && (!sinceId || BigInt(t.id) > BigInt(sinceId)))
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

  function faultAnswer(fault: StatusFault, req: FakeRequest): FakeResponse {
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
    get requests() {
      return [...server.requests];
    },
    addUser,
    revokeToken: (token) => {
      revoked.add(token);
    },
    failNext: (fault, times = 1, match) => server.faults.add(fault, times, match),
    urlOf: (tweet) => `https://x.com/${userById(tweet.authorId)?.username ?? 'i'}/status/${tweet.id}`,
    reset: () => {
      tweets.length = 0;
      revoked.clear();
      nonces.clear();
      buckets.clear();
      server.faults.clear();
      server.requests.length = 0;
    },
    close: () => server.close(),
  };
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
