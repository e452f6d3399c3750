// A loopback stand-in for the parts of a Bluesky PDS (XRPC over HTTP) that Herold uses: app-password
// sessions, posts in the account's repository, image blobs and record look-ups. It answers with
// XRPC error bodies ({error, message}) and the PDS's rate-limit headers, and it returns real CIDs
// and at-URIs, because @atproto/api validates every answer against the lexicons. Used by the
// contract tests and the demo mode.
//
// Faithfulness notes (checked against bluesky-social/atproto packages/pds):
// - createSession answers 401 AuthenticationRequired "Invalid identifier or password" for an
//   unknown identifier, a wrong or a revoked app password. The identifier may be the handle, the
//   DID or the account's extra `identifier` (e.g. its e-mail address).
// - Access tokens are stateless on the real PDS: an expired one answers 400 ExpiredToken, an
//   unknown one 400 InvalidToken, a missing one 401. Revoking an app password revokes the refresh
//   tokens issued with it (refreshSession: 400 ExpiredToken "Token has been revoked") but leaves
//   issued access tokens working until they expire; `expireSessions()` ends them early.
// - createRecord with a record key that already exists: the reference PDS adds the key to its MST,
//   which throws a plain Error, so the client gets 500 InternalServerError "Internal Server
//   Error". That is the default here (`existingRecordKey: 'internal-error'`). Other PDS
//   implementations answer 400 InvalidRequest "Record already exists"
//   (`existingRecordKey: 'invalid-request'`). Adapters must cope with both.
// - Record validation follows the app.bsky.feed.post lexicon (300 graphemes / 3000 bytes of text,
//   createdAt, langs ≤ 3, up to 4 images with alt, blobs ≤ 1,000,000 bytes that were uploaded
//   before). The fake is stricter than the PDS in three places, each of which the AppView would
//   otherwise show wrongly: post record keys must be TIDs, facet byte ranges must lie inside the
//   UTF-8 text on character boundaries, and reply refs must name an existing post with its CID.
// - Only the app.bsky.feed.post collection is supported.
// - Every answer carries ratelimit-limit/-remaining/-reset (Unix seconds)/-policy, counted per
//   client (global, 3000 per 5 minutes), per identifier for createSession (30 per 5 minutes) and
//   per account for writes (5000 points per hour, 3 per created record).
// - Faults (see http-util's Fault): `{status}` answers in the XRPC shape: 401 AuthenticationRequired,
//   403 Forbidden, 429 RateLimitExceeded (with remaining 0 and reset in `resetInSeconds`, default
//   300), 500 InternalServerError, 502 UpstreamFailure, 503 NotEnoughResources, others
//   InvalidRequest; `{delayMs}` and `{drop}` as in http-util.
// - Blobs are read from the raw request bytes that http-util's startFakeServer hands every route,
//   so their CIDs are computed over exactly what the client sent.
//
// CIDs: records are encoded as DAG-CBOR by the small deterministic encoder at the end of this file
// and hashed with sha-256 (CIDv1, codec 0x71); blobs are hashed raw (codec 0x55). @ipld/dag-cbor and
// multiformats would do the same, but they ship only ES modules whose package exports jest cannot
// resolve; the contract test checks this encoder's CIDs against them in a plain Node process.

import { createHash, randomBytes } from 'node:crypto';
import { startFakeServer, type Fault, type FakeRequest, type FakeResponse, type FaultMatch, type LoggedRequest, type StatusFault } from './http-util';

export interface BlueskyFakeAccount {
  /** e.g. did:plc:abc… */
  did: string;
  /** e.g. musterstadt.bsky.social */
  handle: string;
  appPassword: string;
  /** A further name the account can log in with, e.g. its e-mail address. */
  identifier?: string;
}

export interface BlueskyFakeRecord {
  /** at://did/app.bsky.feed.post/rkey */
  uri: string;
  /** CIDv1, dag-cbor, sha-256 of the record (bafyrei…) */
  cid: string;
  did: string;
  collection: string;
  rkey: string;
  /** The record as the client sent it (JSON form: blob refs as {$link}). */
  value: Record<string, unknown>;
  indexedAt: string;
}

export interface BlueskyFakeBlob {
  /** CIDv1, raw codec, sha-256 of the bytes (bafkrei…) */
  cid: string;
  did: string;
  mimeType: string;
  size: number;
  bytes: Buffer;
}

