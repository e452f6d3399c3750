// X (Twitter) posts and threads through twitter-api-v2, with images and alt text.
//
// settings:    {apiBaseUrl? = https://api.x.com, timeoutMs? = 15000, username?, accountId?}
//              username (as check() reports it, with or without @) makes result URLs x.com/{username}/status/{id};
//              without it they are x.com/i/status/{id}, which X redirects. accountId is set by Herold,
//              never by a client: the user id identify() reports when credentials are saved.
// credentials: OAuth 1.0a {appKey, appSecret, accessToken, accessSecret}
//              or OAuth 2 user context {accessToken, refreshToken?, clientId?, clientSecret?, expiresAt?}
//              (expiresAt: ISO 8601). With refreshToken and clientId the access token is renewed
//              before it expires (and once after a 401); X rotates the refresh token, and the new
//              pair is stored with ctx.saveCredentials before it is used. clientSecret (confidential
//              clients) is sent as HTTP Basic auth, otherwise client_id goes in the form.
// content:     {thread: string[], media?} (a plain {text} is treated as a one-part thread);
//              up to 4 images go with the first part, each with alt text (≤ 1,000 characters).
//
// twitter-api-v2 has no base-URL option: a request plugin moves each request to apiBaseUrl
// after the library has signed it, so OAuth 1.0a signatures stay computed over the public
// https://api.x.com URL. The same plugin gives every request an abort deadline. Every connection
// (library and token refresh) goes through a guard of src/security/outbound.ts: an address outside
// the outbound policy fails the call with the permanent CHANNEL_HOST_PRIVATE before anything is sent.
// Images: ctx.fetchMedia (SSRF-guarded) → client.v2.uploadMedia (POST /2/media/upload/initialize,
// /{id}/append as multipart, /{id}/finalize) → client.v2.createMediaMetadata (alt text) →
// POST /2/tweets with media.media_ids. Uploaded ids are kept in the progress (`media`), so a
// retry within MEDIA_REUSE_MS does not upload them again. The token refresh is a direct form
// POST: the library's refreshOAuth2Token sends JSON (its body-type check for /2/oauth2 looks
// at url.password instead of the path in 1.29.1), which X's token endpoint refuses.

import {
  ApiPartialResponseError,
  ApiRequestError,
  ApiResponseError,
  TwitterApi,
  type EUploadMimeType,
  type ITwitterApiClientPlugin,
  type SendTweetV2Params,
  type TweetV2,
  type TweetV2UserTimelineResult,
  type TwitterApiTokens,
} from 'twitter-api-v2';
import { extractUrls, parseTweet } from 'twitter-text';
import type { MediaItem, PostContent, Warning } from '../domain/types';
import { guardedAgent, guardedDispatcher, hostRefusal, outboundPolicy } from '../security/outbound';
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
import {
  classifyHttpStatus,
  classifyTransportError,
  classifyUnexpectedError,
  permanentError,
  socketErrorCode,
  type Operation,
} from './http-errors';
import { isErrorLike, redact, redactValue } from './redact';

export const X_MAX_WEIGHTED_LENGTH = 280;
export const X_MAX_IMAGES = 4;
export const X_MAX_ALT_TEXT = 1000;
const DEFAULT_API_BASE = 'https://api.x.com';
const DEFAULT_TIMEOUT_MS = 15_000;
/** Refresh an OAuth 2 access token this long before it expires. */
const REFRESH_MARGIN_MS = 5 * 60_000;
/** X keeps uploaded media for 24 hours; ids older than this are uploaded again. */
const MEDIA_REUSE_MS = 12 * 3_600_000;
/** How far back findExisting looks for a post this attempt may have made. */
export const X_FIND_EXISTING_LOOKBACK_MS = 3 * 24 * 3_600_000;
const IMAGE_LIMITS: Record<string, number> = {
  'image/jpeg': 5 * 1024 * 1024,
  'image/png': 5 * 1024 * 1024,
  'image/webp': 5 * 1024 * 1024,
  'image/gif': 15 * 1024 * 1024,
};
const URL_PLACEHOLDER = '\u0000url\u0000';

interface TwitterSettings {
  apiBaseUrl: URL;
  timeoutMs: number;
  username?: string;
}

