// WordPress adapter (REST API over node:http) against the WordPress fake.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Settings } from '../../src/channels/channel';
import { WORDPRESS_MAX_POST_BYTES, wordpressChannel } from '../../src/channels/wordpress';
import type { PostContent } from '../../src/domain/types';
import { startWordPressFake, type WordPressFake, type WordPressFakeUser } from '../../src/simulated/wordpress-fake';
import { channelError, context, eventually, runChannelContract, type ContractHarness } from './suite';

const SITE = 'https://www.musterstadt.de';
const POSTS_PATH = '/wp-json/wp/v2/posts';
// As WordPress shows a new application password: six groups of four, with spaces.
const AUTHOR: WordPressFakeUser = {
  username: 'pressestelle',
  applicationPassword: 'abcd EFGH 1234 ijkl MNOP 5678',
  name: 'Pressestelle Musterstadt',
  id: 7,
  role: 'author',
};

/** The plain text of stored HTML: what the harness gave as `text`. */
function textOf(html: string): string {
  return html.replace(/<[^>]*>/g, '').trim();
}

function wordpressHarness(): ContractHarness {
  let fake: WordPressFake;
  return {
    name: 'wordpress',
    adapter: wordpressChannel,
    start: async () => {
      fake = await startWordPressFake({ users: [AUTHOR], siteUrl: SITE });
    },
    stop: () => fake.close(),
    reset: () => fake.reset(),
    settings: (extra = {}) => ({ siteUrl: SITE, apiBaseUrl: fake.url, timeoutMs: 5000, ...extra }),
    credentials: () => ({ username: AUTHOR.username, applicationPassword: AUTHOR.applicationPassword }),
    revoke: () => fake.revoke(AUTHOR.username),
    content: (text) => ({ title: text, html: `<p>${text}</p>`, link: `${SITE}/presse/stadtfest` }),
    tooLong: () => ({ title: 'Zu lang', html: `<p>${'x'.repeat(WORDPRESS_MAX_POST_BYTES)}</p>` }),
    stored: () => fake.posts.map((p) => ({ id: String(p.id), text: textOf(p.content) })),
    // Publishing first looks the article up (GET), then creates it (POST). The shared cases are
    // about the request that creates the post, so unmatched faults go to that one; faults on the
    // lookup are covered below.
    failNext: (fault, times, match) => fake.failNext(fault, times, match ?? { method: 'POST', path: POSTS_PATH }),
    secrets: [
      AUTHOR.applicationPassword,
      AUTHOR.applicationPassword.replace(/ /g, ''),
      Buffer.from(`${AUTHOR.username}:${AUTHOR.applicationPassword}`).toString('base64'),
    ],
    account: `${AUTHOR.name} @ www.musterstadt.de`,
    urlOf: (id) => `${SITE}/?p=${id}`,
  };
}

runChannelContract(wordpressHarness());

// A 1×1 PNG: its bytes are not valid UTF-8, so a text-only upload path would corrupt them.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGPQy94KAAIZAU+uDbH3AAAAAElFTkSuQmCC', 'base64');

