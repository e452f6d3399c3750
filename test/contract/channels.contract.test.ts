// The same contract for every social adapter, run with the real SDK against its loopback fake:
// what gets published, and how each kind of failure is sorted for the worker.

import net from 'node:net';
import type { ChannelAdapter, ChannelError, Credentials, PublishContext, PublishProgress, Settings } from '../../src/channels/channel';
import { facebookChannel } from '../../src/channels/facebook';
import { twitterChannel } from '../../src/channels/twitter';
import type { PostContent } from '../../src/domain/types';
import { startGraphFake, type GraphFake } from '../../src/simulated/graph-fake';
import type { Fault, FaultMatch } from '../../src/simulated/http-util';
import { startXFake, type XFake } from '../../src/simulated/x-fake';

interface Harness {
  name: string;
  adapter: ChannelAdapter;
  start(): Promise<void>;
  stop(): Promise<void>;
  reset(): void;
  settings(extra?: Settings): Settings;
  credentials(): Credentials;
  /** Makes the credentials of credentials() invalid on the fake. */
  revoke(): void;
  content(text: string): PostContent;
  tooLong(): PostContent;
  /** Posts as the fake stored them. */
  stored(): { id: string; text: string }[];
  failNext(fault: Fault, times?: number, match?: FaultMatch): void;
  /** Every credential string: none may appear in an error. */
  secrets: string[];
  account: string;
  urlOf(id: string): string;
}

const PAGE = { id: '1001', name: 'Stadt Musterstadt', accessToken: 'EAAGpageToken0123456789abcdefXYZ' };

