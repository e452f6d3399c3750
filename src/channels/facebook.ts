// Facebook Page posts through facebook-nodejs-business-sdk.
//
// settings:    {pageId, apiBaseUrl? = https://graph.facebook.com, graphVersion? = v24.0, timeoutMs? = 15000}
// credentials: {pageAccessToken}
// content:     {text, link?, media?}
//
// Without images: POST /{page}/feed {message, link} (Facebook shows a link preview).
// One image:      POST /{page}/photos {url, caption, published: true, alt_text_custom} → a photo
//                 post; the result is its post_id. The link cannot be a preview card on a photo
//                 post, so it is appended to the caption (unless the text already contains it).
// Several:        each image as POST /{page}/photos {url, published: false, alt_text_custom},
//                 then POST /{page}/feed {message, attached_media: [{media_fbid}]}.
// Facebook fetches the images from their URLs itself, so ctx.fetchMedia is not used and the
// URLs must be reachable from the internet. Graph has no alt-text parameter on posts;
// `alt_text_custom` is the Photo field for user-provided alt text, set when the photo is created.
//
// SDK quirks handled here (see the SDK source, v24):
// - FacebookAdsApi.init() installs a process-wide uncaughtException reporter; we construct the
//   API object directly with crash_log = false and never touch the SDK's default API.
// - There is no base-URL or version option: GraphApi.call() builds the URL itself.
// - There is no timeout and FacebookRequestError drops the socket error's code. A deadline
//   races every call, and an axios interceptor (scoped with AsyncLocalStorage to our own
//   calls) aborts the socket and records the transport error code, so "connection refused"
//   (nothing sent: retry) can be told from "connection lost" (maybe posted: do not re-send).
// - FacebookRequestError is not exported (recognised by name) and its url holds the token.
// - The same interceptor gives Herold's calls agents that judge the address each connection goes
//   to (src/security/outbound.ts, DNS rebinding); a refused one is CHANNEL_HOST_PRIVATE. With an
//   HTTPS_PROXY, axios tunnels through the proxy with an agent of its own: the proxy then resolves
//   the Graph host, and the pre-check before each call is what remains.

import { AsyncLocalStorage } from 'node:async_hooks';
import axios from 'axios';
import { FacebookAdsApi, Page } from 'facebook-nodejs-business-sdk';
import type { MediaItem, PostContent, Warning } from '../domain/types';
import { guardedAgent, hostRefusal, outboundPolicy, type OutboundPolicy } from '../security/outbound';
import {
  ChannelError,
  type ChannelAdapter,
  type CheckResult,
  type Credentials,
  type PublishContext,
  type PublishResult,
  type Settings,
} from './channel';
import { classifyHttpStatus, classifyTransportError, classifyUnexpectedError, permanentError, type Operation } from './http-errors';
import { redact, redactValue } from './redact';

export const FACEBOOK_MAX_MESSAGE_LENGTH = 63_206;
const DEFAULT_API_BASE = 'https://graph.facebook.com';
const DEFAULT_GRAPH_VERSION = 'v24.0';
const DEFAULT_TIMEOUT_MS = 15_000;
/** How far back findExisting looks for a post this attempt may have made. */
export const FACEBOOK_FIND_EXISTING_LOOKBACK_MS = 3 * 24 * 3_600_000;

// Graph error codes (https://developers.facebook.com/docs/graph-api/guides/error-handling).
const THROTTLE_CODES = new Set([4, 17, 32, 613, 80001]);
const AUTH_CODES = new Set([102, 104, 190]);
const AUTH_SUBCODES = new Set([458, 459, 460, 463, 464, 467, 490, 492]);
interface FacebookSettings {
  pageId: string;
  apiBaseUrl: string;
  graphVersion: string;
  timeoutMs: number;
}

