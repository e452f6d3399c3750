// Issue 7 "Outbound requests", DNS rebinding: a hostile DNS server answers a public address when
// Herold checks a channel's host, and 127.0.0.1 (or 169.254.169.254) a moment later when the
// adapter's HTTP client connects. The check must therefore happen at connect time, on the
// address actually connected to (src/security/outbound.ts, guardedAgent / guardedDispatcher).
//
// The resolver is injected through the outbound policy: the first look-up of each name answers a
// public address, every later one 127.0.0.1, where a counting server listens. Without an allowance
// for loopback every adapter and image fetching must refuse with the stable policy code, and the
// server must see no request at all; with loopback allowed, the same clients do connect.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { blueskyChannel } from '../../src/channels/bluesky';
import type { ChannelAdapter, Credentials, Settings } from '../../src/channels/channel';
import { recordingContext } from '../helpers/publish-context';
import { facebookChannel } from '../../src/channels/facebook';
import { fetchMedia } from '../../src/channels/fetch-media';
import { classifyTransportError } from '../../src/channels/http-errors';
import { mastodonChannel } from '../../src/channels/mastodon';
import { twitterChannel } from '../../src/channels/twitter';
import { wordpressChannel } from '../../src/channels/wordpress';
import type { PostContent } from '../../src/domain/types';
import {
  HOST_REFUSED_CODE,
  NO_PRIVATE_HOSTS,
  assertChannelHostAllowed,
  withOutboundPolicy,
  type OutboundPolicy,
  type PrivateHostAllowance,
  type Resolve,
} from '../../src/security/outbound';

const PUBLIC_ADDRESS = '93.184.216.34';
const LOOPBACK_ONLY: PrivateHostAllowance = { all: false, ranges: ['127.0.0.0/8', '::1'] };

/** Answers a public address the first time a name is asked for, 127.0.0.1 from then on. */
function rebindingDns(): Resolve & { asked: string[] } {
  const asked: string[] = [];
  const resolve = async (hostname: string) => {
    const first = !asked.includes(hostname);
    asked.push(hostname);
    return first ? [PUBLIC_ADDRESS] : ['127.0.0.1'];
  };
  return Object.assign(resolve, { asked });
}

/** The internal service the token must never reach: counts every request, answers 401. */
let server: http.Server;
let requests: string[] = [];
let port: number;
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