function facebookHarness(): Harness {
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

const X_USER = {
  userId: '2244994945',
  username: 'musterstadt',
  name: 'Stadt Musterstadt',
  appKey: 'consumerKey123',
  appSecret: 'consumerSecret-abc-456',
  accessToken: '2244994945-accessTokenABC',
  accessSecret: 'accessSecret-xyz-789',
};

function twitterHarness(): Harness {
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

function context(progress: PublishProgress = {}): PublishContext & { saved: PublishProgress[] } {
  const saved: PublishProgress[] = [];
  return {
    postId: 'post-1',
    idempotencyKey: 'post-1:rev-1',
    orgSlug: 'musterstadt',
    releaseSlug: 'stadtfest',
    publicUrl: 'https://presse.musterstadt.de',
    progress,
    saved,
    saveProgress: (p) => {
      saved.push(structuredClone(p));
      return Promise.resolve();
    },
  };
}

/** The ChannelError a promise rejects with (fails the test if it resolves or throws something else). */
async function channelError(promise: Promise<unknown>): Promise<ChannelError> {
  const error: unknown = await promise.then(
    () => new Error('expected a ChannelError, but the call succeeded'),
    (e: unknown) => e,
  );
  expect(error).toMatchObject({ name: 'ChannelError' });
  return error as ChannelError;
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function eventually(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe.each([facebookHarness(), twitterHarness()])('$name adapter against its fake', (h) => {
  beforeAll(() => h.start());
  afterAll(() => h.stop());
  beforeEach(() => h.reset());

  it('publishes, and the fake holds exactly that post', async () => {
    const result = await h.adapter.publish(h.content('Stadtfest am Samstag'), h.settings(), h.credentials(), context());

    expect(h.stored()).toEqual([{ id: result.externalId, text: 'Stadtfest am Samstag' }]);
    expect(result.externalUrl).toBe(h.urlOf(result.externalId));
  });

  it('check() names the account behind the credentials', async () => {
    await expect(h.adapter.check(h.settings(), h.credentials())).resolves.toEqual({ account: h.account });
  });

  it('sorts a 500 as retryable, and nothing is stored', async () => {
    h.failNext({ status: 500 });
    const error = await channelError(h.adapter.publish(h.content('Fehler 500'), h.settings(), h.credentials(), context()));

    expect(error).toMatchObject({ kind: 'retryable', code: 'SERVER_ERROR' });
    expect(h.stored()).toEqual([]);
  });

  it('sorts throttling as retryable with retryAfterMs from the network', async () => {
    h.failNext({ status: 429, resetInSeconds: 120 });
    const error = await channelError(h.adapter.publish(h.content('Zu viele'), h.settings(), h.credentials(), context()));

    expect(error).toMatchObject({ kind: 'retryable', code: 'RATE_LIMITED' });
    expect(error.options.retryAfterMs).toBeGreaterThanOrEqual(100_000);
    expect(error.options.retryAfterMs).toBeLessThanOrEqual(121_000);
  });

  it('refuses with kind auth on a 401', async () => {
    h.failNext({ status: 401 });
    const error = await channelError(h.adapter.publish(h.content('401'), h.settings(), h.credentials(), context()));
    expect(error).toMatchObject({ kind: 'auth', code: 'AUTH_EXPIRED' });
  });

  it('refuses with kind auth once the token is revoked, also in check()', async () => {
    h.revoke();
    const error = await channelError(h.adapter.check(h.settings(), h.credentials()));
    expect(error).toMatchObject({ kind: 'auth', code: 'AUTH_EXPIRED' });
  });

  it('refuses a duplicate as permanent', async () => {
    await h.adapter.publish(h.content('Zweimal derselbe Text'), h.settings(), h.credentials(), context());
    const error = await channelError(
      h.adapter.publish(h.content('Zweimal derselbe Text'), h.settings(), h.credentials(), context()),
    );

    expect(error).toMatchObject({ kind: 'permanent', code: 'DUPLICATE' });
    expect(h.stored()).toHaveLength(1);
  });

  it('refuses over-long content as permanent without sending it', async () => {
    const error = await channelError(h.adapter.publish(h.tooLong(), h.settings(), h.credentials(), context()));

    expect(error).toMatchObject({ kind: 'permanent', code: 'TOO_LONG' });
    expect(h.stored()).toEqual([]);
  });

  it('reports unknown_outcome when the answer is slower than the timeout (the post may exist)', async () => {
    h.failNext({ delayMs: 1200 });
    const started = Date.now();
    const error = await channelError(
      h.adapter.publish(h.content('Langsam'), h.settings({ timeoutMs: 300 }), h.credentials(), context()),
    );

    expect(error).toMatchObject({ kind: 'unknown_outcome', code: 'TIMEOUT_AFTER_SEND' });
    expect(Date.now() - started).toBeLessThan(1100);
    // The network went on and published it: exactly why the worker must not re-send blindly.
    await eventually(() => h.stored().length === 1);
  });

  it('reports unknown_outcome when the connection drops after sending', async () => {
    h.failNext({ drop: true });
    const error = await channelError(h.adapter.publish(h.content('Abgerissen'), h.settings(), h.credentials(), context()));

    expect(error).toMatchObject({ kind: 'unknown_outcome', code: 'TIMEOUT_AFTER_SEND' });
    expect(h.stored()).toHaveLength(1);
  });

  it('sorts a refused connection as retryable: nothing was sent', async () => {
    const settings = h.settings({ apiBaseUrl: `http://127.0.0.1:${await closedPort()}` });
    const error = await channelError(h.adapter.publish(h.content('Niemand da'), settings, h.credentials(), context()));
    expect(error).toMatchObject({ kind: 'retryable', code: 'NETWORK_ERROR' });
  });

  it('refuses missing credentials with kind auth', async () => {
    const error = await channelError(h.adapter.publish(h.content('Ohne'), h.settings(), {}, context()));
    expect(error).toMatchObject({ kind: 'auth', code: 'CREDENTIALS_MISSING' });
  });

  it('never puts a credential into an error message or body', async () => {
    const faults: Fault[] = [{ status: 500 }, { status: 429 }, { status: 401 }, { status: 403 }, { status: 400 }, { drop: true }];
    const errors: ChannelError[] = [];
    for (const [i, fault] of faults.entries()) {
      h.failNext(fault);
      errors.push(await channelError(h.adapter.publish(h.content(`Geheim ${i}`), h.settings(), h.credentials(), context())));
    }
    h.revoke();
    errors.push(await channelError(h.adapter.check(h.settings(), h.credentials())));

    for (const error of errors) {
      const text = `${error.message} ${JSON.stringify(error.options)} ${error.stack ?? ''}`;
      for (const secret of h.secrets) expect(text).not.toContain(secret);
    }
  });

  it('validates: too long and missing alt text block submit', () => {
    const codes = (content: PostContent): string[] =>
      h.adapter.validate(content, h.settings()).filter((w) => w.severity === 'error').map((w) => w.code);

    expect(codes(h.content('Gut'))).toEqual([]);
    expect(codes(h.tooLong())).toEqual(['TOO_LONG']);
    expect(codes({ ...h.content('Bild'), media: [{ url: 'https://example.org/a.jpg', alt: ' ' }] })).toEqual([
      'MEDIA_ALT_MISSING',
    ]);
  });
});

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
