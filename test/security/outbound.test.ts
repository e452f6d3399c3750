// Issue 7 "Outbound requests": a channel's hosts (apiBaseUrl, WordPress siteUrl, Mastodon
// instanceUrl, Bluesky service) carry the channel's token. Without an allowance from IT, Herold
// must refuse to aim them at private, loopback or link-local addresses, when the channel is saved
// and again right before a check or a publication (a name may resolve elsewhere by then). The
// test harness allows loopback for its fakes (HEROLD_ALLOW_PRIVATE_HOSTS=127.0.0.0/8,::1); these
// tests take that allowance away.
import { fetchMedia } from '../../src/channels/fetch-media';
import { NO_PRIVATE_HOSTS, refusedUrl, type PrivateHostAllowance, type Resolve } from '../../src/security/outbound';
import { call, createRelease, createTestOrg, startHarness, waitFor, type Harness, type TestOrg } from './helpers';

/** A resolver under the test's control: names → addresses; anything else does not exist. */
const fakeDns = (table: Record<string, string[]>): Resolve => async (name) => {
  const found = table[name];
  if (!found) throw Object.assign(new Error(`ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
  return found;
};

const REFUSED_URLS = [
  'http://127.0.0.1:8080',
  'http://127.1.2.3/',
  'http://2130706433/', // 127.0.0.1 as one decimal number
  'http://0x7f.1/', // 127.0.0.1 in hex shorthand
  'http://0.0.0.0/',
  'https://10.1.2.3/api',
  'https://172.16.5.4',
  'https://192.168.0.10',
  'http://169.254.169.254/latest/meta-data/',
  'http://100.64.0.1',
  'http://[::1]:3000',
  'http://[::]/',
  'http://[fc00::1]/',
  'http://[fd12:3456::7]/',
  'http://[fe80::1]/',
  'http://[::ffff:127.0.0.1]/',
  'http://[::ffff:a9fe:a9fe]/', // 169.254.169.254, IPv4-mapped
  'http://[64:ff9b::7f00:1]/', // NAT64 wrapping 127.0.0.1
  'http://[2002:7f00:1::]/', // 6to4 wrapping 127.0.0.1
];

describe('outbound requests to channel hosts', () => {
  describe('the address policy (src/security/outbound.ts)', () => {
    it.each(REFUSED_URLS)('refuses %s without an allowance', async (url) => {
      await expect(refusedUrl('apiBaseUrl', url, NO_PRIVATE_HOSTS, fakeDns({}))).resolves.toMatchObject({ setting: 'apiBaseUrl' });
    });

    it('refuses a host name when any address it resolves to is not public', async () => {
      const dns = fakeDns({
        'intern.stadt.example': ['10.20.0.5'],
        'metadata.example': ['169.254.169.254'],
        'gemischt.example': ['93.184.215.14', '127.0.0.1'],
        'v6intern.example': ['fd00::5'],
      });
      for (const host of ['intern.stadt.example', 'metadata.example', 'gemischt.example', 'v6intern.example']) {
        expect(await refusedUrl('siteUrl', `https://${host}/`, NO_PRIVATE_HOSTS, dns)).toMatchObject({ setting: 'siteUrl', host });
      }
    });

    it('refuses a real name that resolves to loopback (localhost, through the system resolver)', async () => {
      await expect(refusedUrl('instanceUrl', 'http://localhost:9/', NO_PRIVATE_HOSTS)).resolves.toMatchObject({ host: 'localhost' });
    });

    it('accepts public addresses and names that resolve only to public addresses', async () => {
      const dns = fakeDns({ 'graph.facebook.com': ['157.240.0.17', '2a03:2880:f10c:83:face:b00c:0:25de'], 'social.bund.de': ['80.245.147.11'] });
      for (const url of ['https://graph.facebook.com', 'https://social.bund.de', 'https://93.184.215.14/wp', 'https://[2a00:1450:4001:82a::200e]/']) {
        expect(await refusedUrl('apiBaseUrl', url, NO_PRIVATE_HOSTS, dns)).toBeNull();
      }
    });

    it('lets IT allow all private addresses, or exactly the listed ranges', async () => {
      const ranges: PrivateHostAllowance = { all: false, ranges: ['10.20.0.0/16', '127.0.0.1', 'fd00::/8'] };
      const dns = fakeDns({ 'wp.intern': ['10.20.3.4'], 'anderes.intern': ['10.99.0.1'] });
      expect(await refusedUrl('siteUrl', 'https://wp.intern', ranges, dns)).toBeNull();
      expect(await refusedUrl('siteUrl', 'http://127.0.0.1:8080', ranges, dns)).toBeNull();
      expect(await refusedUrl('siteUrl', 'http://[fd00::9]/', ranges, dns)).toBeNull();
      expect(await refusedUrl('siteUrl', 'https://anderes.intern', ranges, dns)).toMatchObject({ address: '10.99.0.1' });
      expect(await refusedUrl('siteUrl', 'http://127.0.0.2', ranges, dns)).toMatchObject({ address: '127.0.0.2' });
      expect(await refusedUrl('siteUrl', 'http://169.254.169.254', ranges, dns)).not.toBeNull();
      expect(await refusedUrl('siteUrl', 'http://169.254.169.254', { all: true, ranges: [] }, dns)).toBeNull();
    });
  });

  describe('image URLs (src/channels/fetch-media.ts, the same range policy)', () => {
    it.each(['http://127.0.0.1:9/a.jpg', 'http://localhost:9/a.jpg', 'http://169.254.169.254/latest/meta-data/', 'http://[::1]:9/a.jpg', 'http://10.0.0.1/a.jpg', 'ftp://example.org/a.jpg'])(
      'refuses to fetch %s unless private media are allowed',
      async (url) => {
        await expect(fetchMedia(url, { allowPrivate: false, timeoutMs: 2000 })).rejects.toMatchObject({ kind: 'permanent', code: expect.stringMatching(/^MEDIA_URL_(PRIVATE|INVALID)$/) });
      },
    );
  });

  describe('through the API and the worker', () => {
    let h: Harness;
    let org: TestOrg;
    const loopbackOnly: PrivateHostAllowance = { all: false, ranges: ['127.0.0.0/8', '::1'] };

    beforeAll(async () => {
      h = await startHarness({ HEROLD_RETRY_BASE_MS: '20' });
      org = await createTestOrg(h);
    });
    afterEach(() => {
      h.deps.config.allowPrivateHosts = loopbackOnly;
    });
    afterAll(() => h.close());

    const post = (body: unknown, lang = 'de') => call(h, 'POST', '/api/v1/channels', { token: org.admin.token, body, headers: { 'accept-language': lang } });

    it('refuses to save a channel whose host is private, loopback or link-local, for every host setting of every type', async () => {
      h.deps.config.allowPrivateHosts = NO_PRIVATE_HOSTS;
      const cases = [
        { setting: 'apiBaseUrl', body: (u: string) => ({ type: 'facebook', name: 'FB', settings: { pageId: '4711', apiBaseUrl: u }, credentials: { pageAccessToken: 'EAAx' } }) },
        { setting: 'apiBaseUrl', body: (u: string) => ({ type: 'twitter', name: 'X', settings: { apiBaseUrl: u }, credentials: { appKey: 'a', appSecret: 'b', accessToken: 'c', accessSecret: 'd' } }) },
        { setting: 'siteUrl', body: (u: string) => ({ type: 'wordpress', name: 'WP', settings: { siteUrl: u }, credentials: { username: 'presse', applicationPassword: 'x y z' } }) },
        { setting: 'instanceUrl', body: (u: string) => ({ type: 'mastodon', name: 'M', settings: { instanceUrl: u }, credentials: { accessToken: 't' } }) },
        { setting: 'service', body: (u: string) => ({ type: 'bluesky', name: 'B', settings: { service: u }, credentials: { identifier: 'presse.example.org', appPassword: 'p' } }) },
      ];
      const accepted: string[] = [];
      for (const c of cases) {
        for (const url of ['http://127.0.0.1:9', 'http://10.0.0.1', 'http://169.254.169.254', 'http://[::1]:9', 'http://[fc00::1]', 'http://localhost:9']) {
          const res = await post(c.body(url));
          const error = res.json().error;
          if (res.statusCode !== 400 || error?.code !== 'CHANNEL_HOST_PRIVATE' || error.details?.[0]?.path !== `settings.${c.setting}`) {
            accepted.push(`${c.body(url).type} ${c.setting}=${url}: ${res.statusCode} ${res.body}`);
          }
        }
      }
      expect(accepted).toEqual([]);
      expect(await h.deps.db.channel.count({ where: { orgId: org.id, name: { in: ['FB', 'X', 'WP', 'M', 'B'] } } })).toBe(0);
    });

    it('explains the refusal in German and in English, without the resolved address', async () => {
      h.deps.config.allowPrivateHosts = NO_PRIVATE_HOSTS;
      const body = { type: 'mastodon', name: 'M', settings: { instanceUrl: 'http://localhost:9' }, credentials: { accessToken: 't' } };
      const de = (await post(body, 'de')).json().error;
      const en = (await post(body, 'en')).json().error;
      expect(de.message).toMatch(/internes Netz.*HEROLD_ALLOW_PRIVATE_HOSTS/);
      expect(en.message).toMatch(/internal network.*HEROLD_ALLOW_PRIVATE_HOSTS/);
      expect(JSON.stringify([de, en])).not.toMatch(/127\.0\.0\.1|::1/);
    });

    it('refuses to move an existing channel to a private host (PATCH)', async () => {
      const created = await post({ type: 'facebook', name: 'Facebook', settings: { pageId: '4711', apiBaseUrl: 'https://93.184.215.14' }, credentials: { pageAccessToken: 'EAAx' } });
      expect(created.statusCode).toBe(201);
      h.deps.config.allowPrivateHosts = NO_PRIVATE_HOSTS;
      const moved = await call(h, 'PATCH', `/api/v1/channels/${created.json().id}`, {
        token: org.admin.token,
        body: { settings: { pageId: '4711', apiBaseUrl: 'http://169.254.169.254' }, credentials: { pageAccessToken: 'EAAx' } },
      });
      expect(moved.statusCode).toBe(400);
      expect(moved.json().error.code).toBe('CHANNEL_HOST_PRIVATE');
      const row = await h.deps.db.channel.findUniqueOrThrow({ where: { id: created.json().id } });
      expect(row.settings).toEqual({ pageId: '4711', apiBaseUrl: 'https://93.184.215.14' });
    });

    it('accepts the official hosts (no apiBaseUrl) and self-hosted instances on public addresses', async () => {
      h.deps.config.allowPrivateHosts = NO_PRIVATE_HOSTS;
      for (const body of [
        { type: 'facebook', name: 'Offiziell FB', settings: { pageId: '4711' }, credentials: { pageAccessToken: 'EAAx' } },
        { type: 'twitter', name: 'Offiziell X', settings: {}, credentials: { appKey: 'a', appSecret: 'b', accessToken: 'c', accessSecret: 'd' } },
        { type: 'bluesky', name: 'Offiziell Bluesky', settings: {}, credentials: { identifier: 'presse.example.org', appPassword: 'p' } },
        { type: 'mastodon', name: 'Eigene Instanz', settings: { instanceUrl: 'https://93.184.215.14' }, credentials: { accessToken: 't' } },
        { type: 'wordpress', name: 'Eigenes WordPress', settings: { siteUrl: 'https://[2a00:1450:4001:82a::200e]/' }, credentials: { username: 'p', applicationPassword: 'x' } },
      ]) {
        const res = await post(body);
        expect({ name: body.name, status: res.statusCode }).toEqual({ name: body.name, status: 201 });
      }
    });

    it('asks for the credentials again when an admin moves a channel to another host, so the stored token cannot be sent elsewhere', async () => {
      const created = await post({ type: 'facebook', name: 'Umzug', settings: { pageId: '4711', apiBaseUrl: h.graph.url }, credentials: { pageAccessToken: 'EAAgeheim' } });
      const id = created.json().id as string;
      const elsewhere = { pageId: '4711', apiBaseUrl: 'https://93.184.215.14' };
      const without = await call(h, 'PATCH', `/api/v1/channels/${id}`, { token: org.admin.token, body: { settings: elsewhere }, headers: { 'accept-language': 'en' } });
      expect(without.statusCode).toBe(400);
      expect(without.json().error).toMatchObject({ code: 'CREDENTIALS_REQUIRED', message: expect.stringMatching(/credentials again/), details: [{ path: 'credentials' }] });
      expect((await h.deps.db.channel.findUniqueOrThrow({ where: { id } })).settings).toMatchObject({ apiBaseUrl: h.graph.url });
      // Same host, other settings: no credentials needed. With credentials: the move is fine.
      expect((await call(h, 'PATCH', `/api/v1/channels/${id}`, { token: org.admin.token, body: { settings: { pageId: '4712', apiBaseUrl: `${h.graph.url}/` } } })).statusCode).toBe(200);
      const withCredentials = await call(h, 'PATCH', `/api/v1/channels/${id}`, { token: org.admin.token, body: { settings: elsewhere, credentials: { pageAccessToken: 'EAAneu' } } });
      expect(withCredentials.statusCode).toBe(200);
    });

    describe('at send time, when a saved host no longer passes (DNS changed, or saved under another policy)', () => {
      let pageId: string;
      let channelId: string;
      const graphCalls = () => h.graph.requests.length;

      beforeAll(async () => {
        pageId = String(300000 + Math.floor(Math.random() * 600000));
        h.graph.addPage({ id: pageId, name: 'Seite', accessToken: 'EAAsendzeit' });
        const res = await post({ type: 'facebook', name: 'Sendezeit', settings: { pageId, apiBaseUrl: h.graph.url }, credentials: { pageAccessToken: 'EAAsendzeit' } });
        expect(res.statusCode).toBe(201);
        channelId = res.json().id;
      });

      it('refuses the check without calling the host', async () => {
        h.deps.config.allowPrivateHosts = NO_PRIVATE_HOSTS;
        const before = graphCalls();
        const res = await call(h, 'POST', `/api/v1/channels/${channelId}/check`, { token: org.admin.token, headers: { 'accept-language': 'en' } });
        expect(res.statusCode).toBe(200);
        expect(res.json()).toEqual({ ok: false, error: { code: 'CHANNEL_HOST_PRIVATE', message: expect.stringMatching(/internal network/) } });
        expect(graphCalls()).toBe(before);
      });

      it('fails the post permanently without calling the host, and says why', async () => {
        const release = await createRelease(h, org.author.token, [channelId], {}, { submit: true });
        h.deps.config.allowPrivateHosts = NO_PRIVATE_HOSTS;
        const before = graphCalls();
        h.startWorker();
        try {
          expect((await call(h, 'POST', `/api/v1/releases/${release.id}/approve`, { token: org.approver.token, body: { revision: release.revision } })).statusCode).toBe(200);
          const settled = await waitFor('post settled', async () => {
            const p = await h.deps.db.post.findFirst({ where: { releaseId: release.id } });
            return p && p.status !== 'scheduled' && p.status !== 'publishing' ? p : null;
          });
          expect({ status: settled.status, code: settled.errorCode }).toEqual({ status: 'failed', code: 'CHANNEL_HOST_PRIVATE' });
          expect(graphCalls()).toBe(before);
          const attempts = await h.deps.db.publicationAttempt.findMany({ where: { postId: settled.id } });
          expect(attempts.map((a) => a.errorCode)).toEqual(['CHANNEL_HOST_PRIVATE']);
        } finally {
          await h.stopWorker();
        }
      });
    });
  });
});