export const facebookChannel: ChannelAdapter = {
  type: 'facebook',

  validate(content: PostContent): Warning[] {
    const warnings: Warning[] = [];
    const text = content.text ?? '';
    const message = messageOf(content);
    if (text.trim() === '') {
      warnings.push({ code: 'TEXT_REQUIRED', message: 'A Facebook post needs text', severity: 'error' });
    } else if ([...message].length > FACEBOOK_MAX_MESSAGE_LENGTH) {
      warnings.push({
        code: 'TOO_LONG',
        message: `Text has ${[...message].length} characters; Facebook allows ${FACEBOOK_MAX_MESSAGE_LENGTH}`,
        severity: 'error',
      });
    }
    if (content.link !== undefined && !isHttpUrl(content.link)) {
      warnings.push({ code: 'LINK_INVALID', message: 'The link must be an http(s) URL', severity: 'error' });
    }
    const media = content.media ?? [];
    media.forEach((item, i) => {
      if (!isHttpUrl(item.url)) {
        warnings.push({ code: 'MEDIA_URL_INVALID', message: `Image ${i + 1} needs an http(s) URL`, severity: 'error' });
      }
      if (!item.alt?.trim()) {
        warnings.push({ code: 'MEDIA_ALT_MISSING', message: `Image ${i + 1} has no alt text`, severity: 'error' });
      }
    });
    if (media.length > 0 && content.link) {
      warnings.push({
        code: 'LINK_IN_TEXT',
        message: 'With images Facebook shows no link preview; the link is added to the end of the text',
        severity: 'warning',
      });
    }
    return warnings;
  },

  async publish(content: PostContent, settings: Settings, credentials: Credentials): Promise<PublishResult> {
    const s = readSettings(settings);
    const token = readToken(credentials);
    const secrets = allStrings(credentials);
    rejectInvalid(facebookChannel.validate(content, settings));
    const api = new GraphApi(token, s);
    const page = new Page(s.pageId, {}, undefined, api);
    const media = content.media ?? [];
    const message = messageOf(content);

    let externalId: unknown;
    if (media.length === 0) {
      const params: Record<string, string> = { message };
      if (content.link) params.link = content.link;
      const created = await graphCall(s, secrets, 'send', 'the post', () => page.createFeed([], params));
      externalId = created.id;
    } else if (media.length === 1) {
      const [image] = media as [MediaItem];
      const params = { url: image.url, caption: message, published: true, alt_text_custom: image.alt };
      const created = await graphCall(s, secrets, 'send', 'the photo post', () => page.createPhoto([], params));
      // Graph answers {id: photo id, post_id: the post showing it}; the post is what Herold links to.
      externalId = (created as unknown as Record<string, unknown>).post_id;
    } else {
      const photoIds: string[] = [];
      for (const [i, image] of media.entries()) {
        const params = { url: image.url, published: false, alt_text_custom: image.alt };
        const photo = await graphCall(s, secrets, 'upload', `image ${i + 1}`, () => page.createPhoto([], params));
        if (typeof photo.id !== 'string' || photo.id === '') {
          throw new ChannelError('retryable', 'UNEXPECTED_RESPONSE', `Graph API accepted image ${i + 1} but returned no id`);
        }
        photoIds.push(photo.id);
      }
      const params = { message, attached_media: photoIds.map((id) => ({ media_fbid: id })) };
      const created = await graphCall(s, secrets, 'send', 'the post', () => page.createFeed([], params));
      externalId = created.id;
    }
    if (typeof externalId !== 'string' || externalId === '') {
      throw new ChannelError('unknown_outcome', 'UNEXPECTED_RESPONSE', 'Graph API accepted the post but returned no post id');
    }
    return { externalId, externalUrl: await permalinkOf(api, s, secrets, externalId) };
  },

  /**
   * Reads the Page feed of the last FACEBOOK_FIND_EXISTING_LOOKBACK_MS (newest 100) and returns
   * the newest post whose message equals the message publish() sends (the text, plus the link
   * when there are images), compared after normalising line breaks and trimming. Graph ranks
   * and bounds the feed, so null means "not found", not "certainly never posted".
   */
  async findExisting(content: PostContent, settings: Settings, credentials: Credentials, _ctx: PublishContext): Promise<PublishResult | null> {
    const s = readSettings(settings);
    const token = readToken(credentials);
    const secrets = allStrings(credentials);
    const api = new GraphApi(token, s);
    const expected = normalizeMessage(messageOf(content));
    if (expected === '') return null;
    const since = Math.floor((Date.now() - FACEBOOK_FIND_EXISTING_LOOKBACK_MS) / 1000);
    const feed = await graphCall(s, secrets, 'read', 'the Page feed', () =>
      api.call<{ data?: unknown }>('GET', [s.pageId, 'feed'], {
        fields: 'id,message,permalink_url,created_time',
        limit: 100,
        since,
      }),
    );
    const posts = Array.isArray(feed.data) ? (feed.data as unknown[]) : [];
    for (const post of posts) {
      if (!isRecord(post) || typeof post.id !== 'string' || typeof post.message !== 'string') continue;
      if (normalizeMessage(post.message) !== expected) continue;
      const url = typeof post.permalink_url === 'string' && post.permalink_url ? post.permalink_url : fallbackPermalink(s, post.id);
      return { externalId: post.id, externalUrl: url };
    }
    return null;
  },

  async check(settings: Settings, credentials: Credentials): Promise<CheckResult> {
    const s = readSettings(settings);
    const token = readToken(credentials);
    const secrets = allStrings(credentials);
    const api = new GraphApi(token, s);
    const me = await graphCall(s, secrets, 'read', 'the page identity', () =>
      api.call<{ id?: unknown; name?: unknown }>('GET', ['me'], { fields: 'id,name' }),
    );
    const id = typeof me.id === 'string' ? me.id : '';
    const name = typeof me.name === 'string' ? me.name : '';
    if (id !== s.pageId) {
      // The token works but for another Page (or a user): publishing would be refused.
      throw new ChannelError('auth', 'WRONG_ACCOUNT', `The token belongs to ${id || 'an unknown account'}, not to page ${s.pageId}`);
    }
    return { account: `${name} (${id})` };
  },
};