interface OAuth2Tokens {
  accessToken: string;
  refreshToken?: string;
  clientId?: string;
  clientSecret?: string;
  /** Milliseconds since the epoch. */
  expiresAt?: number;
}

type TwitterAuth = { kind: 'oauth1'; tokens: TwitterApiTokens } | { kind: 'oauth2'; tokens: OAuth2Tokens };

/** Uploaded images of the first part, kept so a retry can attach them without uploading again. */
interface UploadedMedia {
  url: string;
  alt: string;
  id: string;
  /** ISO 8601 */
  uploadedAt: string;
}

type XProgress = PublishProgress & { media?: UploadedMedia[] };

export const twitterChannel: ChannelAdapter = {
  type: 'twitter',

  validate(content: PostContent): Warning[] {
    const warnings: Warning[] = [];
    const thread = threadOf(content);
    if (thread.length === 0) {
      warnings.push({ code: 'THREAD_REQUIRED', message: 'An X post needs at least one part', severity: 'error' });
    }
    const seen = new Set<string>();
    thread.forEach((part, i) => {
      const label = thread.length > 1 ? `Part ${i + 1}` : 'The post';
      if (part.trim() === '') {
        warnings.push({ code: 'PART_EMPTY', message: `${label} is empty`, severity: 'error' });
        return;
      }
      const parsed = parseTweet(part);
      if (parsed.weightedLength > X_MAX_WEIGHTED_LENGTH) {
        warnings.push({
          code: 'TOO_LONG',
          message: `${label} has a weighted length of ${parsed.weightedLength}; X allows ${X_MAX_WEIGHTED_LENGTH}`,
          severity: 'error',
        });
      } else if (!parsed.valid) {
        warnings.push({ code: 'INVALID_TEXT', message: `${label} contains characters X refuses`, severity: 'error' });
      }
      // X refuses a post identical to a recent one, so a repeated part would stop the thread.
      if (seen.has(part)) {
        warnings.push({ code: 'DUPLICATE_PART', message: `${label} repeats an earlier part`, severity: 'error' });
      }
      seen.add(part);
    });
    const media = content.media ?? [];
    if (media.length > X_MAX_IMAGES) {
      warnings.push({
        code: 'TOO_MANY_MEDIA',
        message: `${media.length} images; X allows ${X_MAX_IMAGES} per post`,
        severity: 'error',
      });
    }
    media.forEach((item, i) => {
      if (!isHttpUrl(item.url)) {
        warnings.push({ code: 'MEDIA_URL_INVALID', message: `Image ${i + 1} needs an http(s) URL`, severity: 'error' });
      }
      if (!item.alt?.trim()) {
        warnings.push({ code: 'MEDIA_ALT_MISSING', message: `Image ${i + 1} has no alt text`, severity: 'error' });
      } else if ([...item.alt].length > X_MAX_ALT_TEXT) {
        warnings.push({
          code: 'MEDIA_ALT_TOO_LONG',
          message: `The alt text of image ${i + 1} has ${[...item.alt].length} characters; X allows ${X_MAX_ALT_TEXT}`,
          severity: 'error',
        });
      }
    });
    return warnings;
  },

  async publish(content: PostContent, settings: Settings, credentials: Credentials, ctx: PublishContext): Promise<PublishResult> {
    const s = readSettings(settings);
    const auth = readCredentials(credentials);
    rejectInvalid(twitterChannel.validate(content, settings));
    const thread = threadOf(content);

    // Parts accepted by an earlier attempt are never sent again; the chain continues after them.
    const progress = ctx.progress as XProgress;
    const parts = [...(progress.parts ?? [])];
    if (parts.length < thread.length) {
      const session = await XSession.open(s, auth, credentials, ctx);
      const media = content.media ?? [];
      const mediaIds = parts.length === 0 && media.length > 0 ? await uploadImages(session, media, ctx) : [];
      for (let i = parts.length; i < thread.length; i++) {
        const previous = parts[i - 1];
        const what = thread.length > 1 ? `part ${i + 1} of ${thread.length}` : 'the post';
        const payload: Partial<SendTweetV2Params> = { text: thread[i] ?? '' };
        if (previous) payload.reply = { in_reply_to_tweet_id: previous.id };
        if (i === 0 && mediaIds.length > 0) payload.media = { media_ids: mediaIds as [string] };
        const posted = await session.call('send', what, (client) => client.v2.tweet(payload));
        const id: unknown = posted.data?.id;
        if (typeof id !== 'string' || id === '') {
          throw new ChannelError('unknown_outcome', 'UNEXPECTED_RESPONSE', `X accepted ${what} but returned no id`);
        }
        parts.push({ id, url: tweetUrl(id, s.username) });
        try {
          await ctx.saveProgress({ parts: [...parts] });
        } catch (error) {
          // The part exists but a retry would not know it: it must not simply post again.
          const detail = isErrorLike(error) ? error.message : String(error);
          throw new ChannelError(
            'unknown_outcome',
            'PROGRESS_NOT_SAVED',
            `${what} was posted (id ${id}) but progress could not be saved: ${redact(detail, session.secrets)}`,
          );
        }
      }
    }

    const first = parts[0];
    if (!first) throw new ChannelError('permanent', 'THREAD_REQUIRED', 'Nothing to publish');
    return { externalId: first.id, externalUrl: first.url ?? tweetUrl(first.id, s.username) };
  },

  async check(settings: Settings, credentials: Credentials): Promise<CheckResult> {
    const { account } = await identify(settings, credentials);
    return { account };
  },

  identify,

  /**
   * Reads the account's own posts of the last X_FIND_EXISTING_LOOKBACK_MS (up to 100, replies
   * included) and looks for the parts the progress does not know yet, in order: the first part
   * as a post that replies to nothing, every later one as a reply to the part before it. Texts
   * match after URLs are replaced by a placeholder (X turns them into t.co links), &amp; &lt;
   * &gt; are decoded, whitespace runs are collapsed and the text is NFC-normalised; a first
   * part with images may end with one more link (the one X adds for attached media).
   * Parts found are added to the progress. The whole thread found: its first part is returned.
   * Only some parts found: null, and a re-sent publish continues after the found parts.
   */
  async findExisting(content: PostContent, settings: Settings, credentials: Credentials, ctx: PublishContext): Promise<PublishResult | null> {
    const s = readSettings(settings);
    const auth = readCredentials(credentials);
    const thread = threadOf(content);
    if (thread.length === 0) return null;
    const parts = [...(ctx.progress.parts ?? [])];
    const first = parts[0];
    if (parts.length >= thread.length && first) {
      return { externalId: first.id, externalUrl: first.url ?? tweetUrl(first.id, s.username) };
    }

    const session = await XSession.open(s, auth, credentials, ctx);
    const me = await session.call('read', 'the account', (client) => client.v2.me());
    const userId = me.data?.id;
    if (typeof userId !== 'string' || !/^\d+$/.test(userId)) {
      throw new ChannelError('retryable', 'UNEXPECTED_RESPONSE', 'X answered /2/users/me without a user id');
    }
    const timeline = await session.call('read', 'the recent posts', (client) =>
      client.v2.get<TweetV2UserTimelineResult>(`users/${userId}/tweets`, {
        max_results: 100,
        start_time: new Date(Date.now() - X_FIND_EXISTING_LOOKBACK_MS).toISOString(),
        'tweet.fields': 'created_at,referenced_tweets,attachments',
      }),
    );
    const recent: TweetV2[] = Array.isArray(timeline.data) ? timeline.data : [];

    const known = parts.length;
    for (let i = parts.length; i < thread.length; i++) {
      const previous = parts[i - 1];
      const withMedia = i === 0 && (content.media?.length ?? 0) > 0;
      const match = recent.find(
        (t) => sameText(t.text, thread[i] ?? '', withMedia) && repliedTo(t) === (previous ? previous.id : undefined),
      );
      if (!match) break;
      parts.push({ id: match.id, url: tweetUrl(match.id, s.username) });
    }
    if (parts.length > known) {
      try {
        await ctx.saveProgress({ parts: [...parts] });
      } catch (error) {
        const detail = isErrorLike(error) ? error.message : String(error);
        throw new ChannelError('retryable', 'PROGRESS_NOT_SAVED', `Found posted parts but could not save them: ${redact(detail, session.secrets)}`);
      }
    }
    const head = parts[0];
    if (parts.length < thread.length || !head) return null;
    return { externalId: head.id, externalUrl: head.url ?? tweetUrl(head.id, s.username) };
  },
};

