// Two workers publishing to the same X channel while its OAuth 2 token expires. X's refresh tokens
// work once: without the credential lock both workers would refresh with the same token, X would
// refuse the second (invalid_request) and the channel would wrongly go to needs_reauth.
import { randomBytes } from 'node:crypto';
import { decryptJson } from '../../src/security/credentials';
import { startPublisher } from '../../workers/publisher';
import { call, createTestOrg, startHarness, waitFor, type Harness, type TestOrg } from '../helpers/harness';

const TOKEN_PATH = '/2/oauth2/token';

describe('X OAuth 2 token refresh with concurrent workers', () => {
  let h: Harness;
  let org: TestOrg;
  let second: ReturnType<typeof startPublisher> | undefined;

  beforeAll(async () => {
    h = await startHarness({ HEROLD_RETRY_BASE_MS: '200' });
    org = await createTestOrg(h);
  });
  afterAll(async () => {
    await second?.close();
    await h.close();
  });

  async function approvedRelease(channelId: string, title: string): Promise<string> {
    const created = await call(h, 'POST', '/api/v1/releases', {
      token: org.author.token,
      body: { title, body: 'Die Stadtverwaltung informiert über geänderte Öffnungszeiten.', channelIds: [channelId] },
    });
    expect(created.statusCode).toBe(201);
    const release = created.json();
    expect((await call(h, 'POST', `/api/v1/releases/${release.id}/submit`, { token: org.author.token })).statusCode).toBe(200);
    const approved = await call(h, 'POST', `/api/v1/releases/${release.id}/approve`, { token: org.approver.token, body: { revision: release.revision } });
    expect(approved.statusCode).toBe(200);
    return release.id as string;
  }

  it('refreshes once, publishes both posts, keeps the channel active and stores the newest pair', async () => {
    const user = { userId: String(Math.floor(Math.random() * 1e12)), username: org.slug.replace(/-/g, '_') };
    const client = { clientId: `herold-${randomBytes(4).toString('hex')}` };
    h.x.addUser(user);
    h.x.addOAuth2Client(client);
    const pair = h.x.issueOAuth2Tokens(user.userId, client.clientId, { expiresInSeconds: 60 });
    const created = await call(h, 'POST', '/api/v1/channels', {
      token: org.admin.token,
      body: {
        type: 'twitter',
        name: 'X (OAuth 2)',
        settings: { apiBaseUrl: h.x.url },
        credentials: { accessToken: pair.accessToken, refreshToken: pair.refreshToken, clientId: client.clientId, expiresAt: pair.expiresAt },
      },
    });
    expect(created.statusCode).toBe(201);
    const channelId = created.json().id as string;

    // Both jobs wait in the queue until both workers run, so both read the expiring pair; the
    // slow token answer keeps the first refresh open while the second worker reaches its own.
    const releases = [
      await approvedRelease(channelId, `Öffnungszeiten Rathaus ${randomBytes(3).toString('hex')}`),
      await approvedRelease(channelId, `Öffnungszeiten Bürgerbüro ${randomBytes(3).toString('hex')}`),
    ];
    h.x.failNext({ delayMs: 1500 }, 1, { method: 'POST', path: TOKEN_PATH });
    h.startWorker();
    second = startPublisher(h.deps, { concurrency: 5 });

    const posts = await waitFor('both posts settled', async () => {
      const rows = await h.deps.db.post.findMany({ where: { releaseId: { in: releases } } });
      return rows.length === 2 && rows.every((p) => p.status !== 'scheduled' && p.status !== 'publishing') ? rows : null;
    });

    expect(posts.map((p) => p.status)).toEqual(['published', 'published']);
    expect(h.x.tweetsOf(user.userId)).toHaveLength(2);
    expect(h.x.requests.filter((r) => r.path === TOKEN_PATH)).toHaveLength(1);
    const channel = await h.deps.db.channel.findUniqueOrThrow({ where: { id: channelId } });
    expect(channel.status).toBe('active');

    const stored = decryptJson(channel.credentialsEnc!, h.config.secretKeys);
    expect(stored.accessToken).not.toBe(pair.accessToken);
    expect(stored.refreshToken).not.toBe(pair.refreshToken);
    expect(Date.parse(String(stored.expiresAt))).toBeGreaterThan(Date.now() + 3_600_000);
    // The stored refresh token is the live one: X accepts it (and would refuse a spent one).
    const refresh = (token: unknown) =>
      fetch(`${h.x.url}${TOKEN_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: String(token), client_id: client.clientId }),
      });
    expect((await refresh(pair.refreshToken)).status).toBe(400);
    expect((await refresh(stored.refreshToken)).status).toBe(200);
  });
});
