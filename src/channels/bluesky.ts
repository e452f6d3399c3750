// Bluesky posts and threads through @atproto/api (AtpAgent with an app-password session).
//
// settings:    {apiBaseUrl? or service? = https://bsky.social (a self-hosted PDS), timeoutMs? = 15000}
// credentials: {identifier (handle, DID or e-mail address), appPassword}
// content:     {text} or {thread: string[]}; media (up to 4 images with alt text, 1 MB each) go
//              with the first part
//
// How a post is made: createSession (cached in memory per service and identifier, refreshed by the
// agent on ExpiredToken and created anew when the refresh is refused), uploadBlob for each image,
// then com.atproto.repo.createRecord per part, the parts chained by reply {root, parent}. Links and
// hashtags become facets (byte offsets in the UTF-8 text); @mentions stay plain text, because
// turning them into facets needs a handle look-up per mention.
//
// Why retries cannot post twice: each part gets a record key derived from ctx.idempotencyKey and
// the part's index. The key is a TID (the lexicon's key type for posts; the AppView ignores posts
// with other keys), built from a hash: 53 bits of "timestamp" within 2023–2024 and 10 bits of clock
// id. A second createRecord with the same key is refused by the PDS (the reference PDS answers 500,
// others 400 "Record already exists"); the adapter then reads the record with getRecord and, if it
// holds the same part, carries on with it. findExisting looks the parts up the same way.

import { createHash } from 'node:crypto';
import { AtpAgent, AtUri, RichText, XRPCError, type $Typed, type AppBskyEmbedImages, type AppBskyFeedPost, type AppBskyRichtextFacet } from '@atproto/api';
import type { PostContent, Warning } from '../domain/types';
import { guardedDispatcher, hostRefusal, outboundPolicy } from '../security/outbound';
import { BLUESKY_MAX_BYTES, BLUESKY_MAX_GRAPHEMES, graphemeCount, utf8Length } from '../domain/splitting/lengths';
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
import {
  NOT_SENT_CODES,
  classifyHttpStatus,
  classifyTransportError,
  classifyUnexpectedError,
  parseRetryAfter,
  permanentError,
  socketErrorCode,
  type Operation,
} from './http-errors';
import { isErrorLike, redact, redactValue } from './redact';

export const BLUESKY_MAX_IMAGES = 4;
/** app.bsky.embed.images#image: maxSize 1,000,000 bytes. */
export const BLUESKY_MAX_IMAGE_BYTES = 1_000_000;
const DEFAULT_SERVICE = 'https://bsky.social';
const DEFAULT_TIMEOUT_MS = 15_000;
const POST = 'app.bsky.feed.post';
// Errors of a session (not of the credentials): logging in again may cure them.
const SESSION_ERRORS = new Set(['ExpiredToken', 'InvalidToken']);
const AUTH_ERRORS = new Set(['AuthenticationRequired', 'AuthMissing', 'AccountTakedown', 'AccountDeactivated', 'AuthFactorTokenRequired']);

interface BlueskySettings {
  service: string;
  timeoutMs: number;
}

interface BlueskyAuth {
  identifier: string;
  appPassword: string;
}

interface StrongRef {
  uri: string;
  cid: string;
}

