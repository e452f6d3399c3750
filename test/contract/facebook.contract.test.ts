// Facebook Page adapter (facebook-nodejs-business-sdk) against the Graph API fake.
import type { Settings } from '../../src/channels/channel';
import { facebookChannel } from '../../src/channels/facebook';
import { startGraphFake, type GraphFake } from '../../src/simulated/graph-fake';
import { channelError, context, runChannelContract, type ContractHarness } from './suite';

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
