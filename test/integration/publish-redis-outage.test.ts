// Redis fails between the claim and the network call (it restarts, say): nothing was sent, so the
// claim is given back. Before the fix the post stayed `publishing` with an open attempt, and the
// sweep later took it for a call interrupted by a dead worker: `unconfirmed`, for a person to
// check, although it had never left Herold (found by test/fault/redis.test.ts).
import { publishPost } from '../../src/services/publish';
import type { Deps } from '../../src/services/deps';
import { approvedRelease, useHarnessWithOrg } from '../helpers/harness';

describe(publishPost.name, () => {
  const ctx = useHarnessWithOrg();

  it('gives the claim back when Redis fails right before sending, and sends once later', async () => {
    const release = await approvedRelease(ctx.h, ctx.org, { title: 'Redis weg', body: 'Die Warteschlange startet gerade neu.', channelIds: [ctx.channels.twitter] });
    const post = await ctx.h.deps.db.post.findFirstOrThrow({ where: { releaseId: release.id } });
    const job = { postId: post.id, revision: post.revision, generation: post.generation };
    const tweetsBefore = ctx.h.x.tweetsOf(ctx.channels.xUser.userId).length;

    // The claim's look at the channel's rate limit still works; the check right before sending fails.
    const get = jest.fn().mockResolvedValueOnce(null).mockRejectedValue(new Error('Connection is closed.'));
    const brokenRedis = { ...ctx.h.deps, redis: { get } as unknown as Deps['redis'] };
    const outcome = await publishPost(brokenRedis, job, { workerId: 'test:1', lastAttempt: false });

    expect(outcome).toEqual({ kind: 'retry', code: 'SERVICE_UNAVAILABLE' });
    expect(get).toHaveBeenCalledTimes(2);
    const after = await ctx.h.deps.db.post.findUniqueOrThrow({ where: { id: post.id }, include: { attemptsLog: true } });
    expect(after.status).toBe('scheduled');
    expect(after.attemptsLog).toHaveLength(1);
    expect(after.attemptsLog[0]).toMatchObject({ outcome: 'retry', errorCode: 'SERVICE_UNAVAILABLE', detail: { sent: false } });
    expect(after.attemptsLog[0]!.finishedAt).not.toBeNull();
    expect(ctx.h.x.tweetsOf(ctx.channels.xUser.userId)).toHaveLength(tweetsBefore);

    // Redis is back: the next run sends it, once.
    const again = await publishPost(ctx.h.deps, job, { workerId: 'test:1', lastAttempt: false });
    expect(again.kind).toBe('published');
    expect(ctx.h.x.tweetsOf(ctx.channels.xUser.userId)).toHaveLength(tweetsBefore + 1);
  });
});