// --- session: client, deadline, OAuth 2 refresh ---------------------------------------------

class XSession {
  client: TwitterApi;
  /** Every credential value, including refreshed ones: masked in every error. */
  readonly secrets: string[];
  private refreshed = false;

  private constructor(
    private readonly s: TwitterSettings,
    private auth: TwitterAuth,
    private credentials: Credentials,
    private readonly ctx?: PublishContext,
  ) {
    this.secrets = allStrings(credentials);
    this.client = createClient(s, auth);
  }

  /** A session whose OAuth 2 token is refreshed first if it expires within REFRESH_MARGIN_MS. */
  static async open(s: TwitterSettings, auth: TwitterAuth, credentials: Credentials, ctx?: PublishContext): Promise<XSession> {
    const session = new XSession(s, auth, credentials, ctx);
    if (auth.kind === 'oauth2' && session.canRefresh() && expiringSoon(auth.tokens)) {
      try {
        await session.refresh('expiring');
      } catch (error) {
        // A token that is still valid for a while can publish even if the refresh failed for now.
        const usable = (auth.tokens.expiresAt ?? 0) - Date.now() > 30_000;
        if (!(error instanceof ChannelError && error.kind === 'retryable' && usable)) throw error;
      }
    }
    return session;
  }

  async call<T>(op: Operation, what: string, fn: (client: TwitterApi) => Promise<T>): Promise<T> {
    try {
      return await fn(this.client);
    } catch (error) {
      // A 401 means nothing was done: after one refresh the same call may be made again.
      if (error instanceof ApiResponseError && error.code === 401 && !this.refreshed && this.canRefresh()) {
        await this.refresh('rejected');
        try {
          return await fn(this.client);
        } catch (again) {
          throw toChannelError(again, op, what, this.s.timeoutMs, this.secrets);
        }
      }
      throw toChannelError(error, op, what, this.s.timeoutMs, this.secrets);
    }
  }

