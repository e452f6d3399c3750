// Bluesky adapter (@atproto/api) against the PDS fake.
import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AtpAgent, XRPCError } from '@atproto/api';
import type { ChannelError, Settings } from '../../src/channels/channel';
import { blueskyChannel, recordKeyFor } from '../../src/channels/bluesky';
import type { PostContent } from '../../src/domain/types';
import { startBlueskyFake, type BlueskyFake, type BlueskyFakeAccount } from '../../src/simulated/bluesky-fake';
import { isStatusFault } from '../../src/simulated/http-util';
import { channelError, context, eventually, runChannelContract, type ContractHarness } from './suite';

const ACCOUNT: BlueskyFakeAccount = {
  did: 'did:plc:m7usterstadtpresse4x2ab',
  handle: 'musterstadt.bsky.social',
  appPassword: 'abcd-efgh-ijkl-mnop',
  identifier: 'presse@musterstadt.de',
};
const CREATE = '/xrpc/com.atproto.repo.createRecord';
const LOGIN = '/xrpc/com.atproto.server.createSession';
const REFRESH = '/xrpc/com.atproto.server.refreshSession';
const UPLOAD = '/xrpc/com.atproto.repo.uploadBlob';
// Every request that carries (or asks for) this account's credentials.
const AUTH_PATHS = /^\/xrpc\/com\.atproto\.(server\.(createSession|refreshSession)|repo\.createRecord)$/;

function blueskyHarness(): ContractHarness {
  let fake: BlueskyFake;
  return {
    name: 'bluesky',
    adapter: blueskyChannel,
    start: async () => {
      fake = await startBlueskyFake({ accounts: [ACCOUNT] });
    },
    stop: () => fake.close(),
    reset: () => fake.reset(),
    settings: (extra = {}) => ({ apiBaseUrl: fake.url, timeoutMs: 5000, ...extra }),
    credentials: () => ({ identifier: ACCOUNT.handle, appPassword: ACCOUNT.appPassword }),
    revoke: () => fake.revoke(ACCOUNT.appPassword),
    content: (text) => ({ text }),
    tooLong: () => ({ text: 'x'.repeat(301) }),
    stored: () => fake.records.map((r) => ({ id: r.uri, text: String(r.value.text) })),
    // A post takes a login and a createRecord. Faults the suite does not aim go where that answer
    // really comes from: a 401 is final on Bluesky only when the refresh and the new login are
    // refused too (a single one is cured by the agent's refresh, see "a 401 that a refresh cures"
    // below), so it meets the post, the refresh and the login, as for a suspended account.
    // Everything else meets the createRecord, the only request that can leave a post behind.
    failNext: (fault, times = 1, match) => {
      if (match) fake.failNext(fault, times, match);
      else if (isStatusFault(fault) && fault.status === 401) fake.failNext(fault, 3 * times, { path: AUTH_PATHS });
      else fake.failNext(fault, times, { path: CREATE });
    },
    secrets: [ACCOUNT.appPassword],
    account: `@${ACCOUNT.handle}`,
    urlOf: (id) => fake.urlOf(id),
  };
}

// The same record key twice gives the first post back: Bluesky is idempotent by record key.
runChannelContract({ ...blueskyHarness(), duplicates: 'idempotent' });

// --- Bluesky specifics ----------------------------------------------------------------------

const credentials = { identifier: ACCOUNT.handle, appPassword: ACCOUNT.appPassword };

/**
 * CIDs as the reference libraries compute them (@ipld/dag-cbor, multiformats). They ship only ES
 * modules that jest cannot resolve, so a plain Node process computes them.
 */
