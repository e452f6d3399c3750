// The X fake on its own, spoken to with plain fetch and an independent OAuth 1.0a signer, so
// its signature check, limits and error shapes are pinned down without the SDK in between.

import { createHmac, randomBytes } from 'node:crypto';
import { startXFake, type XFake } from '../../src/simulated/x-fake';

const USER = {
  userId: '1001',
  username: 'musterstadt',
  name: 'Stadt Musterstadt',
  appKey: 'ck-123',
  appSecret: 'cs-456',
  accessToken: '1001-at',
  accessSecret: 'as-789',
  bearerToken: 'bearer-user-token',
};

const enc = (v: string): string =>
  encodeURIComponent(v).replace(/[!*'()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** RFC 5849 HMAC-SHA1 header over https://api.x.com + path, as a real client signs it. */
function oauthHeader(
  method: string,
  pathAndQuery: string,
  opts: { secret?: string; timestamp?: number; nonce?: string } = {},
): string {
  const url = new URL(pathAndQuery, 'https://api.x.com');
  const oauth: Record<string, string> = {
    oauth_consumer_key: USER.appKey,
    oauth_nonce: opts.nonce ?? randomBytes(16).toString('hex'),
    oauth_signature_method: 'HMAC-SHA1',
    oauth_timestamp: String(opts.timestamp ?? Math.floor(Date.now() / 1000)),
    oauth_token: USER.accessToken,
    oauth_version: '1.0',
  };
  const params = [...Object.entries(oauth), ...url.searchParams.entries()]
    .map(([k, v]) => `${enc(k)}=${enc(v)}`)
    .sort()
    .join('&');
  const base = `${method}&${enc(`https://api.x.com${url.pathname}`)}&${enc(params)}`;
  const key = `${enc(opts.secret ?? USER.appSecret)}&${enc(USER.accessSecret)}`;
  oauth.oauth_signature = createHmac('sha1', key).update(base).digest('base64');
  return `OAuth ${Object.entries(oauth)
    .map(([k, v]) => `${enc(k)}="${enc(v)}"`)
    .join(', ')}`;
}

describe('X fake', () => {
  let fake: XFake;

  beforeAll(async () => {
    fake = await startXFake({ users: [USER], rateLimits: { me: 3 } });
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  const call = (method: string, pathAndQuery: string, init: { auth?: string; body?: unknown } = {}): Promise<Response> =>
    fetch(`${fake.url}${pathAndQuery}`, {
      method,
      headers: {
        authorization: init.auth ?? oauthHeader(method, pathAndQuery),
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
  const tweet = (text: string, extra: Record<string, unknown> = {}): Promise<Response> =>
    call('POST', '/2/tweets', { body: { text, ...extra } });

  it('creates a tweet for a correctly signed request', async () => {
    const res = await tweet('Hallo');
    const body = (await res.json()) as { data: { id: string; text: string } };

    expect(res.status).toBe(201);
    expect(body.data).toEqual({ id: expect.stringMatching(/^\d{15,19}$/) as string, text: 'Hallo', edit_history_tweet_ids: [body.data.id] });
    expect(fake.tweets).toMatchObject([{ id: body.data.id, text: 'Hallo', authorId: USER.userId }]);
    expect(fake.urlOf(fake.tweets[0]!)).toBe(`https://x.com/musterstadt/status/${body.data.id}`);
  });

  it('refuses a wrong signature with 401 in X’s problem shape', async () => {
    const res = await call('POST', '/2/tweets', { auth: oauthHeader('POST', '/2/tweets', { secret: 'wrong' }), body: { text: 'x' } });

    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' });
    expect(fake.tweets).toEqual([]);
  });

  it('refuses a signature computed over a different query', async () => {
    const path = `/2/users/${USER.userId}/tweets?max_results=5`;
    const res = await call('GET', path, { auth: oauthHeader('GET', `/2/users/${USER.userId}/tweets?max_results=10`) });
    expect(res.status).toBe(401);
    expect((await call('GET', path)).status).toBe(200);
  });

  it('refuses a replayed nonce and a stale timestamp', async () => {
    const replayed = oauthHeader('GET', '/2/users/me', { nonce: 'same-nonce' });
    expect((await call('GET', '/2/users/me', { auth: replayed })).status).toBe(200);
    expect((await call('GET', '/2/users/me', { auth: replayed })).status).toBe(401);

    const stale = oauthHeader('GET', '/2/users/me', { timestamp: Math.floor(Date.now() / 1000) - 3600 });
    expect((await call('GET', '/2/users/me', { auth: stale })).status).toBe(401);
  });

  it('accepts an OAuth 2 bearer user token and refuses it once revoked', async () => {
    const auth = `Bearer ${USER.bearerToken}`;
    const me = await call('GET', '/2/users/me', { auth });
    expect(await me.json()).toEqual({ data: { id: USER.userId, name: USER.name, username: USER.username } });

    fake.revokeToken(USER.bearerToken);
    expect((await call('GET', '/2/users/me', { auth })).status).toBe(401);
  });

  it('sends rate-limit headers on every answer and answers 429 once the window is used up', async () => {
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 4; i++) {
      last = await call('GET', '/2/users/me');
      statuses.push(last.status);
      expect(last.headers.get('x-rate-limit-limit')).toBe('3');
    }

    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(last?.headers.get('x-rate-limit-remaining')).toBe('0');
    expect(Number(last?.headers.get('x-rate-limit-reset'))).toBeGreaterThan(Date.now() / 1000);
  });

  it('counts weighted length like twitter-text: 280 passes, 281 is refused', async () => {
    expect((await tweet('a'.repeat(280))).status).toBe(201);
    expect((await tweet('好'.repeat(140))).status).toBe(201);

    const res = await tweet('好'.repeat(141));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      title: 'Invalid Request',
      type: 'https://api.twitter.com/2/problems/invalid-request',
      errors: [{ message: expect.stringContaining('too long') as string }],
    });
  });

  it('refuses the same text twice with X’s duplicate-content 403', async () => {
    await tweet('Einmal');
    const res = await tweet('Einmal');

    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ detail: 'You are not allowed to create a Tweet with duplicate content.' });
  });

  it('chains replies and refuses a reply to an unknown tweet', async () => {
    const root = ((await (await tweet('Wurzel')).json()) as { data: { id: string } }).data.id;
    await tweet('Antwort', { reply: { in_reply_to_tweet_id: root } });
    expect(fake.tweets[1]).toMatchObject({ inReplyToTweetId: root, conversationId: root });

    const res = await tweet('Ins Leere', { reply: { in_reply_to_tweet_id: '123' } });
    expect(res.status).toBe(403);
  });

  it('lists a user’s tweets newest first with requested fields', async () => {
    await tweet('erster');
    await tweet('zweiter');
    const res = await call('GET', `/2/users/${USER.userId}/tweets?max_results=5&tweet.fields=created_at`);
    const body = (await res.json()) as { data: { text: string; created_at: string }[]; meta: { result_count: number } };

    expect(body.data.map((t) => t.text)).toEqual(['zweiter', 'erster']);
    expect(body.data[0]?.created_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(body.meta.result_count).toBe(2);
    expect((await call('GET', `/2/users/${USER.userId}/tweets?max_results=500`)).status).toBe(400);
  });

  it('answers an injected 429 with the reset time in x-rate-limit-reset', async () => {
    fake.failNext({ status: 429, resetInSeconds: 30 });
    const res = await tweet('gedrosselt');
    const reset = Number(res.headers.get('x-rate-limit-reset'));

    expect(res.status).toBe(429);
    expect(res.headers.get('x-rate-limit-remaining')).toBe('0');
    expect(reset).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) + 29);
    expect(reset).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 31);
    expect(await res.json()).toMatchObject({ title: 'Too Many Requests', status: 429 });
  });

  it('drops the connection after creating the tweet when told to', async () => {
    fake.failNext({ drop: true });
    await expect(tweet('verloren')).rejects.toThrow();
    expect(fake.tweets.map((t) => t.text)).toEqual(['verloren']);
  });

  it('closes promptly while a delayed answer is pending', async () => {
    const other = await startXFake({ users: [USER] });
    other.failNext({ delayMs: 10_000 });
    const pending = fetch(`${other.url}/2/users/me`, { headers: { authorization: `Bearer ${USER.bearerToken}` } }).catch(
      () => 'closed',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await other.close();

    expect(Date.now() - started).toBeLessThan(1000);
    await expect(pending).resolves.toBe('closed');
  });
});
