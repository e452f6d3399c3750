// X adapter (twitter-api-v2) against the X API v2 fake.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Credentials, PublishContext, PublishProgress, Settings } from '../../src/channels/channel';
import { twitterChannel } from '../../src/channels/twitter';
import type { PostContent } from '../../src/domain/types';
import { startXFake, type XFake } from '../../src/simulated/x-fake';
import { channelError, context, eventually, runChannelContract, type ContractHarness } from './suite';

const X_USER = {
  userId: '2244994945',
  username: 'musterstadt',
  name: 'Stadt Musterstadt',
  appKey: 'consumerKey123',
  appSecret: 'consumerSecret-abc-456',
  accessToken: '2244994945-accessTokenABC',
  accessSecret: 'accessSecret-xyz-789',
};

function twitterHarness(): ContractHarness {
  let fake: XFake;
  return {
    name: 'twitter',
    adapter: twitterChannel,
    start: async () => {
      fake = await startXFake({ users: [X_USER] });
    },
    stop: () => fake.close(),
    reset: () => fake.reset(),
    settings: (extra = {}) => ({ apiBaseUrl: fake.url, timeoutMs: 5000, username: X_USER.username, ...extra }),
    credentials: () => ({
      appKey: X_USER.appKey,
      appSecret: X_USER.appSecret,
      accessToken: X_USER.accessToken,
      accessSecret: X_USER.accessSecret,
    }),
    revoke: () => fake.revokeToken(X_USER.accessToken),
    content: (text) => ({ thread: [text] }),
    tooLong: () => ({ thread: ['x'.repeat(281)] }),
    stored: () => fake.tweets.map((t) => ({ id: t.id, text: t.text })),
    failNext: (fault, times, match) => fake.failNext(fault, times, match),
    secrets: [X_USER.appSecret, X_USER.accessToken, X_USER.accessSecret],
    account: `@${X_USER.username}`,
    urlOf: (id) => `https://x.com/${X_USER.username}/status/${id}`,
  };
}

runChannelContract(twitterHarness());