export const blueskyChannel: ChannelAdapter = {
  // Each part has a record key derived from the post: sending again finds the record instead.
  idempotent: true,
  type: 'bluesky',

  validate(content: PostContent): Warning[] {
    const warnings: Warning[] = [];
    const thread = threadOf(content);
    if (thread.length === 0) {
      warnings.push({ code: 'TEXT_REQUIRED', message: 'A Bluesky post needs text', severity: 'error' });
    }
    thread.forEach((part, i) => {
      const label = thread.length > 1 ? `Part ${i + 1}` : 'The post';
      if (part.trim() === '') {
        warnings.push({ code: 'PART_EMPTY', message: `${label} is empty`, severity: 'error' });
        return;
      }
      const length = graphemeCount(part);
      if (length > BLUESKY_MAX_GRAPHEMES) {
        warnings.push({
          code: 'TOO_LONG',
          message: `${label} has ${length} characters; Bluesky allows ${BLUESKY_MAX_GRAPHEMES}`,
          severity: 'error',
        });
      } else if (utf8Length(part) > BLUESKY_MAX_BYTES) {
        warnings.push({
          code: 'TOO_LONG',
          message: `${label} takes ${utf8Length(part)} bytes; Bluesky allows ${BLUESKY_MAX_BYTES}`,
          severity: 'error',
        });
      }
    });
    const media = content.media ?? [];
    if (media.length > BLUESKY_MAX_IMAGES) {
      warnings.push({
        code: 'TOO_MANY_MEDIA',
        message: `${media.length} images; Bluesky shows at most ${BLUESKY_MAX_IMAGES} per post`,
        severity: 'error',
      });
    }
    media.forEach((item, i) => {
      if (!item.alt?.trim()) {
        warnings.push({ code: 'MEDIA_ALT_MISSING', message: `Image ${i + 1} has no alt text`, severity: 'error' });
      }
    });
    return warnings;
  },

  async publish(content: PostContent, settings: Settings, credentials: Credentials, ctx: PublishContext): Promise<PublishResult> {
    const s = readSettings(settings);
    const auth = readCredentials(credentials);
    rejectInvalid(blueskyChannel.validate(content, settings));
    const thread = threadOf(content);
    const session = sessionFor(s, auth);

    // Parts accepted by an earlier attempt are never sent again; the chain continues after them.
    const parts = [...(ctx.progress.parts ?? [])];
    let root: StrongRef | undefined;
    let parent: StrongRef | undefined;
    if (parts.length > 0 && parts.length < thread.length) {
      root = await readSaved(session, parts[0]!.id, 'the first part');
      parent = parts.length > 1 ? await readSaved(session, parts[parts.length - 1]!.id, `part ${parts.length}`) : root;
    }

    for (let i = parts.length; i < thread.length; i++) {
      const text = thread[i] ?? '';
      const what = thread.length > 1 ? `part ${i + 1} of ${thread.length}` : 'the post';
      const embed = i === 0 && content.media?.length ? await uploadImages(session, content, ctx) : undefined;
      const record: AppBskyFeedPost.Record = {
        $type: POST,
        text,
        createdAt: new Date().toISOString(),
        ...facetsOf(text),
        ...(root && parent ? { reply: { root, parent } } : {}),
        ...(embed ? { embed } : {}),
      };
      const rkey = recordKeyFor(ctx.idempotencyKey, i);
      const created = await createPart(session, rkey, record, what);
      root ??= created;
      parent = created;
      parts.push({ id: created.uri, url: postUrl(created.uri) });
      await saveProgress(ctx, { parts: [...parts] }, what, created.uri, session);
    }

    const first = parts[0];
    if (!first) throw new ChannelError('permanent', 'TEXT_REQUIRED', 'Nothing to publish');
    return { externalId: first.id, externalUrl: first.url ?? postUrl(first.id) };
  },

  async check(settings: Settings, credentials: Credentials): Promise<CheckResult> {
    const s = readSettings(settings);
    const auth = readCredentials(credentials);
    // Always a fresh login: an issued access token keeps working for a while after the app
    // password was revoked, so only createSession tells whether the credentials still hold.
    const session = sessionFor(s, auth);
    await login(session);
    const handle = session.agent.session?.handle;
    if (!handle) throw new ChannelError('retryable', 'UNEXPECTED_RESPONSE', 'Bluesky answered createSession without a handle');
    return { account: `@${handle}` };
  },

  async findExisting(content: PostContent, settings: Settings, credentials: Credentials, ctx: PublishContext): Promise<PublishResult | null> {
    const s = readSettings(settings);
    const auth = readCredentials(credentials);
    const session = sessionFor(s, auth);
    const thread = threadOf(content);
    if (thread.length === 0) return null;
    // Only a complete thread counts as published; a partial one stays for a person to decide
    // (a retry would finish it without duplicates).
    let first: StrongRef | undefined;
    for (const [i, text] of thread.entries()) {
      const found = await getPost(session, recordKeyFor(ctx.idempotencyKey, i), `part ${i + 1}`);
      if (!found || found.value.text !== text) return null;
      first ??= found;
    }
    return first ? { externalId: first.uri, externalUrl: postUrl(first.uri) } : null;
  },
};

