// A loopback stand-in for the parts of the Facebook Graph API that Herold uses: posting to a
// Page feed (text, link, photos by URL), reading it back, and "who am I" for a Page token. It answers with Graph's own
// error shapes so the adapter's error sorting is exercised for real. Used by the contract
// tests and by the demo mode's simulated Facebook channel.
//
// Faithfulness notes:
// - The version prefix (/v24.0/…) is optional and any version is accepted.
// - Tokens are read from the query string, a form or JSON body, or `Authorization: Bearer|OAuth`.
// - Graph signals throttling with error codes (4, 17, 32, …) and usage headers, not HTTP 429:
//   an injected `{status: 429}` answers HTTP 400 with code 32 (or `fault.code`) and a usage
//   header whose `estimated_time_to_regain_access` (minutes) covers resetInSeconds: code 80001
//   (Page business-use-case limit) puts it in X-Business-Use-Case-Usage, code 4 (app limit)
//   reports X-App-Usage at 100 % without any estimate (as Graph does), every other code
//   puts it in X-Page-Usage.
// - Photos: POST /{page}/photos takes the image by `url` (uploads of file bytes are not
//   modelled) and never fetches it. Published photos create a photo post and answer
//   {id: photoId, post_id: '{pageId}_{digits}'}; with published=false only the photo exists,
//   to be attached once with POST /{page}/feed attached_media=[{media_fbid}]. The caption
//   follows the feed's rules (length, 506 duplicate). `alt_text_custom` is stored as given.
// - Message length is counted in Unicode code points.
// - Permalinks are `${permalinkBase}/{pageId}/posts/{digits}`, permalinkBase defaulting to
//   https://www.facebook.com, like real ones (they do not resolve for simulated posts).

import { randomBytes } from 'node:crypto';
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

export const GRAPH_MAX_MESSAGE_LENGTH = 63_206;

export interface GraphFakePage {
  id: string;
  name: string;
  accessToken: string;
}

export interface GraphFakePost {
  /** `{pageId}_{digits}` */
  id: string;
  pageId: string;
  message?: string;
  link?: string;
  published: boolean;
  /** Graph's format: 2024-05-01T12:00:00+0000 */
  createdTime: string;
  permalinkUrl: string;
  /** Photos shown in the post (a photo post, or a feed post with attached_media). */
  photoIds?: string[];
}

export interface GraphFakePhoto {
  /** Numeric string */
  id: string;
  pageId: string;
  /** The image URL Graph was told to fetch (the fake does not fetch it). */
  url: string;
  caption?: string;
  altTextCustom?: string;
  published: boolean;
  /** The post showing the photo, once there is one. */
  postId?: string;
  createdTime: string;
}

export interface GraphFakeOptions {
  port?: number;
  host?: string;
  pages?: GraphFakePage[];
  permalinkBase?: string;
  maxMessageLength?: number;
  /** An identical message within this window is refused with code 506 (default 24 h). */
  duplicateWindowMs?: number;
  /** Calls per Page and rolling hour before code 32 (default 4,800). */
  callsPerHour?: number;
}

export interface GraphFake {
  url: string;
  /** Copies of all created posts, oldest first. */
  readonly posts: GraphFakePost[];
  postsOf(pageId: string): GraphFakePost[];
  /** Copies of all created photos (published or not), oldest first. */
  readonly photos: GraphFakePhoto[];
  readonly requests: LoggedRequest[];
  addPage(page: GraphFakePage): void;
  /** Makes the token answer code 190 / subcode 463 ("session has expired") from now on. */
  expireToken(token: string): void;
  failNext(fault: Fault, times?: number, match?: FaultMatch): void;
  /** Forgets posts, photos, expired tokens, pending faults, usage counters and the request log; keeps pages. */
  reset(): void;
  close(): Promise<void>;
}

interface GraphErrorFields {
  message: string;
  type?: string;
  code: number;
  error_subcode?: number;
  is_transient?: boolean;
  error_user_title?: string;
  error_user_msg?: string;
}

const HOUR_MS = 3_600_000;
const PAGE_FIELDS = new Set(['id', 'name', 'link']);
const POST_FIELDS = new Set(['id', 'message', 'created_time', 'permalink_url', 'link', 'is_published']);
const DEFAULT_POST_FIELDS = ['created_time', 'message', 'id'];