describe('twitter threads', () => {
  let fake: XFake;
  const credentials = { appKey: X_USER.appKey, appSecret: X_USER.appSecret, accessToken: X_USER.accessToken, accessSecret: X_USER.accessSecret };
  const settings = (): Settings => ({ apiBaseUrl: fake.url, timeoutMs: 5000 });
  const thread = { thread: ['Teil eins 1/3', 'Teil zwei 2/3', 'Teil drei 3/3'] };

  beforeAll(async () => {
    fake = await startXFake({ users: [{ ...X_USER, bearerToken: 'oauth2-user-token-123456' }] });
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  it('posts the parts as a reply chain and saves progress after each', async () => {
    const ctx = context();
    const result = await twitterChannel.publish(thread, settings(), credentials, ctx);

    const [first, second, third] = fake.tweets;
    expect(fake.tweets.map((t) => t.text)).toEqual(thread.thread);
    expect(second?.inReplyToTweetId).toBe(first?.id);
    expect(third?.inReplyToTweetId).toBe(second?.id);
    expect(result).toEqual({ externalId: first?.id, externalUrl: `https://x.com/i/status/${first?.id}` });
    expect(ctx.saved.map((p) => p.parts?.map((part) => part.id))).toEqual([
      [first?.id],
      [first?.id, second?.id],
      [first?.id, second?.id, third?.id],
    ]);
  });

  it('continues a retried thread at the part that failed, without duplicates', async () => {
    fake.failNext({ status: 500 }, 1, { method: 'POST', path: '/2/tweets', skip: 1 });
    const firstAttempt = context();
    const error = await channelError(twitterChannel.publish(thread, settings(), credentials, firstAttempt));
    expect(error).toMatchObject({ kind: 'retryable', code: 'SERVER_ERROR' });
    expect(fake.tweets).toHaveLength(1);

    const retry = context(firstAttempt.saved.at(-1));
    const result = await twitterChannel.publish(thread, settings(), credentials, retry);

    const [first, second, third] = fake.tweets;
    expect(fake.tweets.map((t) => t.text)).toEqual(thread.thread);
    expect(second?.inReplyToTweetId).toBe(first?.id);
    expect(third?.inReplyToTweetId).toBe(second?.id);
    expect(result.externalId).toBe(first?.id);
  });

  it('sends nothing when every part was already accepted', async () => {
    const done = await twitterChannel.publish(thread, settings(), credentials, context());
    const before = fake.requests.length;
    const again = context({ parts: fake.tweets.map((t) => ({ id: t.id, url: `https://x.com/i/status/${t.id}` })) });

    await expect(twitterChannel.publish(thread, settings(), credentials, again)).resolves.toEqual(done);
    expect(fake.requests.length).toBe(before);
  });

  it('reports unknown_outcome when progress cannot be saved after a part was posted', async () => {
    const ctx = { ...context(), saveProgress: () => Promise.reject(new Error('database down')) };
    const error = await channelError(twitterChannel.publish(thread, settings(), credentials, ctx));

    expect(error).toMatchObject({ kind: 'unknown_outcome', code: 'PROGRESS_NOT_SAVED' });
    expect(fake.tweets).toHaveLength(1);
  });

  it('is refused by the fake when the OAuth 1.0a signature is wrong', async () => {
    const wrong = { ...credentials, appSecret: 'not-the-secret' };
    const error = await channelError(twitterChannel.publish(thread, settings(), wrong, context()));

    expect(error).toMatchObject({ kind: 'auth', code: 'AUTH_EXPIRED', options: { status: 401 } });
    expect(fake.tweets).toEqual([]);
  });

  it('publishes with an OAuth 2 user token', async () => {
    await twitterChannel.publish({ thread: ['Mit OAuth 2'] }, settings(), { accessToken: 'oauth2-user-token-123456' }, context());
    expect(fake.tweets.map((t) => t.text)).toEqual(['Mit OAuth 2']);
    await expect(twitterChannel.check(settings(), { accessToken: 'oauth2-user-token-123456' })).resolves.toEqual({
      account: '@musterstadt',
    });
  });

  it('sorts an over-long text refused by X itself as permanent TOO_LONG', async () => {
    fake.failNext({
      status: 400,
      body: {
        errors: [{ parameters: { text: ['…'] }, message: 'Tweet text is too long' }],
        title: 'Invalid Request',
        detail: 'One or more parameters to your request was invalid.',
        type: 'https://api.twitter.com/2/problems/invalid-request',
      },
    });
    const error = await channelError(twitterChannel.publish({ thread: ['kurz'] }, settings(), credentials, context()));
    expect(error).toMatchObject({ kind: 'permanent', code: 'TOO_LONG', options: { status: 400 } });
  });

  it('validates each part by weighted length and refuses repeated parts', () => {
    const errors = twitterChannel
      .validate({ thread: ['好'.repeat(140), '好'.repeat(141), '', 'a', 'a'] }, {})
      .filter((w) => w.severity === 'error')
      .map((w) => w.code);
    expect(errors).toEqual(['TOO_LONG', 'PART_EMPTY', 'DUPLICATE_PART']);
  });
});

// --- images, OAuth 2 refresh, findExisting, 24-hour limit ----------------------------------

interface ImageServer {
  url: string;
  close(): Promise<void>;
}

/** Serves fixed bodies on loopback (context() allows private addresses for fetchMedia). */
async function startImageServer(files: Record<string, { type: string; bytes: Buffer }>): Promise<ImageServer> {
  const server = http.createServer((req, res) => {
    const file = files[req.url ?? ''];
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': file.type, 'content-length': file.bytes.length }).end(file.bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function pngOfSize(size: number): Buffer {
  const bytes = randomBytes(size);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(bytes);
  return bytes;
}

describe('twitter images, OAuth 2 refresh and findExisting', () => {
  let fake: XFake;
  let images: ImageServer;
  const OTHER = { userId: '3355', username: 'landkreis', bearerToken: 'other-user-bearer-token' };
  const PUBLIC_CLIENT: { clientId: string; clientSecret?: string } = { clientId: 'herold-public-client' };
  const CONFIDENTIAL_CLIENT = { clientId: 'herold-confidential-client', clientSecret: 'client-secret-0815' };
  const oauth1 = { appKey: X_USER.appKey, appSecret: X_USER.appSecret, accessToken: X_USER.accessToken, accessSecret: X_USER.accessSecret };
  const small = pngOfSize(2_000);
  const large = pngOfSize(1_500_000); // more than one 1 MiB chunk
  const settings = (extra: Settings = {}): Settings => ({ apiBaseUrl: fake.url, timeoutMs: 5000, username: X_USER.username, ...extra });
  const calls = (): string[] => fake.requests.map((r) => `${r.method} ${r.path.replace(/\/\d{6,}\//, '/{id}/')}`);

  beforeAll(async () => {
    fake = await startXFake({ users: [X_USER, OTHER], oauth2Clients: [PUBLIC_CLIENT, CONFIDENTIAL_CLIENT] });
    images = await startImageServer({
      '/rathaus.png': { type: 'image/png', bytes: small },
      '/markt.png': { type: 'image/png', bytes: large },
      '/plan.svg': { type: 'image/svg+xml', bytes: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>') },
    });
  });
  afterAll(async () => {
    await fake.close();
    await images.close();
  });
  beforeEach(() => fake.reset());

  /** OAuth 2 credentials as stored for a channel connected with the public client. */
  function oauth2(opts: { expiresInSeconds: number; withExpiry?: boolean; client?: { clientId: string; clientSecret?: string } }) {
    const client = opts.client ?? PUBLIC_CLIENT;
    const pair = fake.issueOAuth2Tokens(X_USER.userId, client.clientId, { expiresInSeconds: opts.expiresInSeconds });
    return {
      pair,
      credentials: {
        accessToken: pair.accessToken,
        refreshToken: pair.refreshToken,
        clientId: client.clientId,
        ...(client.clientSecret ? { clientSecret: client.clientSecret } : {}),
        ...(opts.withExpiry === false ? {} : { expiresAt: pair.expiresAt }),
      },
    };
  }

  describe('images', () => {
    const withImages = {
      thread: ['Neues Rathaus eröffnet 1/2', 'Führungen ab Montag 2/2'],
      media: [
        { url: '', alt: 'Das neue Rathaus von Süden' },
        { url: '', alt: 'Der Marktplatz mit Ständen' },
      ],
    };
    const content = (): PostContent => ({
      ...withImages,
      media: [
        { url: `${images.url}/rathaus.png`, alt: withImages.media[0]!.alt },
        { url: `${images.url}/markt.png`, alt: withImages.media[1]!.alt },
      ],
    });

    it('uploads each image in chunks, sets its alt text, and attaches them to the first part only', async () => {
      const ctx = context();
      const result = await twitterChannel.publish(content(), settings(), oauth1, ctx);

      const [first, second] = fake.tweets;
      const [a, b] = fake.media;
      expect(fake.media).toMatchObject([
        { ownerId: X_USER.userId, mediaType: 'image/png', mediaCategory: 'tweet_image', totalBytes: small.length, finalized: true, altText: 'Das neue Rathaus von Süden' },
        { ownerId: X_USER.userId, mediaType: 'image/png', totalBytes: large.length, finalized: true, altText: 'Der Marktplatz mit Ständen' },
      ]);
      expect(b?.segments).toHaveLength(2);
      // The SDK's multipart appends reach the fake byte for byte (random PNG bodies are not UTF-8).
      expect(a?.data.equals(small)).toBe(true);
      expect(b?.data.equals(large)).toBe(true);
      expect(first).toMatchObject({ text: 'Neues Rathaus eröffnet 1/2', mediaIds: [a?.id, b?.id] });
      expect(second?.mediaIds).toBeUndefined();
      expect(second?.inReplyToTweetId).toBe(first?.id);
      expect(result.externalId).toBe(first?.id);
      expect(calls()).toEqual([
        'POST /2/media/upload/initialize',
        'POST /2/media/upload/{id}/append',
        'POST /2/media/upload/{id}/finalize',
        'POST /2/media/metadata',
        'POST /2/media/upload/initialize',
        'POST /2/media/upload/{id}/append',
        'POST /2/media/upload/{id}/append',
        'POST /2/media/upload/{id}/finalize',
        'POST /2/media/metadata',
        'POST /2/tweets',
        'POST /2/tweets',
      ]);
      expect((ctx.saved[0] as { media?: { id: string }[] }).media?.map((m) => m.id)).toEqual([a?.id, b?.id]);
    });

    it('a retry attaches the images uploaded before instead of uploading them again', async () => {
      fake.failNext({ status: 503 }, 1, { method: 'POST', path: '/2/tweets' });
      const firstAttempt = context();
      const error = await channelError(twitterChannel.publish(content(), settings(), oauth1, firstAttempt));
      expect(error).toMatchObject({ kind: 'retryable', code: 'SERVER_ERROR' });
      expect(fake.tweets).toEqual([]);
      const uploaded = fake.media.map((m) => m.id);

      await twitterChannel.publish(content(), settings(), oauth1, context(firstAttempt.saved.at(-1)));
      expect(fake.media.map((m) => m.id)).toEqual(uploaded);
      expect(fake.tweets[0]?.mediaIds).toEqual(uploaded);
    });

    it('uploads again when the saved media were uploaded for other images', async () => {
      const stale = context({
        parts: [],
        media: [{ url: `${images.url}/anderes.png`, alt: 'x', id: '1', uploadedAt: new Date().toISOString() }],
      } as PublishProgress);
      await twitterChannel.publish({ thread: ['Nur ein Bild'], media: [content().media![0]!] }, settings(), oauth1, stale);
      expect(fake.tweets[0]?.mediaIds).toEqual([fake.media[0]?.id]);
    });

    it('sorts media X refuses for this account (another user’s upload) as permanent MEDIA_REJECTED', async () => {
      const foreign = await fetch(`${fake.url}/2/media/upload/initialize`, {
        method: 'POST',
        headers: { authorization: `Bearer ${OTHER.bearerToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ media_type: 'image/png', total_bytes: 3 }),
      });
      const id = ((await foreign.json()) as { data: { id: string } }).data.id;
      await fetch(`${fake.url}/2/media/upload/${id}/append`, {
        method: 'POST',
        headers: { authorization: `Bearer ${OTHER.bearerToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ segment_index: 0, media: Buffer.from('abc').toString('base64') }),
      });
      await fetch(`${fake.url}/2/media/upload/${id}/finalize`, { method: 'POST', headers: { authorization: `Bearer ${OTHER.bearerToken}` } });

      const progress = { parts: [], media: [{ url: `${images.url}/rathaus.png`, alt: 'Rathaus', id, uploadedAt: new Date().toISOString() }] };
      const error = await channelError(
        twitterChannel.publish({ thread: ['Fremdes Bild'], media: [{ url: `${images.url}/rathaus.png`, alt: 'Rathaus' }] }, settings(), oauth1, context(progress as PublishProgress)),
      );
      expect(error).toMatchObject({ kind: 'permanent', code: 'MEDIA_REJECTED', options: { status: 400 } });
      expect(fake.tweets).toEqual([]);
    });

    it('refuses an image type X does not take, before uploading anything', async () => {
      const error = await channelError(
        twitterChannel.publish({ thread: ['Mit SVG'], media: [{ url: `${images.url}/plan.svg`, alt: 'Lageplan' }] }, settings(), oauth1, context()),
      );
      expect(error).toMatchObject({ kind: 'permanent', code: 'MEDIA_UNSUPPORTED' });
      expect(fake.requests).toEqual([]);
    });

    it('reports an unreachable image as permanent, and posts nothing', async () => {
      const error = await channelError(
        twitterChannel.publish({ thread: ['Bild fehlt'], media: [{ url: `${images.url}/fehlt.png`, alt: 'Fehlt' }] }, settings(), oauth1, context()),
      );
      expect(error).toMatchObject({ kind: 'permanent', code: 'MEDIA_UNREACHABLE' });
      expect(fake.tweets).toEqual([]);
    });

    it('sorts an upload without answer as retryable: unused media are invisible, nothing was posted', async () => {
      fake.failNext({ delayMs: 1200 }, 1, { path: /\/append$/ });
      const error = await channelError(
        twitterChannel.publish({ thread: ['Langsamer Upload'], media: [content().media![0]!] }, settings({ timeoutMs: 300 }), oauth1, context()),
      );
      expect(error).toMatchObject({ kind: 'retryable', code: 'TIMEOUT' });
      expect(fake.tweets).toEqual([]);
    });

    it('sorts a refused alt text as permanent MEDIA_REJECTED', async () => {
      fake.failNext({ status: 400 }, 1, { path: '/2/media/metadata' });
      const error = await channelError(
        twitterChannel.publish({ thread: ['Alt-Text abgelehnt'], media: [content().media![0]!] }, settings(), oauth1, context()),
      );
      expect(error).toMatchObject({ kind: 'permanent', code: 'MEDIA_REJECTED', options: { status: 400 } });
      expect(fake.tweets).toEqual([]);
    });

    it('validates count, URL and alt-text length of images', () => {
      const image = { url: 'https://presse.musterstadt.de/a.jpg', alt: 'Bild' };
      const codes = (media: PostContent['media']): string[] =>
        twitterChannel.validate({ thread: ['Text'], media }, {}).filter((w) => w.severity === 'error').map((w) => w.code);

      expect(codes([image, image, image, image])).toEqual([]);
      expect(codes([image, image, image, image, image])).toEqual(['TOO_MANY_MEDIA']);
      expect(codes([{ ...image, alt: 'a'.repeat(1000) }])).toEqual([]);
      expect(codes([{ ...image, alt: 'a'.repeat(1001) }])).toEqual(['MEDIA_ALT_TOO_LONG']);
      expect(codes([{ ...image, url: 'ftp://presse.musterstadt.de/a.jpg' }])).toEqual(['MEDIA_URL_INVALID']);
    });
  });

  describe('OAuth 2 refresh', () => {
    it('refreshes a token expiring within 5 minutes and stores the new pair before using it', async () => {
      const { pair, credentials } = oauth2({ expiresInSeconds: 120 });
      // The old access token no longer works: publishing succeeds only with the refreshed one.
      fake.revokeToken(pair.accessToken);
      const base = context();
      let callsWhenSaved: string[] = [];
      const ctx = {
        ...base,
        saveCredentials: (c: Credentials) => {
          callsWhenSaved = calls();
          return base.saveCredentials(c);
        },
      };
      await twitterChannel.publish({ thread: ['Nach Erneuerung'] }, settings(), credentials, ctx);

      expect(callsWhenSaved).toEqual(['POST /2/oauth2/token']);
      expect(calls()).toEqual(['POST /2/oauth2/token', 'POST /2/tweets']);
      expect(fake.tweets).toMatchObject([{ text: 'Nach Erneuerung', authorId: X_USER.userId }]);
      const [stored] = base.savedCredentials;
      expect(stored).toMatchObject({ clientId: PUBLIC_CLIENT.clientId });
      expect(stored?.accessToken).not.toBe(pair.accessToken);
      expect(stored?.refreshToken).not.toBe(pair.refreshToken);
      const expiresIn = Date.parse(String(stored?.expiresAt)) - Date.now();
      expect(expiresIn).toBeGreaterThan(7000_000);
      expect(expiresIn).toBeLessThanOrEqual(7200_000);

      // The stored pair is the working one: the next publish needs no refresh.
      const next = context();
      await twitterChannel.publish({ thread: ['Mit dem neuen Token'] }, settings(), stored!, next);
      expect(next.savedCredentials).toEqual([]);
      expect(fake.tweets).toHaveLength(2);
    });

    it('refreshes once after a 401 and repeats the refused call', async () => {
      const { credentials } = oauth2({ expiresInSeconds: -60, withExpiry: false });
      const ctx = context();
      await twitterChannel.publish({ thread: ['Nach 401'] }, settings(), credentials, ctx);

      expect(calls()).toEqual(['POST /2/tweets', 'POST /2/oauth2/token', 'POST /2/tweets']);
      expect(fake.tweets.map((t) => t.text)).toEqual(['Nach 401']);
      expect(ctx.savedCredentials).toHaveLength(1);
    });

    it('authenticates a confidential client with HTTP Basic', async () => {
      const { credentials } = oauth2({ expiresInSeconds: 60, client: CONFIDENTIAL_CLIENT });
      const ctx = context();
      await twitterChannel.publish({ thread: ['Vertraulicher Client'] }, settings(), credentials, ctx);
      expect(ctx.savedCredentials).toMatchObject([{ clientSecret: CONFIDENTIAL_CLIENT.clientSecret }]);

      const wrong = oauth2({ expiresInSeconds: 0, client: CONFIDENTIAL_CLIENT }).credentials;
      const error = await channelError(
        twitterChannel.publish({ thread: ['Falsches Geheimnis'] }, settings(), { ...wrong, clientSecret: 'wrong' }, context()),
      );
      expect(error).toMatchObject({ kind: 'auth', code: 'AUTH_EXPIRED', options: { status: 401 } });
      expect(JSON.stringify(error.options)).not.toContain(wrong.refreshToken);
    });

    it('sorts a refresh token X already rotated away as AUTH_EXPIRED; nothing posted, nothing stored', async () => {
      const { credentials } = oauth2({ expiresInSeconds: 60 });
      await twitterChannel.publish({ thread: ['Erste Erneuerung'] }, settings(), credentials, context());

      const ctx = context();
      const error = await channelError(twitterChannel.publish({ thread: ['Mit altem Paar'] }, settings(), credentials, ctx));
      expect(error).toMatchObject({ kind: 'auth', code: 'AUTH_EXPIRED', options: { status: 400, body: { error: 'invalid_request' } } });
      expect(ctx.savedCredentials).toEqual([]);
      expect(fake.tweets.map((t) => t.text)).toEqual(['Erste Erneuerung']);
      for (const secret of [credentials.accessToken, credentials.refreshToken]) {
        expect(`${error.message} ${JSON.stringify(error.options)}`).not.toContain(secret);
      }
    });

    it('never uses a new pair it could not store: an expired token fails with CREDENTIALS_NOT_SAVED', async () => {
      const failing = (): PublishContext => ({ ...context(), saveCredentials: () => Promise.reject(new Error('database down')) });
      const expired = oauth2({ expiresInSeconds: -10 }).credentials;
      const error = await channelError(twitterChannel.publish({ thread: ['Nicht gespeichert'] }, settings(), expired, failing()));

      expect(error).toMatchObject({ kind: 'retryable', code: 'CREDENTIALS_NOT_SAVED' });
      expect(calls()).toEqual(['POST /2/oauth2/token']);
      expect(fake.tweets).toEqual([]);

      // A token still valid for a minute publishes with the old token instead.
      const { credentials } = oauth2({ expiresInSeconds: 60 });
      await twitterChannel.publish({ thread: ['Mit altem Token'] }, settings(), credentials, failing());
      expect(fake.tweets.map((t) => t.text)).toEqual(['Mit altem Token']);
    });

    /** One stored credential set whose renewals take turns, as the channel row lock makes them. */
    function lockedStore(initial: Credentials) {
      let stored = initial;
      let queue: Promise<unknown> = Promise.resolve();
      const renewCredentials = (renew: (current: Credentials) => Promise<Credentials | null>): Promise<Credentials> => {
        const turn = queue.then(async () => {
          const fresh = await renew(structuredClone(stored));
          if (fresh) stored = fresh;
          return stored;
        });
        queue = turn.catch(() => undefined);
        return turn;
      };
      return { renewCredentials, current: () => stored };
    }

    it('refreshes once when two publishes renew the same expiring pair under the lock', async () => {
      const { pair, credentials } = oauth2({ expiresInSeconds: 60 });
      const store = lockedStore(credentials);
      fake.failNext({ delayMs: 300 }, 1, { method: 'POST', path: '/2/oauth2/token' });
      const both = await Promise.all(
        ['Erster Beitrag', 'Zweiter Beitrag'].map((text) =>
          twitterChannel.publish({ thread: [text] }, settings(), credentials, { ...context(), renewCredentials: store.renewCredentials }),
        ),
      );

      expect(both).toHaveLength(2);
      expect(calls().filter((c) => c === 'POST /2/oauth2/token')).toHaveLength(1);
      expect(fake.tweets.map((t) => t.text).sort()).toEqual(['Erster Beitrag', 'Zweiter Beitrag']);
      expect(store.current().accessToken).not.toBe(pair.accessToken);
    });

    it('without the lock, the second refresh spends a rotated token and X refuses it', async () => {
      const { credentials } = oauth2({ expiresInSeconds: 0 });
      const results = await Promise.allSettled(
        ['Ohne Sperre 1', 'Ohne Sperre 2'].map((text) => twitterChannel.publish({ thread: [text] }, settings(), credentials, context())),
      );

      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      const refused = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(refused?.reason).toMatchObject({ kind: 'auth', code: 'AUTH_EXPIRED', options: { status: 400, body: { error: 'invalid_request' } } });
    });

    it('uses the pair another worker stored after a 401 instead of refreshing again', async () => {
      const { credentials } = oauth2({ expiresInSeconds: 3600, withExpiry: false });
      fake.revokeToken(credentials.accessToken);
      const renewed = oauth2({ expiresInSeconds: 3600 }).credentials;
      const store = lockedStore(renewed);
      await twitterChannel.publish({ thread: ['Nach fremder Erneuerung'] }, settings(), credentials, { ...context(), renewCredentials: store.renewCredentials });

      expect(calls()).toEqual(['POST /2/tweets', 'POST /2/tweets']);
      expect(store.current()).toBe(renewed);
      expect(fake.tweets.map((t) => t.text)).toEqual(['Nach fremder Erneuerung']);
    });

    it('publishes with the current token when an early refresh fails for now', async () => {
      const { credentials } = oauth2({ expiresInSeconds: 240 });
      fake.failNext({ status: 503 }, 1, { path: '/2/oauth2/token' });
      const ctx = context();
      await twitterChannel.publish({ thread: ['Refresh später'] }, settings(), credentials, ctx);

      expect(ctx.savedCredentials).toEqual([]);
      expect(fake.tweets.map((t) => t.text)).toEqual(['Refresh später']);
    });

    it('sorts a failed refresh of an expired token as retryable, and posts nothing', async () => {
      const { credentials } = oauth2({ expiresInSeconds: -10 });
      fake.failNext({ status: 503 }, 1, { path: '/2/oauth2/token' });
      const error = await channelError(twitterChannel.publish({ thread: ['Abgelaufen'] }, settings(), credentials, context()));

      expect(error).toMatchObject({ kind: 'retryable', code: 'SERVER_ERROR', options: { status: 503 } });
      expect(fake.tweets).toEqual([]);
    });

    it('without a refresh token a 401 is AUTH_EXPIRED at once', async () => {
      const { pair } = oauth2({ expiresInSeconds: -10 });
      const error = await channelError(
        twitterChannel.publish({ thread: ['Ohne Refresh-Token'] }, settings(), { accessToken: pair.accessToken, expiresAt: pair.expiresAt }, context()),
      );
      expect(error).toMatchObject({ kind: 'auth', code: 'AUTH_EXPIRED', options: { status: 401 } });
      expect(calls()).toEqual(['POST /2/tweets']);
    });

    it('check() never refreshes (it could not store a rotated pair)', async () => {
      const { credentials } = oauth2({ expiresInSeconds: 120 });
      await expect(twitterChannel.check(settings(), credentials)).resolves.toEqual({ account: '@musterstadt' });
      expect(calls()).toEqual(['GET /2/users/me']);
    });
  });

  describe('findExisting', () => {
    const find = (content: PostContent, ctx = context()) => twitterChannel.findExisting!(content, settings(), oauth1, ctx);

    it('finds a post whose answer was lost', async () => {
      fake.failNext({ drop: true }, 1, { path: '/2/tweets' });
      const error = await channelError(twitterChannel.publish({ thread: ['Antwort verloren'] }, settings(), oauth1, context()));
      expect(error).toMatchObject({ kind: 'unknown_outcome', code: 'TIMEOUT_AFTER_SEND' });

      const id = fake.tweets[0]?.id;
      await expect(find({ thread: ['Antwort verloren'] })).resolves.toEqual({ externalId: id, externalUrl: `https://x.com/musterstadt/status/${id}` });
    });

    it('finds a post that arrived after the timeout', async () => {
      fake.failNext({ delayMs: 800 }, 1, { path: '/2/tweets' });
      const error = await channelError(twitterChannel.publish({ thread: ['Zu spät'] }, settings({ timeoutMs: 200 }), oauth1, context()));
      expect(error).toMatchObject({ kind: 'unknown_outcome' });
      await eventually(() => fake.tweets.length === 1);

      await expect(find({ thread: ['Zu spät'] })).resolves.toMatchObject({ externalId: fake.tweets[0]?.id });
    });

    it('returns null when the post never reached X', async () => {
      fake.failNext({ drop: true, beforeProcessing: true }, 1, { path: '/2/tweets' });
      const error = await channelError(twitterChannel.publish({ thread: ['Nie angekommen'] }, settings(), oauth1, context()));
      expect(error).toMatchObject({ kind: 'unknown_outcome' });
      expect(fake.tweets).toEqual([]);

      await expect(find({ thread: ['Nie angekommen'] })).resolves.toBeNull();
    });

    it('matches URLs that X shortened to t.co, the media link X appends, and HTML escapes', async () => {
      const post = (text: string, auth = `Bearer ${OTHER.bearerToken}`) =>
        fetch(`${fake.url}/2/tweets`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify({ text }) });
      const { credentials } = oauth2({ expiresInSeconds: 3600 });
      await post('Infos &amp; Anmeldung: https://t.co/AbCdEf1234 https://t.co/Media00001', `Bearer ${credentials.accessToken}`);
      await post('Infos & Anmeldung: https://presse.musterstadt.de/fest'); // another account

      const mine = fake.tweetsOf(X_USER.userId)[0];
      const content = {
        thread: ['Infos & Anmeldung: https://presse.musterstadt.de/fest'],
        media: [{ url: `${images.url}/rathaus.png`, alt: 'Rathaus' }],
      };
      await expect(twitterChannel.findExisting!(content, settings(), credentials, context())).resolves.toMatchObject({ externalId: mine?.id });
      // Without images the extra trailing link does not match.
      await expect(twitterChannel.findExisting!({ thread: content.thread }, settings(), credentials, context())).resolves.toBeNull();
    });

    it('does not take a reply with the same text for the first part', async () => {
      const root = await twitterChannel.publish({ thread: ['Wurzel', 'Gleicher Text'] }, settings(), oauth1, context());
      expect(root.externalId).toBe(fake.tweets[0]?.id);
      await expect(find({ thread: ['Gleicher Text'] })).resolves.toBeNull();
    });

    it('for a thread, records the parts found and lets a re-send continue after them', async () => {
      const thread = { thread: ['Teil A 1/3', 'Teil B 2/3', 'Teil C 3/3'] };
      fake.failNext({ drop: true }, 1, { path: '/2/tweets', skip: 1 });
      const attempt = context();
      const error = await channelError(twitterChannel.publish(thread, settings(), oauth1, attempt));
      expect(error).toMatchObject({ kind: 'unknown_outcome' });
      expect(attempt.saved.at(-1)?.parts).toHaveLength(1);

      const lookup = context(attempt.saved.at(-1));
      await expect(find(thread, lookup)).resolves.toBeNull();
      expect(lookup.saved.at(-1)?.parts?.map((p) => p.id)).toEqual(fake.tweets.map((t) => t.id));

      const resend = context(lookup.saved.at(-1));
      const result = await twitterChannel.publish(thread, settings(), oauth1, resend);
      const [a, b, c] = fake.tweets;
      expect(fake.tweets.map((t) => t.text)).toEqual(thread.thread);
      expect(c?.inReplyToTweetId).toBe(b?.id);
      expect(result.externalId).toBe(a?.id);
      await expect(find(thread, context(resend.saved.at(-1)))).resolves.toMatchObject({ externalId: a?.id });
    });
  });

  it('takes retryAfterMs from the 24-hour user limit when that one is used up', async () => {
    const daily = await startXFake({ users: [X_USER], dailyTweetLimit: 1 });
    try {
      const s = { apiBaseUrl: daily.url, timeoutMs: 5000 };
      await twitterChannel.publish({ thread: ['Heute der erste'] }, s, oauth1, context());
      const error = await channelError(twitterChannel.publish({ thread: ['Heute der zweite'] }, s, oauth1, context()));

      expect(error).toMatchObject({ kind: 'retryable', code: 'RATE_LIMITED', options: { status: 429 } });
      expect(error.options.retryAfterMs).toBeGreaterThan(23 * 3_600_000);
      expect(error.options.retryAfterMs).toBeLessThanOrEqual(24 * 3_600_000 + 1000);
    } finally {
      await daily.close();
    }
  });
});