beforeAll(async () => {
  server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.headers.host} ${req.url}`);
    req.resume();
    if (req.url?.endsWith('.png')) {
      res.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
      return;
    }
    res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'AuthenticationRequired', message: 'nope' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
beforeEach(() => {
  requests = [];
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

interface Case {
  type: string;
  adapter: ChannelAdapter;
  settings(base: string): Settings;
  credentials: Credentials;
  content: PostContent;
}

const CASES: Case[] = [
  {
    type: 'facebook',
    adapter: facebookChannel,
    settings: (base) => ({ pageId: '4711', apiBaseUrl: base, timeoutMs: 5000 }),
    credentials: { pageAccessToken: 'EAAgeheimerSeitenToken' },
    content: { text: 'Stadtfest am Samstag' },
  },
  {
    type: 'twitter',
    adapter: twitterChannel,
    settings: (base) => ({ apiBaseUrl: base, timeoutMs: 5000 }),
    credentials: { appKey: 'geheimAppKey', appSecret: 'geheimAppSecret', accessToken: 'geheimAccessToken', accessSecret: 'geheimAccessSecret' },
    content: { thread: ['Stadtfest am Samstag'] },
  },
  {
    type: 'mastodon',
    adapter: mastodonChannel,
    settings: (base) => ({ instanceUrl: base, timeoutMs: 5000 }),
    credentials: { accessToken: 'geheimMastodonToken' },
    content: { text: 'Stadtfest am Samstag' },
  },
  {
    type: 'wordpress',
    adapter: wordpressChannel,
    settings: (base) => ({ siteUrl: base, timeoutMs: 5000 }),
    credentials: { username: 'pressestelle', applicationPassword: 'geheim WPpw 1234 abcd' },
    content: { title: 'Stadtfest', html: '<p>Stadtfest am Samstag</p>' },
  },
  {
    type: 'bluesky',
    adapter: blueskyChannel,
    settings: (base) => ({ service: base, timeoutMs: 5000 }),
    credentials: { identifier: 'presse.musterstadt.example', appPassword: 'geheim-bsky-app-pw' },
    content: { text: 'Stadtfest am Samstag' },
  },
];

/** What a promise rejects with; fails the test if it resolves. */
async function rejection(promise: Promise<unknown>): Promise<{ kind?: string; code?: string; message?: string }> {
  const outcome: unknown = await promise.then(
    () => new Error('expected the call to fail'),
    (e: unknown) => e,
  );
  expect(outcome).toMatchObject({ name: 'ChannelError' });
  return outcome as { kind?: string; code?: string; message?: string };
}

const secretsOf = (c: Case) => Object.values(c.credentials).map(String);

describe.each(CASES)('DNS rebinding against the $type adapter', (c) => {
  const operations: [string, (s: Settings) => Promise<unknown>][] = [
    ['check', (s) => c.adapter.check(s, c.credentials)],
    ['publish', (s) => c.adapter.publish(c.content, s, c.credentials, recordingContext())],
  ];

  it.each(operations)('%s: the host passes the check by name, then the connection to 127.0.0.1 is refused, nothing reaches the server', async (op, call) => {
    const dns = rebindingDns();
    const host = `${c.type}-${op}.rebind.example`;
    const settings = c.settings(`http://${host}:${port}`);
    const policy: OutboundPolicy = { allow: NO_PRIVATE_HOSTS, resolve: dns };

    // What Herold checks before the call: the name answers a public address.
    await expect(assertChannelHostAllowed(settings, NO_PRIVATE_HOSTS, dns)).resolves.toBeUndefined();
    const error = await rejection(withOutboundPolicy(policy, () => call(settings)));

    expect({ kind: error.kind, code: error.code }).toEqual({ kind: 'permanent', code: 'CHANNEL_HOST_PRIVATE' });
    expect(error.message).toContain('127.0.0.1');
    expect(requests).toEqual([]);
    expect(dns.asked.length).toBeGreaterThanOrEqual(2); // the client did look the name up again
    const shown = JSON.stringify({ message: error.message, error });
    for (const secret of secretsOf(c)) expect(shown).not.toContain(secret);
  });

  it('refuses an IP literal at connect time too, without any check before (a redirect, a forgotten pre-check)', async () => {
    const error = await rejection(withOutboundPolicy({ allow: NO_PRIVATE_HOSTS }, () => c.adapter.check(c.settings(`http://127.0.0.1:${port}`), c.credentials)));
    expect({ kind: error.kind, code: error.code }).toEqual({ kind: 'permanent', code: 'CHANNEL_HOST_PRIVATE' });
    expect(requests).toEqual([]);
  });

  it('refuses outside withOutboundPolicy: no private address passes by default', async () => {
    const error = await rejection(c.adapter.check(c.settings(`http://127.0.0.1:${port}`), c.credentials));
    expect(error.code).toBe('CHANNEL_HOST_PRIVATE');
    expect(requests).toEqual([]);
  });

  it('still connects when IT allows loopback (as the test harness does for its fakes)', async () => {
    const dns = rebindingDns();
    const settings = c.settings(`http://${c.type}-allowed.rebind.example:${port}`);
    await assertChannelHostAllowed(settings, LOOPBACK_ONLY, dns); // takes the first, public answer
    const error = await rejection(withOutboundPolicy({ allow: LOOPBACK_ONLY, resolve: dns }, () => c.adapter.check(settings, c.credentials)));
    // The counting server refuses the credentials: an answer, so the request did arrive.
    expect(error.code).not.toBe('CHANNEL_HOST_PRIVATE');
    expect(requests.length).toBeGreaterThan(0);
    expect(requests[0]).toContain(`${c.type}-allowed.rebind.example:${port}`);
  });
});

describe('DNS rebinding against image fetching', () => {
  it('refuses when the image host answers 127.0.0.1 at connect time, and nothing reaches the server', async () => {
    const dns = rebindingDns();
    dns.asked.push('bilder.rebind.example'); // as if the first, public answer was already given
    const error = await rejection(fetchMedia(`http://bilder.rebind.example:${port}/a.png`, { allowPrivate: false, resolve: dns, timeoutMs: 5000 }));
    expect({ kind: error.kind, code: error.code }).toEqual({ kind: 'permanent', code: 'MEDIA_URL_PRIVATE' });
    expect(requests).toEqual([]);
  });

  it('fetches the image when private media are allowed', async () => {
    const dns = rebindingDns();
    dns.asked.push('bilder.rebind.example');
    const media = await fetchMedia(`http://bilder.rebind.example:${port}/a.png`, { allowPrivate: true, resolve: dns, timeoutMs: 5000 });
    expect(media).toMatchObject({ contentType: 'image/png', filename: 'a.png' });
    expect(requests).toHaveLength(1);
  });
});

describe('sorting a refused connection', () => {
  it('is permanent CHANNEL_HOST_PRIVATE even for a send whose error kept only the socket code: nothing left the machine', () => {
    const error = classifyTransportError({ network: 'X', op: 'send', what: 'the post', timeoutMs: 1000, timedOut: false, notSent: false, code: HOST_REFUSED_CODE });
    expect({ kind: error.kind, code: error.code }).toEqual({ kind: 'permanent', code: 'CHANNEL_HOST_PRIVATE' });
  });
});