/** Serves test images, and plays a misconfigured site under /kaputt/. */
async function startImageServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    if (path === '/bilder/Rathaus%20M%C3%BCnster.png') {
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': PNG.length });
      res.end(PNG);
    } else if (path === '/bilder/plan.svg') {
      res.writeHead(200, { 'content-type': 'image/svg+xml' });
      res.end('<svg xmlns="http://www.w3.org/2000/svg"/>');
    } else if (path === '/bilder/gross.png') {
      const big = Buffer.concat([PNG, Buffer.alloc(40_000)]);
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': big.length });
      res.end(big);
    } else if (path.startsWith('/umgezogen/')) {
      res.writeHead(301, { location: `https://neu.musterstadt.de${path}` });
      res.end();
    } else if (path.startsWith('/einfach/')) {
      // Plain permalinks: /wp-json/… is not routed and the home page answers.
      res.writeHead(200, { 'content-type': 'text/html; charset=UTF-8' });
      res.end('<!DOCTYPE html><html><body><h1>Stadt Musterstadt</h1></body></html>');
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('wordpress specifics', () => {
  let fake: WordPressFake;
  let images: { url: string; close(): Promise<void> };
  const contributor: WordPressFakeUser = { username: 'praktikant', applicationPassword: 'zzzz yyyy xxxx wwww vvvv uuuu', name: 'Praktikant', role: 'contributor' };
  const subscriber: WordPressFakeUser = { username: 'leser', applicationPassword: 'qqqq rrrr ssss tttt uuuu vvvv', name: 'Leser', role: 'subscriber' };
  const editor: WordPressFakeUser = { username: 'redaktion', applicationPassword: 'kkkk llll mmmm nnnn oooo pppp', name: 'Redaktion', id: 9, role: 'editor' };
  const settings = (extra: Settings = {}): Settings => ({ siteUrl: SITE, apiBaseUrl: fake.url, timeoutMs: 5000, ...extra });
  const credentialsOf = (user: WordPressFakeUser) => ({ username: user.username, applicationPassword: user.applicationPassword });
  const credentials = credentialsOf(AUTHOR);
  const article: PostContent = { title: 'Stadtfest am Samstag', html: '<p>Die Stadt lädt ein &amp; feiert.</p>' };
  const withImage = (): PostContent => ({
    ...article,
    media: [{ url: `${images.url}/bilder/Rathaus%20M%C3%BCnster.png`, alt: 'Das Rathaus am Münsterplatz' }],
  });
  const calls = (): string[] => fake.requests.map((r) => `${r.method} ${r.path}`);

  beforeAll(async () => {
    fake = await startWordPressFake({ users: [AUTHOR, contributor, subscriber, editor], siteUrl: SITE, permalinks: 'pretty', maxBodyBytes: 20_000 });
    images = await startImageServer();
  });
  afterAll(async () => {
    await fake.close();
    await images.close();
  });
  beforeEach(() => fake.reset());

  it('creates a published post with title, HTML and the release slug, and returns its permalink', async () => {
    const result = await wordpressChannel.publish(article, settings(), credentials, context());

    const [post] = fake.posts;
    expect(fake.posts).toHaveLength(1);
    expect(post).toMatchObject({ title: article.title, content: article.html, status: 'publish', slug: 'stadtfest', author: AUTHOR.id, featuredMedia: 0 });
    const month = post!.dateGmt.slice(0, 7).replace('-', '/');
    expect(result).toEqual({ externalId: String(post!.id), externalUrl: `${SITE}/${month}/stadtfest/` });
    expect(calls()).toEqual([`GET ${POSTS_PATH}`, `POST ${POSTS_PATH}`]);
    const lookup = new URLSearchParams(fake.requests[0]!.query);
    expect(lookup.get('slug')?.split(',').slice(0, 2)).toEqual(['stadtfest', 'stadtfest-2']);
    expect(lookup.get('context')).toBe('edit');
  });

  it('uploads the first image as featured image with its alt text, byte for byte', async () => {
    const ctx = context();
    await wordpressChannel.publish(withImage(), settings(), credentials, ctx);

    const [image] = fake.media;
    expect(fake.media).toHaveLength(1);
    expect(image).toMatchObject({ filename: 'Rathaus-Muenster.png', mimeType: 'image/png', altText: 'Das Rathaus am Münsterplatz', author: AUTHOR.id });
    expect(image!.bytes.equals(PNG)).toBe(true);
    expect(fake.posts[0]?.featuredMedia).toBe(image!.id);
    expect(calls()).toEqual([`GET ${POSTS_PATH}`, 'POST /wp-json/wp/v2/media', `POST /wp-json/wp/v2/media/${image!.id}`, `POST ${POSTS_PATH}`]);
    // Progress: the upload first, then the marker written before the post was sent.
    expect(ctx.saved.map((p) => p.parts?.map((part) => part.id))).toEqual([
      [`post-1:rev-1:media:${image!.id}`],
      [`post-1:rev-1:media:${image!.id}`, 'post-1:rev-1:post'],
    ]);
  });

  it('reuses the uploaded image when the post is retried after a server error', async () => {
    fake.failNext({ status: 500 }, 1, { method: 'POST', path: POSTS_PATH });
    const first = context();
    const error = await channelError(wordpressChannel.publish(withImage(), settings(), credentials, first));
    expect(error).toMatchObject({ kind: 'retryable', code: 'SERVER_ERROR', options: { status: 500 } });
    expect(fake.posts).toEqual([]);

    await wordpressChannel.publish(withImage(), settings(), credentials, context(first.saved.at(-1)));
    expect(fake.media).toHaveLength(1);
    expect(fake.posts).toHaveLength(1);
    expect(fake.posts[0]?.featuredMedia).toBe(fake.media[0]?.id);
  });

  it('passes media fetch errors through and sends nothing', async () => {
    const missing = { ...article, media: [{ url: `${images.url}/bilder/fehlt.png`, alt: 'Fehlt' }] };
    const error = await channelError(wordpressChannel.publish(missing, settings(), credentials, context()));
    expect(error).toMatchObject({ kind: 'permanent', code: 'MEDIA_UNREACHABLE' });
    expect(calls()).toEqual([`GET ${POSTS_PATH}`]);
  });

  it('refuses image types WordPress does not accept before uploading them', async () => {
    const svg = { ...article, media: [{ url: `${images.url}/bilder/plan.svg`, alt: 'Lageplan' }] };
    const error = await channelError(wordpressChannel.publish(svg, settings(), credentials, context()));
    expect(error).toMatchObject({ kind: 'permanent', code: 'MEDIA_REJECTED' });
    expect(fake.media).toEqual([]);
  });

  it('sorts an upload refusal of WordPress (a 500 rest_upload_sideload_error) as permanent, not as a server error', async () => {
    fake.failNext(
      { status: 500, body: { code: 'rest_upload_sideload_error', message: 'Sorry, you are not allowed to upload this file type.', data: { status: 500 } } },
      1,
      { method: 'POST', path: '/wp-json/wp/v2/media' },
    );
    const error = await channelError(wordpressChannel.publish(withImage(), settings(), credentials, context()));
    expect(error).toMatchObject({ kind: 'permanent', code: 'MEDIA_REJECTED', options: { status: 500 } });
    expect(fake.posts).toEqual([]);
  });

  it('sorts an image the web server refuses as too large (413) as permanent MEDIA_TOO_LARGE', async () => {
    const big = { ...article, media: [{ url: `${images.url}/bilder/gross.png`, alt: 'Groß' }] };
    const error = await channelError(wordpressChannel.publish(big, settings(), credentials, context()));
    expect(error).toMatchObject({ kind: 'permanent', code: 'MEDIA_TOO_LARGE', options: { status: 413 } });
    expect(fake.posts).toEqual([]);
  });

  it('sorts an article the web server refuses as too large (413) as permanent TOO_LONG', async () => {
    const long = { title: 'Haushalt 2026', html: `<p>${'Haushalt '.repeat(3000)}</p>` };
    expect(wordpressChannel.validate(long, settings()).filter((w) => w.severity === 'error')).toEqual([]);

    const error = await channelError(wordpressChannel.publish(long, settings(), credentials, context()));
    expect(error).toMatchObject({ kind: 'permanent', code: 'TOO_LONG', options: { status: 413 } });
    expect(fake.posts).toEqual([]);
  });

  it('authenticates with the application password with or without its spaces', async () => {
    await expect(wordpressChannel.check(settings(), credentials)).resolves.toEqual({ account: 'Pressestelle Musterstadt @ www.musterstadt.de' });
    const unspaced = { username: AUTHOR.username, applicationPassword: AUTHOR.applicationPassword.replace(/ /g, '') };
    await expect(wordpressChannel.check(settings(), unspaced)).resolves.toEqual({ account: 'Pressestelle Musterstadt @ www.musterstadt.de' });
  });

  it('refuses a wrong application password with kind auth and keeps it out of the error', async () => {
    const wrong = { username: AUTHOR.username, applicationPassword: 'abcd EFGH 1234 ijkl MNOP 0000' };
    const error = await channelError(wordpressChannel.publish(article, settings(), wrong, context()));

    expect(error).toMatchObject({ kind: 'auth', code: 'AUTH_EXPIRED', options: { status: 401 } });
    expect(error.message).toContain('incorrect_password');
    const text = `${error.message} ${JSON.stringify(error.options)}`;
    for (const secret of [wrong.applicationPassword, 'abcdEFGH1234ijklMNOP0000', Buffer.from(`${wrong.username}:${wrong.applicationPassword}`).toString('base64')]) {
      expect(text).not.toContain(secret);
    }
    expect(fake.posts).toEqual([]);
  });

  it('explains a 401 that means WordPress never saw the credentials (Authorization header stripped)', async () => {
    fake.failNext(
      { status: 401, body: { code: 'rest_not_logged_in', message: 'You are not currently logged in.', data: { status: 401 } } },
      1,
      { path: '/wp-json/wp/v2/users/me' },
    );
    const error = await channelError(wordpressChannel.check(settings(), credentials));
    expect(error).toMatchObject({ kind: 'auth', code: 'AUTH_EXPIRED' });
    expect(error.message).toMatch(/Authorization header/);
  });

  it('sorts a contributor (no publish rights) as permanent PERMISSION_DENIED, in publish and in check()', async () => {
    const error = await channelError(wordpressChannel.publish(article, settings(), credentialsOf(contributor), context()));
    expect(error).toMatchObject({ kind: 'permanent', code: 'PERMISSION_DENIED', options: { status: 403 } });
    expect(error.message).toContain('rest_cannot_publish');
    expect(fake.posts).toEqual([]);

    const checked = await channelError(wordpressChannel.check(settings(), credentialsOf(contributor)));
    expect(checked).toMatchObject({ kind: 'permanent', code: 'PERMISSION_DENIED' });
    expect(checked.message).toMatch(/publish_posts/);
  });

  it('sorts a subscriber as permanent PERMISSION_DENIED; the fake refuses its post with 403 rest_cannot_create', async () => {
    // WordPress refuses the lookup already: listing drafts is an "invalid parameter" (400) for it.
    const error = await channelError(wordpressChannel.publish(article, settings(), credentialsOf(subscriber), context()));
    expect(error).toMatchObject({ kind: 'permanent', code: 'PERMISSION_DENIED', options: { status: 400 } });
    expect(error.message).toMatch(/Author or Editor/);
    expect(calls()).toEqual([`GET ${POSTS_PATH}`]);

    const auth = Buffer.from(`${subscriber.username}:${subscriber.applicationPassword}`).toString('base64');
    const res = await fetch(`${fake.url}${POSTS_PATH}`, {
      method: 'POST',
      headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'x', content: 'y', status: 'publish' }),
    });
    expect(res.status).toBe(403);
    await expect(res.json()).resolves.toMatchObject({ code: 'rest_cannot_create', data: { status: 403 } });
  });

  it('findExisting() finds the post a timed-out attempt created, and a retry returns it without sending again', async () => {
    fake.failNext({ delayMs: 800 }, 1, { method: 'POST', path: POSTS_PATH });
    const ctx = context();
    const error = await channelError(wordpressChannel.publish(article, settings({ timeoutMs: 200 }), credentials, ctx));
    expect(error).toMatchObject({ kind: 'unknown_outcome', code: 'TIMEOUT_AFTER_SEND' });

    await eventually(() => fake.posts.length === 1);
    const post = fake.posts[0]!;
    const expected = { externalId: String(post.id), externalUrl: post.link };
    await expect(wordpressChannel.findExisting!(article, settings(), credentials, ctx)).resolves.toEqual(expected);
    await expect(wordpressChannel.findExisting!({ ...article, html: '<p>Anderer Text</p>' }, settings(), credentials, ctx)).resolves.toBeNull();

    // The worker retries with the saved progress: the marker says this attempt sent it.
    const retry = context(ctx.saved.at(-1));
    await expect(wordpressChannel.publish(article, settings(), credentials, retry)).resolves.toEqual(expected);
    expect(fake.posts).toHaveLength(1);
    expect(calls().filter((c) => c === `POST ${POSTS_PATH}`)).toHaveLength(1);
  });

  it('refuses as DUPLICATE an identical article that this attempt did not create', async () => {
    const earlier = fake.seedPost({ title: article.title!, content: '<p>Die Stadt lädt ein &#038; feiert.</p>', slug: 'stadtfest', author: editor.id! });
    const error = await channelError(wordpressChannel.publish(article, settings(), credentials, context()));

    expect(error).toMatchObject({ kind: 'permanent', code: 'DUPLICATE' });
    expect(error.message).toContain(earlier.link);
    expect(fake.posts).toHaveLength(1);
  });

  it('lets WordPress append -2 when another article has the slug, and still finds the new one', async () => {
    fake.seedPost({ title: 'Stadtfest 2024', content: '<p>Rückblick</p>', slug: 'stadtfest', author: editor.id! });
    const result = await wordpressChannel.publish(article, settings(), credentials, context());

    const created = fake.posts.find((p) => String(p.id) === result.externalId);
    expect(created?.slug).toBe('stadtfest-2');
    expect(result.externalUrl).toBe(created?.link);
    await expect(wordpressChannel.findExisting!(article, settings(), credentials, context())).resolves.toEqual(result);
    const again = await channelError(wordpressChannel.publish(article, settings(), credentials, context()));
    expect(again).toMatchObject({ kind: 'permanent', code: 'DUPLICATE' });
    expect(fake.posts).toHaveLength(2);
  });

  it('sorts a timeout or a dropped connection during the lookup as retryable: nothing was created', async () => {
    fake.failNext({ delayMs: 800 }, 1, { method: 'GET', path: POSTS_PATH });
    const slow = await channelError(wordpressChannel.publish(article, settings({ timeoutMs: 200 }), credentials, context()));
    expect(slow).toMatchObject({ kind: 'retryable', code: 'TIMEOUT' });

    fake.failNext({ drop: true }, 1, { method: 'GET', path: POSTS_PATH });
    const dropped = await channelError(wordpressChannel.publish(article, settings(), credentials, context()));
    expect(dropped).toMatchObject({ kind: 'retryable', code: 'NETWORK_ERROR' });
    expect(calls()).not.toContain(`POST ${POSTS_PATH}`);
  });

  it('sorts a lost image upload as retryable, not as an unknown outcome of the article', async () => {
    fake.failNext({ drop: true }, 1, { method: 'POST', path: '/wp-json/wp/v2/media' });
    const error = await channelError(wordpressChannel.publish(withImage(), settings(), credentials, context()));
    expect(error).toMatchObject({ kind: 'retryable', code: 'NETWORK_ERROR' });
    expect(error.message).toMatch(/media library/);
    expect(fake.posts).toEqual([]);
  });

  it('does not send the post when the progress marker cannot be saved', async () => {
    const ctx = { ...context(), saveProgress: () => Promise.reject(new Error('database down')) };
    const error = await channelError(wordpressChannel.publish(article, settings(), credentials, ctx));
    expect(error).toMatchObject({ kind: 'retryable', code: 'PROGRESS_NOT_SAVED' });
    expect(calls()).not.toContain(`POST ${POSTS_PATH}`);
  });

  it('takes the wait from Retry-After of a maintenance 503', async () => {
    fake.failNext({ status: 503 }, 1, { method: 'POST', path: POSTS_PATH });
    const error = await channelError(wordpressChannel.publish(article, settings(), credentials, context()));
    expect(error).toMatchObject({ kind: 'retryable', code: 'SERVER_ERROR', options: { status: 503, retryAfterMs: 600_000 } });
  });

  it('sorts a redirect as a settings error and does not follow it with the credentials', async () => {
    const error = await channelError(wordpressChannel.check(settings({ apiBaseUrl: `${images.url}/umgezogen` }), credentials));
    expect(error).toMatchObject({ kind: 'permanent', code: 'SETTINGS_INVALID', options: { status: 301 } });
    expect(error.message).toContain('https://neu.musterstadt.de/umgezogen/wp-json/wp/v2/users/me');
  });

  it('recognises a site whose REST API is not reachable (home page instead of JSON)', async () => {
    const error = await channelError(wordpressChannel.check(settings({ apiBaseUrl: `${images.url}/einfach` }), credentials));
    expect(error).toMatchObject({ kind: 'permanent', code: 'REST_API_NOT_FOUND', options: { status: 200 } });
  });

  it('validates title, text, image URLs and warns that only the first image is used', () => {
    const warnings = wordpressChannel.validate(
      { title: ' ', html: '', media: [{ url: 'https://example.org/a.jpg', alt: 'A' }, { url: 'ftp://example.org/b.jpg', alt: 'B' }] },
      settings(),
    );
    expect(warnings.map((w) => [w.code, w.severity])).toEqual([
      ['TITLE_MISSING', 'error'],
      ['BODY_MISSING', 'error'],
      ['MEDIA_URL_INVALID', 'error'],
      ['MEDIA_NOT_PUBLISHED', 'warning'],
    ]);
  });
});
