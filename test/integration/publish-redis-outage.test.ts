// Redis fails between the claim and the network call (it restarts, say): nothing was sent, so the
// claim is given back. Before the fix the post stayed `publishing` with an open attempt, and the
// sweep later took it for a call interrupted by a dead worker: `unconfirmed`, for a person to
// check, although it had never left Herold (found by test/fault/redis.test.ts).
import { publishPost } from '../../src/services/publish';
import type { Deps } from '../../src/services/deps';
import { addChannels, call, createTestOrg, startHarness, type Harness, type TestOrg } from '../helpers/harness';

describe(publishPost.name, () => {
  let h: Harness;
  let org: TestOrg;
  let channels: Awaited<ReturnType<typeof addChannels>>;

  beforeAll(async () => {
    h = await startHarness();
    org = await createTestOrg(h);
    channels = await addChannels(h, org);
  });
  afterAll(() => h.close());

  it('gives the claim back when Redis fails right before sending, and sends once later', async () => {
    const created = await call(h, 'POST', '/api/v1/releases', {
      token: org.author.token,
      body: { title: 'Redis weg', body: 'Die Warteschlange startet gerade neu.', channelIds: [channels.twitter] },
    });
    const release = created.json();
    await call(h, 'POST', `/api/v1/releases/${release.id}/submit`, { token: org.author.token });
    await call(h, 'POST', `/api/v1/releases/${release.id}/approve`, { token: org.approver.token, body: { revision: release.revision } });
    const post = await h.deps.db.post.findFirstOrThrow({ where: { releaseId: release.id } });
    const job = { postId: post.id, revision: post.revision, generation: post.generation };
    const tweetsBefore = h.x.tweetsOf(channels.xUser.userId).length;

    // The claim's look at the channel's rate limit still works; the check right before sending fails.
    const get = jest.fn().mockResolvedValueOnce(null).mockRejectedValue(new Error('Connection is closed.'));
    const brokenRedis = { ...h.deps, redis: { get } as unknown as Deps['redis'] };
    const outcome = await publishPost(brokenRedis, job, { workerId: 'test:1', lastAttempt: false });

    expect(outcome).toEqual({ kind: 'retry', code: 'SERVICE_UNAVAILABLE' });
    expect(get).toHaveBeenCalledTimes(2);
    const after = await h.deps.db.post.findUniqueOrThrow({ where: { id: post.id }, include: { attemptsLog: true } });
    expect(after.status).toBe('scheduled');
    expect(after.attemptsLog).toHaveLength(1);
    expect(after.attemptsLog[0]).toMatchObject({ outcome: 'retry', errorCode: 'SERVICE_UNAVAILABLE', detail: { sent: false } });
    expect(after.attemptsLog[0]!.finishedAt).not.toBeNull();
    expect(h.x.tweetsOf(channels.xUser.userId)).toHaveLength(tweetsBefore);

    // Redis is back: the next run sends it, once.
    const again = await publishPost(h.deps, job, { workerId: 'test:1', lastAttempt: false });
    expect(again.kind).toBe('published');
    expect(h.x.tweetsOf(channels.xUser.userId)).toHaveLength(tweetsBefore + 1);
  });
});