/**
 * The record key of a part: a TID computed from the idempotency key and the part index, so every
 * attempt of the same post revision writes to the same keys.
 */
export function recordKeyFor(idempotencyKey: string, partIndex: number): string {
  const digest = createHash('sha256').update(`herold:bluesky:${idempotencyKey}:${partIndex}`).digest();
  const BASE_MICROS = 1_672_531_200_000_000n; // 2023-01-01T00:00:00Z
  const SPAN_MICROS = 2n * 365n * 86_400_000_000n;
  const micros = BASE_MICROS + (digest.readBigUInt64BE(0) % SPAN_MICROS);
  const clockId = BigInt(digest.readUInt16BE(8) & 0x3ff);
  return base32Sortable(micros).padStart(11, '2') + base32Sortable(clockId).padStart(2, '2');
}

function base32Sortable(value: bigint): string {
  const alphabet = '234567abcdefghijklmnopqrstuvwxyz';
  let out = '';
  for (let rest = value; rest > 0n; rest /= 32n) out = alphabet[Number(rest % 32n)] + out;
  return out;
}

function threadOf(content: PostContent): string[] {
  return content.thread ?? (content.text !== undefined ? [content.text] : []);
}

/** bsky.app link by DID, which stays valid when the account changes its handle. */
function postUrl(uri: string): string {
  const at = new AtUri(uri);
  return `https://bsky.app/profile/${at.host}/post/${at.rkey}`;
}

/** Link and hashtag facets, with byte offsets into the UTF-8 text. */
function facetsOf(text: string): { facets?: AppBskyRichtextFacet.Main[] } {
  const rich = new RichText({ text });
  rich.detectFacetsWithoutResolution();
  const facets = (rich.facets ?? []).filter((facet) =>
    facet.features.every((f) => f.$type === 'app.bsky.richtext.facet#link' || f.$type === 'app.bsky.richtext.facet#tag'),
  );
  return facets.length > 0 ? { facets } : {};
}

// --- sessions -----------------------------------------------------------------------------

interface Session {
  agent: AtpAgent;
  auth: BlueskyAuth;
  /** Fingerprint of the app password: a changed password starts a new session. */
  fingerprint: string;
  /** Deadline of each HTTP request; the channel's current setting. */
  timeoutMs: number;
  loggingIn?: Promise<void>;
}

const sessions = new Map<string, Session>();

function sessionFor(s: BlueskySettings, auth: BlueskyAuth): Session {
  const key = `${s.service}\n${auth.identifier.toLowerCase()}`;
  const fingerprint = createHash('sha256').update(auth.appPassword).digest('hex');
  let session = sessions.get(key);
  if (!session || session.fingerprint !== fingerprint) {
    const timeout = { ms: s.timeoutMs };
    const agent = new AtpAgent({ service: s.service, fetch: deadlineFetch(() => timeout.ms) });
    const created: Session = {
      agent,
      auth,
      fingerprint,
      get timeoutMs() {
        return timeout.ms;
      },
      set timeoutMs(ms: number) {
        timeout.ms = ms;
      },
    };
    session = created;
    sessions.set(key, session);
  }
  session.timeoutMs = s.timeoutMs;
  return session;
}

function forget(session: Session): void {
  for (const [key, value] of sessions) if (value === session) sessions.delete(key);
}

async function login(session: Session): Promise<void> {
  session.loggingIn ??= session.agent
    .login({ identifier: session.auth.identifier, password: session.auth.appPassword })
    .then(
      () => undefined,
      (error: unknown) => {
        const mapped = toChannelError(error, 'read', 'the login', session);
        if (mapped.kind === 'auth') forget(session);
        throw mapped;
      },
    )
    .finally(() => {
      session.loggingIn = undefined;
    });
  return session.loggingIn;
}

/**
 * Runs a call with a session: logs in if there is none; if the cached session is refused (the
 * agent already tried a refresh), logs in once more and repeats the call. A refused call was not
 * carried out, so repeating it is safe.
 */