export async function startGraphFake(opts: GraphFakeOptions = {}): Promise<GraphFake> {
  const pages = new Map<string, GraphFakePage>();
  const expired = new Set<string>();
  const posts: GraphFakePost[] = [];
  const photos: GraphFakePhoto[] = [];
  const calls = new Map<string, number[]>(); // pageId → call timestamps within the hour
  const nextId = createIdSource();
  const permalinkBase = (opts.permalinkBase ?? 'https://www.facebook.com').replace(/\/+$/, '');
  const maxLength = opts.maxMessageLength ?? GRAPH_MAX_MESSAGE_LENGTH;
  const duplicateWindowMs = opts.duplicateWindowMs ?? 24 * HOUR_MS;
  const callsPerHour = opts.callsPerHour ?? 4800;

  const addPage = (page: GraphFakePage): void => {
    pages.set(page.id, { ...page });
  };
  for (const page of opts.pages ?? []) addPage(page);

  const pageForToken = (token: string): GraphFakePage | undefined =>
    [...pages.values()].find((p) => p.accessToken === token);

  /** Counts the call; usage is in percent of the Page's hourly quota, as Graph reports it. */
  const countCall = (pageId: string): { usage: number; over: boolean } => {
    const now = Date.now();
    const recent = (calls.get(pageId) ?? []).filter((t) => now - t < HOUR_MS);
    recent.push(now);
    calls.set(pageId, recent);
    return { usage: Math.min(100, Math.round((recent.length / callsPerHour) * 100)), over: recent.length > callsPerHour };
  };

  function handle(req: FakeRequest): FakeResponse {
    const segments = req.path.split('/').filter(Boolean);
    if (segments[0] && /^v\d+\.\d+$/.test(segments[0])) segments.shift();

    const token = tokenOf(req);
    if (!token) {
      return graphError(400, { message: 'An access token is required to request this resource.', code: 104 });
    }
    if (expired.has(token)) {
      return graphError(
        400,
        {
          message: 'Error validating access token: Session has expired. The current time is later than the expiry.',
          code: 190,
          error_subcode: 463,
        },
        { 'www-authenticate': 'OAuth "Facebook Platform" "invalid_token" "Session has expired"' },
      );
    }
    const page = pageForToken(token);
    if (!page) {
      return graphError(
        400,
        { message: 'Invalid OAuth access token - Cannot parse access token', code: 190 },
        { 'www-authenticate': 'OAuth "Facebook Platform" "invalid_token" "Invalid OAuth access token"' },
      );
    }

    const { usage, over } = countCall(page.id);
    if (over) return throttled(32, HOUR_MS / 1000, page.id);
    const withUsage = (res: FakeResponse): FakeResponse => ({
      ...res,
      headers: { ...res.headers, ...usageHeaders(usage, 0) },
    });

    const [first, edge, ...rest] = segments;
    if (first && rest.length === 0) {
      if (req.method === 'POST' && edge === 'feed') return withUsage(createPost(req, page, first));
      if (req.method === 'POST' && edge === 'photos') return withUsage(createPhoto(req, page, first));
      if (req.method === 'GET' && edge && ['feed', 'posts', 'published_posts'].includes(edge)) {
        return withUsage(listPosts(req, page, first));
      }
      if (req.method === 'GET' && edge === undefined) return withUsage(readNode(req, page, first));
    }
    return unsupported(req.method, segments.join('/'));
  }

  function createPost(req: FakeRequest, page: GraphFakePage, pageId: string): FakeResponse {
    if (pageId !== page.id) {
      return graphError(403, {
        message:
          '(#200) If posting to a page, requires both pages_read_engagement and pages_manage_posts as an admin with sufficient administrative permission',
        code: 200,
      });
    }
    if (req.bodyInvalid) return invalidParameter('(#100) The request body could not be parsed');
    const message = param(req, 'message');
    const link = param(req, 'link');
    const published = isPublished(req);
    const attached = attachedMedia(req);
    if (typeof attached === 'string') return invalidParameter(attached);
    const attachedPhotos: GraphFakePhoto[] = [];
    for (const fbid of attached) {
      const photo = photos.find((p) => p.id === fbid && p.pageId === page.id);
      if (!photo || photo.published || photo.postId) {
        return invalidParameter(`(#100) Invalid media_fbid ${fbid}: it must be an unpublished photo of this Page not attached yet`);
      }
      attachedPhotos.push(photo);
    }

    if (!message && !link && attachedPhotos.length === 0) return invalidParameter('(#100) Missing message or attachment');
    const refused = refuseMessage(page.id, message);
    if (refused) return refused;
    if (link !== undefined && !isHttpUrl(link)) return invalidParameter('(#100) The parameter link is not a valid URL');

    const post = addPost(page.id, { message, link, published, photoIds: attachedPhotos.map((p) => p.id) });
    for (const photo of attachedPhotos) photo.postId = post.id;
    return { status: 200, body: { id: post.id } };
  }

  function createPhoto(req: FakeRequest, page: GraphFakePage, pageId: string): FakeResponse {
    if (pageId !== page.id) {
      return graphError(403, {
        message:
          '(#200) If posting to a page, requires both pages_read_engagement and pages_manage_posts as an admin with sufficient administrative permission',
        code: 200,
      });
    }
    if (req.bodyInvalid) return invalidParameter('(#100) The request body could not be parsed');
    const url = param(req, 'url');
    const caption = param(req, 'caption') ?? param(req, 'message');
    const altTextCustom = param(req, 'alt_text_custom');
    const published = isPublished(req);
    if (url === undefined || url === '') return graphError(400, { message: '(#324) Requires upload file', code: 324 });
    if (!isHttpUrl(url)) return invalidParameter('(#100) url should represent a valid URL');
    if (published) {
      const refused = refuseMessage(page.id, caption);
      if (refused) return refused;
    } else if (caption !== undefined && [...caption].length > maxLength) {
      return invalidParameter(`(#100) Param caption must be at most ${maxLength} characters long`);
    }

    const photo: GraphFakePhoto = {
      id: nextId().toString(),
      pageId: page.id,
      url,
      ...(caption !== undefined ? { caption } : {}),
      ...(altTextCustom !== undefined ? { altTextCustom } : {}),
      published,
      createdTime: graphTime(new Date()),
    };
    photos.push(photo);
    if (!published) return { status: 200, body: { id: photo.id } };
    const post = addPost(page.id, { message: caption, published: true, photoIds: [photo.id] });
    photo.postId = post.id;
    return { status: 200, body: { id: photo.id, post_id: post.id } };
  }

  /** Graph's refusal of a post text (too long, or the same as a recent post), if any. */
  function refuseMessage(pageId: string, message: string | undefined): FakeResponse | undefined {
    if (message !== undefined && [...message].length > maxLength) {
      return invalidParameter(`(#100) Param message must be at most ${maxLength} characters long`);
    }
    if (message && isDuplicate(pageId, message)) {
      return graphError(400, {
        message: 'Duplicate status message',
        code: 506,
        error_subcode: 1455006,
        error_user_title: 'Duplicate Status Update',
        error_user_msg:
          'This status update is identical to the last one you posted. Try posting something different, or delete your previous update.',
      });
    }
    return undefined;
  }

  function addPost(
    pageId: string,
    fields: { message?: string; link?: string; published: boolean; photoIds: string[] },
  ): GraphFakePost {
    const digits = nextId().toString();
    const post: GraphFakePost = {
      id: `${pageId}_${digits}`,
      pageId,
      ...(fields.message !== undefined ? { message: fields.message } : {}),
      ...(fields.link !== undefined ? { link: fields.link } : {}),
      published: fields.published,
      createdTime: graphTime(new Date()),
      permalinkUrl: `${permalinkBase}/${pageId}/posts/${digits}`,
      ...(fields.photoIds.length > 0 ? { photoIds: fields.photoIds } : {}),
    };
    posts.push(post);
    return post;
  }

  function isDuplicate(pageId: string, message: string): boolean {
    const since = Date.now() - duplicateWindowMs;
    return posts.some((p) => p.pageId === pageId && p.message === message && Date.parse(p.createdTime) >= since);
  }

  function listPosts(req: FakeRequest, page: GraphFakePage, pageId: string): FakeResponse {
    if (pageId !== page.id) {
      return graphError(403, {
        message:
          "(#10) This endpoint requires the 'pages_read_engagement' permission or the 'Page Public Content Access' feature",
        code: 10,
      });
    }
    const fields = requestedFields(req, DEFAULT_POST_FIELDS);
    const unknown = fields.find((f) => !POST_FIELDS.has(f));
    if (unknown) return nonexistingField(unknown, 'Post');
    const limit = Math.min(100, Math.max(1, Number(req.query.get('limit') ?? 25) || 25));
    const since = Number(req.query.get('since') ?? 0) * 1000;
    const data = posts
      .filter((p) => p.pageId === pageId && p.published && Date.parse(p.createdTime) >= since)
      .reverse()
      .slice(0, limit)
      .map((p) => postFields(p, fields));
    return { status: 200, body: { data } };
  }

  function readNode(req: FakeRequest, page: GraphFakePage, id: string): FakeResponse {
    if (id === 'me' || id === page.id) {
      const fields = requestedFields(req, ['id', 'name']);
      const unknown = fields.find((f) => !PAGE_FIELDS.has(f));
      if (unknown) return nonexistingField(unknown, 'Page');
      const node: Record<string, string> = { id: page.id, name: page.name, link: `${permalinkBase}/${page.id}` };
      return { status: 200, body: pick(node, fields) };
    }
    const post = posts.find((p) => p.id === id && p.pageId === page.id);
    if (!post) return unsupported('GET', id);
    const fields = requestedFields(req, DEFAULT_POST_FIELDS);
    const unknown = fields.find((f) => !POST_FIELDS.has(f));
    if (unknown) return nonexistingField(unknown, 'Post');
    return { status: 200, body: postFields(post, fields) };
  }

  function faultAnswer(fault: StatusFault, req?: FakeRequest): FakeResponse {
    if (fault.body !== undefined) return { status: fault.status, body: fault.body };
    if (fault.status === 429) {
      const token = req ? tokenOf(req) : undefined;
      const pageId = (token ? pageForToken(token)?.id : undefined) ?? 'unknown';
      return throttled(fault.code ?? 32, fault.resetInSeconds ?? 900, pageId);
    }
    if (fault.status === 401) {
      return graphError(401, {
        message: 'Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.',
        code: fault.code ?? 190,
        error_subcode: 460,
      });
    }
    if (fault.status === 403) {
      return graphError(403, { message: '(#200) Permissions error', code: fault.code ?? 200 });
    }
    if (fault.status >= 500) {
      return graphError(fault.status, {
        message: 'An unexpected error has occurred. Please retry your request later.',
        code: fault.code ?? 2,
        is_transient: true,
      });
    }
    if (fault.status === 400) return graphError(400, { message: '(#100) Invalid parameter', code: fault.code ?? 100 });
    return graphError(fault.status, { message: 'An unknown error occurred', code: fault.code ?? 1 });
  }

  const server = await startFakeServer({
    port: opts.port,
    host: opts.host,
    handle,
    faultAnswer,
    internalError: () => faultAnswer({ status: 500 }),
  });

  return {
    url: server.url,
    get posts() {
      return posts.map((p) => ({ ...p, ...(p.photoIds ? { photoIds: [...p.photoIds] } : {}) }));
    },
    get photos() {
      return photos.map((p) => ({ ...p }));
    },
    postsOf: (pageId) => posts.filter((p) => p.pageId === pageId).map((p) => ({ ...p })),
    get requests() {
      return [...server.requests];
    },
    addPage,
    expireToken: (token) => {
      expired.add(token);
    },
    failNext: (fault, times = 1, match) => server.faults.add(fault, times, match),
    reset: () => {
      posts.length = 0;
      photos.length = 0;
      expired.clear();
      calls.clear();
      server.faults.clear();
      server.requests.length = 0;
    },
    close: () => server.close(),
  };
}

