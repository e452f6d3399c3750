// Mastodon adapter (plain fetch) against the Mastodon API fake.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PublishProgress, Settings } from '../../src/channels/channel';
import { mastodonChannel, mastodonInstanceLimits, mastodonStatusLength } from '../../src/channels/mastodon';
import { countableLength, startMastodonFake, type MastodonFake, type MastodonFakeAccount } from '../../src/simulated/mastodon-fake';
import { channelError, context, eventually, runChannelContract, type ContractHarness } from './suite';

const ACCOUNT: MastodonFakeAccount = {
  id: '109348572610',
  username: 'presse',
  displayName: 'Presse- und Informationsamt',
  accessToken: 'mstdn-Zx81kQ0pL3vN7aR2-token',
};
/** The public address; requests go to the fake through apiBaseUrl. */
const INSTANCE = 'https://social.bund.de';
const credentials = { accessToken: ACCOUNT.accessToken };

function mastodonHarness(): ContractHarness {
  let fake: MastodonFake;
  return {
    name: 'mastodon',
    adapter: mastodonChannel,
    start: async () => {
      fake = await startMastodonFake({ accounts: [ACCOUNT] });
    },
    stop: () => fake.close(),
    reset: () => fake.reset(),
    settings: (extra = {}) => ({ instanceUrl: INSTANCE, apiBaseUrl: fake.url, timeoutMs: 5000, ...extra }),
    credentials: () => ({ ...credentials }),
    revoke: () => fake.revoke(ACCOUNT.accessToken),
    content: (text) => ({ text }),
    tooLong: () => ({ text: 'x'.repeat(501) }),
    stored: () => fake.statuses.map((s) => ({ id: s.id, text: s.text })),
    failNext: (fault, times, match) => fake.failNext(fault, times, match),
    secrets: [ACCOUNT.accessToken],
    account: `@${ACCOUNT.username}@social.bund.de`,
    urlOf: (id) => `${fake.url}/@${ACCOUNT.username}/${id}`,
  };
}

runChannelContract({ ...mastodonHarness(), duplicates: 'idempotent' });

// --- helpers -------------------------------------------------------------------------------

const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010806000000' + '1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082',
  'hex',
);