/** The SDK's API object, pointed at our base URL and Graph version. */
class GraphApi extends FacebookAdsApi {
  constructor(
    accessToken: string,
    private readonly target: FacebookSettings,
  ) {
    // Third argument false: do not install the SDK's process-wide crash reporter.
    super(accessToken, 'en_US', false);
  }

  override call<T>(
    method: string,
    path: string | string[],
    params: Record<string, unknown> = {},
    files: Record<string, unknown> = {},
    useMultipartFormData = false,
  ): Promise<T> {
    if (!Array.isArray(path)) return super.call<T>(method, path, params, files, useMultipartFormData);
    // Same request shape as the SDK: token in the query, POST/PUT parameters as a JSON body.
    const hasBody = method === 'POST' || method === 'PUT';
    const query: Record<string, unknown> = hasBody ? {} : { ...params };
    query.access_token = this.accessToken;
    const { apiBaseUrl, graphVersion } = this.target;
    const url = `${apiBaseUrl}/${graphVersion}/${path.join('/')}?${FacebookAdsApi._encodeParams(query)}`;
    return super.call<T>(method, url, hasBody ? params : {}, files, useMultipartFormData);
  }
}

async function permalinkOf(api: GraphApi, s: FacebookSettings, secrets: string[], postId: string): Promise<string> {
  try {
    const node = await graphCall(s, secrets, 'read', 'the permalink', () =>
      api.call<{ permalink_url?: unknown }>('GET', [postId], { fields: 'permalink_url' }),
    );
    if (typeof node.permalink_url === 'string' && node.permalink_url) return node.permalink_url;
  } catch {
    // The post exists: failing now would make the worker post it again. Build the link instead.
  }
  return fallbackPermalink(s, postId);
}

function fallbackPermalink(s: FacebookSettings, postId: string): string {
  return `https://www.facebook.com/${s.pageId}/posts/${postId.split('_')[1] ?? postId}`;
}

/** The message publish() sends: the text, and with images the link at its end (no preview card). */
function messageOf(content: PostContent): string {
  const text = content.text ?? '';
  if ((content.media ?? []).length === 0 || !content.link || text.includes(content.link)) return text;
  return `${text.trimEnd()}\n\n${content.link}`;
}

function normalizeMessage(message: string): string {
  return message.replace(/\r\n?/g, '\n').normalize('NFC').trim();
}

// --- deadline and transport errors --------------------------------------------------------

interface GraphCallContext {
  signal: AbortSignal;
  loopback: boolean;
  /** The outbound policy of this call, for the agents that judge each connection's address. */
  policy: OutboundPolicy;
  timedOut: boolean;
  transportErrorCode?: string;
  /** Set when the outbound policy refused the connection (the SDK's error drops the cause). */
  refused?: ChannelError;
}