function tokenOf(req: FakeRequest): string | undefined {
  const fromQuery = req.query.get('access_token');
  if (fromQuery) return fromQuery;
  const fromBody = req.body.access_token;
  if (typeof fromBody === 'string' && fromBody) return fromBody;
  const header = req.headers.authorization;
  const match = header ? /^(?:Bearer|OAuth)\s+(\S+)$/i.exec(header) : null;
  return match?.[1];
}

/** A body parameter, falling back to the query string as Graph does. */
function param(req: FakeRequest, name: string): string | undefined {
  const value = req.body[name] ?? req.query.get(name) ?? undefined;
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  // JSON bodies may carry booleans and numbers (e.g. "published": false).
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
}

function isPublished(req: FakeRequest): boolean {
  return !['false', '0'].includes(String(param(req, 'published') ?? 'true').toLowerCase());
}

/**
 * The media_fbid list of `attached_media`: a JSON array in a JSON body, or form/query fields
 * `attached_media[0]={"media_fbid":"…"}`. A string is Graph's error message.
 */
function attachedMedia(req: FakeRequest): string[] | string {
  const entries: unknown[] = [];
  const direct = req.body.attached_media ?? req.query.get('attached_media') ?? undefined;
  if (direct !== undefined && direct !== null) {
    let value: unknown = direct;
    if (typeof value === 'string') {
      try {
        value = JSON.parse(value);
      } catch {
        return '(#100) attached_media must be an array';
      }
    }
    if (!Array.isArray(value)) return '(#100) attached_media must be an array';
    entries.push(...(value as unknown[]));
  }
  const indexed = [...Object.entries(req.body), ...req.query.entries()]
    .map(([key, value]) => [/^attached_media\[(\d+)\]$/.exec(key)?.[1], value] as const)
    .filter((pair): pair is readonly [string, unknown] => pair[0] !== undefined)
    .sort(([a], [b]) => Number(a) - Number(b));
  for (const [, value] of indexed) {
    try {
      entries.push(typeof value === 'string' ? JSON.parse(value) : value);
    } catch {
      return '(#100) attached_media entries must be JSON objects';
    }
  }
  const ids: string[] = [];
  for (const entry of entries) {
    const fbid = typeof entry === 'object' && entry !== null ? (entry as { media_fbid?: unknown }).media_fbid : undefined;
    if (typeof fbid !== 'string' && typeof fbid !== 'number') return '(#100) Each attached_media entry needs a media_fbid';
    ids.push(String(fbid));
  }
  return ids;
}