function referenceCids(items: ({ record: unknown } | { raw: string })[]): Promise<string[]> {
  const script = `
    import { encode } from '@ipld/dag-cbor';
    import { CID } from 'multiformats/cid';
    import { sha256 } from 'multiformats/hashes/sha2';
    const lex = (v) => Array.isArray(v) ? v.map(lex)
      : v && typeof v === 'object' ? (Object.keys(v).length === 1 && typeof v.$link === 'string' ? CID.parse(v.$link)
        : Object.fromEntries(Object.entries(v).map(([k, x]) => [k, lex(x)]))) : v;
    const items = JSON.parse(process.argv[1]);
    const out = [];
    for (const item of items) {
      const bytes = 'raw' in item ? Buffer.from(item.raw, 'base64') : encode(lex(item.record));
      out.push(CID.create(1, 'raw' in item ? 0x55 : 0x71, await sha256.digest(bytes)).toString());
    }
    console.log(JSON.stringify(out));`;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(items)], { cwd: process.cwd() }, (error, stdout) => {
      if (error) reject(error);
      else resolve(JSON.parse(stdout) as string[]);
    });
  });
}

function withKey(key: string, progress = {}): ReturnType<typeof context> {
  return { ...context(progress), idempotencyKey: key };
}

function count(fake: BlueskyFake, path: string): number {
  return fake.requests.filter((r) => r.path === path).length;
}