async function withSession<T>(session: Session, op: Operation, what: string, fn: (agent: AtpAgent, did: string) => Promise<T>): Promise<T> {
  let fresh = false;
  if (!session.agent.session) {
    await login(session);
    fresh = true;
  }
  const run = (): Promise<T> => fn(session.agent, session.agent.session?.did ?? '');
  try {
    return await run();
  } catch (error) {
    if (fresh || !isSessionProblem(error)) throw toChannelError(error, op, what, session);
  }
  await login(session);
  try {
    return await run();
  } catch (error) {
    const mapped = toChannelError(error, op, what, session);
    if (mapped.kind === 'auth') forget(session);
    throw mapped;
  }
}

function isSessionProblem(error: unknown): boolean {
  return error instanceof XRPCError && (error.status === 401 || SESSION_ERRORS.has(error.error ?? ''));
}

// --- the calls ----------------------------------------------------------------------------

async function createPart(session: Session, rkey: string, record: AppBskyFeedPost.Record, what: string): Promise<StrongRef> {
  try {
    return await withSession(session, 'send', what, async (agent, did) => {
      const res = await agent.com.atproto.repo.createRecord({ repo: did, collection: POST, rkey, record });
      return { uri: res.data.uri, cid: res.data.cid };
    });
  } catch (error) {
    // The key may be taken by an earlier attempt whose answer got lost. The reference PDS
    // answers that with a 500, others with "Record already exists": look before giving up.
    if (!(error instanceof ChannelError) || (error.code !== 'SERVER_ERROR' && error.code !== 'DUPLICATE')) throw error;
    const existing = await getPost(session, rkey, what);
    if (!existing) throw error;
    const sameParent = (existing.value.reply?.parent?.uri ?? null) === (record.reply?.parent.uri ?? null);
    if (existing.value.text !== record.text || !sameParent) {
      throw new ChannelError('permanent', 'DUPLICATE', `Record key ${rkey} for ${what} already holds a different post (${existing.uri})`);
    }
    return { uri: existing.uri, cid: existing.cid };
  }
}

interface ExistingPost extends StrongRef {
  value: { text?: unknown; reply?: { parent?: { uri?: string } } };
}

/** The post under a record key of the account, or null when there is none. */
function getPost(session: Session, rkey: string, what: string): Promise<ExistingPost | null> {
  return withSession(session, 'read', `${what} (look-up)`, async (agent, did) => {
    try {
      const res = await agent.com.atproto.repo.getRecord({ repo: did, collection: POST, rkey });
      if (!res.data.cid) throw new ChannelError('retryable', 'UNEXPECTED_RESPONSE', `Bluesky returned ${what} without a cid`);
      return { uri: res.data.uri, cid: res.data.cid, value: res.data.value as ExistingPost['value'] };
    } catch (error) {
      if (error instanceof XRPCError && error.error === 'RecordNotFound') return null;
      throw error;
    }
  });
}

/** A part saved by an earlier attempt, with its current CID (needed to reply to it). */
async function readSaved(session: Session, uri: string, what: string): Promise<StrongRef> {
  let rkey: string;
  try {
    rkey = new AtUri(uri).rkey;
  } catch {
    throw new ChannelError('permanent', 'PROGRESS_INVALID', `Saved progress names no Bluesky post for ${what}`);
  }
  const found = await getPost(session, rkey, what);
  if (!found) {
    throw new ChannelError('permanent', 'THREAD_BROKEN', `${what} of the thread (${uri}) no longer exists; the thread cannot be continued`);
  }
  return { uri: found.uri, cid: found.cid };
}