const graphCallContext = new AsyncLocalStorage<GraphCallContext>();
let axiosHooksInstalled = false;

/** Hooks into the SDK's axios; they act only inside graphCall(), other axios users are untouched. */
function installAxiosHooks(): void {
  if (axiosHooksInstalled) return;
  axiosHooksInstalled = true;
  axios.interceptors.request.use((config) => {
    const context = graphCallContext.getStore();
    if (context) {
      config.signal = context.signal;
      // An HTTP(S)_PROXY cannot reach a loopback fake.
      if (context.loopback) config.proxy = false;
      // Each connection's address is judged at connect time (outbound policy, DNS rebinding),
      // redirects included. Pooled like Node's global agents, which axios used before.
      config.httpAgent = guardedAgent('http:', context.policy, { keepAlive: true });
      config.httpsAgent = guardedAgent('https:', context.policy, { keepAlive: true });
    }
    return config;
  });
  axios.interceptors.response.use(undefined, (error: unknown) => {
    const context = graphCallContext.getStore();
    if (context && axios.isAxiosError(error) && !error.response) {
      context.transportErrorCode = error.code;
      context.refused = hostRefusal(error);
    }
    throw error; // unchanged: the SDK turns it into a FacebookRequestError
  });
}

async function graphCall<T>(s: FacebookSettings, secrets: string[], op: Operation, what: string, fn: () => Promise<T>): Promise<T> {
  installAxiosHooks();
  const controller = new AbortController();
  const context: GraphCallContext = { signal: controller.signal, loopback: isLoopback(s.apiBaseUrl), policy: outboundPolicy(), timedOut: false };
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      context.timedOut = true;
      controller.abort();
      reject(new Error('deadline'));
    }, s.timeoutMs);
  });
  try {
    return await Promise.race([graphCallContext.run(context, fn), deadline]);
  } catch (error) {
    throw toChannelError(error, context, op, what, s.timeoutMs, secrets);
  } finally {
    clearTimeout(timer);
  }
}

// --- error sorting ------------------------------------------------------------------------

/** The fields of the SDK's (unexported) FacebookRequestError we rely on. */
interface GraphRequestError {
  name: 'FacebookRequestError';
  status: number | null;
  /** The Graph `error` object (the SDK unwraps it). */
  response: unknown;
  headers: unknown;
}

function isGraphRequestError(error: unknown): error is GraphRequestError {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'FacebookRequestError';
}

function toChannelError(
  error: unknown,
  context: GraphCallContext,
  op: Operation,
  what: string,
  timeoutMs: number,
  secrets: string[],
): ChannelError {
  if (error instanceof ChannelError) return error;
  if (context.refused) return context.refused;
  if (!context.timedOut && isGraphRequestError(error) && typeof error.status === 'number') return fromGraphAnswer(error, error.status, op, secrets);
  if (context.timedOut || isGraphRequestError(error)) {
    // An SDK error without a status: axios got no answer (its code was noted by the interceptor).
    const code = context.transportErrorCode ?? 'unknown';
    return classifyTransportError({ network: 'the Graph API', op, what, timeoutMs, timedOut: context.timedOut, code });
  }
  return classifyUnexpectedError(error, op, what, secrets);
}