describe('bluesky specifics', () => {
  let fake: BlueskyFake;
  const settings = (extra: Settings = {}): Settings => ({ apiBaseUrl: fake.url, timeoutMs: 5000, ...extra });
  let accountNo = 0;
  /** A new account, so the adapter holds no session for it yet. */
  const freshAccount = (): { account: BlueskyFakeAccount; credentials: { identifier: string; appPassword: string } } => {
    accountNo += 1;
    const account = {
      did: `did:plc:sitzung${accountNo}test7abcdefgh`,
      handle: `sitzung${accountNo}.bsky.social`,
      appPassword: `sitz-ung${accountNo}-pass-wort`,
    };
    fake.addAccount(account);
    return { account, credentials: { identifier: account.handle, appPassword: account.appPassword } };
  };

  beforeAll(async () => {
    fake = await startBlueskyFake({ accounts: [ACCOUNT] });
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  it('stores real CIDs and at-URIs, which @atproto/api accepts', async () => {
    const result = await blueskyChannel.publish({ text: 'Stadtfest am Samstag' }, settings(), credentials, context());

    const [record] = fake.records;
    const rkey = recordKeyFor('post-1:rev-1', 0);
    expect(record?.uri).toBe(`at://${ACCOUNT.did}/app.bsky.feed.post/${rkey}`);
    expect(rkey).toMatch(/^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$/);
    expect(result).toEqual({
      externalId: record?.uri,
      externalUrl: `https://bsky.app/profile/${ACCOUNT.did}/post/${rkey}`,
    });
    // The CID is the dag-cbor/sha-256 hash of exactly the stored record (CIDv1, base32 "bafyrei").
    expect(record?.cid).toMatch(/^bafyrei[a-z2-7]{52}$/);
    await expect(referenceCids([{ record: record?.value }])).resolves.toEqual([record?.cid]);
    // The library validates answers against the lexicons (cid and at-uri formats included).
    const agent = new AtpAgent({ service: fake.url });
    const read = await agent.com.atproto.repo.getRecord({ repo: ACCOUNT.did, collection: 'app.bsky.feed.post', rkey });
    expect(read.data).toMatchObject({ uri: record?.uri, cid: record?.cid, value: { text: 'Stadtfest am Samstag' } });
  });

  it('puts link and hashtag facets at UTF-8 byte offsets, after umlauts and emoji', async () => {
    const url = 'https://presse.musterstadt.de/stadtfest?jahr=2025';
    const text = `Grüße vom Straßenfest 🎉👨‍👩‍👧: ${url} #Stadtfest, Fragen an @musterstadt.bsky.social`;
    await blueskyChannel.publish({ text }, settings(), credentials, context());

    const facets = fake.records[0]?.value.facets as { index: { byteStart: number; byteEnd: number }; features: { $type: string }[] }[];
    const utf8 = Buffer.from(text, 'utf8');
    const slices = facets.map((f) => ({ text: utf8.subarray(f.index.byteStart, f.index.byteEnd).toString('utf8'), feature: f.features[0] }));
    expect(slices).toEqual([
      { text: url, feature: { $type: 'app.bsky.richtext.facet#link', uri: url } },
      { text: '#Stadtfest', feature: { $type: 'app.bsky.richtext.facet#tag', tag: 'Stadtfest' } },
    ]);
    // UTF-16 indices would be wrong here: the offsets really are bytes.
    expect(facets[0]?.index.byteStart).not.toBe(text.indexOf(url));
  });

  it('publishes a thread of 5 whose part 3 fails twice with a 500: five records, chained, none twice', async () => {
    const thread = ['Teil 1/5', 'Teil 2/5', 'Teil 3/5', 'Teil 4/5', 'Teil 5/5'];
    fake.failNext({ status: 500 }, 2, { method: 'POST', path: CREATE, skip: 2 });

    let progress = {};
    for (let attempt = 1; attempt <= 2; attempt++) {
      const ctx = context(progress);
      const error = await channelError(blueskyChannel.publish({ thread }, settings(), credentials, ctx));
      expect(error).toMatchObject({ kind: 'retryable', code: 'SERVER_ERROR' });
      progress = ctx.saved.at(-1) ?? progress;
      expect(fake.records).toHaveLength(2);
    }
    const last = context(progress);
    const result = await blueskyChannel.publish({ thread }, settings(), credentials, last);

    const records = fake.records;
    expect(records.map((r) => r.value.text)).toEqual(thread);
    expect(new Set(records.map((r) => r.uri)).size).toBe(5);
    expect(records.map((r) => r.rkey)).toEqual(thread.map((_, i) => recordKeyFor('post-1:rev-1', i)));
    const [root] = records;
    expect(root?.value.reply).toBeUndefined();
    for (let i = 1; i < records.length; i++) {
      expect(records[i]?.value.reply).toEqual({
        root: { uri: root?.uri, cid: root?.cid },
        parent: { uri: records[i - 1]?.uri, cid: records[i - 1]?.cid },
      });
    }
    expect(result.externalId).toBe(root?.uri);
    expect(last.saved.at(-1)?.parts?.map((p) => p.id)).toEqual(records.map((r) => r.uri));
    // The third attempt started at part 3: parts 1 and 2 were only read, not sent again.
    expect(count(fake, CREATE)).toBe(2 + 1 + 1 + 3);
  });

  it('continues a thread after progress could not be saved, without posting a part twice', async () => {
    const thread = ['Erstens', 'Zweitens'];
    const broken = { ...context(), saveProgress: () => Promise.reject(new Error('database down')) };
    const error = await channelError(blueskyChannel.publish({ thread }, settings(), credentials, broken));
    expect(error).toMatchObject({ kind: 'unknown_outcome', code: 'PROGRESS_NOT_SAVED' });
    expect(fake.records).toHaveLength(1);

    await blueskyChannel.publish({ thread }, settings(), credentials, context());
    expect(fake.records.map((r) => r.value.text)).toEqual(thread);
  });

  describe.each(['internal-error', 'invalid-request'] as const)('when the PDS answers an existing record key with %s', (mode) => {
    let pds: BlueskyFake;
    const pdsSettings = (extra: Settings = {}): Settings => ({ apiBaseUrl: pds.url, timeoutMs: 5000, ...extra });

    beforeAll(async () => {
      pds = await startBlueskyFake({ accounts: [ACCOUNT], existingRecordKey: mode });
    });
    afterAll(() => pds.close());
    beforeEach(() => pds.reset());

    it('a timeout after sending, then a retry: exactly one record', async () => {
      pds.failNext({ delayMs: 700 }, 1, { path: CREATE });
      const error = await channelError(blueskyChannel.publish({ text: 'Langsam' }, pdsSettings({ timeoutMs: 200 }), credentials, context()));
      expect(error).toMatchObject({ kind: 'unknown_outcome', code: 'TIMEOUT_AFTER_SEND' });
      await eventually(() => pds.records.length === 1);

      const result = await blueskyChannel.publish({ text: 'Langsam' }, pdsSettings(), credentials, context());
      expect(pds.records).toHaveLength(1);
      expect(result.externalId).toBe(pds.records[0]?.uri);
      // The retry was refused as a second record and then read the first one.
      const creates = pds.requests.filter((r) => r.path === CREATE);
      expect(creates.map((r) => r.status)).toEqual([200, mode === 'internal-error' ? 500 : 400]);
    });

    it('a retry while the first request is still in flight: exactly one record', async () => {
      pds.failNext({ delayMs: 1000 }, 1, { path: CREATE });
      const error = await channelError(blueskyChannel.publish({ text: 'Doppelt?' }, pdsSettings({ timeoutMs: 200 }), credentials, context()));
      expect(error.kind).toBe('unknown_outcome');

      await blueskyChannel.publish({ text: 'Doppelt?' }, pdsSettings(), credentials, context());
      expect(pds.records).toHaveLength(1);
      // The delayed first request arrives last and is refused.
      await eventually(() => pds.requests.filter((r) => r.path === CREATE && r.status !== undefined).length === 2, 3000);
      expect(pds.records).toHaveLength(1);
    });

    it('a repeated publish of the same revision returns the existing post instead of a second one', async () => {
      const first = await blueskyChannel.publish({ text: 'Zweimal derselbe Text' }, pdsSettings(), credentials, context());
      const again = await blueskyChannel.publish({ text: 'Zweimal derselbe Text' }, pdsSettings(), credentials, context());
      expect(again).toEqual(first);
      expect(pds.records).toHaveLength(1);

      // Another revision (another idempotency key) with the same text is a new post: Bluesky allows it.
      await blueskyChannel.publish({ text: 'Zweimal derselbe Text' }, pdsSettings(), credentials, withKey('post-1:rev-2'));
      expect(pds.records).toHaveLength(2);
    });

    it('refuses, as permanent, a record key that holds a different post', async () => {
      await blueskyChannel.publish({ text: 'Fassung A' }, pdsSettings(), credentials, context());
      const error = await channelError(blueskyChannel.publish({ text: 'Fassung B' }, pdsSettings(), credentials, context()));
      expect(error).toMatchObject({ kind: 'permanent', code: 'DUPLICATE' });
      expect(pds.records.map((r) => r.value.text)).toEqual(['Fassung A']);
    });
  });

  it('findExisting finds a complete post by its record keys, and nothing for a partial thread', async () => {
    const thread = ['Eins', 'Zwei', 'Drei'];
    expect(await blueskyChannel.findExisting?.({ thread }, settings(), credentials, context())).toBeNull();

    fake.failNext({ drop: true }, 1, { path: CREATE, skip: 1 });
    const error = await channelError(blueskyChannel.publish({ thread }, settings(), credentials, context()));
    expect(error).toMatchObject({ kind: 'unknown_outcome', code: 'TIMEOUT_AFTER_SEND' });
    expect(fake.records).toHaveLength(2);
    expect(await blueskyChannel.findExisting?.({ thread }, settings(), credentials, context())).toBeNull();

    const done = await blueskyChannel.publish({ thread }, settings(), credentials, context());
    expect(fake.records).toHaveLength(3);
    await expect(blueskyChannel.findExisting?.({ thread }, settings(), credentials, context())).resolves.toEqual(done);
    // Another text under the same keys is not this post.
    expect(await blueskyChannel.findExisting?.({ thread: ['Eins', 'Zwei', 'Vier'] }, settings(), credentials, context())).toBeNull();
  });

  describe('sessions', () => {
    it('logs in once for two posts', async () => {
      const { credentials: creds } = freshAccount();
      await blueskyChannel.publish({ text: 'Erster Beitrag' }, settings(), creds, withKey('a:1'));
      await blueskyChannel.publish({ text: 'Zweiter Beitrag' }, settings(), creds, withKey('b:1'));

      expect(count(fake, LOGIN)).toBe(1);
      expect(count(fake, CREATE)).toBe(2);
      expect(fake.records).toHaveLength(2);
    });

    it('renews an expired access token with the refresh token, without a new login', async () => {
      const { credentials: creds } = freshAccount();
      await blueskyChannel.publish({ text: 'Vorher' }, settings(), creds, withKey('a:1'));
      fake.expireSessions();
      await blueskyChannel.publish({ text: 'Nachher' }, settings(), creds, withKey('b:1'));

      expect(fake.records.map((r) => r.value.text)).toEqual(['Vorher', 'Nachher']);
      expect(count(fake, LOGIN)).toBe(1);
      expect(count(fake, REFRESH)).toBe(1);
      expect(fake.requests.filter((r) => r.path === CREATE).map((r) => r.status)).toEqual([200, 400, 200]);
    });

    it('logs in again when the refresh token has expired too', async () => {
      const { credentials: creds } = freshAccount();
      await blueskyChannel.publish({ text: 'Vorher' }, settings(), creds, withKey('a:1'));
      fake.expireSessions({ refresh: true });
      await blueskyChannel.publish({ text: 'Nachher' }, settings(), creds, withKey('b:1'));

      expect(fake.records).toHaveLength(2);
      expect(count(fake, LOGIN)).toBe(2);
    });

    it('reports AUTH_EXPIRED once a revoked app password can renew nothing, and posts nothing', async () => {
      const { account, credentials: creds } = freshAccount();
      await blueskyChannel.publish({ text: 'Vorher' }, settings(), creds, withKey('a:1'));
      fake.revoke(account.appPassword);
      fake.expireSessions();
      const error = await channelError(blueskyChannel.publish({ text: 'Nachher' }, settings(), creds, withKey('b:1')));

      expect(error).toMatchObject({ kind: 'auth', code: 'AUTH_EXPIRED' });
      expect(fake.records.map((r) => r.value.text)).toEqual(['Vorher']);
      // No token may reach an error (the fake's tokens are JWT-shaped: eyJ…).
      expect(`${error.message} ${JSON.stringify(error.options)}`).not.toMatch(/eyJ|sitz-ung/);
    });

    it('treats a 401 that a refresh cures as no failure', async () => {
      const { credentials: creds } = freshAccount();
      fake.failNext({ status: 401 }, 1, { path: CREATE });
      await blueskyChannel.publish({ text: 'Trotzdem' }, settings(), creds, context());

      expect(fake.records).toHaveLength(1);
      expect(fake.requests.map((r) => `${r.path.replace('/xrpc/com.atproto.', '')} ${r.status}`)).toEqual([
        'server.createSession 200',
        'repo.createRecord 401',
        'server.refreshSession 200',
        'server.getSession 200', // the agent completes a refreshed session this way
        'repo.createRecord 200',
      ]);
    });

    it('logs in with the e-mail address as identifier, and check() reports the handle', async () => {
      const creds = { identifier: ACCOUNT.identifier ?? '', appPassword: ACCOUNT.appPassword };
      await expect(blueskyChannel.check(settings(), creds)).resolves.toEqual({ account: '@musterstadt.bsky.social' });
    });

    it('sorts the login rate limit as RATE_LIMITED with the reset time', async () => {
      const limited = await startBlueskyFake({ accounts: [ACCOUNT], rateLimits: { createSession: 1 } });
      try {
        const s = { apiBaseUrl: limited.url };
        await blueskyChannel.check(s, credentials);
        const error = await channelError(blueskyChannel.check(s, credentials));
        expect(error).toMatchObject({ kind: 'retryable', code: 'RATE_LIMITED', options: { status: 429 } });
        expect(error.options.retryAfterMs).toBeGreaterThan(250_000);
        expect(error.options.retryAfterMs).toBeLessThanOrEqual(301_000);
      } finally {
        await limited.close();
      }
    });
  });

  describe('images', () => {
    let images: http.Server;
    let imageBase: string;
    // Bytes that are not valid UTF-8, so any text decoding on the way would show.
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(2048, 0xff), Buffer.from([0xc3, 0x28, 0x80])]);
    const huge = Buffer.alloc(1_000_001, 0xab);

    beforeAll(async () => {
      images = http.createServer((req, res) => {
        const body = req.url === '/gross.png' ? huge : png;
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': body.length });
        res.end(body);
      });
      await new Promise<void>((resolve) => images.listen(0, '127.0.0.1', resolve));
      imageBase = `http://127.0.0.1:${(images.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => images.close(() => resolve())));

    it('uploads an image as a blob and embeds it with its alt text', async () => {
      const content: PostContent = { text: 'Das Festzelt steht', media: [{ url: `${imageBase}/zelt.png`, alt: 'Festzelt auf dem Marktplatz' }] };
      await blueskyChannel.publish(content, settings(), credentials, context());

      const [blob] = fake.blobs;
      const [cid, recordCid] = await referenceCids([{ raw: png.toString('base64') }, { record: fake.records[0]?.value }]);
      expect(fake.records[0]?.cid).toBe(recordCid); // blob links are part of the hashed record
      expect(blob).toMatchObject({ cid, mimeType: 'image/png', size: png.length });
      expect(blob?.bytes.equals(png)).toBe(true);
      expect(fake.records[0]?.value.embed).toEqual({
        $type: 'app.bsky.embed.images',
        images: [{ alt: 'Festzelt auf dem Marktplatz', image: { $type: 'blob', ref: { $link: cid }, mimeType: 'image/png', size: png.length } }],
      });
    });

    it('puts the images of a thread on its first part only', async () => {
      const content: PostContent = { thread: ['Mit Bild', 'Ohne Bild'], media: [{ url: `${imageBase}/zelt.png`, alt: 'Festzelt' }] };
      await blueskyChannel.publish(content, settings(), credentials, context());
      expect(fake.records.map((r) => r.value.embed !== undefined)).toEqual([true, false]);
      expect(count(fake, UPLOAD)).toBe(1);
    });

    it('refuses an image over 1 MB as permanent before uploading or posting anything', async () => {
      const content: PostContent = { text: 'Zu groß', media: [{ url: `${imageBase}/gross.png`, alt: 'Luftbild' }] };
      const error = await channelError(blueskyChannel.publish(content, settings(), credentials, context()));
      expect(error).toMatchObject({ kind: 'permanent', code: 'MEDIA_TOO_LARGE' });
      expect(count(fake, UPLOAD)).toBe(0);
      expect(fake.records).toEqual([]);
    });
  });

  describe('the fake as the PDS answers', () => {
    const login = async (): Promise<AtpAgent> => {
      const agent = new AtpAgent({ service: fake.url });
      await agent.login({ identifier: ACCOUNT.handle, password: ACCOUNT.appPassword });
      return agent;
    };
    const xrpcError = (promise: Promise<unknown>): Promise<XRPCError> =>
      promise.then(
        () => {
          throw new Error('expected an XRPCError');
        },
        (e: unknown) => e as XRPCError,
      );

    it('refuses more than 300 graphemes, and the adapter sorts that as TOO_LONG', async () => {
      const agent = await login();
      const error = await xrpcError(
        agent.com.atproto.repo.createRecord({
          repo: ACCOUNT.did,
          collection: 'app.bsky.feed.post',
          record: { $type: 'app.bsky.feed.post', text: 'ä'.repeat(301), createdAt: new Date().toISOString() },
        }),
      );
      expect(error).toMatchObject({ status: 400, error: 'InvalidRequest', message: 'Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes' });

      fake.failNext({ status: 400, body: { error: error.error, message: error.message } }, 1, { path: CREATE });
      const sorted = await channelError(blueskyChannel.publish({ text: 'kurz' }, settings(), credentials, context()));
      expect(sorted).toMatchObject({ kind: 'permanent', code: 'TOO_LONG', options: { status: 400 } });
    });

    it('refuses facets outside the UTF-8 text or inside a character', async () => {
      const agent = await login();
      const post = (byteStart: number, byteEnd: number) =>
        agent.com.atproto.repo.createRecord({
          repo: ACCOUNT.did,
          collection: 'app.bsky.feed.post',
          record: {
            $type: 'app.bsky.feed.post',
            text: 'ü https://a.de',
            createdAt: new Date().toISOString(),
            facets: [{ index: { byteStart, byteEnd }, features: [{ $type: 'app.bsky.richtext.facet#link', uri: 'https://a.de' }] }],
          },
        });
      await expect(xrpcError(post(2, 16))).resolves.toMatchObject({ status: 400 });
      await expect(xrpcError(post(1, 15))).resolves.toMatchObject({ status: 400 });
      await expect(post(3, 15)).resolves.toMatchObject({ success: true });
    });

    it('answers an expired token with 400 ExpiredToken and a wrong password with 401', async () => {
      const agent = await login();
      fake.expireSessions({ refresh: true });
      const error = await xrpcError(agent.com.atproto.server.getSession());
      expect(error).toMatchObject({ status: 400, error: 'ExpiredToken' });
      const wrong = await xrpcError(new AtpAgent({ service: fake.url }).login({ identifier: ACCOUNT.handle, password: 'falsch' }));
      expect(wrong).toMatchObject({ status: 401, error: 'AuthenticationRequired', message: 'Invalid identifier or password' });
    });

    it('sends the ratelimit headers on every answer', async () => {
      const agent = await login();
      const res = await agent.com.atproto.server.getSession();
      expect(res.headers).toMatchObject({ 'ratelimit-limit': '3000', 'ratelimit-policy': '3000;w=300' });
      expect(Number(res.headers['ratelimit-reset'])).toBeGreaterThan(Date.now() / 1000);
    });
  });

  it('validates: graphemes and bytes per part, empty parts, alt text, at most 4 images', () => {
    const codes = (content: PostContent): string[] =>
      blueskyChannel.validate(content, {}).filter((w) => w.severity === 'error').map((w) => w.code);
    const image = { url: 'https://example.org/a.jpg', alt: 'Bild' };

    expect(codes({ text: 'ä'.repeat(300) })).toEqual([]);
    expect(codes({ text: '👨‍👩‍👧'.repeat(150) })).toEqual([]); // 150 graphemes, 2700 bytes
    expect(codes({ text: 'ä'.repeat(301) })).toEqual(['TOO_LONG']);
    expect(codes({ text: '👨‍👩‍👧'.repeat(200) })).toEqual(['TOO_LONG']); // 200 graphemes but 3600 bytes
    expect(codes({ thread: ['gut', ' ', 'x'.repeat(301)] })).toEqual(['PART_EMPTY', 'TOO_LONG']);
    expect(codes({})).toEqual(['TEXT_REQUIRED']);
    expect(codes({ text: 'Bilder', media: [image, image, image, image] })).toEqual([]);
    expect(codes({ text: 'Bilder', media: [image, image, image, image, image] })).toEqual(['TOO_MANY_MEDIA']);
    expect(codes({ text: 'Bild', media: [{ url: image.url, alt: '' }] })).toEqual(['MEDIA_ALT_MISSING']);
  });

  it('refuses content that validation blocks before any request', async () => {
    const before = fake.requests.length;
    const error: ChannelError = await channelError(
      blueskyChannel.publish({ text: 'Bild', media: [{ url: 'https://example.org/a.jpg', alt: '' }] }, settings(), credentials, context()),
    );
    expect(error).toMatchObject({ kind: 'permanent', code: 'MEDIA_ALT_MISSING' });
    expect(fake.requests.length).toBe(before);
  });
});
