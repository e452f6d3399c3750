// A loopback stand-in for the parts of the WordPress REST API (wp/v2) that Herold uses:
// "who am I", creating and listing posts, uploading media and setting their alt text. It checks
// Basic auth with application passwords and role capabilities, and answers with WordPress's own
// error bodies ({code, message, data: {status}}), so the adapter's error sorting is exercised for
// real. Used by the contract tests; usable by the demo mode like the other fakes.
//
// Faithfulness notes:
// - Application passwords are compared after removing everything but letters and digits, as
//   WordPress does: "abcd EFGH 1234 …" (as WordPress shows it) and "abcdEFGH1234…" both work.
//   Unknown user → 401 invalid_username; wrong or revoked password → 401 incorrect_password;
//   no Authorization header → the request is anonymous (401 rest_not_logged_in on users/me,
//   401 rest_cannot_create on POST), exactly what a server that strips the header produces.
// - Roles: subscriber (read only) → 403 rest_cannot_create; contributor (no publish_posts, no
//   upload_files) → 403 rest_cannot_publish / rest_cannot_create on media; author publishes and
//   uploads and edits only their own media; editor and administrator may do everything.
//   Listing other statuses than publish without edit_posts is 400 rest_invalid_param (details:
//   rest_forbidden_status), because WordPress validates parameters before permissions.
// - Slugs are sanitised roughly like sanitize_title() with the de_DE locale (ä → ae, ß → ss) and
//   made unique among published and scheduled posts by appending -2, -3 … like
//   wp_unique_post_slug(). Drafts keep their slug as given.
// - Links: `${siteUrl}/?p=${id}` with permalinks 'plain' (default) or
//   `${siteUrl}/${yyyy}/${mm}/${slug}/` with 'pretty'; unpublished posts always get ?p=.
// - Request bodies larger than maxBodyBytes (default 8 MiB, PHP's default post_max_size) are
//   refused with 413 and an HTML page before WordPress sees them, as nginx or Apache do.
// - Media are uploaded as a raw body with `Content-Disposition: attachment; filename=…`
//   (multipart uploads are not modelled). Files without an allowed image extension answer 500
//   rest_upload_sideload_error, as WordPress does.
// - Fault injection uses http-util's FaultQueue. Injected `{status}` answers: 401
//   incorrect_password, 403 rest_cannot_create, 400 rest_invalid_param, 404 rest_no_route,
//   413 an HTML page, 429 too_many_requests with Retry-After (resetInSeconds, default 900),
//   500 internal_server_error ("critical error"), 503 WordPress's maintenance answer with
//   Retry-After (resetInSeconds, default 600). `fault.body` replaces the body.
// - Media uploads are binary; routes read them from the raw bytes startFakeServer hands over.

import { STATUS_CODES } from 'node:http';
import { startFakeServer, type Fault, type FakeRequest, type FakeResponse, type FaultMatch, type LoggedRequest, type StatusFault } from './http-util';

export type WordPressRole = 'administrator' | 'editor' | 'author' | 'contributor' | 'subscriber';

export interface WordPressFakeUser {
  username: string;
  /** As WordPress shows it once, in groups of four with spaces ("abcd EFGH …"), or without. */
  applicationPassword: string;
  /** Display name. */
  name: string;
  id?: number;
  email?: string;
  /** Default 'author'. */
  role?: WordPressRole;
}

export type WordPressPostStatus = 'publish' | 'future' | 'draft' | 'pending' | 'private';

export interface WordPressFakePost {
  id: number;
  author: number;
  title: string;
  /** post_content as stored (raw HTML). */
  content: string;
  excerpt: string;
  status: WordPressPostStatus;
  slug: string;
  /** ISO 8601 in UTC without zone, as WordPress's date_gmt. */
  dateGmt: string;
  featuredMedia: number;
  link: string;
}

export interface WordPressFakeMedia {
  id: number;
  author: number;
  filename: string;
  mimeType: string;
  bytes: Buffer;
  altText: string;
  sourceUrl: string;
}