function requestedFields(req: FakeRequest, defaults: string[]): string[] {
  const raw = req.query.get('fields');
  if (!raw) return defaults;
  return raw
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
}

function postFields(post: GraphFakePost, fields: string[]): Record<string, unknown> {
  const all: Record<string, unknown> = {
    id: post.id,
    message: post.message,
    created_time: post.createdTime,
    permalink_url: post.permalinkUrl,
    link: post.link,
    is_published: post.published,
  };
  return pick(all, fields);
}

function pick<T>(source: Record<string, T>, fields: string[]): Record<string, T> {
  const out: Record<string, T> = {};
  for (const f of fields) {
    const value = source[f];
    if (value !== undefined) out[f] = value;
  }
  return out;
}

function graphError(status: number, fields: GraphErrorFields, headers: Record<string, string> = {}): FakeResponse {
  const fbtraceId = randomBytes(8).toString('base64url');
  return {
    status,
    headers: { 'x-fb-trace-id': fbtraceId, ...headers },
    body: { error: { type: 'OAuthException', ...fields, fbtrace_id: fbtraceId } },
  };
}

function invalidParameter(message: string): FakeResponse {
  return graphError(400, { message, code: 100 });
}

function nonexistingField(field: string, nodeType: string): FakeResponse {
  return invalidParameter(`(#100) Tried accessing nonexisting field (${field}) on node type (${nodeType})`);
}