export interface BlueskyFakeOptions {
  port?: number;
  host?: string;
  accounts?: BlueskyFakeAccount[];
  /** Lifetime of access tokens (default 2 hours, as on the PDS). */
  accessTokenTtlMs?: number;
  /** Largest accepted upload (default 5 MiB, the PDS default). */
  blobLimitBytes?: number;
  /** How a createRecord with an existing record key is answered (see the notes above). */
  existingRecordKey?: 'internal-error' | 'invalid-request';
  rateLimits?: Partial<Record<RateBucket, number>>;
}

export interface BlueskyFake {
  url: string;
  /** Copies of the stored posts, oldest first. */
  readonly records: BlueskyFakeRecord[];
  readonly blobs: BlueskyFakeBlob[];
  readonly requests: LoggedRequest[];
  addAccount(account: BlueskyFakeAccount): void;
  /** An app password (or every app password of a DID) stops logging in; its refresh tokens are revoked. */
  revoke(appPasswordOrDid: string): void;
  /** Every issued access token expires now (and, with `refresh`, every refresh token too). */
  expireSessions(opts?: { refresh?: boolean }): void;
  failNext(fault: Fault, times?: number, match?: FaultMatch): void;
  /** Public bsky.app URL of a post, from its at-URI. */
  urlOf(uri: string): string;
  /** Forgets records, blobs, revocations, faults, rate-limit counters and the request log; keeps accounts and sessions. */
  reset(): void;
  close(): Promise<void>;
}

export type RateBucket = 'global' | 'createSession' | 'writePoints';

const POST_COLLECTION = 'app.bsky.feed.post';
const IMAGES_EMBED = 'app.bsky.embed.images';
const MAX_GRAPHEMES = 300;
const MAX_TEXT_BYTES = 3000;
const MAX_IMAGE_BYTES = 1_000_000;
const DEFAULT_LIMITS: Record<RateBucket, number> = { global: 3000, createSession: 30, writePoints: 5000 };
const WINDOWS_MS: Record<RateBucket, number> = { global: 5 * 60_000, createSession: 5 * 60_000, writePoints: 3_600_000 };
const S32 = '234567abcdefghijklmnopqrstuvwxyz';
const TID_PATTERN = /^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$/;
const RECORD_KEY_PATTERN = /^[a-zA-Z0-9_~.:-]{1,512}$/;
const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

const DAG_CBOR = 0x71;
const RAW = 0x55;

interface AccessToken {
  did: string;
  expiresAt: number;
}

interface RefreshToken {
  did: string;
  appPassword: string;
  expired: boolean;
  revoked: boolean;
}

interface Request extends FakeRequest {
  /** The XRPC method id, e.g. com.atproto.repo.createRecord; '' for paths outside /xrpc/. */
  nsid: string;
  /** The caller's address, the key of the global rate limit. */
  client: string;
  /** ratelimit-* headers of the most specific bucket counted so far. */
  rateHeaders: Record<string, string>;
}

class XrpcFailure extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    message: string,
  ) {
    super(message);
  }
}