async function startImageServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith('/bild')) {
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': PNG.length });
      res.end(PNG);
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

/** Each status replies to the one before; none is stored twice. */
function expectChain(fake: MastodonFake, texts: string[]): void {
  const statuses = fake.statuses;
  expect(statuses.map((s) => s.text)).toEqual(texts);
  expect(new Set(statuses.map((s) => s.id)).size).toBe(texts.length);
  statuses.forEach((s, i) => expect(s.inReplyToId).toBe(i === 0 ? undefined : statuses[i - 1]?.id));
}

function keysSent(fake: MastodonFake): (string | undefined)[] {
  return fake.requests.filter((r) => r.method === 'POST' && r.path === '/api/v1/statuses').map((r) => r.idempotencyKey);
}

const STATUSES = { method: 'POST', path: '/api/v1/statuses' };

// --- threads, retries and Idempotency-Key ---------------------------------------------------

describe('mastodon threads and retries', () => {
  let fake: MastodonFake;
  const settings = (extra: Settings = {}): Settings => ({ instanceUrl: INSTANCE, apiBaseUrl: fake.url, timeoutMs: 5000, ...extra });
  const five = { thread: ['Teil 1/5', 'Teil 2/5', 'Teil 3/5', 'Teil 4/5', 'Teil 5/5'] };

  beforeAll(async () => {
    fake = await startMastodonFake({ accounts: [ACCOUNT] });
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  it('posts a thread as a reply chain, one Idempotency-Key per part, saving progress after each', async () => {
    const ctx = context();
    const result = await mastodonChannel.publish({ thread: ['Eins', 'Zwei', 'Drei'] }, settings(), credentials, ctx);

    expectChain(fake, ['Eins', 'Zwei', 'Drei']);
    const [first, second, third] = fake.statuses;
    expect(result).toEqual({ externalId: first?.id, externalUrl: `${fake.url}/@presse/${first?.id}` });
    expect(keysSent(fake)).toEqual(['post-1:rev-1-part-0', 'post-1:rev-1-part-1', 'post-1:rev-1-part-2']);
    expect(ctx.saved.map((p) => p.parts?.map((part) => part.id))).toEqual([
      [first?.id],
      [first?.id, second?.id],
      [first?.id, second?.id, third?.id],
    ]);
    expect(fake.statuses.every((s) => s.visibility === 'public')).toBe(true);
  });

  it('a thread of 5 whose part 3 fails twice with 500 ends with exactly 5 chained statuses', async () => {
    fake.failNext({ status: 500 }, 2, { ...STATUSES, skip: 2 });

    // The worker's retries: each attempt starts from the progress the previous one saved.
    let progress: PublishProgress = {};
    const errors: unknown[] = [];
    let result;
    for (let attempt = 1; attempt <= 3 && !result; attempt++) {
      const ctx = context(progress);
      try {
        result = await mastodonChannel.publish(five, settings(), credentials, ctx);
      } catch (error) {
        errors.push(error);
      }
      progress = ctx.saved.at(-1) ?? progress;
    }

    expect(errors).toHaveLength(2);
    for (const error of errors) expect(error).toMatchObject({ kind: 'retryable', code: 'SERVER_ERROR', options: { status: 500 } });
    expectChain(fake, five.thread);
    expect(result?.externalId).toBe(fake.statuses[0]?.id);
    // Parts 1 and 2 were sent once; part 3 three times (two refusals, one success); 4 and 5 once.
    expect(keysSent(fake)).toEqual([
      'post-1:rev-1-part-0',
      'post-1:rev-1-part-1',
      'post-1:rev-1-part-2',
      'post-1:rev-1-part-2',
      'post-1:rev-1-part-2',
      'post-1:rev-1-part-3',
      'post-1:rev-1-part-4',
    ]);
  });

  it('after a timeout following the send, findExisting finds the one status without sending again', async () => {
    fake.failNext({ delayMs: 800 }, 1, STATUSES);
    const ctx = context();
    const error = await channelError(mastodonChannel.publish({ text: 'Langsame Antwort' }, settings({ timeoutMs: 250 }), credentials, ctx));
    expect(error).toMatchObject({ kind: 'unknown_outcome', code: 'TIMEOUT_AFTER_SEND' });
    await eventually(() => fake.statuses.length === 1);

    // What the worker does next, in the same attempt and with the same context.
    const found = await mastodonChannel.findExisting!({ text: 'Langsame Antwort' }, settings(), credentials, ctx);

    expect(fake.statuses).toHaveLength(1);
    const [status] = fake.statuses;
    expect(found).toEqual({ externalId: status?.id, externalUrl: `${fake.url}/@presse/${status?.id}` });
    expect(keysSent(fake)).toEqual(['post-1:rev-1-part-0']);
    expect(fake.requests.slice(1).map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /api/v1/accounts/verify_credentials',
      `GET /api/v1/accounts/${ACCOUNT.id}/statuses`,
    ]);
  });

  it('findExisting recognises a status from its HTML content (escapes, links, mentions, paragraphs)', async () => {
    const text =
      'Rat & Verwaltung <Sitzung> "heute"\nab 18 Uhr\n\nhttps://presse.musterstadt.de/2025/ratssitzung-haushalt-2026 mit @buergerbuero@social.musterstadt.de';
    fake.failNext({ drop: true }, 1, STATUSES);
    const ctx = context();
    await expect(mastodonChannel.publish({ text }, settings(), credentials, ctx)).rejects.toMatchObject({ code: 'TIMEOUT_AFTER_SEND' });
    expect(fake.statuses).toHaveLength(1);

    const found = await mastodonChannel.findExisting!({ text }, settings(), credentials, ctx);

    expect(found?.externalId).toBe(fake.statuses[0]?.id);
    expect(keysSent(fake)).toHaveLength(1);
  });

  it('findExisting while the first request is still in flight still ends with one status', async () => {
    fake.failNext({ delayMs: 700 }, 1, STATUSES);
    const ctx = context();
    const error = await channelError(mastodonChannel.publish({ text: 'Noch unterwegs' }, settings({ timeoutMs: 150 }), credentials, ctx));
    expect(error.code).toBe('TIMEOUT_AFTER_SEND');

    // The look-up finds nothing yet; the repeat with the same key overtakes the original and creates the status…
    const found = await mastodonChannel.findExisting!({ text: 'Noch unterwegs' }, settings(), credentials, ctx);
    expect(fake.statuses.map((s) => s.id)).toEqual([found?.externalId]);
    expect(keysSent(fake)).toEqual(['post-1:rev-1-part-0', 'post-1:rev-1-part-0']);
    // …and the original, once processed, is answered with it instead of creating another.
    await eventually(() => fake.requests.filter((r) => r.path === '/api/v1/statuses' && r.status === 200).length === 2);
    expect(fake.statuses).toHaveLength(1);
  });

  it('a dropped answer in part 4 of 5, then a retry from the saved progress: no part twice', async () => {
    fake.failNext({ drop: true }, 1, { ...STATUSES, skip: 3 });
    const first = context();
    const error = await channelError(mastodonChannel.publish(five, settings(), credentials, first));
    expect(error).toMatchObject({ kind: 'unknown_outcome', code: 'TIMEOUT_AFTER_SEND' });
    expect(fake.statuses).toHaveLength(4); // part 4 exists, but the adapter never heard of it

    const retry = context(first.saved.at(-1));
    const result = await mastodonChannel.publish(five, settings(), credentials, retry);

    expectChain(fake, five.thread);
    expect(result.externalId).toBe(fake.statuses[0]?.id);
    expect(retry.saved.at(-1)?.parts?.map((p) => p.id)).toEqual(fake.statuses.map((s) => s.id));
  });

  it('findExisting completes a thread whose outcome was lost midway, with the progress the attempt started from', async () => {
    fake.failNext({ drop: true }, 1, { ...STATUSES, skip: 1 });
    const ctx = context();
    await expect(mastodonChannel.publish({ thread: ['A', 'B', 'C'] }, settings(), credentials, ctx)).rejects.toMatchObject({
      kind: 'unknown_outcome',
    });

    // ctx.progress still says "nothing yet": parts 1 and 2 are found, only part 3 is sent.
    const found = await mastodonChannel.findExisting!({ thread: ['A', 'B', 'C'] }, settings(), credentials, ctx);

    expectChain(fake, ['A', 'B', 'C']);
    expect(found?.externalId).toBe(fake.statuses[0]?.id);
    expect(keysSent(fake)).toEqual(['post-1:rev-1-part-0', 'post-1:rev-1-part-1', 'post-1:rev-1-part-2']);
  });

  it('reports PROGRESS_NOT_SAVED as unknown_outcome; findExisting then settles it without a new status', async () => {
    const failing = { ...context(), saveProgress: () => Promise.reject(new Error('database down')) };
    const error = await channelError(mastodonChannel.publish({ text: 'Ohne Fortschritt' }, settings(), credentials, failing));
    expect(error).toMatchObject({ kind: 'unknown_outcome', code: 'PROGRESS_NOT_SAVED' });
    expect(fake.statuses).toHaveLength(1);

    const found = await mastodonChannel.findExisting!({ text: 'Ohne Fortschritt' }, settings(), credentials, context());
    expect(found?.externalId).toBe(fake.statuses[0]?.id);
    expect(fake.statuses).toHaveLength(1);
  });

  it('publishing the same post twice (same Idempotency-Key) returns the original; another post with the same text is a new status', async () => {
    const once = await mastodonChannel.publish({ text: 'Zweimal derselbe Text' }, settings(), credentials, context());
    const again = await mastodonChannel.publish({ text: 'Zweimal derselbe Text' }, settings(), credentials, context());
    expect(again).toEqual(once);
    expect(fake.statuses).toHaveLength(1);

    // Mastodon itself accepts duplicate text; only the key makes a repeat harmless.
    const other = { ...context(), idempotencyKey: 'post-2:rev-1' };
    const second = await mastodonChannel.publish({ text: 'Zweimal derselbe Text' }, settings(), credentials, other);
    expect(second.externalId).not.toBe(once.externalId);
    expect(fake.statuses).toHaveLength(2);
  });

  it('sends nothing when every part was already accepted', async () => {
    const done = await mastodonChannel.publish({ thread: ['X', 'Y'] }, settings(), credentials, context());
    const before = fake.requests.length;
    const again = context({ parts: fake.statuses.map((s) => ({ id: s.id, url: s.url })) });

    await expect(mastodonChannel.publish({ thread: ['X', 'Y'] }, settings(), credentials, again)).resolves.toEqual(done);
    expect(fake.requests.length).toBe(before);
  });

  it('refuses a reply to a status that no longer exists as permanent', async () => {
    const ctx = context({ parts: [{ id: '999', url: `${fake.url}/@presse/999` }] });
    const error = await channelError(mastodonChannel.publish({ thread: ['weg', 'Antwort'] }, settings(), credentials, ctx));
    expect(error).toMatchObject({ kind: 'permanent', code: 'CONTENT_REJECTED', options: { status: 404 } });
    expect(fake.statuses).toEqual([]);
  });
});

describe('mastodon idempotency window', () => {
  let fake: MastodonFake;
  beforeAll(async () => {
    fake = await startMastodonFake({ accounts: [ACCOUNT], idempotencyTtlMs: 200 });
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  it('a repeat after the key has expired creates a second status (why findExisting must run at once)', async () => {
    const settings = { instanceUrl: INSTANCE, apiBaseUrl: fake.url };
    await mastodonChannel.publish({ text: 'Spät' }, settings, credentials, context());
    await mastodonChannel.publish({ text: 'Spät' }, settings, credentials, context());
    expect(fake.statuses).toHaveLength(1);

    await new Promise((resolve) => setTimeout(resolve, 300));
    await mastodonChannel.publish({ text: 'Spät' }, settings, credentials, context());
    expect(fake.statuses).toHaveLength(2);
  });

  it('findExisting after the key has expired (a worker that died long ago) still finds the status by looking', async () => {
    const settings = { instanceUrl: INSTANCE, apiBaseUrl: fake.url };
    fake.failNext({ drop: true }, 1, STATUSES);
    await expect(mastodonChannel.publish({ thread: ['Lange her', 'Teil 2'] }, settings, credentials, context())).rejects.toMatchObject({
      kind: 'unknown_outcome',
    });
    await new Promise((resolve) => setTimeout(resolve, 300));

    const found = await mastodonChannel.findExisting!({ thread: ['Lange her', 'Teil 2'] }, settings, credentials, context());

    expectChain(fake, ['Lange her', 'Teil 2']);
    expect(found?.externalId).toBe(fake.statuses[0]?.id);
  });
});

// --- limits -----------------------------------------------------------------------------------

describe('mastodon character limits', () => {
  let big: MastodonFake;
  let standard: MastodonFake;
  const post = { text: 'ä'.repeat(700) };

  beforeAll(async () => {
    big = await startMastodonFake({ accounts: [ACCOUNT], maxChars: 1000 });
    standard = await startMastodonFake({ accounts: [ACCOUNT] });
  });
  afterAll(async () => {
    await big.close();
    await standard.close();
  });
  beforeEach(() => {
    big.reset();
    standard.reset();
  });

  it('publishes 700 characters on an instance configured for 1000 when settings.maxChars says so', async () => {
    const settings = { instanceUrl: INSTANCE, apiBaseUrl: big.url, maxChars: 1000 };
    expect(mastodonChannel.validate(post, settings)).toEqual([]);

    await mastodonChannel.publish(post, settings, credentials, context());
    expect(big.statuses.map((s) => s.text)).toEqual([post.text]);
  });

  it('refuses the same 700 characters in validate, and sends nothing, with the default of 500', async () => {
    const settings = { instanceUrl: INSTANCE, apiBaseUrl: big.url };
    expect(mastodonChannel.validate(post, settings).map((w) => [w.code, w.severity])).toEqual([['TOO_LONG', 'error']]);

    const error = await channelError(mastodonChannel.publish(post, settings, credentials, context()));
    expect(error).toMatchObject({ kind: 'permanent', code: 'TOO_LONG' });
    expect(big.requests).toEqual([]);
  });

  it('sorts the 422 of an instance whose limit is lower than settings.maxChars as permanent TOO_LONG', async () => {
    const settings = { instanceUrl: INSTANCE, apiBaseUrl: standard.url, maxChars: 1000 };
    const error = await channelError(mastodonChannel.publish(post, settings, credentials, context()));

    expect(error).toMatchObject({ kind: 'permanent', code: 'TOO_LONG', options: { status: 422 } });
    expect(error.message).toContain('Text character limit of 500 exceeded');
    expect(standard.statuses).toEqual([]);
  });

  it('reads the instance limits from /api/v2/instance', async () => {
    await expect(mastodonInstanceLimits({ instanceUrl: INSTANCE, apiBaseUrl: big.url }, credentials)).resolves.toEqual({
      maxChars: 1000,
      maxMedia: 4,
      charactersReservedPerUrl: 23,
    });
  });

  it('counts URLs as 23 and mentions without their domain, as the instance does', async () => {
    const url = `https://presse.musterstadt.de/${'pfad/'.repeat(30)}stadtfest`;
    const mention = '@pressestelle@verwaltung.musterstadt.de';
    const text = `${'a'.repeat(500 - 23 - 13 - 2)} ${url} ${mention}`; // 462 + 1 + 23 + 1 + 13 = 500
    expect(text.length).toBeGreaterThan(600);
    expect(mastodonStatusLength(text)).toBe(500);
    expect(countableLength(text)).toBe(500);
    expect(mastodonStatusLength(`${text}!`)).toBe(501);
    expect(countableLength(`${text}!`)).toBe(501);
    expect(mastodonStatusLength('Grüße 👩‍👩‍👧 aus Bonn')).toBe(countableLength('Grüße 👩‍👩‍👧 aus Bonn'));

    const settings = { instanceUrl: INSTANCE, apiBaseUrl: standard.url };
    expect(mastodonChannel.validate({ text }, settings)).toEqual([]);
    expect(mastodonChannel.validate({ text: `${text}!` }, settings).map((w) => w.code)).toEqual(['TOO_LONG']);
    await mastodonChannel.publish({ text }, settings, credentials, context());
    expect(standard.statuses).toHaveLength(1);
  });

  it('validates every part of a thread, empty parts and the media rules', () => {
    const codes = mastodonChannel
      .validate(
        {
          thread: ['gut', 'x'.repeat(501), ' '],
          media: [1, 2, 3, 4, 5].map((i) => ({ url: `https://example.org/${i}.png`, alt: i === 2 ? '' : `Bild ${i}` })),
        },
        {},
      )
      .filter((w) => w.severity === 'error')
      .map((w) => w.code);
    expect(codes).toEqual(['TOO_LONG', 'PART_EMPTY', 'MEDIA_ALT_MISSING', 'MEDIA_TOO_MANY']);
    expect(mastodonChannel.validate({}, {}).map((w) => w.code)).toEqual(['TEXT_REQUIRED']);
  });
});

// --- media ----------------------------------------------------------------------------------

describe('mastodon media', () => {
  let fake: MastodonFake;
  let slowFake: MastodonFake;
  let images: { url: string; close(): Promise<void> };

  beforeAll(async () => {
    fake = await startMastodonFake({ accounts: [ACCOUNT] });
    slowFake = await startMastodonFake({ accounts: [ACCOUNT], mediaProcessing: 'async', processingPolls: 2 });
    images = await startImageServer();
  });
  afterAll(async () => {
    await fake.close();
    await slowFake.close();
    await images.close();
  });
  beforeEach(() => {
    fake.reset();
    slowFake.reset();
  });

  it('uploads each image with its alt text as description, then attaches them to the status', async () => {
    const content = {
      text: 'Stadtfest mit Bildern',
      media: [
        { url: `${images.url}/bild-1.png`, alt: 'Die Bühne auf dem Marktplatz' },
        { url: `${images.url}/bild-2.png`, alt: 'Der Festumzug' },
      ],
    };
    await mastodonChannel.publish(content, { instanceUrl: INSTANCE, apiBaseUrl: fake.url }, credentials, context());

    expect(fake.media).toMatchObject([
      { description: 'Die Bühne auf dem Marktplatz', contentType: 'image/png', filename: 'bild-1.png', size: PNG.length },
      { description: 'Der Festumzug', contentType: 'image/png', filename: 'bild-2.png', size: PNG.length },
    ]);
    const [status] = fake.statuses;
    expect(status?.mediaIds).toEqual(fake.media.map((m) => m.id));
    expect(fake.media.every((m) => m.statusId === status?.id)).toBe(true);
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /api/v2/media',
      'POST /api/v2/media',
      'POST /api/v1/statuses',
    ]);
  });

  it('waits for an image still being processed (202, then 206) before posting', async () => {
    const content = { text: 'Mit Verarbeitung', media: [{ url: `${images.url}/bild.png`, alt: 'Rathaus' }] };
    await mastodonChannel.publish(content, { instanceUrl: INSTANCE, apiBaseUrl: slowFake.url }, credentials, context());

    const id = slowFake.media[0]?.id;
    expect(slowFake.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'POST /api/v2/media 202',
      `GET /api/v1/media/${id} 206`,
      `GET /api/v1/media/${id} 206`,
      `GET /api/v1/media/${id} 200`,
      'POST /api/v1/statuses 200',
    ]);
    expect(slowFake.statuses[0]?.mediaIds).toEqual([id]);
  });

  it('attaches the images to the first part of a thread only, and does not upload again for a later part', async () => {
    fake.failNext({ status: 503 }, 1, { ...STATUSES, skip: 1 });
    const content = { thread: ['Erster Teil', 'Zweiter Teil'], media: [{ url: `${images.url}/bild.png`, alt: 'Wappen' }] };
    const first = context();
    await expect(mastodonChannel.publish(content, { instanceUrl: INSTANCE, apiBaseUrl: fake.url }, credentials, first)).rejects.toMatchObject({
      code: 'SERVER_ERROR',
    });
    await mastodonChannel.publish(content, { instanceUrl: INSTANCE, apiBaseUrl: fake.url }, credentials, context(first.saved.at(-1)));

    expectChain(fake, ['Erster Teil', 'Zweiter Teil']);
    expect(fake.statuses.map((s) => s.mediaIds.length)).toEqual([1, 0]);
    expect(fake.media).toHaveLength(1);
  });

  it('refuses an unreachable image as permanent and posts nothing', async () => {
    const content = { text: 'Bild fehlt', media: [{ url: `${images.url}/fehlt.png`, alt: 'Fehlt' }] };
    const error = await channelError(mastodonChannel.publish(content, { instanceUrl: INSTANCE, apiBaseUrl: fake.url }, credentials, context()));
    expect(error).toMatchObject({ kind: 'permanent', code: 'MEDIA_UNREACHABLE' });
    expect(fake.requests).toEqual([]);
  });

  it('retries a failed upload as retryable: nothing public happened', async () => {
    fake.failNext({ drop: true }, 1, { method: 'POST', path: '/api/v2/media' });
    const content = { text: 'Upload abgerissen', media: [{ url: `${images.url}/bild.png`, alt: 'Wappen' }] };
    const error = await channelError(mastodonChannel.publish(content, { instanceUrl: INSTANCE, apiBaseUrl: fake.url }, credentials, context()));
    expect(error).toMatchObject({ kind: 'retryable', code: 'NETWORK_ERROR' });
    expect(fake.statuses).toEqual([]);
  });
});

// --- error sorting ----------------------------------------------------------------------------

describe('mastodon error sorting', () => {
  let fake: MastodonFake;
  let limited: MastodonFake;
  const readOnly: MastodonFakeAccount = { id: '109348572611', username: 'nurlesen', accessToken: 'mstdn-readonly-token-42', scopes: ['read'] };
  const settings = (extra: Settings = {}): Settings => ({ instanceUrl: INSTANCE, apiBaseUrl: fake.url, timeoutMs: 5000, ...extra });

  beforeAll(async () => {
    fake = await startMastodonFake({ accounts: [ACCOUNT, readOnly] });
    limited = await startMastodonFake({ accounts: [ACCOUNT], rateLimits: { api: 2 } });
  });
  afterAll(async () => {
    await fake.close();
    await limited.close();
  });
  beforeEach(() => {
    fake.reset();
    limited.reset();
  });

  it('takes retryAfterMs of a 429 from X-RateLimit-Reset', async () => {
    fake.failNext({ status: 429, resetInSeconds: 42 });
    const error = await channelError(mastodonChannel.publish({ text: 'Gedrosselt' }, settings(), credentials, context()));

    expect(error).toMatchObject({ kind: 'retryable', code: 'RATE_LIMITED', options: { status: 429 } });
    expect(error.options.retryAfterMs).toBeGreaterThanOrEqual(40_000);
    expect(error.options.retryAfterMs).toBeLessThanOrEqual(42_000);
  });

  it('sorts an exhausted window (300 per 5 minutes on a real instance) as RATE_LIMITED until its reset', async () => {
    const s = { instanceUrl: INSTANCE, apiBaseUrl: limited.url };
    await mastodonChannel.publish({ text: 'eins' }, s, credentials, context());
    await mastodonChannel.check(s, credentials);
    const error = await channelError(mastodonChannel.publish({ text: 'drei' }, s, credentials, { ...context(), idempotencyKey: 'p3' }));

    expect(error).toMatchObject({ kind: 'retryable', code: 'RATE_LIMITED' });
    expect(error.options.retryAfterMs).toBeGreaterThan(0);
    expect(error.options.retryAfterMs).toBeLessThanOrEqual(5 * 60_000);
    expect(limited.statuses.map((st) => st.text)).toEqual(['eins']);
  });

  it('puts the rate-limit headers (reset as ISO 8601) on every answer', async () => {
    const response = await fetch(`${fake.url}/api/v1/accounts/verify_credentials`, { headers: { Authorization: `Bearer ${ACCOUNT.accessToken}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-ratelimit-limit')).toBe('300');
    expect(response.headers.get('x-ratelimit-remaining')).toBe('299');
    expect(response.headers.get('x-ratelimit-reset')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('sorts a token without write:statuses (403) as permanent PERMISSION_DENIED', async () => {
    const error = await channelError(mastodonChannel.publish({ text: 'Ohne Recht' }, settings(), { accessToken: readOnly.accessToken }, context()));
    expect(error).toMatchObject({ kind: 'permanent', code: 'PERMISSION_DENIED', options: { status: 403 } });
    expect(error.message).toContain('outside the authorized scopes');
    expect(fake.statuses).toEqual([]);
  });

  it('sorts another 422 as permanent CONTENT_REJECTED', async () => {
    fake.failNext({ status: 422, body: { error: 'Validation failed: Language is not included in the list' } });
    const error = await channelError(mastodonChannel.publish({ text: 'Abgelehnt' }, settings(), credentials, context()));
    expect(error).toMatchObject({ kind: 'permanent', code: 'CONTENT_REJECTED', options: { status: 422 } });
  });

  it('sorts a proxy’s 503 page as retryable SERVER_ERROR', async () => {
    fake.failNext({ status: 503 });
    const error = await channelError(mastodonChannel.publish({ text: 'Wartung' }, settings(), credentials, context()));
    expect(error).toMatchObject({ kind: 'retryable', code: 'SERVER_ERROR', options: { status: 503 } });
    expect(error.message).toContain('503 Service Unavailable');
  });

  it('sorts a timeout of a read (check) as retryable, not as unknown outcome', async () => {
    fake.failNext({ delayMs: 600 });
    const error = await channelError(mastodonChannel.check(settings({ timeoutMs: 150 }), credentials));
    expect(error).toMatchObject({ kind: 'retryable', code: 'TIMEOUT' });
  });

  it('does not follow a redirect (a POST would turn into a GET): permanent SETTINGS_INVALID', async () => {
    fake.failNext({ status: 301, body: '' });
    const error = await channelError(mastodonChannel.publish({ text: 'Umgezogen' }, settings(), credentials, context()));
    expect(error).toMatchObject({ kind: 'permanent', code: 'SETTINGS_INVALID', options: { status: 301 } });
    expect(fake.requests).toHaveLength(1);
  });

  it('refuses missing or malformed settings as permanent SETTINGS_INVALID', async () => {
    const missing = await channelError(mastodonChannel.publish({ text: 'x' }, { apiBaseUrl: fake.url }, credentials, context()));
    expect(missing).toMatchObject({ kind: 'permanent', code: 'SETTINGS_INVALID' });
    const badLimit = await channelError(mastodonChannel.publish({ text: 'x' }, settings({ maxChars: 0 }), credentials, context()));
    expect(badLimit).toMatchObject({ kind: 'permanent', code: 'SETTINGS_INVALID' });
    expect(fake.requests).toEqual([]);
  });
});

// --- the fake itself --------------------------------------------------------------------------

describe('mastodon fake', () => {
  let fake: MastodonFake;
  const other: MastodonFakeAccount = { id: '109348572612', username: 'landkreis', accessToken: 'mstdn-other-token-77' };
  const post = (token: string, body: string, type: string, key?: string): Promise<Response> =>
    fetch(`${fake.url}/api/v1/statuses`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': type, ...(key ? { 'Idempotency-Key': key } : {}) },
      body,
    });

  beforeAll(async () => {
    fake = await startMastodonFake({ accounts: [ACCOUNT, other] });
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  it('keeps Idempotency-Keys per account and answers a repeat with the original, whatever it carries', async () => {
    const form = 'application/x-www-form-urlencoded';
    const a = (await (await post(ACCOUNT.accessToken, 'status=Hallo', form, 'k1')).json()) as { id: string };
    const repeat = await post(ACCOUNT.accessToken, 'status=Anders', form, 'k1');
    expect(repeat.status).toBe(200);
    expect(((await repeat.json()) as { id: string }).id).toBe(a.id);
    const b = (await (await post(other.accessToken, 'status=Hallo', form, 'k1')).json()) as { id: string };

    expect(b.id).not.toBe(a.id);
    expect(fake.statuses.map((s) => [s.accountId, s.text])).toEqual([
      [ACCOUNT.id, 'Hallo'],
      [other.id, 'Hallo'],
    ]);
  });

  it('answers 401 for unknown and revoked tokens, and lists an account’s statuses newest first', async () => {
    expect((await post('falsch', '{"status":"x"}', 'application/json')).status).toBe(401);
    await post(ACCOUNT.accessToken, '{"status":"erst"}', 'application/json');
    await post(ACCOUNT.accessToken, '{"status":"dann"}', 'application/json');
    const list = (await (await fetch(`${fake.url}/api/v1/accounts/${ACCOUNT.id}/statuses?limit=5`)).json()) as { content: string }[];
    expect(list.map((s) => s.content)).toEqual(['<p>dann</p>', '<p>erst</p>']);

    fake.revoke(other.accessToken);
    const revoked = await post(other.accessToken, '{"status":"x"}', 'application/json');
    expect(revoked.status).toBe(401);
    await expect(revoked.json()).resolves.toEqual({ error: 'The access token is invalid' });
  });
});