function fromGraphAnswer(error: GraphRequestError, status: number, op: Operation, secrets: string[]): ChannelError {
  const body = isRecord(error.response) ? error.response : {};
  const code = typeof body.code === 'number' ? body.code : undefined;
  const subcode = typeof body.error_subcode === 'number' ? body.error_subcode : undefined;
  const text = typeof body.message === 'string' ? body.message : 'no message';
  const codes = code === undefined ? '' : ` (#${code}${subcode === undefined ? '' : `/${subcode}`})`;
  const message = redact(`Graph API answered ${status}${codes}: ${text}`, secrets);
  const safeBody = redactValue(body, secrets);

  // Graph reports most problems as 400 with a code; the code decides, the status comes second.
  if ((code !== undefined && AUTH_CODES.has(code)) || (subcode !== undefined && AUTH_SUBCODES.has(subcode))) {
    return new ChannelError('auth', 'AUTH_EXPIRED', message, { status, body: safeBody });
  }
  if (code !== undefined && THROTTLE_CODES.has(code)) {
    return new ChannelError('retryable', 'RATE_LIMITED', message, { status, body: safeBody, retryAfterMs: regainAccessMs(error.headers) });
  }
  const common = classifyHttpStatus(status, message, { body: safeBody, resetMs: regainAccessMs(error.headers) });
  if (common) return common;
  if (code === 506) return permanentError('DUPLICATE', message, status, safeBody);
  if (code === 10 || (code !== undefined && code >= 200 && code <= 299)) return permanentError('PERMISSION_DENIED', message, status, safeBody);
  if (code === 1 || code === 2 || body.is_transient === true) {
    return new ChannelError('retryable', 'SERVER_ERROR', message, { status, body: safeBody });
  }
  if (code === 100 && /at most|too long|length/i.test(text)) return permanentError('TOO_LONG', message, status, safeBody);
  // 324: missing or unreadable image; 100 about url/media_fbid: Facebook could not use the image.
  if (code === 324 || (code === 100 && /url should represent|image|photo|media_fbid/i.test(text)) || (op === 'upload' && code === 100)) {
    return permanentError('MEDIA_REJECTED', message, status, safeBody);
  }
  return permanentError('CONTENT_REJECTED', message, status, safeBody);
}

/** Largest `estimated_time_to_regain_access` (minutes) in Graph's usage headers, in ms. */
function regainAccessMs(headers: unknown): number | undefined {
  if (!isRecord(headers)) return undefined;
  let minutes = 0;
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (isRecord(value)) {
      for (const [key, v] of Object.entries(value)) {
        if (key === 'estimated_time_to_regain_access' && typeof v === 'number') minutes = Math.max(minutes, v);
        else visit(v);
      }
    }
  };
  for (const name of ['x-page-usage', 'x-app-usage', 'x-business-use-case-usage', 'x-ad-account-usage']) {
    const raw = headers[name];
    if (typeof raw !== 'string') continue;
    try {
      visit(JSON.parse(raw));
    } catch {
      // a malformed usage header gives no hint; the worker's backoff applies
    }
  }
  return minutes > 0 ? minutes * 60_000 : undefined;
}

// --- settings and credentials -------------------------------------------------------------

function readSettings(settings: Settings): FacebookSettings {
  const invalid = (why: string): ChannelError => new ChannelError('permanent', 'SETTINGS_INVALID', `Facebook settings: ${why}`);
  const { pageId, apiBaseUrl = DEFAULT_API_BASE, graphVersion = DEFAULT_GRAPH_VERSION, timeoutMs = DEFAULT_TIMEOUT_MS } = settings;
  if (typeof pageId !== 'string' || !/^\d+$/.test(pageId)) throw invalid('pageId must be the numeric Page id');
  if (typeof apiBaseUrl !== 'string' || !isHttpUrl(apiBaseUrl)) throw invalid('apiBaseUrl must be an http(s) URL');
  if (typeof graphVersion !== 'string' || !/^v\d+\.\d+$/.test(graphVersion)) throw invalid('graphVersion must look like v24.0');
  if (typeof timeoutMs !== 'number' || !(timeoutMs > 0)) throw invalid('timeoutMs must be a positive number');
  return { pageId, apiBaseUrl: apiBaseUrl.replace(/\/+$/, ''), graphVersion, timeoutMs };
}

function readToken(credentials: Credentials): string {
  const token = credentials.pageAccessToken;
  if (typeof token !== 'string' || token === '') {
    throw new ChannelError('auth', 'CREDENTIALS_MISSING', 'Facebook credentials need a pageAccessToken');
  }
  return token;
}

/** Every credential value is masked in errors, not only the token this adapter uses. */
function allStrings(credentials: Credentials): string[] {
  return Object.values(credentials).filter((v): v is string => typeof v === 'string' && v !== '');
}

function rejectInvalid(warnings: Warning[]): void {
  const error = warnings.find((w) => w.severity === 'error');
  if (error) throw new ChannelError('permanent', error.code, error.message);
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function isLoopback(baseUrl: string): boolean {
  const host = new URL(baseUrl).hostname;
  return host === 'localhost' || host === '[::1]' || host.startsWith('127.');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