export interface WordPressFakeOptions {
  port?: number;
  host?: string;
  users?: WordPressFakeUser[];
  /** Public address of the site, used in links and source_url (default: the fake's own URL). */
  siteUrl?: string;
  permalinks?: 'plain' | 'pretty';
  /** Larger request bodies are refused with 413 (default 8 MiB). */
  maxBodyBytes?: number;
}

/** Request log entry; `query` is kept because WordPress carries no credentials in it. */
export interface WordPressLoggedRequest extends LoggedRequest {
  query: string;
}

export interface WordPressFake {
  /** Base URL of the fake server (the WordPress installation; the API is under /wp-json/). */
  url: string;
  siteUrl: string;
  /** Copies of all posts, oldest first. */
  readonly posts: WordPressFakePost[];
  /** Copies of all uploaded media, oldest first. */
  readonly media: WordPressFakeMedia[];
  readonly requests: WordPressLoggedRequest[];
  addUser(user: WordPressFakeUser): void;
  /** Revokes the user's application password: 401 incorrect_password from now on. */
  revoke(username: string): void;
  /** Stores a post as if someone had created it in WordPress (for lookups and slug collisions). */
  seedPost(post: Partial<Omit<WordPressFakePost, 'id' | 'link'>> & { title: string; author: number }): WordPressFakePost;
  failNext(fault: Fault, times?: number, match?: FaultMatch): void;
  /** Forgets posts, media, revocations, pending faults and the request log; keeps users. */
  reset(): void;
  close(): Promise<void>;
}

interface Caps {
  edit_posts: boolean;
  publish_posts: boolean;
  upload_files: boolean;
  edit_others_posts: boolean;
}

const ROLE_CAPS: Record<WordPressRole, Caps> = {
  administrator: { edit_posts: true, publish_posts: true, upload_files: true, edit_others_posts: true },
  editor: { edit_posts: true, publish_posts: true, upload_files: true, edit_others_posts: true },
  author: { edit_posts: true, publish_posts: true, upload_files: true, edit_others_posts: false },
  contributor: { edit_posts: true, publish_posts: false, upload_files: false, edit_others_posts: false },
  subscriber: { edit_posts: false, publish_posts: false, upload_files: false, edit_others_posts: false },
};

const STATUSES: readonly WordPressPostStatus[] = ['publish', 'future', 'draft', 'pending', 'private'];
const IMAGE_TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
};
const API = '/wp-json';
const HTML = 'text/html; charset=UTF-8';

