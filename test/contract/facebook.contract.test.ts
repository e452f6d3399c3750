// Facebook Page adapter (facebook-nodejs-business-sdk) against the Graph API fake.
import type { Settings } from '../../src/channels/channel';
import { facebookChannel } from '../../src/channels/facebook';
import type { PostContent } from '../../src/domain/types';
import { startGraphFake, type GraphFake } from '../../src/simulated/graph-fake';
import { channelError, context, eventually, runChannelContract, type ContractHarness } from './suite';

const PAGE = { id: '1001', name: 'Stadt Musterstadt', accessToken: 'EAAGpageToken0123456789abcdefXYZ' };

function facebookHarness(): ContractHarness {
  let fake: GraphFake;
  return {
    name: 'facebook',
    adapter: facebookChannel,
    start: async () => {
      fake = await startGraphFake({ pages: [PAGE] });
    },
    stop: () => fake.close(),
    reset: () => fake.reset(),
    settings: (extra = {}) => ({ pageId: PAGE.id, apiBaseUrl: fake.url, timeoutMs: 5000, ...extra }),
    credentials: () => ({ pageAccessToken: PAGE.accessToken }),
    revoke: () => fake.expireToken(PAGE.accessToken),
    content: (text) => ({ text, link: 'https://presse.musterstadt.de/2025/stadtfest' }),
    tooLong: () => ({ text: 'x'.repeat(63_207) }),
    stored: () => fake.posts.map((p) => ({ id: p.id, text: p.message ?? '' })),
    failNext: (fault, times, match) => fake.failNext(fault, times, match),
    secrets: [PAGE.accessToken],
    account: `${PAGE.name} (${PAGE.id})`,
    urlOf: (id) => `https://www.facebook.com/${PAGE.id}/posts/${id.split('_')[1]}`,
  };
}

runChannelContract(facebookHarness());

