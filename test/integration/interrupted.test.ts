// A worker died between "attempt recorded" and "outcome recorded". The sweep finishes such
// attempts: repeat where repeating is harmless, look where the network can be read, and leave
// only the unknowable to a person — never a blind re-send.
import { twitterChannel } from '../../src/channels/twitter';
import type { PostContent } from '../../src/domain/types';
import { withArticleLink } from '../../src/services/article-link';
import { recordingContext } from '../helpers/publish-context';
import { withOutboundPolicy } from '../../src/security/outbound';
import { claimForPublishing } from '../../src/store/publishing';
import { sweep } from '../../src/services/scheduling';
import { addChannels, call, createTestOrg, startHarness, waitFor, type Harness, type TestOrg } from '../helpers/harness';

describe('attempts interrupted by a dead worker', () => {
  let h: Harness;
  let org: TestOrg;
  let channels: Awaited<ReturnType<typeof addChannels>>;

  beforeAll(async () => {
    h = await startHarness({ HEROLD_STALE_PUBLISHING_SECONDS: '10' });
    org = await createTestOrg(h);
    channels = await addChannels(h, org);
  });
  afterAll(() => h.close());

  /** An approved release whose posts were claimed by a worker that then died an hour ago. */
  async function interrupted(channelIds: string[]) {
    const created = await call(h, 'POST', '/api/v1/releases', {
      token: org.author.token,
      body: { title: `Unterbrochen ${Math.random().toString(36).slice(2, 7)}`, body: 'Ein Text, der gerade gesendet wurde, als der Prozess starb.', channelIds },
    });
    const release = created.json();
    await call(h, 'POST', `/api/v1/releases/${release.id}/submit`, { token: org.author.token });
    await call(h, 'POST', `/api/v1/releases/${release.id}/approve`, { token: org.approver.token, body: { revision: release.revision } });
    // No worker runs: claim by hand as the dead worker did, and backdate the attempt.
    const posts = await h.deps.db.post.findMany({ where: { releaseId: release.id } });
    for (const post of posts) {
      expect(await claimForPublishing(h.deps.db, post, 'dead-worker')).toMatchObject({ claimed: true });
    }
    await h.deps.db.publicationAttempt.updateMany({ where: { postId: { in: posts.map((p) => p.id) } }, data: { startedAt: new Date(Date.now() - 3_600_000) } });
    return h.deps.db.post.findMany({ where: { releaseId: release.id } });
  }

  it('repeats an idempotent publication (the blog) and it ends published once', async () => {
    const [post] = await interrupted([channels.blog]);
    h.startWorker();
    try {
      await sweep(h.deps);
      const done = await waitFor('blog published', async () => {
        // As the scheduler would: every tick puts back what the queue does not hold.
        await sweep(h.deps);
        const row = await h.deps.db.post.findUnique({ where: { id: post!.id }, include: { attemptsLog: { orderBy: { number: 'asc' } } } });
        return row?.status === 'published' ? row : null;
      });
      expect(done.attemptsLog.map((a) => a.outcome)).toEqual(['interrupted', 'published']);
    } finally {
      await h.stopWorker();
    }
  });

  it('finds a post the dead worker did send on X, and records it instead of sending again', async () => {
    const [post] = await interrupted([channels.twitter]);
    const content = post!.content as { thread: string[] };
    // What the dead worker managed to send before it died.
    const sent = await withOutboundPolicy({ allow: h.deps.config.allowPrivateHosts }, () => twitterChannel.publish(
      content,
      { apiBaseUrl: h.x.url },
      { appKey: channels.xUser.appKey, appSecret: channels.xUser.appSecret, accessToken: channels.xUser.accessToken, accessSecret: channels.xUser.accessSecret },
      recordingContext({}, { postId: post!.id, idempotencyKey: 'x', orgSlug: org.slug, releaseSlug: 'x', publicUrl: 'http://herold.test' }),
    ));
    const before = h.x.tweetsOf(channels.xUser.userId).length;

    await sweep(h.deps);

    const row = await h.deps.db.post.findUniqueOrThrow({ where: { id: post!.id } });
    expect(row).toMatchObject({ status: 'published', externalId: sent.externalId });
    expect(h.x.tweetsOf(channels.xUser.userId)).toHaveLength(before);
  });

  it('finds a sent post by the article link it carried (the final one, not the planned one)', async () => {
    const posts = await interrupted([channels.blog, channels.twitter]);
    const blogPost = posts.find((p) => p.channelType === 'blog');
    const xPost = posts.find((p) => p.channelType === 'twitter');
    const content = xPost!.content as PostContent;
    expect(content.link).toBeDefined();
    // The article went out under another address than planned (a taken slug, say) before the
    // dead worker swapped it into the X post and sent that.
    const final = `${content.link!.replace(/\/$/, '')}-2`;
    await h.deps.db.post.update({ where: { id: blogPost!.id }, data: { status: 'published', externalUrl: final, publishedAt: new Date() } });
    await h.deps.db.publicationAttempt.updateMany({ where: { postId: blogPost!.id }, data: { finishedAt: new Date(), outcome: 'published' } });
    const swapped = withArticleLink(content, final, 'twitter');
    expect(swapped.link).toBe(final);
    const sent = await withOutboundPolicy({ allow: h.deps.config.allowPrivateHosts }, () => twitterChannel.publish(
      swapped,
      { apiBaseUrl: h.x.url },
      { appKey: channels.xUser.appKey, appSecret: channels.xUser.appSecret, accessToken: channels.xUser.accessToken, accessSecret: channels.xUser.accessSecret },
      recordingContext({}, { postId: xPost!.id, idempotencyKey: 'x2', orgSlug: org.slug, releaseSlug: 'x2', publicUrl: 'http://herold.test' }),
    ));
    const before = h.x.tweetsOf(channels.xUser.userId).length;

    await sweep(h.deps);

    const row = await h.deps.db.post.findUniqueOrThrow({ where: { id: xPost!.id } });
    expect(row).toMatchObject({ status: 'published', externalId: sent.externalId });
    expect(h.x.tweetsOf(channels.xUser.userId)).toHaveLength(before);
  });

  it('leaves a post that is not on Facebook unconfirmed for a person to decide', async () => {
    const [post] = await interrupted([channels.facebook]);
    await sweep(h.deps);
    const row = await h.deps.db.post.findUniqueOrThrow({ where: { id: post!.id } });
    expect(row).toMatchObject({ status: 'unconfirmed', errorCode: 'WORKER_DIED' });
    expect(h.graph.postsOf(channels.pageId)).toHaveLength(0);

    const resolved = await call(h, 'POST', `/api/v1/posts/${post!.id}/resolve`, { token: org.approver.token, body: { published: false } });
    expect(resolved.statusCode).toBe(200);
    expect(resolved.json().status).toBe('failed');
    const retried = await call(h, 'POST', `/api/v1/posts/${post!.id}/retry`, { token: org.approver.token });
    expect(retried.json().status).toBe('scheduled');
  });
});
