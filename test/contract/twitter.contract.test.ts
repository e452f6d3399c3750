// X adapter (twitter-api-v2) against the X API v2 fake.
import type { Settings } from '../../src/channels/channel';
import { twitterChannel } from '../../src/channels/twitter';
import { startXFake, type XFake } from '../../src/simulated/x-fake';
import { channelError, context, runChannelContract, type ContractHarness } from './suite';


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