export async function startWordPressFake(opts: WordPressFakeOptions = {}): Promise<WordPressFake> {
  const users = new Map<string, Required<WordPressFakeUser>>();
  const revoked = new Set<string>();
  const posts: WordPressFakePost[] = [];
  const media: WordPressFakeMedia[] = [];
  const maxBodyBytes = opts.maxBodyBytes ?? 8 * 1024 * 1024;
  const permalinks = opts.permalinks ?? 'plain';
  let siteUrl = '';
  let nextUserId = 1;
  // Posts and attachments share one id sequence in WordPress (both are rows of wp_posts).
  let nextPostId = 1;

  const addUser = (user: WordPressFakeUser): void => {
    const id = user.id ?? nextUserId;
    nextUserId = Math.max(nextUserId, id + 1);
    users.set(user.username.toLowerCase(), {
      email: `${user.username}@example.org`,
      role: 'author',
      ...user,
      id,
    });
  };
  for (const user of opts.users ?? []) addUser(user);

  // --- auth -----------------------------------------------------------------------------

  type Caller = { user: Required<WordPressFakeUser>; caps: Caps } | null;

  /** The authenticated user, null when anonymous, or the 401 WordPress answers. */
  function authenticate(req: FakeRequest): Caller | FakeResponse {
    const header = req.headers.authorization;
    if (!header) return null;
    const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
    if (!match?.[1]) return null; // WordPress ignores other schemes: the request is anonymous
    const decoded = Buffer.from(match[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return null;
    const login = decoded.slice(0, colon).toLowerCase();
    const password = decoded.slice(colon + 1);
    const user = users.get(login) ?? [...users.values()].find((u) => u.email.toLowerCase() === login);
    if (!user) {
      return wpError(401, login.includes('@') ? 'invalid_email' : 'invalid_username',
        login.includes('@') ? 'Unknown email address. Check again or try your username.' : 'Unknown username. Check again or try your email address.');
    }
    const normalise = (p: string): string => p.replace(/[^a-z\d]/gi, '');
    if (revoked.has(user.username) || normalise(password) !== normalise(user.applicationPassword)) {
      return wpError(401, 'incorrect_password', 'The provided password is an invalid application password.');
    }
    return { user, caps: ROLE_CAPS[user.role] };
  }

  // --- routes ---------------------------------------------------------------------------

  function handle(req: FakeRequest): FakeResponse {
    if (!req.path.startsWith(`${API}/`)) return { status: 404, contentType: HTML, body: '<!DOCTYPE html><html><body><h1>Not Found</h1></body></html>' };
    const route = req.path.slice(API.length).replace(/\/+$/, '');
    const caller = authenticate(req);
    if (caller && 'status' in caller) return caller;

    if (route === '/wp/v2/users/me' && req.method === 'GET') return usersMe(req, caller);
    if (route === '/wp/v2/posts' && req.method === 'GET') return listPosts(req, caller);
    if (route === '/wp/v2/posts' && req.method === 'POST') return createPost(req, caller);
    const single = /^\/wp\/v2\/posts\/(\d+)$/.exec(route);
    if (single && req.method === 'GET') return readPost(req, caller, Number(single[1]));
    if (route === '/wp/v2/media' && req.method === 'POST') return uploadMedia(req, caller);
    const item = /^\/wp\/v2\/media\/(\d+)$/.exec(route);
    if (item && (req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH')) return updateMedia(req, caller, Number(item[1]));
    return wpError(404, 'rest_no_route', 'No route was found matching the URL and request method.');
  }

  function usersMe(req: FakeRequest, caller: Caller): FakeResponse {
    if (!caller) return wpError(401, 'rest_not_logged_in', 'You are not currently logged in.');
    const { user, caps } = caller;
    const body: Record<string, unknown> = {
      id: user.id,
      name: user.name,
      url: '',
      description: '',
      link: `${siteUrl}/author/${slugOf(user.username)}/`,
      slug: slugOf(user.username),
    };
    if (req.query.get('context') === 'edit') {
      Object.assign(body, {
        username: user.username,
        email: user.email,
        roles: [user.role],
        capabilities: { read: true, ...Object.fromEntries(Object.entries(caps).filter(([, v]) => v)) },
      });
    }
    return { status: 200, body };
  }

  function canRead(post: WordPressFakePost, caller: Caller): boolean {
    if (post.status === 'publish') return true;
    if (!caller) return false;
    return post.author === caller.user.id || caller.caps.edit_others_posts;
  }

  function listPosts(req: FakeRequest, caller: Caller): FakeResponse {
    // As in WordPress, parameters are validated before the permission check.
    const statuses = list(req.query.get('status') ?? 'publish');
    const unknownStatus = statuses.find((s) => !(STATUSES as readonly string[]).includes(s) && s !== 'any');
    if (unknownStatus) return invalidParam('status', `status[0] is not one of publish, future, draft, pending, private, trash, auto-draft, inherit, request-pending, request-confirmed, request-failed, request-completed, any.`);
    if (statuses.some((s) => s !== 'publish') && !caller?.caps.edit_posts) {
      const status = caller ? 403 : 401;
      return invalidParam('status', 'Status is forbidden.', { code: 'rest_forbidden_status', message: 'Status is forbidden.', data: { status } });
    }
    const context = req.query.get('context') ?? 'view';
    if (context === 'edit' && !caller?.caps.edit_posts) {
      return wpError(caller ? 403 : 401, 'rest_forbidden_context', 'Sorry, you are not allowed to edit posts in this post type.');
    }
    const perPageRaw = req.query.get('per_page');
    const perPage = perPageRaw === null ? 10 : Number(perPageRaw);
    if (!Number.isInteger(perPage) || perPage < 1 || perPage > 100) return invalidParam('per_page', 'per_page must be between 1 (inclusive) and 100 (inclusive)');
    const page = Number(req.query.get('page') ?? 1);
    if (!Number.isInteger(page) || page < 1) return invalidParam('page', 'page must be greater than or equal to 1');
    const after = req.query.get('after');
    const afterMs = after === null ? undefined : Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(after) ? after : `${after}Z`);
    if (afterMs !== undefined && Number.isNaN(afterMs)) return invalidParam('after', 'Invalid date.');
    const slugs = list(req.query.get('slug') ?? '').map(slugOf).filter(Boolean);
    const authors = list(req.query.get('author') ?? '').map(Number);
    const terms = (req.query.get('search') ?? '').toLowerCase().split(/\s+/).filter(Boolean);

    const matching = posts
      .filter((p) => statuses.includes('any') || statuses.includes(p.status))
      .filter((p) => canRead(p, caller))
      .filter((p) => slugs.length === 0 || slugs.includes(p.slug))
      .filter((p) => authors.length === 0 || authors.includes(p.author))
      .filter((p) => afterMs === undefined || Date.parse(`${p.dateGmt}Z`) > afterMs)
      .filter((p) => terms.every((t) => `${p.title} ${p.content} ${p.excerpt}`.toLowerCase().includes(t)))
      .sort((a, b) => b.dateGmt.localeCompare(a.dateGmt) || b.id - a.id);
    const total = matching.length;
    const body = matching.slice((page - 1) * perPage, page * perPage).map((p) => fields(req, postJson(p, context)));
    return {
      status: 200,
      body,
      headers: { 'x-wp-total': String(total), 'x-wp-totalpages': String(Math.ceil(total / perPage)) },
    };
  }

  function readPost(req: FakeRequest, caller: Caller, id: number): FakeResponse {
    const post = posts.find((p) => p.id === id);
    if (!post || !canRead(post, caller)) return wpError(404, 'rest_post_invalid_id', 'Invalid post ID.');
    const context = req.query.get('context') ?? 'view';
    if (context === 'edit' && !(caller && (post.author === caller.user.id || caller.caps.edit_others_posts))) {
      return wpError(caller ? 403 : 401, 'rest_forbidden_context', 'Sorry, you are not allowed to edit this post.');
    }
    return { status: 200, body: fields(req, postJson(post, context)) };
  }

  function createPost(req: FakeRequest, caller: Caller): FakeResponse {
    if (!caller || !caller.caps.edit_posts) {
      return wpError(caller ? 403 : 401, 'rest_cannot_create', 'Sorry, you are not allowed to create posts as this user.');
    }
    if (req.bodyInvalid) return wpError(400, 'rest_invalid_json', 'Invalid JSON body passed.');
    const body = req.body;
    // title, content and excerpt may be a string or {raw}; the others only strings.
    for (const name of ['title', 'content', 'excerpt', 'slug', 'status', 'date_gmt']) {
      const value = body[name];
      const rawAllowed = name === 'title' || name === 'content' || name === 'excerpt';
      if (value !== undefined && typeof value !== 'string' && !(rawAllowed && isRecord(value) && typeof value.raw === 'string')) {
        return invalidParam(name, `${name} is not of type string.`);
      }
    }
    const text = (name: string): string => {
      const value = body[name];
      return typeof value === 'string' ? value : isRecord(value) && typeof value.raw === 'string' ? value.raw : '';
    };
    let status = (typeof body.status === 'string' ? body.status : 'draft') as WordPressPostStatus;
    if (!STATUSES.includes(status)) return invalidParam('status', 'status is not one of publish, future, draft, pending, private.');
    if ((status === 'publish' || status === 'future' || status === 'private') && !caller.caps.publish_posts) {
      return wpError(403, 'rest_cannot_publish', 'Sorry, you are not allowed to publish posts in this post type.');
    }
    const featured = body.featured_media;
    if (featured !== undefined && featured !== 0) {
      if (typeof featured !== 'number' || !media.some((m) => m.id === featured)) {
        return wpError(400, 'rest_invalid_featured_media', 'Invalid featured media ID.');
      }
    }
    const title = text('title');
    const content = text('content');
    const excerpt = text('excerpt');
    if (title.trim() === '' && content.trim() === '' && excerpt.trim() === '') {
      return wpError(400, 'empty_content', 'Content, title, and excerpt are empty.');
    }
    let date = new Date();
    const dateGmt = text('date_gmt');
    if (dateGmt) {
      const ms = Date.parse(/[zZ]$/.test(dateGmt) ? dateGmt : `${dateGmt}Z`);
      if (Number.isNaN(ms)) return invalidParam('date_gmt', 'Invalid date.');
      date = new Date(ms);
    }
    // As WordPress: 'future' in the past publishes at once, 'publish' in the future is scheduled.
    if (status === 'future' && date.getTime() <= Date.now()) status = 'publish';
    else if (status === 'publish' && date.getTime() > Date.now()) status = 'future';

    const post = insertPost({
      author: caller.user.id,
      title,
      content,
      excerpt,
      status,
      slug: text('slug'),
      dateGmt: wpDate(date),
      featuredMedia: typeof featured === 'number' ? featured : 0,
    });
    return {
      status: 201,
      body: postJson(post, 'edit'),
      headers: { location: `${siteUrl}${API}/wp/v2/posts/${post.id}` },
    };
  }

  function insertPost(fields: Omit<WordPressFakePost, 'id' | 'link'>): WordPressFakePost {
    const id = nextPostId++;
    let slug = slugOf(fields.slug || (fields.status === 'draft' || fields.status === 'pending' ? '' : fields.title));
    if (slug && (fields.status === 'publish' || fields.status === 'future' || fields.status === 'private')) slug = uniqueSlug(slug);
    const post: WordPressFakePost = { ...fields, id, slug, link: '' };
    post.link = linkOf(post);
    posts.push(post);
    return post;
  }

  function uniqueSlug(slug: string): string {
    const taken = (s: string): boolean => posts.some((p) => p.slug === s && p.status !== 'draft' && p.status !== 'pending');
    if (!taken(slug)) return slug;
    for (let n = 2; ; n++) if (!taken(`${slug}-${n}`)) return `${slug}-${n}`;
  }

  function linkOf(post: WordPressFakePost): string {
    if (permalinks === 'plain' || post.status !== 'publish' || !post.slug) return `${siteUrl}/?p=${post.id}`;
    return `${siteUrl}/${post.dateGmt.slice(0, 4)}/${post.dateGmt.slice(5, 7)}/${post.slug}/`;
  }

  function postJson(post: WordPressFakePost, context: string): Record<string, unknown> {
    const edit = context === 'edit';
    return {
      id: post.id,
      date: post.dateGmt,
      date_gmt: post.dateGmt,
      guid: { rendered: `${siteUrl}/?p=${post.id}`, ...(edit ? { raw: `${siteUrl}/?p=${post.id}` } : {}) },
      modified: post.dateGmt,
      modified_gmt: post.dateGmt,
      slug: post.slug,
      status: post.status,
      type: 'post',
      link: post.link,
      title: { rendered: post.title, ...(edit ? { raw: post.title } : {}) },
      content: { rendered: autop(post.content), protected: false, ...(edit ? { raw: post.content, block_version: 0 } : {}) },
      excerpt: { rendered: post.excerpt ? autop(post.excerpt) : '', protected: false, ...(edit ? { raw: post.excerpt } : {}) },
      author: post.author,
      featured_media: post.featuredMedia,
      comment_status: 'open',
      ping_status: 'open',
      sticky: false,
      format: 'standard',
      meta: [],
      categories: [1],
      tags: [],
    };
  }

  function uploadMedia(req: FakeRequest, caller: Caller): FakeResponse {
    if (!caller || !caller.caps.upload_files) {
      return wpError(caller ? 403 : 401, 'rest_cannot_create', 'Sorry, you are not allowed to upload media on this site.');
    }
    if (req.raw.length === 0) return wpError(400, 'rest_upload_no_data', 'No data supplied.');
    const disposition = req.headers['content-disposition'];
    if (!disposition) return wpError(400, 'rest_upload_no_content_disposition', 'No Content-Disposition supplied.');
    const filename = filenameFrom(disposition);
    if (!filename) {
      return wpError(400, 'rest_upload_invalid_disposition', 'Invalid Content-Disposition supplied. Content-Disposition needs to be formatted as `attachment; filename="image.png"` or similar.');
    }
    const extension = (filename.split('.').pop() ?? '').toLowerCase();
    const mimeType = filename.includes('.') ? IMAGE_TYPES[extension] : undefined;
    if (!mimeType) return wpError(500, 'rest_upload_sideload_error', 'Sorry, you are not allowed to upload this file type.');
    const now = new Date();
    const stored = uniqueFilename(filename.replace(/[^A-Za-z0-9._-]+/g, '-'));
    const item: WordPressFakeMedia = {
      id: nextPostId++,
      author: caller.user.id,
      filename: stored,
      mimeType,
      bytes: Buffer.from(req.raw),
      altText: '',
      sourceUrl: `${siteUrl}/wp-content/uploads/${now.getUTCFullYear()}/${String(now.getUTCMonth() + 1).padStart(2, '0')}/${stored}`,
    };
    // WordPress also accepts alt_text with the upload (as a query parameter for raw bodies).
    const alt = req.query.get('alt_text');
    if (alt !== null) item.altText = alt;
    media.push(item);
    return { status: 201, body: mediaJson(item), headers: { location: `${siteUrl}${API}/wp/v2/media/${item.id}` } };
  }

  function uniqueFilename(name: string): string {
    const taken = (n: string): boolean => media.some((m) => m.filename === n);
    if (!taken(name)) return name;
    const dot = name.lastIndexOf('.');
    const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
    for (let n = 1; ; n++) if (!taken(`${stem}-${n}${ext}`)) return `${stem}-${n}${ext}`;
  }

  function updateMedia(req: FakeRequest, caller: Caller, id: number): FakeResponse {
    const item = media.find((m) => m.id === id);
    if (!item) return wpError(404, 'rest_post_invalid_id', 'Invalid post ID.');
    if (!caller || !(item.author === caller.user.id ? caller.caps.upload_files : caller.caps.edit_others_posts)) {
      return wpError(caller ? 403 : 401, 'rest_cannot_edit', 'Sorry, you are not allowed to edit this post.');
    }
    if (req.bodyInvalid) return wpError(400, 'rest_invalid_json', 'Invalid JSON body passed.');
    const alt = req.body.alt_text ?? req.query.get('alt_text') ?? undefined;
    if (alt !== undefined) {
      if (typeof alt !== 'string') return invalidParam('alt_text', 'alt_text is not of type string.');
      item.altText = alt;
    }
    return { status: 200, body: mediaJson(item) };
  }

  function mediaJson(item: WordPressFakeMedia): Record<string, unknown> {
    return {
      id: item.id,
      slug: slugOf(item.filename.replace(/\.[^.]+$/, '')),
      status: 'inherit',
      type: 'attachment',
      link: `${siteUrl}/?attachment_id=${item.id}`,
      title: { rendered: item.filename.replace(/\.[^.]+$/, ''), raw: item.filename.replace(/\.[^.]+$/, '') },
      author: item.author,
      alt_text: item.altText,
      media_type: 'image',
      mime_type: item.mimeType,
      source_url: item.sourceUrl,
      media_details: { filesize: item.bytes.length, sizes: {} },
    };
  }

  function faultAnswer(fault: StatusFault): FakeResponse {
    const retryAfter = (fallback: number): Record<string, string> => ({ 'retry-after': String(fault.resetInSeconds ?? fallback) });
    const base = ((): FakeResponse => {
      switch (fault.status) {
        case 400:
          return invalidParam('status', 'status is not one of publish, future, draft, pending, private.');
        case 401:
          return wpError(401, 'incorrect_password', 'The provided password is an invalid application password.');
        case 403:
          return wpError(403, 'rest_cannot_create', 'Sorry, you are not allowed to create posts as this user.');
        case 404:
          return wpError(404, 'rest_no_route', 'No route was found matching the URL and request method.');
        case 413:
          return entityTooLarge();
        case 429:
          return { ...wpError(429, 'too_many_requests', 'Too many requests. Please slow down.'), headers: retryAfter(900) };
        case 500:
          return wpError(500, 'internal_server_error', '<p>There has been a critical error on this website.</p><p><a href="https://wordpress.org/documentation/article/faq-troubleshooting/">Learn more about troubleshooting WordPress.</a></p>');
        case 503:
          return {
            ...wpError(503, 'wp_die', 'Briefly unavailable for scheduled maintenance. Check back in a minute.'),
            headers: retryAfter(600),
          };
        default:
          return wpError(fault.status, 'http_error', STATUS_CODES[fault.status] ?? 'Error');
      }
    })();
    return fault.body === undefined ? base : { status: base.status, body: fault.body, ...(base.headers ? { headers: base.headers } : {}) };
  }

  // --- server ---------------------------------------------------------------------------

  const server = await startFakeServer<WordPressLoggedRequest>({
    port: opts.port,
    host: opts.host,
    handle,
    faultAnswer,
    internalError: () => faultAnswer({ status: 500 }),
    maxBodyBytes,
    tooLarge: entityTooLarge,
    logFields: ({ search }) => ({ query: search }),
  });
  const url = server.url;
  siteUrl = (opts.siteUrl ?? url).replace(/\/+$/, '');

  return {
    url,
    siteUrl,
    get posts() {
      return posts.map((p) => ({ ...p }));
    },
    get media() {
      return media.map((m) => ({ ...m, bytes: Buffer.from(m.bytes) }));
    },
    get requests() {
      return server.requests.map((r) => ({ ...r }));
    },
    addUser,
    revoke: (username) => {
      revoked.add(users.get(username.toLowerCase())?.username ?? username);
    },
    seedPost: (post) => ({
      ...insertPost({
        content: '',
        excerpt: '',
        status: 'publish',
        slug: '',
        dateGmt: wpDate(new Date()),
        featuredMedia: 0,
        ...post,
      }),
    }),
    failNext: (fault, times = 1, match) => server.faults.add(fault, times, match),
    reset: () => {
      posts.length = 0;
      media.length = 0;
      revoked.clear();
      server.faults.clear();
      server.requests.length = 0;
    },
    close: () => server.close(),
  };
}

function wpError(status: number, code: string, message: string, data: Record<string, unknown> = {}): FakeResponse {
  return { status, body: { code, message, data: { status, ...data } } };
}

function invalidParam(param: string, detail: string, error?: { code: string; message: string; data: unknown }): FakeResponse {
  return wpError(400, 'rest_invalid_param', `Invalid parameter(s): ${param}`, {
    params: { [param]: detail },
    details: { [param]: error ?? { code: 'rest_invalid_type', message: detail, data: null } },
  });
}

function entityTooLarge(): FakeResponse {
  return {
    status: 413,
    contentType: HTML,
    body: '<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body>\r\n<center><h1>413 Request Entity Too Large</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n',
  };
}

/** `filename` of a Content-Disposition header, parsed like WordPress does (no filename*). */
function filenameFrom(header: string): string | undefined {
  const [, params = ''] = header.split(/;(.*)/s);
  for (const part of params.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== 'filename') continue;
    const value = part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    return value || undefined;
  }
  return undefined;
}

/** Roughly sanitize_title() with the de_DE locale. */
export function slugOf(text: string): string {
  return text
    .normalize('NFC')
    .toLowerCase()
    .replace(/<[^>]*>/g, '')
    .replace(/&[a-z0-9#]+;/gi, '')
    .replace(/ä/g, 'ae')
    .replace(/ö/g, 'oe')
    .replace(/ü/g, 'ue')
    .replace(/ß/g, 'ss')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9_\s-]/g, '')
    .replace(/[\s-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 200);
}

/** WordPress's date_gmt format: 2025-05-01T12:00:00 */
function wpDate(date: Date): string {
  return date.toISOString().slice(0, 19);
}

/** A crude wpautop(): wraps text that is not in a block element into paragraphs. */
function autop(html: string): string {
  return /^\s*</.test(html) ? html : html.split(/\n\s*\n/).map((p) => `<p>${p.trim()}</p>`).join('\n');
}

function list(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** `_fields=a,b` limits the top-level fields of the answer, as WordPress does. */
function fields(req: FakeRequest, body: Record<string, unknown>): Record<string, unknown> {
  const wanted = list(req.query.get('_fields') ?? '');
  if (wanted.length === 0) return body;
  return Object.fromEntries(Object.entries(body).filter(([key]) => wanted.includes(key)));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