  private canRefresh(): boolean {
    return this.auth.kind === 'oauth2' && !!this.auth.tokens.refreshToken && !!this.auth.tokens.clientId && !!this.ctx;
  }

  /**
   * Trades the refresh token for a new pair, stores it, and only then switches to it. X's refresh
   * tokens work once, so this runs under the channel's credential lock (ctx.renewCredentials):
   * when another worker renewed the pair while this one waited, its stored pair is used instead
   * of spending the old refresh token a second time (X would refuse it: invalid_request).
   */
  private async refresh(why: 'expiring' | 'rejected'): Promise<void> {
    const ctx = this.ctx;
    if (this.auth.kind !== 'oauth2' || !ctx) return;
    this.refreshed = true;
    const spentToken = this.auth.tokens.accessToken;
    let issued = false;
    const renew = async (stored: Credentials): Promise<Credentials | null> => {
      const current = readCredentials(stored);
      if (current.kind !== 'oauth2') return null; // reconnected with OAuth 1.0a meanwhile
      const renewedElsewhere = current.tokens.accessToken !== spentToken;
      if (renewedElsewhere && !(why === 'expiring' && expiringSoon(current.tokens))) return null;
      this.secrets.push(...allStrings(stored));
      const fresh = await requestRefresh(this.s, current.tokens, this.secrets);
      issued = true;
      this.secrets.push(fresh.accessToken, fresh.refreshToken);
      const next: Credentials = {
        ...stored,
        accessToken: fresh.accessToken,
        refreshToken: fresh.refreshToken,
        ...(fresh.expiresAt !== undefined ? { expiresAt: new Date(fresh.expiresAt).toISOString() } : {}),
      };
      if (fresh.expiresAt === undefined) delete next.expiresAt;
      return next;
    };
    let latest: Credentials;
    try {
      latest = ctx.renewCredentials ? await ctx.renewCredentials(renew) : await renewUnlocked(this.credentials, renew, ctx);
    } catch (error) {
      if (error instanceof ChannelError) throw error;
      const detail = redact(isErrorLike(error) ? error.message : String(error), this.secrets);
      // Once X has issued a pair, the old refresh token is spent; the new one existed only here.
      throw new ChannelError(
        'retryable',
        'CREDENTIALS_NOT_SAVED',
        issued
          ? `X issued a new token pair but it could not be stored (${detail}); nothing was published. ` +
              'If the next attempt reports AUTH_EXPIRED, connect the X account again.'
          : `The X credentials could not be locked for renewal (${detail}); nothing was published.`,
      );
    }
    this.secrets.push(...allStrings(latest));
    this.credentials = latest;
    this.auth = readCredentials(latest);
    this.client = createClient(this.s, this.auth);
  }
}