function unsupported(method: string, path: string): FakeResponse {
  return graphError(400, {
    message: `Unsupported ${method.toLowerCase()} request. Object with ID '${path}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
    type: 'GraphMethodException',
    code: 100,
    error_subcode: 33,
  });
}

function throttled(code: number, resetInSeconds: number, pageId: string): FakeResponse {
  const minutes = Math.max(1, Math.ceil(resetInSeconds / 60));
  const messages: Record<number, string> = {
    4: '(#4) Application request limit reached',
    17: '(#17) User request limit reached',
    32: '(#32) Page request limit reached',
    613: '(#613) Calls to this api have exceeded the rate limit.',
    80001: 'There have been too many calls to this Page account. Wait a bit and try again.',
  };
  const res = graphError(400, { message: messages[code] ?? `(#${code}) Rate limit reached`, code, is_transient: true });
  let headers: Record<string, string>;
  if (code === 80001) {
    const usage = { type: 'pages', call_count: 100, total_cputime: 5, total_time: 5, estimated_time_to_regain_access: minutes };
    headers = { ...usageHeaders(5, 0), 'x-business-use-case-usage': JSON.stringify({ [pageId]: [usage] }) };
  } else if (code === 4) {
    headers = { ...usageHeaders(5, 0), 'x-app-usage': JSON.stringify({ call_count: 100, total_cputime: 5, total_time: 5 }) };
  } else {
    headers = usageHeaders(100, minutes);
  }
  return { ...res, headers: { ...res.headers, ...headers } };
}

function usageHeaders(percent: number, regainMinutes: number): Record<string, string> {
  const usage = { call_count: percent, total_cputime: Math.min(percent, 5), total_time: Math.min(percent, 5) };
  return {
    'x-app-usage': JSON.stringify(usage),
    'x-page-usage': JSON.stringify({ ...usage, estimated_time_to_regain_access: regainMinutes }),
  };
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** 2024-05-01T12:00:00+0000, as Graph writes timestamps. */
function graphTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, '+0000');
}