async function uploadImages(session: Session, content: PostContent, ctx: PublishContext): Promise<$Typed<AppBskyEmbedImages.Main>> {
  const images: AppBskyEmbedImages.Image[] = [];
  for (const [i, item] of (content.media ?? []).entries()) {
    const media = await ctx.fetchMedia(item.url);
    if (media.bytes.length > BLUESKY_MAX_IMAGE_BYTES) {
      throw new ChannelError(
        'permanent',
        'MEDIA_TOO_LARGE',
        `Image ${i + 1} has ${media.bytes.length} bytes; Bluesky accepts ${BLUESKY_MAX_IMAGE_BYTES}`,
      );
    }
    const blob = await withSession(session, 'read', `image ${i + 1}`, async (agent) => {
      const res = await agent.com.atproto.repo.uploadBlob(new Uint8Array(media.bytes), { encoding: media.contentType });
      return res.data.blob;
    });
    images.push({ alt: item.alt.trim(), image: blob });
  }
  return { $type: 'app.bsky.embed.images', images };
}

async function saveProgress(ctx: PublishContext, progress: PublishProgress, what: string, uri: string, session: Session): Promise<void> {
  try {
    await ctx.saveProgress(progress);
  } catch (error) {
    // The part exists; the deterministic key keeps a retry from posting it again, but the
    // worker has to know that this attempt did publish something.
    const detail = isErrorLike(error) ? error.message : String(error);
    throw new ChannelError(
      'unknown_outcome',
      'PROGRESS_NOT_SAVED',
      `${what} was posted (${uri}) but progress could not be saved: ${redact(detail, secretsOf(session))}`,
    );
  }
}

// --- transport ----------------------------------------------------------------------------

/** Why a request got no answer; carried as the cause of the XRPCError the library throws. */
class TransportFailure extends Error {
  override readonly name = 'TransportFailure';
  constructor(
    readonly reason: 'timeout' | 'not_sent' | 'lost',
    message: string,
  ) {
    super(message);
  }
}

/**
 * fetch with a deadline per request that tells a refused connection from a lost answer, through
 * a dispatcher that judges the address each connection goes to (outbound policy, DNS rebinding).
 * The policy is read per request: the agent and its session outlive the call that made them.
 */
function deadlineFetch(timeoutMs: () => number): typeof fetch {
  return async (input, init) => {
    const ms = timeoutMs();
    const deadline = AbortSignal.timeout(ms);
    const signal = init?.signal ? AbortSignal.any([init.signal, deadline]) : deadline;
    try {
      return await fetch(input, { ...init, signal, dispatcher: guardedDispatcher(outboundPolicy()) });
    } catch (error) {
      // Refused by Herold before connecting: the library keeps it as the cause of its XRPCError.
      const refused = hostRefusal(error);
      if (refused) throw refused;
      if (deadline.aborted) throw new TransportFailure('timeout', `no answer within ${ms} ms`);
      const code = errorCode(error);
      throw new TransportFailure(NOT_SENT_CODES.has(code) ? 'not_sent' : 'lost', code);
    }
  };
}

function errorCode(error: unknown): string {
  const code = socketErrorCode(error);
  if (code) return code;
  const e = error as { message?: unknown; cause?: { message?: unknown } } | undefined;
  const message = e?.cause?.message ?? e?.message;
  return typeof message === 'string' ? message : 'unknown';
}

/** The transport problem behind an error, if the request got no (complete) answer. */
function transportOf(error: XRPCError): TransportFailure['reason'] | undefined {
  const cause: unknown = error.cause;
  if (cause instanceof TransportFailure) return cause.reason;
  // The deadline can also strike while the body of an answer is read.
  const name = (cause as { name?: unknown } | undefined)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return 'timeout';
  return error.status === 1 ? 'lost' : undefined; // ResponseType.Unknown: no answer
}

// --- error sorting ------------------------------------------------------------------------

function toChannelError(error: unknown, op: Operation, what: string, session: Session): ChannelError {
  if (error instanceof ChannelError) return error;
  const refused = hostRefusal(error);
  if (refused) return refused;
  const secrets = secretsOf(session);
  if (!(error instanceof XRPCError)) return classifyUnexpectedError(error, op, what, secrets);
  const transport = transportOf(error);
  if (transport) {
    const code = redact(error.cause instanceof Error ? error.cause.message : error.message, secrets);
    return classifyTransportError({
      network: 'Bluesky',
      op,
      what,
      timeoutMs: session.timeoutMs,
      timedOut: transport === 'timeout',
      notSent: transport === 'not_sent',
      code,
    });
  }
  if (error.status === 2) {
    // ResponseType.InvalidResponse: an answer came, but not one the lexicon allows.
    const message = redact(`Bluesky gave an invalid answer for ${what}: ${error.message}`, secrets);
    return op === 'send'
      ? new ChannelError('unknown_outcome', 'UNEXPECTED_RESPONSE', `${message}; it may have been published`)
      : new ChannelError('retryable', 'UNEXPECTED_RESPONSE', message);
  }
  return fromAnswer(error, what, secrets);
}

