// X (Twitter) posts and threads through twitter-api-v2.
//
// settings:    {apiBaseUrl? = https://api.x.com, timeoutMs? = 15000, username?}
//              username (as check() reports it, with or without @) makes result URLs x.com/{username}/status/{id};
//              without it they are x.com/i/status/{id}, which X redirects.
// credentials: OAuth 1.0a {appKey, appSecret, accessToken, accessSecret}
//              or OAuth 2 user context {accessToken} (bearer; refreshing it is not handled here)
// content:     {thread: string[]} (a plain {text} is treated as a one-part thread)
//
// twitter-api-v2 has no base-URL option: a request plugin moves each request to apiBaseUrl
// after the library has signed it, so OAuth 1.0a signatures stay computed over the public
// https://api.x.com URL. The same plugin gives every request an abort deadline.

import http from 'node:http';
import {
  ApiPartialResponseError,
  ApiRequestError,
  ApiResponseError,
  TwitterApi,
  type ITwitterApiClientPlugin,
  type TwitterApiTokens,
} from 'twitter-api-v2';
import { parseTweet } from 'twitter-text';
import type { PostContent, Warning } from '../domain/types';
import {
  ChannelError,
  type ChannelAdapter,
  type CheckResult,
  type Credentials,
  type PublishContext,
  type PublishResult,
  type Settings,
} from './channel';
import { isErrorLike, redact, redactValue } from './redact';

export const X_MAX_WEIGHTED_LENGTH = 280;
const DEFAULT_API_BASE = 'https://api.x.com';
const DEFAULT_TIMEOUT_MS = 15_000;
// Transport errors that happen before the request leaves the machine: safe to retry.
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

interface TwitterSettings {
  apiBaseUrl: URL;
  timeoutMs: number;
  username?: string;
}

interface TwitterAuth {
  /** OAuth 1.0a keys, or the OAuth 2 bearer token. */
  tokens: TwitterApiTokens | string;
  secrets: string[];
}

/** `send` may have created something when it fails without an answer; `read` never does. */
type Operation = 'send' | 'read';

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
    media.forEach((item, i) => {
      if (!item.alt?.trim()) {
        warnings.push({ code: 'MEDIA_ALT_MISSING', message: `Image ${i + 1} has no alt text`, severity: 'error' });
      }
    });
    if (media.length > 0) {
      warnings.push({
        code: 'MEDIA_NOT_PUBLISHED',
        message: 'Images are not uploaded to X yet; the post is published as text only',
        severity: 'warning',
      });
    }
    return warnings;
  },

  async publish(content: PostContent, settings: Settings, credentials: Credentials, ctx: PublishContext): Promise<PublishResult> {
    const s = readSettings(settings);
    const auth = readCredentials(credentials);
    rejectInvalid(twitterChannel.validate(content, settings));
    const thread = threadOf(content);
    const client = createClient(s, auth);

    // Parts accepted by an earlier attempt are never sent again; the chain continues after them.
    const parts = [...(ctx.progress.parts ?? [])];
    for (let i = parts.length; i < thread.length; i++) {
      const previous = parts[i - 1];
      const text = thread[i] ?? '';
      const what = thread.length > 1 ? `part ${i + 1} of ${thread.length}` : 'the post';
      const posted = await xCall(s, auth, 'send', what, () =>
        client.v2.tweet({ text, ...(previous ? { reply: { in_reply_to_tweet_id: previous.id } } : {}) }),
      );
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
        throw new ChannelError('unknown_outcome', 'PROGRESS_NOT_SAVED', `${what} was posted (id ${id}) but progress could not be saved: ${redact(detail, auth.secrets)}`);
      }
    }

    const first = parts[0];
    if (!first) throw new ChannelError('permanent', 'THREAD_REQUIRED', 'Nothing to publish');
    return { externalId: first.id, externalUrl: first.url ?? tweetUrl(first.id, s.username) };
  },

  async check(settings: Settings, credentials: Credentials): Promise<CheckResult> {
    const s = readSettings(settings);
    const auth = readCredentials(credentials);
    const client = createClient(s, auth);
    const me = await xCall(s, auth, 'read', 'the account', () => client.v2.me());
    const username = me.data?.username;
    if (typeof username !== 'string' || username === '') {
      throw new ChannelError('retryable', 'UNEXPECTED_RESPONSE', 'X answered /2/users/me without a username');
    }
    return { account: `@${username}` };
  },
};

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
  // The library always calls https.request; an http.Agent is what lets it speak plain http.
  const httpAgent = base.protocol === 'http:' ? new http.Agent() : undefined;
  const clientSettings = { plugins: [plugin], ...(httpAgent ? { httpAgent } : {}) };
  return typeof auth.tokens === 'string'
    ? new TwitterApi(auth.tokens, clientSettings)
    : new TwitterApi(auth.tokens, clientSettings);
}

async function xCall<T>(s: TwitterSettings, auth: TwitterAuth, op: Operation, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toChannelError(error, op, what, s.timeoutMs, auth.secrets);
  }
}