export async function startBlueskyFake(opts: BlueskyFakeOptions = {}): Promise<BlueskyFake> {
  const accounts: BlueskyFakeAccount[] = [];
  const revokedPasswords = new Set<string>();
  const accessTokens = new Map<string, AccessToken>();
  const refreshTokens = new Map<string, RefreshToken>();
  const records: BlueskyFakeRecord[] = [];
  const blobs: BlueskyFakeBlob[] = [];
  const buckets = new Map<string, { used: number; resetAt: number }>();
  const limits = { ...DEFAULT_LIMITS, ...opts.rateLimits };
  const accessTtlMs = opts.accessTokenTtlMs ?? 2 * 3_600_000;
  const blobLimit = opts.blobLimitBytes ?? 5 * 1024 * 1024;
  const existingKeyAnswer = opts.existingRecordKey ?? 'internal-error';
  const nextTid = tidClock();

  const addAccount = (account: BlueskyFakeAccount): void => {
    if (!/^did:[a-z]+:[a-zA-Z0-9._:%-]+$/.test(account.did)) throw new Error(`not a DID: ${account.did}`);
    if (!/^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/.test(account.handle)) {
      throw new Error(`not a handle: ${account.handle}`);
    }
    const existing = accounts.findIndex((a) => a.did === account.did);
    if (existing >= 0) accounts.splice(existing, 1);
    accounts.push({ ...account });
  };
  for (const account of opts.accounts ?? []) addAccount(account);

  // --- auth ---------------------------------------------------------------------------------

  function issueSession(account: BlueskyFakeAccount, appPassword: string) {
    const now = Date.now();
    const accessJwt = jwt({ scope: 'com.atproto.appPass', sub: account.did, iat: now, exp: now + accessTtlMs }, 'at+jwt');
    const refreshJwt = jwt({ scope: 'com.atproto.refresh', sub: account.did, iat: now, jti: randomBytes(16).toString('base64url') }, 'refresh+jwt');
    accessTokens.set(accessJwt, { did: account.did, expiresAt: now + accessTtlMs });
    refreshTokens.set(refreshJwt, { did: account.did, appPassword, expired: false, revoked: false });
    return { did: account.did, handle: account.handle, accessJwt, refreshJwt, active: true };
  }

  function bearer(req: Request): string | undefined {
    const header = req.headers.authorization;
    if (!header) return undefined;
    const [type, token, ...rest] = header.split(' ');
    if (rest.length > 0 || !token) throw new XrpcFailure(400, 'InvalidToken', 'Malformed authorization header');
    if (type?.toLowerCase() !== 'bearer') throw new XrpcFailure(400, 'InvalidToken', `Unsupported authorization type: ${type}`);
    return token;
  }

  function requireAccess(req: Request): BlueskyFakeAccount {
    const token = bearer(req);
    if (!token) throw new XrpcFailure(401, 'AuthMissing', 'Authentication Required');
    const access = accessTokens.get(token);
    if (!access) throw new XrpcFailure(400, 'InvalidToken', 'Token could not be verified');
    if (access.expiresAt <= Date.now()) throw new XrpcFailure(400, 'ExpiredToken', 'Token has expired');
    const account = accounts.find((a) => a.did === access.did);
    if (!account) throw new XrpcFailure(403, 'AccountNotFound', 'Account not found');
    return account;
  }

  function createSession(req: Request): FakeResponse {
    const body = jsonBody(req);
    const { identifier, password } = body;
    if (typeof identifier !== 'string' || typeof password !== 'string') {
      throw new XrpcFailure(400, 'InvalidRequest', 'Input must have the properties "identifier" and "password"');
    }
    const name = identifier.trim().toLowerCase();
    const account = accounts.find(
      (a) => a.handle.toLowerCase() === name || a.did === identifier.trim() || a.identifier?.toLowerCase() === name,
    );
    limit(req, `createSession:${name}`, 'createSession', 1); // counted before the password is checked, as on the PDS
    if (!account || account.appPassword !== password || revokedPasswords.has(password)) {
      throw new XrpcFailure(401, 'AuthenticationRequired', 'Invalid identifier or password');
    }
    return { status: 200, body: issueSession(account, password) };
  }

  function refreshSession(req: Request): FakeResponse {
    const token = bearer(req);
    if (!token) throw new XrpcFailure(401, 'AuthMissing', 'Authentication Required');
    const refresh = refreshTokens.get(token);
    if (!refresh) throw new XrpcFailure(400, 'InvalidToken', 'Token could not be verified');
    if (refresh.expired) throw new XrpcFailure(400, 'ExpiredToken', 'Token has expired');
    if (refresh.revoked || revokedPasswords.has(refresh.appPassword)) {
      throw new XrpcFailure(400, 'ExpiredToken', 'Token has been revoked');
    }
    const account = accounts.find((a) => a.did === refresh.did);
    if (!account) throw new XrpcFailure(400, 'InvalidToken', 'Token could not be verified');
    refresh.revoked = true; // rotated: each refresh token is used once
    return { status: 200, body: issueSession(account, refresh.appPassword) };
  }

  function getSession(req: Request): FakeResponse {
    const account = requireAccess(req);
    return { status: 200, body: { did: account.did, handle: account.handle, active: true } };
  }

  // --- repository ---------------------------------------------------------------------------

  function createRecord(req: Request): FakeResponse {
    const account = requireAccess(req);
    const { repo, collection, rkey, validate, record, swapCommit } = jsonBody(req);
    if (typeof repo !== 'string' || typeof collection !== 'string' || !isObject(record)) {
      throw new XrpcFailure(400, 'InvalidRequest', 'Input must have the properties "repo", "collection" and "record"');
    }
    if (repo !== account.did && repo.toLowerCase() !== account.handle.toLowerCase()) {
      throw new XrpcFailure(401, 'AuthenticationRequired', 'Authentication Required');
    }
    if (validate === false) throw new XrpcFailure(400, 'InvalidRequest', 'Unvalidated writes are not supported by the fake');
    if (swapCommit !== undefined) throw new XrpcFailure(400, 'InvalidRequest', 'swapCommit is not supported by the fake');
    if (collection !== POST_COLLECTION) {
      throw new XrpcFailure(400, 'InvalidRequest', `The fake stores only ${POST_COLLECTION} records, not ${collection}`);
    }
    if (rkey !== undefined) {
      if (typeof rkey !== 'string' || !RECORD_KEY_PATTERN.test(rkey) || rkey === '.' || rkey === '..') {
        throw new XrpcFailure(400, 'InvalidRequest', 'Invalid record key');
      }
      if (!TID_PATTERN.test(rkey)) {
        throw new XrpcFailure(400, 'InvalidRequest', `Invalid record key: ${POST_COLLECTION} records use TID keys`);
      }
    }
    const value = { ...record };
    if (value.$type === undefined) value.$type = collection;
    if (value.$type !== collection) {
      throw new XrpcFailure(400, 'InvalidRequest', `Invalid $type: expected ${collection}, got ${String(value.$type)}`);
    }
    const problem = validatePost(value, account.did);
    if (problem) throw new XrpcFailure(400, 'InvalidRequest', `Invalid ${POST_COLLECTION} record: ${problem}`);

    const key = typeof rkey === 'string' ? rkey : nextTid();
    const uri = `at://${account.did}/${collection}/${key}`;
    if (records.some((r) => r.uri === uri)) {
      if (existingKeyAnswer === 'invalid-request') throw new XrpcFailure(400, 'InvalidRequest', 'Record already exists');
      throw new XrpcFailure(500, 'InternalServerError', 'Internal Server Error');
    }
    let cid: string;
    try {
      cid = cidFor(DAG_CBOR, dagCbor(value));
    } catch (error) {
      throw new XrpcFailure(400, 'InvalidRequest', `Invalid ${POST_COLLECTION} record: ${(error as Error).message}`);
    }
    limit(req, `write:${account.did}`, 'writePoints', 3);
    records.push({ uri, cid, did: account.did, collection, rkey: key, value, indexedAt: new Date().toISOString() });
    const rev = nextTid();
    const commitCid = cidFor(DAG_CBOR, dagCbor({ did: account.did, rev, data: { $link: cid }, version: 3 }));
    return { status: 200, body: { uri, cid, commit: { cid: commitCid, rev }, validationStatus: 'valid' } };
  }

  /** The first lexicon violation of an app.bsky.feed.post record, as the PDS words it. */
  function validatePost(value: Record<string, unknown>, did: string): string | undefined {
    const { text, createdAt, langs, facets, reply, embed } = value;
    if (typeof text !== 'string') return 'Record must have the property "text"';
    if ([...graphemes.segment(text)].length > MAX_GRAPHEMES) return `Record/text must not be longer than ${MAX_GRAPHEMES} graphemes`;
    const bytes = Buffer.from(text, 'utf8');
    if (bytes.length > MAX_TEXT_BYTES) return `Record/text must not be longer than ${MAX_TEXT_BYTES} characters`;
    if (typeof createdAt !== 'string') return 'Record must have the property "createdAt"';
    if (Number.isNaN(Date.parse(createdAt)) || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(createdAt)) {
      return 'Record/createdAt must be an valid atproto datetime (both RFC-3339 and ISO-8601)';
    }
    if (langs !== undefined) {
      if (!Array.isArray(langs) || langs.length > 3) return 'Record/langs must not have more than 3 elements';
      if (langs.some((l) => typeof l !== 'string' || !/^[a-zA-Z]{2,8}(-[a-zA-Z0-9]{1,8})*$/.test(l))) {
        return 'Record/langs must be well-formed BCP 47 language tags';
      }
    }
    if (facets !== undefined) {
      if (!Array.isArray(facets)) return 'Record/facets must be an array';
      for (const [i, facet] of facets.entries()) {
        const problem = facetProblem(facet, bytes);
        if (problem) return `Record/facets/${i}${problem}`;
      }
    }
    if (reply !== undefined) {
      if (!isObject(reply)) return 'Record/reply must be an object';
      for (const which of ['root', 'parent'] as const) {
        const ref = reply[which];
        if (!isObject(ref) || typeof ref.uri !== 'string' || typeof ref.cid !== 'string') {
          return `Record/reply/${which} must be a strong ref {uri, cid}`;
        }
        const target = records.find((r) => r.uri === ref.uri);
        if (!target || target.cid !== ref.cid) return `Record/reply/${which} does not name an existing post with that cid`;
      }
    }
    if (embed !== undefined) {
      if (!isObject(embed) || embed.$type !== IMAGES_EMBED) return `Record/embed: the fake supports only ${IMAGES_EMBED}`;
      const images = embed.images;
      if (!Array.isArray(images) || images.length < 1) return 'Record/embed/images must be an array';
      if (images.length > 4) return 'Record/embed/images must not have more than 4 elements';
      for (const [i, image] of images.entries()) {
        if (!isObject(image) || typeof image.alt !== 'string') return `Record/embed/images/${i} must have the property "alt"`;
        const blob = image.image;
        const ref = isObject(blob) && isObject(blob.ref) ? blob.ref.$link : undefined;
        if (!isObject(blob) || blob.$type !== 'blob' || typeof ref !== 'string' || typeof blob.mimeType !== 'string' || typeof blob.size !== 'number') {
          return `Record/embed/images/${i}/image should be a blob ref`;
        }
        if (!blob.mimeType.startsWith('image/')) return `Record/embed/images/${i}/image has the wrong mime type ${blob.mimeType}`;
        const stored = blobs.find((b) => b.cid === ref && b.did === did);
        if (!stored) return `Record/embed/images/${i}/image: Could not find blob: ${ref}`;
        if (stored.size > MAX_IMAGE_BYTES) {
          return `Record/embed/images/${i}/image: This file is too large. It is ${stored.size} bytes but the maximum size is ${MAX_IMAGE_BYTES} bytes.`;
        }
      }
    }
    return undefined;
  }

  function getRecord(req: Request): FakeResponse {
    const repo = req.query.get('repo');
    const collection = req.query.get('collection');
    const rkey = req.query.get('rkey');
    if (!repo || !collection || !rkey) throw new XrpcFailure(400, 'InvalidRequest', 'Params must have the properties "repo", "collection" and "rkey"');
    const did = accounts.find((a) => a.did === repo || a.handle.toLowerCase() === repo.toLowerCase())?.did;
    if (!did) throw new XrpcFailure(400, 'InvalidRequest', `Could not find repo: ${repo}`);
    const uri = `at://${did}/${collection}/${rkey}`;
    const record = records.find((r) => r.uri === uri);
    if (!record) throw new XrpcFailure(400, 'RecordNotFound', `Could not locate record: ${uri}`);
    return { status: 200, body: { uri: record.uri, cid: record.cid, value: record.value } };
  }

  function listRecords(req: Request): FakeResponse {
    const repo = req.query.get('repo');
    const collection = req.query.get('collection');
    if (!repo || !collection) throw new XrpcFailure(400, 'InvalidRequest', 'Params must have the properties "repo" and "collection"');
    const did = accounts.find((a) => a.did === repo || a.handle.toLowerCase() === repo.toLowerCase())?.did;
    if (!did) throw new XrpcFailure(400, 'InvalidRequest', `Could not find repo: ${repo}`);
    const limitParam = Number(req.query.get('limit') ?? 50);
    if (!Number.isInteger(limitParam) || limitParam < 1 || limitParam > 100) {
      throw new XrpcFailure(400, 'InvalidRequest', 'limit must be an integer between 1 and 100');
    }
    const reverse = req.query.get('reverse') === 'true';
    const cursor = req.query.get('cursor');
    let list = records.filter((r) => r.did === did && r.collection === collection).sort((a, b) => compare(a.rkey, b.rkey));
    if (!reverse) list.reverse();
    if (cursor) list = list.filter((r) => (reverse ? r.rkey > cursor : r.rkey < cursor));
    const page = list.slice(0, limitParam);
    const last = page[page.length - 1];
    return {
      status: 200,
      body: {
        records: page.map((r) => ({ uri: r.uri, cid: r.cid, value: r.value })),
        ...(page.length === limitParam && last ? { cursor: last.rkey } : {}),
      },
    };
  }

  function uploadBlob(req: Request): FakeResponse {
    const account = requireAccess(req);
    const mimeType = String(req.headers['content-type'] ?? '').split(';')[0]?.trim() || 'application/octet-stream';
    if (req.raw.length === 0) throw new XrpcFailure(400, 'InvalidRequest', 'Request body is empty');
    const cid = cidFor(RAW, req.raw);
    if (!blobs.some((b) => b.cid === cid && b.did === account.did)) {
      blobs.push({ cid, did: account.did, mimeType, size: req.raw.length, bytes: Buffer.from(req.raw) });
    }
    return { status: 200, body: { blob: { $type: 'blob', ref: { $link: cid }, mimeType, size: req.raw.length } } };
  }

  // --- rate limits --------------------------------------------------------------------------

  /**
   * Counts `points` in a bucket and puts its headers on the answer; throws 429 once the bucket is
   * used up. `resetInSeconds` (an injected 429) empties the bucket until then.
   */
  function limit(req: Request, key: string, bucket: RateBucket, points: number, resetInSeconds?: number): void {
    const now = Date.now();
    let b = buckets.get(key);
    if (!b || b.resetAt <= now) {
      b = { used: 0, resetAt: now + WINDOWS_MS[bucket] };
      buckets.set(key, b);
    }
    const max = limits[bucket];
    if (resetInSeconds !== undefined) {
      b.used = max;
      b.resetAt = now + resetInSeconds * 1000;
    }
    const over = b.used + points > max;
    if (!over) b.used += points;
    req.rateHeaders = {
      'ratelimit-limit': String(max),
      'ratelimit-remaining': String(Math.max(0, max - b.used)),
      'ratelimit-reset': String(Math.ceil(b.resetAt / 1000)),
      'ratelimit-policy': `${max};w=${WINDOWS_MS[bucket] / 1000}`,
    };
    if (over && resetInSeconds === undefined) throw new XrpcFailure(429, 'RateLimitExceeded', 'Rate Limit Exceeded');
  }

  // --- dispatch -----------------------------------------------------------------------------

  const routes: Record<string, { method: 'GET' | 'POST'; run(req: Request): FakeResponse }> = {
    'com.atproto.server.createSession': { method: 'POST', run: createSession },
    'com.atproto.server.refreshSession': { method: 'POST', run: refreshSession },
    'com.atproto.server.getSession': { method: 'GET', run: getSession },
    'com.atproto.repo.createRecord': { method: 'POST', run: createRecord },
    'com.atproto.repo.getRecord': { method: 'GET', run: getRecord },
    'com.atproto.repo.listRecords': { method: 'GET', run: listRecords },
    'com.atproto.repo.uploadBlob': { method: 'POST', run: uploadBlob },
  };

  function handle(req: Request): FakeResponse {
    try {
      const route = routes[req.nsid];
      if (!route) throw new XrpcFailure(501, 'MethodNotImplemented', 'Method Not Implemented');
      if (route.method !== req.method) throw new XrpcFailure(400, 'InvalidRequest', `Incorrect HTTP method (${req.method}) expected ${route.method}`);
      limit(req, `global:${req.client}`, 'global', 1);
      const answer = route.run(req);
      return { ...answer, headers: { ...req.rateHeaders, ...answer.headers } };
    } catch (error) {
      if (error instanceof XrpcFailure) {
        return { status: error.status, body: { error: error.error, message: error.message }, headers: req.rateHeaders };
      }
      return { status: 500, body: { error: 'InternalServerError', message: 'Internal Server Error' }, headers: req.rateHeaders };
    }
  }

  function faultAnswer(fault: StatusFault, req: Request): FakeResponse {
    const is429 = fault.status === 429;
    limit(req, `global:${req.client}`, 'global', 0, is429 ? (fault.resetInSeconds ?? 300) : undefined);
    const headers = req.rateHeaders;
    if (fault.body !== undefined) return { status: fault.status, body: fault.body, headers };
    const [error, message] =
      fault.status === 401
        ? ['AuthenticationRequired', req.nsid === 'com.atproto.server.createSession' ? 'Invalid identifier or password' : 'Authentication Required']
        : fault.status === 403
          ? ['Forbidden', 'Forbidden']
          : is429
            ? ['RateLimitExceeded', 'Rate Limit Exceeded']
            : fault.status === 502
              ? ['UpstreamFailure', 'Upstream Failure']
              : fault.status === 503
                ? ['NotEnoughResources', 'Not Enough Resources']
                : fault.status >= 500
                  ? ['InternalServerError', 'Internal Server Error']
                  : ['InvalidRequest', 'Invalid Request'];
    return { status: fault.status, body: { error, message }, headers };
  }

  // --- server -------------------------------------------------------------------------------

  /** The XRPC view of a request: its method id and the client it counts against. */
  function xrpc(req: FakeRequest): Request {
    const nsid = /^\/xrpc\/([a-zA-Z0-9.-]+)$/.exec(req.path)?.[1] ?? '';
    return { ...req, nsid, client: req.remoteAddress, rateHeaders: {} };
  }

  const server = await startFakeServer({
    port: opts.port,
    host: opts.host,
    handle: (req) => {
      const x = xrpc(req);
      return x.nsid ? handle(x) : { status: 404, body: { error: 'NotFound', message: 'Not Found' } };
    },
    faultAnswer: (fault, req) => faultAnswer(fault, xrpc(req)),
    internalError: () => ({ status: 500, body: { error: 'InternalServerError', message: 'Internal Server Error' } }),
    maxBodyBytes: blobLimit,
    tooLarge: () => ({ status: 413, body: { error: 'PayloadTooLarge', message: 'request entity too large' } }),
  });
  const url = server.url;

  return {
    url,
    get records() {
      return records.map((r) => ({ ...r, value: structuredClone(r.value) }));
    },
    get blobs() {
      return blobs.map((b) => ({ ...b, bytes: Buffer.from(b.bytes) }));
    },
    get requests() {
      return [...server.requests];
    },
    addAccount,
    revoke: (appPasswordOrDid) => {
      const targets = accounts.filter((a) => a.appPassword === appPasswordOrDid || a.did === appPasswordOrDid);
      for (const account of targets) revokedPasswords.add(account.appPassword);
      if (targets.length === 0) revokedPasswords.add(appPasswordOrDid);
    },
    expireSessions: (expireOpts = {}) => {
      const now = Date.now();
      for (const token of accessTokens.values()) token.expiresAt = Math.min(token.expiresAt, now);
      if (expireOpts.refresh) for (const token of refreshTokens.values()) token.expired = true;
    },
    failNext: (fault, times = 1, match) => server.faults.add(fault, times, match),
    urlOf: (uri) => {
      const m = /^at:\/\/([^/]+)\/[^/]+\/([^/]+)$/.exec(uri);
      return m ? `https://bsky.app/profile/${m[1]}/post/${m[2]}` : '';
    },
    reset: () => {
      records.length = 0;
      blobs.length = 0;
      revokedPasswords.clear();
      buckets.clear();
      server.faults.clear();
      server.requests.length = 0;
    },
    close: () => server.close(),
  };
}