function fromAnswer(error: XRPCError, what: string, secrets: string[]): ChannelError {
  const status = error.status;
  const name = error.error ?? '';
  const text = error.message ?? '';
  const body = redactValue({ error: name, message: text }, secrets);
  const message = redact(`Bluesky answered ${status} ${name} for ${what}: ${text}`, secrets);

  // The PDS names credential and session problems also in 400 answers (ExpiredToken …).
  if (AUTH_ERRORS.has(name) || SESSION_ERRORS.has(name)) {
    const hint = name === 'AuthFactorTokenRequired' ? ' (this is the account password with e-mail confirmation: use an app password)' : '';
    return new ChannelError('auth', 'AUTH_EXPIRED', message + hint, { status, body });
  }
  const common = classifyHttpStatus(status, message, { body, resetMs: resetMs(error) });
  if (common) return common;
  if (status === 413 || name === 'BlobTooLarge' || /file is too large/i.test(text)) return permanentError('MEDIA_TOO_LARGE', message, status, body);
  if (/already exists/i.test(text)) return permanentError('DUPLICATE', message, status, body);
  if (/must not be longer than|too long/i.test(text)) return permanentError('TOO_LONG', message, status, body);
  if (status === 403) return permanentError('PERMISSION_DENIED', message, status, body);
  return permanentError('CONTENT_REJECTED', message, status, body);
}

/** Until the exhausted window resets: ratelimit-reset is in Unix seconds; retry-after as a fallback. */
function resetMs(error: XRPCError): number | undefined {
  const headers = error.headers ?? {};
  const reset = Number(headers['ratelimit-reset']);
  if (Number.isFinite(reset) && reset > 0) return Math.max(1000, reset * 1000 - Date.now());
  return parseRetryAfter(headers['retry-after']);
}

function secretsOf(session: Session): string[] {
  const s = session.agent.session;
  return [session.auth.appPassword, s?.accessJwt, s?.refreshJwt].filter((v): v is string => typeof v === 'string' && v !== '');
}

// --- settings and credentials -------------------------------------------------------------

function readSettings(settings: Settings): BlueskySettings {
  const invalid = (why: string): ChannelError => new ChannelError('permanent', 'SETTINGS_INVALID', `Bluesky settings: ${why}`);
  const service = settings.apiBaseUrl ?? settings.service ?? DEFAULT_SERVICE;
  const { timeoutMs = DEFAULT_TIMEOUT_MS } = settings;
  let url: URL;
  try {
    url = new URL(String(service));
  } catch {
    throw invalid('the service must be an http(s) URL');
  }
  if (typeof service !== 'string' || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw invalid('the service must be an http(s) URL');
  }
  if (typeof timeoutMs !== 'number' || !(timeoutMs > 0)) throw invalid('timeoutMs must be a positive number');
  return { service: url.href.replace(/\/+$/, ''), timeoutMs };
}

function readCredentials(credentials: Credentials): BlueskyAuth {
  const { identifier, appPassword } = credentials;
  if (typeof identifier !== 'string' || identifier.trim() === '' || typeof appPassword !== 'string' || appPassword === '') {
    throw new ChannelError('auth', 'CREDENTIALS_MISSING', 'Bluesky credentials: identifier and appPassword are required');
  }
  return { identifier: identifier.trim().replace(/^@/, ''), appPassword };
}

function rejectInvalid(warnings: Warning[]): void {
  const error = warnings.find((w) => w.severity === 'error');
  if (error) throw new ChannelError('permanent', error.code, error.message);
}