// --- error sorting ------------------------------------------------------------------------

function toChannelError(error: unknown, op: Operation, what: string, timeoutMs: number, secrets: string[]): ChannelError {
  if (error instanceof ChannelError) return error;
  if (error instanceof ApiResponseError) return fromAnswer(error, secrets);
  if (error instanceof ApiPartialResponseError) {
    return op === 'send'
      ? new ChannelError('unknown_outcome', 'TIMEOUT_AFTER_SEND', `The answer of X broke off after sending ${what}; it may have been published`)
      : new ChannelError('retryable', 'NETWORK_ERROR', `The answer of X broke off while reading ${what}`);
  }
  if (error instanceof ApiRequestError) {
    const cause = transportCause(error);
    if (cause?.name === 'AbortError') {
      return op === 'send'
        ? new ChannelError('unknown_outcome', 'TIMEOUT_AFTER_SEND', `No answer from X within ${timeoutMs} ms after sending ${what}; it may have been published`)
        : new ChannelError('retryable', 'TIMEOUT', `No answer from X within ${timeoutMs} ms while reading ${what}`);
    }
    const code = redact(cause?.code ?? cause?.message ?? 'unknown', secrets);
    if (NOT_SENT_CODES.has(code)) {
      return new ChannelError('retryable', 'NETWORK_ERROR', `Could not reach X (${code}) for ${what}; nothing was sent`);
    }
    return op === 'send'
      ? new ChannelError('unknown_outcome', 'TIMEOUT_AFTER_SEND', `Connection to X lost (${code}) after sending ${what}; it may have been published`)
      : new ChannelError('retryable', 'NETWORK_ERROR', `Connection to X lost (${code}) while reading ${what}`);
  }
  const detail = redact(isErrorLike(error) ? `${error.name}: ${error.message}` : String(error), secrets);
  return op === 'send'
    ? new ChannelError('unknown_outcome', 'UNEXPECTED_ERROR', `Unexpected error while sending ${what}: ${detail}`)
    : new ChannelError('retryable', 'UNEXPECTED_ERROR', `Unexpected error while reading ${what}: ${detail}`);
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

function fromAnswer(error: ApiResponseError, secrets: string[]): ChannelError {
  const status = error.code;
  const data: unknown = error.data;
  const text = describeProblem(data);
  const message = redact(`X answered ${status}: ${text}`, secrets);
  const options = { status, body: redactValue(data, secrets) };
  const type = isRecord(data) && typeof data.type === 'string' ? data.type : '';

  if (status === 401) return new ChannelError('auth', 'AUTH_EXPIRED', message, options);
  if (status === 429) return new ChannelError('retryable', 'RATE_LIMITED', message, { ...options, retryAfterMs: retryAfterMs(error) });
  if (status >= 500) return new ChannelError('retryable', 'SERVER_ERROR', message, options);
  if (/duplicate content/i.test(text)) return new ChannelError('permanent', 'DUPLICATE', message, options);
  if (/too long|shorter/i.test(text)) return new ChannelError('permanent', 'TOO_LONG', message, options);
  if (
    status === 403 &&
    (/oauth1-permissions|unsupported-authentication|not-authorized/.test(type) || /not permitted|permission|suspended/i.test(text))
  ) {
    return new ChannelError('permanent', 'PERMISSION_DENIED', message, options);
  }
  return new ChannelError('permanent', 'CONTENT_REJECTED', message, options);
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
function retryAfterMs(error: ApiResponseError): number | undefined {
  const limit = error.rateLimit;
  if (!limit) return undefined;
  const resets = [limit.reset];
  if (limit.day?.remaining === 0) resets.push(limit.day.reset);
  if (limit.userDay?.remaining === 0) resets.push(limit.userDay.reset);
  const valid = resets.filter((r) => Number.isFinite(r) && r > 0);
  if (valid.length === 0) return undefined;
  return Math.max(1000, Math.max(...valid) * 1000 - Date.now());
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
  const { appKey, appSecret, accessToken, accessSecret } = credentials;
  const missing = (why: string): ChannelError => new ChannelError('auth', 'CREDENTIALS_MISSING', `X credentials: ${why}`);
  if (appKey !== undefined) {
    if (!isText(appKey) || !isText(appSecret) || !isText(accessToken) || !isText(accessSecret)) {
      throw missing('OAuth 1.0a needs appKey, appSecret, accessToken and accessSecret');
    }
    return { tokens: { appKey, appSecret, accessToken, accessSecret }, secrets: allStrings(credentials) };
  }
  if (isText(accessToken)) return { tokens: accessToken, secrets: allStrings(credentials) };
  throw missing('either OAuth 1.0a keys or an OAuth 2 accessToken are required');
}

function rejectInvalid(warnings: Warning[]): void {
  const error = warnings.find((w) => w.severity === 'error');
  if (error) throw new ChannelError('permanent', error.code, error.message);
}

/** Every credential value is masked in errors, including ones this adapter does not use (refreshToken…). */
function allStrings(credentials: Credentials): string[] {
  return Object.values(credentials).filter(isText);
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