/** Without a credential lock (a context that has no store): renew from what this attempt read. */
async function renewUnlocked(
  credentials: Credentials,
  renew: (stored: Credentials) => Promise<Credentials | null>,
  ctx: PublishContext,
): Promise<Credentials> {
  const next = await renew(credentials);
  if (!next) return credentials;
  await ctx.saveCredentials(next);
  return next;
}

function expiringSoon(tokens: OAuth2Tokens): boolean {
  return tokens.expiresAt !== undefined && tokens.expiresAt - Date.now() <= REFRESH_MARGIN_MS;
}

interface FreshTokens {
  accessToken: string;
  refreshToken: string;
  expiresAt?: number;
}

/** POST /2/oauth2/token with grant_type=refresh_token, as a form (RFC 6749 §6). */
async function requestRefresh(s: TwitterSettings, tokens: OAuth2Tokens, secrets: string[]): Promise<FreshTokens> {
  const url = `${s.apiBaseUrl.href.replace(/\/+$/, '')}/2/oauth2/token`;
  const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refreshToken ?? '', client_id: tokens.clientId ?? '' });
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (tokens.clientSecret) {
    const basic = `${encodeURIComponent(tokens.clientId ?? '')}:${encodeURIComponent(tokens.clientSecret)}`;
    headers.authorization = `Basic ${Buffer.from(basic).toString('base64')}`;
  }
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers,
      body: form.toString(),
      signal: AbortSignal.timeout(s.timeoutMs),
      dispatcher: guardedDispatcher(outboundPolicy()),
    });
  } catch (error) {
    const refused = hostRefusal(error);
    if (refused) throw refused;
    // Nothing was published (a read, as far as posts go). If X did rotate the token, the next
    // attempt will say AUTH_EXPIRED.
    const name = isErrorLike(error) ? error.name : '';
    const timedOut = name === 'TimeoutError' || name === 'AbortError';
    const code = redact(socketErrorCode(error) ?? 'unknown', secrets);
    throw classifyTransportError({ network: 'X', op: 'read', what: 'the access token refresh', timeoutMs: s.timeoutMs, timedOut, code });
  }
  const raw = await res.text().catch(() => '');
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    body = raw.slice(0, 500);
  }
  const options = { status: res.status, body: redactValue(body, secrets) };
  if (res.ok) {
    const b = isRecord(body) ? body : {};
    if (!isText(b.access_token)) {
      throw new ChannelError('retryable', 'UNEXPECTED_RESPONSE', 'X answered the token refresh without an access token', options);
    }
    const lifetime = typeof b.expires_in === 'number' && b.expires_in > 0 ? b.expires_in * 1000 : undefined;
    return {
      accessToken: b.access_token,
      // X rotates refresh tokens; should it ever not, the old one stays valid.
      refreshToken: isText(b.refresh_token) ? b.refresh_token : (tokens.refreshToken ?? ''),
      ...(lifetime !== undefined ? { expiresAt: Date.now() + lifetime } : {}),
    };
  }
  const error = isRecord(body) && typeof body.error === 'string' ? body.error : '';
  const description = isRecord(body) && typeof body.error_description === 'string' ? body.error_description : describeProblem(body);
  const message = redact(`X refused the token refresh (${res.status}${error ? ` ${error}` : ''}): ${description}`, secrets);
  const reset = Number(res.headers.get('x-rate-limit-reset'));
  const wait = Number.isFinite(reset) && reset > 0 ? Math.max(1000, reset * 1000 - Date.now()) : undefined;
  const common = classifyHttpStatus(res.status, message, { body: options.body, resetMs: wait });
  if (common) throw common;
  // invalid_request / invalid_grant (used, revoked or expired refresh token), unauthorized_client…
  throw new ChannelError('auth', 'AUTH_EXPIRED', message, options);
}

// --- images --------------------------------------------------------------------------------

