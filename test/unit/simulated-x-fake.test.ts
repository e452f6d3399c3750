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

  describe('media upload', () => {
    const OTHER = { userId: '2002', username: 'landkreis', bearerToken: 'bearer-other' };
    const json = (method: string, path: string, body: unknown, auth = `Bearer ${USER.bearerToken}`): Promise<Response> =>
      fetch(`${fake.url}${path}`, { method, headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const initialize = async (totalBytes: number, auth?: string): Promise<string> => {
      const res = await json('POST', '/2/media/upload/initialize', { media_type: 'image/png', total_bytes: totalBytes, media_category: 'tweet_image' }, auth);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { data: { id: string; media_key: string; expires_after_secs: number } };
      expect(body.data).toEqual({ id: expect.stringMatching(/^\d+$/) as string, media_key: `3_${body.data.id}`, expires_after_secs: 86_400 });
      return body.data.id;
    };
    const append = (id: string, index: number, bytes: Buffer, auth?: string): Promise<Response> =>
      json('POST', `/2/media/upload/${id}/append`, { segment_index: index, media: bytes.toString('base64') }, auth);
    const finalize = (id: string, auth = `Bearer ${USER.bearerToken}`): Promise<Response> =>
      fetch(`${fake.url}/2/media/upload/${id}/finalize`, { method: 'POST', headers: { authorization: auth } });

    beforeAll(() => fake.addUser(OTHER));

    it('checks JSON segments against total_bytes and attaches finalized media to a tweet', async () => {
      const id = await initialize(5);
      expect((await append(id, 1, Buffer.from('de'))).status).toBe(200);
      expect((await append(id, 0, Buffer.from('abc'))).status).toBe(200);
      expect((await append(id, 0, Buffer.from('abc'))).status).toBe(400); // same segment twice

      const early = await tweet('zu früh', { media: { media_ids: [id] } });
      expect(early.status).toBe(400);

      const done = await finalize(id);
      expect(await done.json()).toMatchObject({ data: { id, media_key: `3_${id}`, size: 5 } });
      const meta = await json('POST', '/2/media/metadata', { id, metadata: { alt_text: { text: 'Rathaus' } } });
      expect(await meta.json()).toEqual({ data: { id, associated_metadata: { alt_text: { text: 'Rathaus' } } } });

      expect((await tweet('mit Bild', { media: { media_ids: [id] } })).status).toBe(201);
      expect(fake.tweets[0]?.mediaIds).toEqual([id]);
      expect(fake.media).toMatchObject([{ id, ownerId: USER.userId, totalBytes: 5, finalized: true, altText: 'Rathaus', segments: [{ index: 1, bytes: 2 }, { index: 0, bytes: 3 }] }]);
    });

    it('refuses to finalize when the segments do not add up', async () => {
      const id = await initialize(10);
      await append(id, 0, Buffer.from('abc'));
      const res = await finalize(id);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ errors: [{ message: 'Segments do not add up to provided total file size.' }] });
    });

    it('keeps multipart appends byte for byte, bytes that are not UTF-8 included', async () => {
      // A PNG signature and IHDR start: 0x89 and the CR LF / SUB bytes break any text decoding.
      const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0xff, 0xfe, 0xc3, 0x28]);
      const id = await initialize(png.length);
      const appendPart = (index: number, bytes: Buffer): Promise<Response> => {
        const form = new FormData();
        form.append('segment_index', String(index));
        form.append('media', new Blob([bytes], { type: 'application/octet-stream' }));
        return fetch(`${fake.url}/2/media/upload/${id}/append`, { method: 'POST', headers: { authorization: `Bearer ${USER.bearerToken}` }, body: form });
      };
      // Segments may arrive out of order; the file is assembled by segment_index.
      expect((await appendPart(1, png.subarray(12))).status).toBe(200);
      expect((await appendPart(0, png.subarray(0, 12))).status).toBe(200);
      const done = await finalize(id);

      expect(done.status).toBe(200);
      expect(await done.json()).toMatchObject({ data: { id, size: png.length } });
      const [stored] = fake.media;
      expect(stored?.segments).toEqual([{ index: 1, bytes: 8 }, { index: 0, bytes: 12 }]);
      expect(stored?.data.equals(png)).toBe(true);
    });

    it('refuses to finalize multipart appends that do not add up to total_bytes', async () => {
      const id = await initialize(10);
      const form = new FormData();
      form.append('segment_index', '0');
      form.append('media', new Blob([Buffer.from([0x89, 0x50, 0x4e, 0x47])]), 'blob');
      const res = await fetch(`${fake.url}/2/media/upload/${id}/append`, { method: 'POST', headers: { authorization: `Bearer ${USER.bearerToken}` }, body: form });
      expect(res.status).toBe(200);

      expect((await finalize(id)).status).toBe(400);
    });

    it('refuses media of another user, unknown ids and over-long alt text', async () => {
      const theirs = await initialize(1, `Bearer ${OTHER.bearerToken}`);
      await append(theirs, 0, Buffer.from('x'), `Bearer ${OTHER.bearerToken}`);
      await finalize(theirs, `Bearer ${OTHER.bearerToken}`);

      const foreign = await tweet('fremd', { media: { media_ids: [theirs] } });
      expect(foreign.status).toBe(400);
      expect(await foreign.json()).toMatchObject({ errors: [{ parameters: { 'media.media_ids': [theirs] }, message: 'Your media IDs are invalid.' }] });
      expect((await tweet('unbekannt', { media: { media_ids: ['123'] } })).status).toBe(400);
      expect((await append(theirs, 1, Buffer.from('y'))).status).toBe(400);

      const mine = await initialize(1);
      const alt = (text: string) => json('POST', '/2/media/metadata', { id: mine, metadata: { alt_text: { text } } });
      expect((await alt('ä'.repeat(1000))).status).toBe(200);
      expect((await alt('ä'.repeat(1001))).status).toBe(400);
      expect(fake.tweets).toEqual([]);
    });

    it('refuses unsupported types and sizes at initialize', async () => {
      expect((await json('POST', '/2/media/upload/initialize', { media_type: 'image/svg+xml', total_bytes: 10 })).status).toBe(400);
      expect((await json('POST', '/2/media/upload/initialize', { media_type: 'image/png', total_bytes: 6 * 1024 * 1024 })).status).toBe(400);
      expect((await json('POST', '/2/media/upload/initialize', { media_type: 'image/gif', total_bytes: 6 * 1024 * 1024 })).status).toBe(200);
    });

    it('lets media expire', async () => {
      const short = await startXFake({ users: [USER], mediaLifetimeSeconds: 0 });
      try {
        const res = await fetch(`${short.url}/2/media/upload/initialize`, {
          method: 'POST',
          headers: { authorization: `Bearer ${USER.bearerToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ media_type: 'image/png', total_bytes: 1 }),
        });
        const { data } = (await res.json()) as { data: { id: string } };
        const append0 = await fetch(`${short.url}/2/media/upload/${data.id}/append`, {
          method: 'POST',
          headers: { authorization: `Bearer ${USER.bearerToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ segment_index: 0, media: 'eA==' }),
        });
        expect(append0.status).toBe(400);
      } finally {
        await short.close();
      }
    });
  });

  describe('OAuth 2', () => {
    const CLIENT = { clientId: 'public-client' };
    const SECRET_CLIENT = { clientId: 'secret-client', clientSecret: 's3cr3t' };
    let oauth: XFake;

    beforeAll(async () => {
      oauth = await startXFake({ users: [USER], oauth2Clients: [CLIENT, SECRET_CLIENT] });
    });
    afterAll(() => oauth.close());
    beforeEach(() => oauth.reset());

    const me = (token: string): Promise<Response> => fetch(`${oauth.url}/2/users/me`, { headers: { authorization: `Bearer ${token}` } });
    const refresh = (form: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> =>
      fetch(`${oauth.url}/2/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams(form).toString(),
      });

    it('accepts issued access tokens until they expire', async () => {
      const valid = oauth.issueOAuth2Tokens(USER.userId, CLIENT.clientId);
      const expired = oauth.issueOAuth2Tokens(USER.userId, CLIENT.clientId, { expiresInSeconds: 0 });

      expect(valid.expiresIn).toBe(7200);
      expect((await me(valid.accessToken)).status).toBe(200);
      expect((await me(expired.accessToken)).status).toBe(401);
    });

    it('rotates the pair on refresh and refuses the used refresh token', async () => {
      const pair = oauth.issueOAuth2Tokens(USER.userId, CLIENT.clientId);
      const res = await refresh({ grant_type: 'refresh_token', refresh_token: pair.refreshToken, client_id: CLIENT.clientId });
      const body = (await res.json()) as { access_token: string; refresh_token: string; expires_in: number; token_type: string; scope: string };

      expect(res.status).toBe(200);
      expect(body).toMatchObject({ token_type: 'bearer', expires_in: 7200, scope: expect.stringContaining('offline.access') as string });
      expect(body.refresh_token).not.toBe(pair.refreshToken);
      expect((await me(body.access_token)).status).toBe(200);

      const again = await refresh({ grant_type: 'refresh_token', refresh_token: pair.refreshToken, client_id: CLIENT.clientId });
      expect(again.status).toBe(400);
      expect(await again.json()).toEqual({ error: 'invalid_request', error_description: 'Value passed for the token was invalid.' });
    });

    it('requires Basic auth for a confidential client and a form body', async () => {
      const pair = oauth.issueOAuth2Tokens(USER.userId, SECRET_CLIENT.clientId);
      const form = { grant_type: 'refresh_token', refresh_token: pair.refreshToken, client_id: SECRET_CLIENT.clientId };

      expect((await refresh(form)).status).toBe(401);
      const wrong = Buffer.from(`${SECRET_CLIENT.clientId}:nope`).toString('base64');
      expect((await refresh(form, { authorization: `Basic ${wrong}` })).status).toBe(401);
      const asJson = await fetch(`${oauth.url}/2/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(form) });
      expect(asJson.status).toBe(400);

      const basic = Buffer.from(`${SECRET_CLIENT.clientId}:${SECRET_CLIENT.clientSecret}`).toString('base64');
      expect((await refresh(form, { authorization: `Basic ${basic}` })).status).toBe(200);
    });

    it('refuses a refresh token presented by another client', async () => {
      const pair = oauth.issueOAuth2Tokens(USER.userId, SECRET_CLIENT.clientId);
      const res = await refresh({ grant_type: 'refresh_token', refresh_token: pair.refreshToken, client_id: CLIENT.clientId });
      expect(res.status).toBe(400);
    });
  });

  it('filters the timeline by start_time and exclude=replies', async () => {
    const first = ((await (await tweet('alt')).json()) as { data: { id: string } }).data.id;
    await tweet('Antwort', { reply: { in_reply_to_tweet_id: first } });
    const list = async (query: string): Promise<string[]> => {
      const path = `/2/users/${USER.userId}/tweets?max_results=5&${query}`;
      const body = (await (await call('GET', path)).json()) as { data?: { text: string }[] };
      return (body.data ?? []).map((t) => t.text);
    };

    expect(await list('exclude=replies')).toEqual(['alt']);
    expect(await list(`start_time=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).toEqual([]);
    expect(await list(`start_time=${encodeURIComponent(new Date(Date.now() - 60_000).toISOString())}`)).toEqual(['Antwort', 'alt']);
    expect((await call('GET', `/2/users/${USER.userId}/tweets?max_results=5&start_time=gestern`)).status).toBe(400);
  });

  it('reports and enforces the 24-hour tweet limit when configured', async () => {
    const daily = await startXFake({ users: [USER], dailyTweetLimit: 1 });
    try {
      const post = (text: string): Promise<Response> =>
        fetch(`${daily.url}/2/tweets`, {
          method: 'POST',
          headers: { authorization: `Bearer ${USER.bearerToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ text }),
        });
      const ok = await post('eins');
      expect(ok.status).toBe(201);
      expect(ok.headers.get('x-user-limit-24hour-remaining')).toBe('0');

      const over = await post('zwei');
      expect(over.status).toBe(429);
      expect(Number(over.headers.get('x-rate-limit-remaining'))).toBeGreaterThan(0);
      expect(Number(over.headers.get('x-user-limit-24hour-reset'))).toBeGreaterThan(Date.now() / 1000 + 23 * 3600);
      expect(daily.tweets.map((t) => t.text)).toEqual(['eins']);
    } finally {
      await daily.close();
    }
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