// --- helpers ----------------------------------------------------------------------------------

function jsonBody(req: Request): Record<string, unknown> {
  const type = String(req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') throw new XrpcFailure(400, 'InvalidRequest', 'Wrong request encoding (Content-Type): expected application/json');
  try {
    const value: unknown = JSON.parse(req.raw.toString('utf8'));
    if (isObject(value)) return value;
  } catch {
    // answered below
  }
  throw new XrpcFailure(400, 'InvalidRequest', 'Request body is not a JSON object');
}

/** Problems of one facet: byte range inside the UTF-8 text, on character boundaries, known features. */
function facetProblem(facet: unknown, text: Buffer): string | undefined {
  if (!isObject(facet) || !isObject(facet.index) || !Array.isArray(facet.features)) return ' must have "index" and "features"';
  const { byteStart, byteEnd } = facet.index;
  if (!Number.isInteger(byteStart) || !Number.isInteger(byteEnd)) return '/index byteStart and byteEnd must be integers';
  const start = byteStart as number;
  const end = byteEnd as number;
  if (start < 0 || end <= start || end > text.length) return `/index [${start}, ${end}) lies outside the ${text.length}-byte text`;
  const continuation = (at: number): boolean => at < text.length && ((text[at] ?? 0) & 0xc0) === 0x80;
  if (continuation(start) || continuation(end)) return `/index [${start}, ${end}) splits a UTF-8 character`;
  if (facet.features.length === 0) return '/features must not be empty';
  for (const feature of facet.features) {
    if (!isObject(feature)) return '/features must hold objects';
    switch (feature.$type) {
      case 'app.bsky.richtext.facet#link':
        if (typeof feature.uri !== 'string' || !/^[a-z][a-z0-9+.-]*:\S+$/i.test(feature.uri)) return '/features link uri must be a URI';
        break;
      case 'app.bsky.richtext.facet#tag':
        if (typeof feature.tag !== 'string' || feature.tag === '' || Buffer.byteLength(feature.tag) > 640) return '/features tag is invalid';
        break;
      case 'app.bsky.richtext.facet#mention':
        if (typeof feature.did !== 'string' || !feature.did.startsWith('did:')) return '/features mention did must be a DID';
        break;
      default:
        return `/features: unknown feature ${String(feature.$type)}`;
    }
  }
  return undefined;
}

/** Opaque tokens shaped like the PDS's JWTs (the signature is random: only the fake checks them). */
function jwt(payload: Record<string, unknown>, typ: string): string {
  const part = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
  const claims = { ...payload, iat: Math.floor(Number(payload.iat) / 1000), ...(payload.exp ? { exp: Math.floor(Number(payload.exp) / 1000) } : {}) };
  return `${part({ typ, alg: 'HS256' })}.${part(claims)}.${randomBytes(32).toString('base64url')}`;
}

/** TIDs from the clock (microseconds), strictly increasing, as the PDS makes record keys and revs. */
function tidClock(): () => string {
  let last = 0n;
  const clockId = BigInt(randomBytes(2).readUInt16BE() & 0x3ff);
  return () => {
    let micros = BigInt(Date.now()) * 1000n;
    if (micros <= last) micros = last + 1n;
    last = micros;
    return s32(micros).padStart(11, '2') + s32(clockId).padStart(2, '2');
  };
}

function s32(value: bigint): string {
  let out = '';
  let rest = value;
  while (rest > 0n) {
    out = S32[Number(rest % 32n)] + out;
    rest /= 32n;
  }
  return out;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// --- DAG-CBOR and CIDs --------------------------------------------------------------------------

/** CIDv1 string (multibase base32, "b…") of `bytes` hashed with sha-256. */
function cidFor(codec: number, bytes: Uint8Array): string {
  const digest = createHash('sha256').update(bytes).digest();
  return `b${base32(Buffer.concat([Buffer.from([0x01, codec, 0x12, 0x20]), digest]))}`;
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

function fromBase32(text: string): Buffer {
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of text) {
    const digit = BASE32.indexOf(ch);
    if (digit < 0) throw new Error(`invalid base32 character ${ch}`);
    value = (value << 5) | digit;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The binary CID of a "b…" CIDv1 string (the only form atproto links take). */
function cidBytes(text: string): Buffer {
  if (!/^b[a-z2-7]+$/.test(text)) throw new Error(`not a base32 CIDv1: ${text}`);
  const bytes = fromBase32(text.slice(1));
  if (bytes[0] !== 0x01 || bytes.length < 4) throw new Error(`not a CIDv1: ${text}`);
  return bytes;
}

/**
 * Deterministic DAG-CBOR of a record in its JSON form: {$link} becomes a CID (tag 42), {$bytes}
 * bytes; maps are sorted by key length, then bytewise; integers take the shortest form; floats
 * are refused as on the PDS.
 */
function dagCbor(value: unknown): Buffer {
  const chunks: Buffer[] = [];
  const head = (major: number, n: number | bigint): void => {
    const v = BigInt(n);
    const m = major << 5;
    if (v < 24n) chunks.push(Buffer.from([m | Number(v)]));
    else if (v < 0x100n) chunks.push(Buffer.from([m | 24, Number(v)]));
    else if (v < 0x10000n) {
      const b = Buffer.alloc(3);
      b[0] = m | 25;
      b.writeUInt16BE(Number(v), 1);
      chunks.push(b);
    } else if (v < 0x100000000n) {
      const b = Buffer.alloc(5);
      b[0] = m | 26;
      b.writeUInt32BE(Number(v), 1);
      chunks.push(b);
    } else {
      const b = Buffer.alloc(9);
      b[0] = m | 27;
      b.writeBigUInt64BE(v, 1);
      chunks.push(b);
    }
  };
  const write = (v: unknown): void => {
    if (v === null) chunks.push(Buffer.from([0xf6]));
    else if (v === true) chunks.push(Buffer.from([0xf5]));
    else if (v === false) chunks.push(Buffer.from([0xf4]));
    else if (typeof v === 'number') {
      if (!Number.isSafeInteger(v)) throw new Error('records may not contain floats or unsafe integers');
      if (v >= 0) head(0, v);
      else head(1, -1 - v);
    } else if (typeof v === 'string') {
      const b = Buffer.from(v, 'utf8');
      head(3, b.length);
      chunks.push(b);
    } else if (Array.isArray(v)) {
      head(4, v.length);
      for (const item of v) write(item);
    } else if (isObject(v)) {
      const keys = Object.keys(v);
      if (keys.length === 1 && typeof v.$link === 'string') {
        const cid = Buffer.concat([Buffer.from([0x00]), cidBytes(v.$link)]);
        head(6, 42);
        head(2, cid.length);
        chunks.push(cid);
        return;
      }
      if (keys.length === 1 && typeof v.$bytes === 'string') {
        const b = Buffer.from(v.$bytes, 'base64');
        head(2, b.length);
        chunks.push(b);
        return;
      }
      const entries = keys
        .filter((k) => v[k] !== undefined)
        .map((k) => [Buffer.from(k, 'utf8'), v[k]] as const)
        .sort(([a], [b]) => a.length - b.length || Buffer.compare(a, b));
      head(5, entries.length);
      for (const [key, item] of entries) {
        head(3, key.length);
        chunks.push(key);
        write(item);
      }
    } else {
      throw new Error(`records may not contain ${typeof v} values`);
    }
  };
  write(value);
  return Buffer.concat(chunks);
}