/** Uploads the images (or reuses ids from the progress), sets their alt text, returns media ids. */
async function uploadImages(session: XSession, media: MediaItem[], ctx: PublishContext): Promise<string[]> {
  const earlier = reusableUploads(ctx.progress as XProgress);
  const uploaded: UploadedMedia[] = [];
  for (const [i, item] of media.entries()) {
    const reuse = earlier[i];
    if (reuse && reuse.url === item.url && reuse.alt === item.alt) {
      uploaded.push(reuse);
      continue;
    }
    const what = `image ${i + 1}`;
    const image = await ctx.fetchMedia(item.url);
    const limit = IMAGE_LIMITS[image.contentType];
    if (limit === undefined) {
      throw new ChannelError('permanent', 'MEDIA_UNSUPPORTED', `${what} is ${image.contentType}; X takes JPEG, PNG, GIF or WebP`);
    }
    if (image.bytes.length > limit) {
      throw new ChannelError('permanent', 'MEDIA_TOO_LARGE', `${what} has ${image.bytes.length} bytes; X allows ${limit} for ${image.contentType}`);
    }
    const id = await session.call('upload', what, (client) =>
      client.v2.uploadMedia(image.bytes, { media_type: image.contentType as EUploadMimeType }),
    );
    if (typeof id !== 'string' || id === '') {
      throw new ChannelError('retryable', 'UNEXPECTED_RESPONSE', `X accepted ${what} but returned no media id`);
    }
    await session.call('upload', `the alt text of ${what}`, (client) => client.v2.createMediaMetadata(id, { alt_text: { text: item.alt } }));
    uploaded.push({ url: item.url, alt: item.alt, id, uploadedAt: new Date().toISOString() });
  }
  try {
    await ctx.saveProgress({ parts: [], media: uploaded } as XProgress);
  } catch {
    // Only an optimisation: a retry uploads the images again. Nobody sees unused media.
  }
  return uploaded.map((m) => m.id);
}

function reusableUploads(progress: XProgress): (UploadedMedia | undefined)[] {
  if (!Array.isArray(progress.media)) return [];
  return progress.media.map((m: unknown) => {
    if (!isRecord(m) || !isText(m.url) || typeof m.alt !== 'string' || !isText(m.id) || !isText(m.uploadedAt)) return undefined;
    const age = Date.now() - Date.parse(m.uploadedAt);
    return age >= 0 && age < MEDIA_REUSE_MS ? { url: m.url, alt: m.alt, id: m.id, uploadedAt: m.uploadedAt } : undefined;
  });
}

// --- matching for findExisting ----------------------------------------------------------------

function normalizeText(text: string): string {
  const decoded = text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&').normalize('NFC');
  const urls = [...new Set(extractUrls(decoded))].sort((a, b) => b.length - a.length);
  let out = decoded;
  for (const url of urls) out = out.split(url).join(URL_PLACEHOLDER);
  return out.replace(/\s+/g, ' ').trim();
}

function sameText(theirs: string, ours: string, withMedia: boolean): boolean {
  const a = normalizeText(theirs);
  const b = normalizeText(ours);
  return a === b || (withMedia && a === `${b} ${URL_PLACEHOLDER}`);
}

function repliedTo(tweet: TweetV2): string | undefined {
  return tweet.referenced_tweets?.find((r) => r.type === 'replied_to')?.id;
}

// --- client -------------------------------------------------------------------------------

function threadOf(content: PostContent): string[] {
  return content.thread ?? (content.text !== undefined ? [content.text] : []);
}

function tweetUrl(id: string, username: string | undefined): string {
  return `https://x.com/${username ?? 'i'}/status/${id}`;
}

function createClient(s: TwitterSettings, auth: TwitterAuth): TwitterApi {
  const base = s.apiBaseUrl;
  const basePath = base.pathname.replace(/\/+$/, '');
  const retarget = base.href.replace(/\/+$/, '') !== DEFAULT_API_BASE;
  const plugin: ITwitterApiClientPlugin = {
    onBeforeRequest({ computedParams, requestOptions }) {
      // Runs after signing: only the destination changes, the signed URL stays api.x.com.
      if (retarget) {
        const url = computedParams.url;
        url.protocol = base.protocol;
        url.host = base.host;
        url.pathname = basePath + url.pathname;
      }
      requestOptions.signal = AbortSignal.timeout(s.timeoutMs);
    },
  };
  // The library always calls https.request with this agent; an http agent is what lets it speak
  // plain http. Either way the agent judges the address it connects to (outbound policy, DNS
  // rebinding); for https it pools connections like Node's global agent did before.
  const httpAgent = guardedAgent(base.protocol, outboundPolicy(), { keepAlive: base.protocol === 'https:' });
  const clientSettings = { plugins: [plugin], httpAgent };
  return auth.kind === 'oauth2' ? new TwitterApi(auth.tokens.accessToken, clientSettings) : new TwitterApi(auth.tokens, clientSettings);
}

