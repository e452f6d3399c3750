// A loopback stand-in for the parts of the Facebook Graph API that Herold uses: posting to a
// Page feed, reading it back, and "who am I" for a Page token. It answers with Graph's own
// error shapes so the adapter's error sorting is exercised for real. Used by the contract
// tests and by the demo mode's simulated Facebook channel.
//
// Faithfulness notes:
// - The version prefix (/v24.0/…) is optional and any version is accepted.
// - Tokens are read from the query string, a form or JSON body, or `Authorization: Bearer|OAuth`.
// - Graph signals throttling with error codes (4, 17, 32, …) and usage headers, not HTTP 429:
//   an injected `{status: 429}` answers HTTP 400 with code 32 (or `fault.code`) and an
//   X-Page-Usage header whose `estimated_time_to_regain_access` (minutes) covers resetInSeconds.
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
  readonly requests: LoggedRequest[];
  addPage(page: GraphFakePage): void;
  /** Makes the token answer code 190 / subcode 463 ("session has expired") from now on. */
  expireToken(token: string): void;
  failNext(fault: Fault, times?: number, match?: FaultMatch): void;
  /** Forgets posts, expired tokens, pending faults, usage counters and the request log; keeps pages. */
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
    if (over) return throttled(32, HOUR_MS / 1000);
    const withUsage = (res: FakeResponse): FakeResponse => ({
      ...res,
      headers: { ...res.headers, ...usageHeaders(usage, 0) },
    });

    const [first, edge, ...rest] = segments;
    if (first && rest.length === 0) {
      if (req.method === 'POST' && edge === 'feed') return withUsage(createPost(req, page, first));
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
    const published = !['false', '0'].includes(String(param(req, 'published') ?? 'true').toLowerCase());

    if (!message && !link) return invalidParameter('(#100) Missing message or attachment');
    if (message !== undefined && [...message].length > maxLength) {
      return invalidParameter(`(#100) Param message must be at most ${maxLength} characters long`);
    }
    if (link !== undefined && !isHttpUrl(link)) return invalidParameter('(#100) The parameter link is not a valid URL');
    if (message && isDuplicate(page.id, message)) {
      return graphError(400, {
        message: 'Duplicate status message',
        code: 506,
        error_subcode: 1455006,
        error_user_title: 'Duplicate Status Update',
        error_user_msg:
          'This status update is identical to the last one you posted. Try posting something different, or delete your previous update.',
      });
    }

    const digits = nextId().toString();
    const post: GraphFakePost = {
      id: `${page.id}_${digits}`,
      pageId: page.id,
      ...(message !== undefined ? { message } : {}),
      ...(link !== undefined ? { link } : {}),
      published,
      createdTime: graphTime(new Date()),
      permalinkUrl: `${permalinkBase}/${page.id}/posts/${digits}`,
    };
    posts.push(post);
    return { status: 200, body: { id: post.id } };
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

  function faultAnswer(fault: StatusFault): FakeResponse {
    if (fault.body !== undefined) return { status: fault.status, body: fault.body };
    if (fault.status === 429) return throttled(fault.code ?? 32, fault.resetInSeconds ?? 900);
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
      return posts.map((p) => ({ ...p }));
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

function throttled(code: number, resetInSeconds: number): FakeResponse {
  const minutes = Math.max(1, Math.ceil(resetInSeconds / 60));
  const messages: Record<number, string> = {
    4: '(#4) Application request limit reached',
    17: '(#17) User request limit reached',
    32: '(#32) Page request limit reached',
    613: '(#613) Calls to this api have exceeded the rate limit.',
  };
  const res = graphError(400, { message: messages[code] ?? `(#${code}) Rate limit reached`, code, is_transient: true });
  return { ...res, headers: { ...res.headers, ...usageHeaders(100, minutes) } };
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
