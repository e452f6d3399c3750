// A network answers "token expired" / 401 in the middle of a burst: only that channel goes to
// needs_reauth and holds its posts; other channels go on; new credentials release the posts.
import { call } from '../helpers/harness';
import { addSocialChannels, newOrg, QUICK, report, secs, seedReleases, settle, startHerold, startSuite, tally, waitUntil, type Suite } from './helpers/kit';

const RELEASES = QUICK ? 15 : 200; // × 3 channels

describe('expired / revoked credentials during a burst', () => {
  let s: Suite;
  beforeAll(async () => {
    s = await startSuite();
  });
  afterAll(() => s.close());

  it('holds the posts of the broken channels only, and publishes them after new credentials', async () => {
    const org = await newOrg(s);
    const channels = await addSocialChannels(s, org, { x: 2 });
    const [xBroken, xOk] = channels.twitter as [typeof channels.twitter[0], typeof channels.twitter[0]];
    const channelIds = [channels.facebook.id, xBroken.id, xOk.id];
    // Few calls at a time, each taking a while: the tokens break while most posts are still ahead.
    await s.fakes.config({ delayMs: 300 });
    const seeded = await seedReleases(s, org, channelIds, RELEASES, { tag: 'auth' });
    const total = RELEASES * 3;
    const started = Date.now();
    await startHerold('scheduler', 'auth-scheduler');
    const env = { HEROLD_WORKER_CONCURRENCY: '2' };
    await Promise.all([startHerold('worker', 'auth-worker-0', env), startHerold('worker', 'auth-worker-1', env)]);

    const countOf = (channelId: string, status: string) => s.deps.db.post.count({ where: { channelId, status } });
    // Let the burst get going, then the Page token expires (Graph 190/463) and the X token is revoked (401).
    await waitUntil('burst under way', async () => (await countOf(channels.facebook.id, 'published')) >= Math.ceil(RELEASES * 0.15), 120_000, 100);
    await s.fakes.expireGraphToken(channels.facebook.token);
    await s.fakes.revokeXToken(xBroken.accessToken);
    const brokenAt = Date.now();

    await settle(s, org.id, 180_000);
    const before = await tally(s, org.id, channels, { heldIsFinal: true });
    const list = (await call(s.h, 'GET', '/api/v1/channels', { token: org.editor.token })).json() as { id: string; status: string }[];
    const statusOf = (id: string) => list.find((c) => c.id === id)?.status;
    const held = await s.deps.db.post.count({ where: { orgId: org.id, status: 'held', heldReason: 'reauth' } });
    const okPublished = await countOf(xOk.id, 'published');
    const brokenFailed = await s.deps.db.post.count({ where: { channelId: { in: [channels.facebook.id, xBroken.id] }, status: { in: ['failed', 'unconfirmed'] } } });

    // New credentials through the API.
    const newPageToken = `${channels.facebook.token}neu`;
    await s.fakes.addPage({ id: channels.facebook.pageId, name: 'Seite', accessToken: newPageToken });
    const newX = { ...xBroken.creds, accessToken: `${xBroken.userId}-neu${Date.now()}`, accessSecret: `as-neu${Date.now()}` };
    await s.fakes.addXUser({ userId: xBroken.userId, username: `neu_${xBroken.userId}`, ...newX });
    const fixedAt = Date.now();
    const p1 = await call(s.h, 'PATCH', `/api/v1/channels/${channels.facebook.id}`, { token: org.admin.token, body: { credentials: { pageAccessToken: newPageToken } } });
    const p2 = await call(s.h, 'PATCH', `/api/v1/channels/${xBroken.id}`, { token: org.admin.token, body: { credentials: newX } });
    expect([p1.statusCode, p2.statusCode]).toEqual([200, 200]);
    await waitUntil('held posts published', async () => (await s.deps.db.post.count({ where: { orgId: org.id, status: 'published' } })) === total, QUICK ? 60_000 : 180_000, 250).catch(() => null);
    const recoveryMs = Date.now() - fixedAt;
    const after = await tally(s, org.id, channels);

    report('reauth', {
      posts: total,
      held_at_reauth: held,
      channel_status: `fb=${statusOf(channels.facebook.id)},x_broken=${statusOf(xBroken.id)},x_ok=${statusOf(xOk.id)}`,
      other_channel_published: `${okPublished}/${RELEASES}`,
      broken_failed_or_unconfirmed: brokenFailed,
      duplicates: after.duplicates,
      lost: after.lost,
      published_after_fix: after.published,
      recovery_after_new_credentials: secs(recoveryMs),
      broken_after: secs(brokenAt - started),
      seed: secs(seeded.seedMs),
      wall: secs(Date.now() - started),
    });
    expect(statusOf(channels.facebook.id)).toBe('needs_reauth');
    expect(statusOf(xBroken.id)).toBe('needs_reauth');
    expect(statusOf(xOk.id)).toBe('active');
    expect(okPublished).toBe(RELEASES);
    expect(held).toBeGreaterThan(0);
    expect(before.lost).toBe(0);
    expect(brokenFailed).toBe(0);
    expect(after.published).toBe(total);
    expect(after.duplicates).toBe(0);
    expect(after.missingOnFake).toBe(0);
  });
});