// --- error sorting ------------------------------------------------------------------------

function toChannelError(error: unknown, op: Operation, what: string, timeoutMs: number, secrets: string[]): ChannelError {
  if (error instanceof ChannelError) return error;
  if (error instanceof ApiResponseError) return fromAnswer(error, op, secrets);
  if (error instanceof ApiPartialResponseError) {
    // The answer began, so the request arrived; only its end is missing.
    return classifyTransportError({ network: 'X', op, what, timeoutMs, timedOut: false, notSent: false, code: 'answer broke off' });
  }
  if (error instanceof ApiRequestError) {
    const cause = transportCause(error);
    const refused = hostRefusal(cause);
    if (refused) return refused;
    const timedOut = cause?.name === 'AbortError';
    const code = redact(socketErrorCode(cause) ?? cause?.message ?? 'unknown', secrets);
    return classifyTransportError({ network: 'X', op, what, timeoutMs, timedOut, code });
  }
  return classifyUnexpectedError(error, op, what, secrets);
}

/**
 * The socket error behind an ApiRequestError. twitter-api-v2 1.29 stores it as `_options.error`
 * while its `requestError` getter reads `_options.requestError`, which is never set.
 */
function transportCause(error: ApiRequestError): NodeJS.ErrnoException | undefined {
  const options = (error as unknown as { _options?: { error?: unknown; requestError?: unknown } })._options;
  const cause = options?.error ?? options?.requestError;
  // Duck-typed: socket errors may come from another realm (e.g. under jest), failing instanceof.
  return typeof cause === 'object' && cause !== null && 'message' in cause ? (cause as NodeJS.ErrnoException) : undefined;
}

function fromAnswer(error: ApiResponseError, op: Operation, secrets: string[]): ChannelError {
  const status = error.code;
  const data: unknown = error.data;
  const text = describeProblem(data);
  const message = redact(`X answered ${status}: ${text}`, secrets);
  const options = { status, body: redactValue(data, secrets) };
  const type = isRecord(data) && typeof data.type === 'string' ? data.type : '';

  const common = classifyHttpStatus(status, message, { body: options.body, resetMs: resetMs(error) });
  if (common) return common;
  // X refuses a repeated text with 403 "duplicate content": sending it again can never succeed.
  if (/duplicate content/i.test(text)) return permanentError('DUPLICATE', message, status, options.body);
  if (/too long|shorter/i.test(text)) return permanentError('TOO_LONG', message, status, options.body);
  if (
    status === 403 &&
    (/oauth1-permissions|unsupported-authentication|not-authorized/.test(type) || /not permitted|permission|suspended/i.test(text))
  ) {
    return permanentError('PERMISSION_DENIED', message, status, options.body);
  }
  if (op === 'upload' || (status === 400 && /media/i.test(JSON.stringify(data ?? '')))) {
    return permanentError('MEDIA_REJECTED', message, status, options.body);
  }
  return permanentError('CONTENT_REJECTED', message, status, options.body);
}

/** detail, title and the per-parameter messages of a v2 problem body (or v1 `errors`). */
function describeProblem(data: unknown): string {
  if (!isRecord(data)) return typeof data === 'string' && data ? data.slice(0, 500) : 'no details';
  const parts: string[] = [];
  if (typeof data.detail === 'string') parts.push(data.detail);
  else if (typeof data.title === 'string') parts.push(data.title);
  if (Array.isArray(data.errors)) {
    for (const e of data.errors) {
      if (isRecord(e) && typeof e.message === 'string') parts.push(e.message);
    }
  }
  return parts.join(' — ') || 'no details';
}