describe('facebook specifics', () => {
  let fake: GraphFake;
  const other = { id: '2002', name: 'Landkreis', accessToken: 'EAAGotherPageToken9876543210zyx' };
  const settings = (extra: Settings = {}): Settings => ({ pageId: PAGE.id, apiBaseUrl: fake.url, timeoutMs: 5000, ...extra });
  const credentials = { pageAccessToken: PAGE.accessToken };

  beforeAll(async () => {
    fake = await startGraphFake({ pages: [PAGE, other], maxMessageLength: 100 });
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  it('sends message and link with the configured Graph version', async () => {
    await facebookChannel.publish({ text: 'Mit Link', link: 'https://presse.musterstadt.de/a' }, settings({ graphVersion: 'v23.0' }), credentials, context());

    expect(fake.posts).toMatchObject([{ pageId: PAGE.id, message: 'Mit Link', link: 'https://presse.musterstadt.de/a' }]);
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST /v23.0/${PAGE.id}/feed`,
      `GET /v23.0/${fake.posts[0]?.id}`,
    ]);
  });

  it('sorts a length refusal of Graph itself (code 100) as permanent TOO_LONG', async () => {
    const error = await channelError(facebookChannel.publish({ text: 'y'.repeat(150) }, settings(), credentials, context()));
    expect(error).toMatchObject({ kind: 'permanent', code: 'TOO_LONG', options: { status: 400 } });
  });

  it('sorts posting with another page’s token as permanent PERMISSION_DENIED', async () => {
    const error = await channelError(
      facebookChannel.publish({ text: 'Falsche Seite' }, settings(), { pageAccessToken: other.accessToken }, context()),
    );
    expect(error).toMatchObject({ kind: 'permanent', code: 'PERMISSION_DENIED' });
  });

  it('check() refuses a token that belongs to another page', async () => {
    const error = await channelError(facebookChannel.check(settings(), { pageAccessToken: other.accessToken }));
    expect(error).toMatchObject({ kind: 'auth', code: 'WRONG_ACCOUNT' });
  });

  it('still succeeds when only the permalink lookup fails (never re-send a created post)', async () => {
    fake.failNext({ status: 500 }, 1, { method: 'GET' });
    const result = await facebookChannel.publish({ text: 'Ohne Permalink' }, settings(), credentials, context());

    expect(fake.posts).toHaveLength(1);
    expect(result.externalUrl).toBe(fake.posts[0]?.permalinkUrl);
  });

  it('does not install the SDK crash reporter (a process-wide uncaughtException handler)', async () => {
    const before = process.listenerCount('uncaughtException');
    await facebookChannel.publish({ text: 'Kein Crash-Reporter' }, settings(), credentials, context());
    await facebookChannel.check(settings(), credentials);
    expect(process.listenerCount('uncaughtException')).toBe(before);
  });
});

describe('facebook photos, findExisting and throttling', () => {
  let fake: GraphFake;
  const settings = (extra: Settings = {}): Settings => ({ pageId: PAGE.id, apiBaseUrl: fake.url, timeoutMs: 5000, ...extra });
  const credentials = { pageAccessToken: PAGE.accessToken };
  const LINK = 'https://presse.musterstadt.de/2025/stadtfest';
  const image = (name: string, alt: string) => ({ url: `https://presse.musterstadt.de/bilder/${name}`, alt });
  const calls = (): string[] => fake.requests.map((r) => `${r.method} ${r.path}`);

  beforeAll(async () => {
    fake = await startGraphFake({ pages: [PAGE] });
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  it('posts one image as a photo post: URL, caption with the link, alt_text_custom', async () => {
    const content = { text: 'Das Stadtfest beginnt', link: LINK, media: [image('fest.jpg', 'Bühne auf dem Marktplatz')] };
    const result = await facebookChannel.publish(content, settings(), credentials, context());

    const [post] = fake.posts;
    const [photo] = fake.photos;
    expect(photo).toMatchObject({
      url: 'https://presse.musterstadt.de/bilder/fest.jpg',
      caption: `Das Stadtfest beginnt\n\n${LINK}`,
      altTextCustom: 'Bühne auf dem Marktplatz',
      published: true,
      postId: post?.id,
    });
    expect(post).toMatchObject({ message: `Das Stadtfest beginnt\n\n${LINK}`, photoIds: [photo?.id] });
    expect(result).toEqual({ externalId: post?.id, externalUrl: post?.permalinkUrl });
    expect(calls()).toEqual([`POST /v24.0/${PAGE.id}/photos`, `GET /v24.0/${post?.id}`]);
  });

  it('does not repeat a link the text already contains', async () => {
    await facebookChannel.publish({ text: `Alles unter ${LINK}`, link: LINK, media: [image('a.jpg', 'A')] }, settings(), credentials, context());
    expect(fake.posts[0]?.message).toBe(`Alles unter ${LINK}`);
  });

  it('posts several images as unpublished photos attached to one feed post', async () => {
    const content = { text: 'Bilder vom Fest', link: LINK, media: [image('a.jpg', 'Erstes Bild'), image('b.jpg', 'Zweites Bild')] };
    const result = await facebookChannel.publish(content, settings(), credentials, context());

    expect(fake.photos).toMatchObject([
      { url: image('a.jpg', '').url, altTextCustom: 'Erstes Bild', published: false },
      { url: image('b.jpg', '').url, altTextCustom: 'Zweites Bild', published: false },
    ]);
    expect(fake.posts).toEqual([
      expect.objectContaining({ id: result.externalId, message: `Bilder vom Fest\n\n${LINK}`, photoIds: fake.photos.map((p) => p.id) }),
    ]);
    expect(fake.photos.map((p) => p.postId)).toEqual([result.externalId, result.externalId]);
    expect(calls()).toEqual([
      `POST /v24.0/${PAGE.id}/photos`,
      `POST /v24.0/${PAGE.id}/photos`,
      `POST /v24.0/${PAGE.id}/feed`,
      `GET /v24.0/${result.externalId}`,
    ]);
  });

  it('sorts an unanswered upload of an unpublished photo as retryable (nothing visible yet)', async () => {
    fake.failNext({ delayMs: 1200 }, 1, { path: `/v24.0/${PAGE.id}/photos` });
    const content = { text: 'Langsam', media: [image('a.jpg', 'A'), image('b.jpg', 'B')] };
    const error = await channelError(facebookChannel.publish(content, settings({ timeoutMs: 300 }), credentials, context()));

    expect(error).toMatchObject({ kind: 'retryable', code: 'TIMEOUT' });
    expect(fake.posts).toEqual([]);
  });

  it('sorts an unanswered photo post as unknown_outcome', async () => {
    fake.failNext({ drop: true }, 1, { path: `/v24.0/${PAGE.id}/photos` });
    const error = await channelError(
      facebookChannel.publish({ text: 'Abgerissen', media: [image('a.jpg', 'A')] }, settings(), credentials, context()),
    );
    expect(error).toMatchObject({ kind: 'unknown_outcome', code: 'TIMEOUT_AFTER_SEND' });
    expect(fake.posts).toHaveLength(1);
  });

  it('sorts an image Facebook cannot use (#324) as permanent MEDIA_REJECTED', async () => {
    fake.failNext({ status: 400, body: { error: { message: '(#324) Missing or invalid image file', type: 'OAuthException', code: 324 } } });
    const error = await channelError(
      facebookChannel.publish({ text: 'Kaputtes Bild', media: [image('kaputt.jpg', 'Kaputt')] }, settings(), credentials, context()),
    );
    expect(error).toMatchObject({ kind: 'permanent', code: 'MEDIA_REJECTED', options: { status: 400 } });
  });

  it('refuses a repeated photo caption as DUPLICATE', async () => {
    const content = { text: 'Zweimal mit Bild', media: [image('a.jpg', 'A')] };
    await facebookChannel.publish(content, settings(), credentials, context());
    const error = await channelError(facebookChannel.publish(content, settings(), credentials, context()));
    expect(error).toMatchObject({ kind: 'permanent', code: 'DUPLICATE' });
  });

  it('validates image URLs and no longer warns that images are dropped', () => {
    const warnings = facebookChannel.validate(
      { text: 'Bild', link: LINK, media: [{ url: 'file:///etc/passwd', alt: 'x' }] },
      settings(),
    );
    expect(warnings.filter((w) => w.severity === 'error').map((w) => w.code)).toEqual(['MEDIA_URL_INVALID']);
    expect(warnings.map((w) => w.code)).toEqual(['MEDIA_URL_INVALID', 'LINK_IN_TEXT']);
  });

  describe('findExisting', () => {
    const find = (content: PostContent) => facebookChannel.findExisting!(content, settings(), credentials, context());

    it('finds a feed post that was created after the timeout', async () => {
      fake.failNext({ delayMs: 800 }, 1, { method: 'POST' });
      const content = { text: 'Spät angekommen', link: LINK };
      const error = await channelError(facebookChannel.publish(content, settings({ timeoutMs: 200 }), credentials, context()));
      expect(error).toMatchObject({ kind: 'unknown_outcome', code: 'TIMEOUT_AFTER_SEND' });
      await eventually(() => fake.posts.length === 1);

      const [post] = fake.posts;
      await expect(find(content)).resolves.toEqual({ externalId: post?.id, externalUrl: post?.permalinkUrl });
      expect(fake.requests.at(-1)).toMatchObject({ method: 'GET', path: `/v24.0/${PAGE.id}/feed` });
    });

    it('finds a photo post by its caption (text plus link)', async () => {
      fake.failNext({ drop: true }, 1, { method: 'POST' });
      const content = { text: 'Foto verloren', link: LINK, media: [image('a.jpg', 'A')] };
      await channelError(facebookChannel.publish(content, settings(), credentials, context()));

      await expect(find(content)).resolves.toMatchObject({ externalId: fake.posts[0]?.id });
      await expect(find({ text: 'Foto verloren', link: LINK })).resolves.toBeNull();
    });

    it('returns null when the post was not created', async () => {
      await facebookChannel.publish({ text: 'Etwas anderes' }, settings(), credentials, context());
      fake.failNext({ status: 500 }, 1, { method: 'POST' });
      await channelError(facebookChannel.publish({ text: 'Nie erstellt' }, settings(), credentials, context()));

      await expect(find({ text: 'Nie erstellt' })).resolves.toBeNull();
    });

    it('sorts an unreadable feed as retryable', async () => {
      fake.failNext({ status: 500 }, 1, { method: 'GET' });
      await expect(find({ text: 'egal' })).rejects.toMatchObject({ kind: 'retryable', code: 'SERVER_ERROR' });
    });
  });

  describe('throttling', () => {
    it('takes retryAfterMs from X-Business-Use-Case-Usage (code 80001)', async () => {
      fake.failNext({ status: 429, code: 80001, resetInSeconds: 600 });
      const error = await channelError(facebookChannel.publish({ text: 'BUC' }, settings(), credentials, context()));
      expect(error).toMatchObject({ kind: 'retryable', code: 'RATE_LIMITED', options: { retryAfterMs: 600_000 } });
    });

    it('leaves retryAfterMs to the worker’s backoff when Graph gives no estimate (app limit, code 4)', async () => {
      fake.failNext({ status: 429, code: 4 });
      const error = await channelError(facebookChannel.publish({ text: 'App-Limit' }, settings(), credentials, context()));
      expect(error).toMatchObject({ kind: 'retryable', code: 'RATE_LIMITED' });
      expect(error.options.retryAfterMs).toBeUndefined();
    });
  });
});