/** Until the exhausted window (15-minute or 24-hour) resets, from x-rate-limit-* headers. */
function resetMs(error: ApiResponseError): number | undefined {
  const limit = error.rateLimit;
  if (!limit) return undefined;
  const resets = [limit.reset];
  if (limit.day?.remaining === 0) resets.push(limit.day.reset);
  if (limit.userDay?.remaining === 0) resets.push(limit.userDay.reset);
  const valid = resets.filter((r) => Number.isFinite(r) && r > 0);
  if (valid.length === 0) return undefined;
  return Math.max(1000, Math.max(...valid) * 1000 - Date.now());
}

/** GET /2/users/me: the handle and the numeric user id of the token's account. */
async function identify(settings: Settings, credentials: Credentials): Promise<AccountIdentity> {
  const s = readSettings(settings);
  const auth = readCredentials(credentials);
  // Without a context a rotated token pair could not be stored, so check() never refreshes.
  const session = await XSession.open(s, auth, credentials);
  const me = await session.call('read', 'the account', (client) => client.v2.me());
  const username = me.data?.username;
  const userId = me.data?.id;
  if (typeof username !== 'string' || username === '') {
    throw new ChannelError('retryable', 'UNEXPECTED_RESPONSE', 'X answered /2/users/me without a username');
  }
  // The numeric user id, not the handle: a handle can be renamed or passed on to another account.
  if (typeof userId !== 'string' || !/^\d+$/.test(userId)) {
    throw new ChannelError('retryable', 'UNEXPECTED_RESPONSE', 'X answered /2/users/me without a user id');
  }
  return { account: `@${username}`, accountId: userId };
}

// --- settings and credentials -------------------------------------------------------------

function readSettings(settings: Settings): TwitterSettings {
  const invalid = (why: string): ChannelError => new ChannelError('permanent', 'SETTINGS_INVALID', `X settings: ${why}`);
  const { apiBaseUrl = DEFAULT_API_BASE, timeoutMs = DEFAULT_TIMEOUT_MS, username } = settings;
  let url: URL;
  try {
    url = new URL(String(apiBaseUrl));
  } catch {
    throw invalid('apiBaseUrl must be an http(s) URL');
  }
  if (typeof apiBaseUrl !== 'string' || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw invalid('apiBaseUrl must be an http(s) URL');
  }
  if (typeof timeoutMs !== 'number' || !(timeoutMs > 0)) throw invalid('timeoutMs must be a positive number');
  if (username !== undefined && (typeof username !== 'string' || !/^@?\w{1,15}$/.test(username))) {
    throw invalid('username must be an X handle');
  }
  return { apiBaseUrl: url, timeoutMs, ...(username ? { username: username.replace(/^@/, '') } : {}) };
}

function readCredentials(credentials: Credentials): TwitterAuth {
  const { appKey, appSecret, accessToken, accessSecret, refreshToken, clientId, clientSecret, expiresAt } = credentials;
  const missing = (why: string): ChannelError => new ChannelError('auth', 'CREDENTIALS_MISSING', `X credentials: ${why}`);
  if (appKey !== undefined) {
    if (!isText(appKey) || !isText(appSecret) || !isText(accessToken) || !isText(accessSecret)) {
      throw missing('OAuth 1.0a needs appKey, appSecret, accessToken and accessSecret');
    }
    return { kind: 'oauth1', tokens: { appKey, appSecret, accessToken, accessSecret } };
  }
  if (!isText(accessToken)) throw missing('either OAuth 1.0a keys or an OAuth 2 accessToken are required');
  // An unreadable expiresAt only disables the early refresh; a 401 still triggers one.
  const expires = typeof expiresAt === 'string' ? Date.parse(expiresAt) : NaN;
  return {
    kind: 'oauth2',
    tokens: {
      accessToken,
      ...(isText(refreshToken) ? { refreshToken } : {}),
      ...(isText(clientId) ? { clientId } : {}),
      ...(isText(clientSecret) ? { clientSecret } : {}),
      ...(Number.isFinite(expires) ? { expiresAt: expires } : {}),
    },
  };
}

function rejectInvalid(warnings: Warning[]): void {
  const error = warnings.find((w) => w.severity === 'error');
  if (error) throw new ChannelError('permanent', error.code, error.message);
}

/** Every credential value is masked in errors, including ones this adapter does not use. */
function allStrings(credentials: Credentials): string[] {
  return Object.values(credentials).filter(isText);
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
