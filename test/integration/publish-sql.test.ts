// The publish path's plain-SQL statements (src/store/publishing.ts): they replaced Prisma queries
// for speed, so they must keep every property those had — the loaded post is what Prisma would
// return, the claim is a compare-and-set that at most one worker wins and that no paused
// organisation passes, and the settle keeps the audit chain and completes the release even when
// sibling posts settle at the same moment.
import { randomUUID } from 'node:crypto';
import { verifyAudit } from '../../src/store/audit';
import { claimForPublishing, loadPublishablePost, recordPublication } from '../../src/store/publishing';
import { approvedRelease, useHarnessWithOrg } from '../helpers/harness';

describe('publish path in plain SQL', () => {
  // No worker: the tests claim and settle by hand.
  const ctx = useHarnessWithOrg();

  async function scheduled(channelIds = [ctx.channels.blog]) {
    const release = await approvedRelease(ctx.h, ctx.org, { channelIds, title: `Meldung ${randomUUID().slice(0, 6)}` });
    return ctx.h.deps.db.post.findMany({ where: { releaseId: release.id }, orderBy: { channelType: 'asc' } });
  }

  it('loads a post exactly as Prisma reads it, with release, sibling posts, channel and organisation', async () => {
    const [post] = await scheduled([ctx.channels.blog, ctx.channels.twitter]);
    const loaded = await loadPublishablePost(ctx.h.deps.db, post!.id);
    const prisma = await ctx.h.deps.db.post.findUniqueOrThrow({
      where: { id: post!.id },
      include: { release: { include: { posts: { select: { id: true, channelType: true, status: true, externalUrl: true } } } }, channel: true },
    });
    const { org: loadedOrg, release, ...rest } = loaded!;
    const { release: prismaRelease, ...prismaRest } = prisma;
    expect(rest).toEqual(prismaRest);
    const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
    expect({ ...release, posts: [...release.posts].sort(byId) }).toEqual({ ...prismaRelease, posts: [...prismaRelease.posts].sort(byId) });
    expect(loadedOrg).toEqual({ paused: false, slug: ctx.org.slug });
    expect(await loadPublishablePost(ctx.h.deps.db, randomUUID())).toBeNull();
  });

  it('lets exactly one of many simultaneous claims win, and records one attempt', async () => {
    const [post] = await scheduled();
    const claims = await Promise.all(Array.from({ length: 8 }, (_, i) => claimForPublishing(ctx.h.deps.db, post!, `worker-${i}`)));
    expect(claims.filter((c) => c.claimed)).toHaveLength(1);
    const row = await ctx.h.deps.db.post.findUniqueOrThrow({ where: { id: post!.id }, include: { attemptsLog: true } });
    expect(row.status).toBe('publishing');
    expect(row.attemptsLog).toHaveLength(1);
    expect(row.attemptsLog[0]).toMatchObject({ number: 1, finishedAt: null });
  });

  it('claims nothing for a paused organisation, nor with an approval hash that changed since the read', async () => {
    const [post] = await scheduled();
    const changed = await claimForPublishing(ctx.h.deps.db, { ...post!, approvedHash: 'f'.repeat(64) }, 'worker');
    expect(changed).toEqual({ claimed: false, paused: false });

    await ctx.h.deps.db.organisation.update({ where: { id: ctx.org.id }, data: { paused: true } });
    try {
      expect(await claimForPublishing(ctx.h.deps.db, post!, 'worker')).toEqual({ claimed: false, paused: true });
    } finally {
      await ctx.h.deps.db.organisation.update({ where: { id: ctx.org.id }, data: { paused: false } });
    }
    const row = await ctx.h.deps.db.post.findUniqueOrThrow({ where: { id: post!.id }, include: { attemptsLog: true } });
    expect(row.status).toBe('scheduled');
    expect(row.attemptsLog).toHaveLength(0);
  });

  it('waits for a crisis stop in progress and then claims nothing (it never reads a stale pause flag)', async () => {
    const [post] = await scheduled();
    // The pause's UPDATE of the organisation row, not yet committed.
    let commit!: () => void;
    const pausing = ctx.h.deps.db.$transaction(
      async (tx) => {
        await tx.organisation.update({ where: { id: ctx.org.id }, data: { paused: true } });
        await new Promise<void>((r) => (commit = r));
      },
      { timeout: 20_000 },
    );
    try {
      await new Promise((r) => setTimeout(r, 200));
      let answered = false;
      const claim = claimForPublishing(ctx.h.deps.db, post!, 'worker').then((result) => {
        answered = true;
        return result;
      });
      await new Promise((r) => setTimeout(r, 500));
      expect(answered).toBe(false);
      commit();
      await pausing;
      expect(await claim).toEqual({ claimed: false, paused: true });
      expect((await ctx.h.deps.db.post.findUniqueOrThrow({ where: { id: post!.id } })).status).toBe('scheduled');
    } finally {
      commit?.();
      await pausing.catch(() => undefined);
      await ctx.h.deps.db.organisation.update({ where: { id: ctx.org.id }, data: { paused: false } });
    }
  });

  it('settles sibling posts at the same moment: all published, the release done, the audit chain intact', async () => {
    const posts = await scheduled([ctx.channels.blog, ctx.channels.facebook, ctx.channels.twitter]);
    const claims = await Promise.all(posts.map((p) => claimForPublishing(ctx.h.deps.db, p, 'worker')));
    await Promise.all(
      posts.map((p, i) => {
        const claim = claims[i]!;
        if (!claim.claimed) throw new Error('not claimed');
        return recordPublication(ctx.h.deps.db, {
          postId: p.id,
          orgId: p.orgId,
          releaseId: p.releaseId,
          channelType: p.channelType,
          attemptId: claim.attemptId,
          externalId: `ext-${i}`,
          externalUrl: `https://example.test/${i}`,
          foundBy: 'publish',
        });
      }),
    );
    const release = await ctx.h.deps.db.release.findUniqueOrThrow({ where: { id: posts[0]!.releaseId }, include: { posts: { include: { attemptsLog: true } } } });
    expect(release.status).toBe('done');
    for (const p of release.posts) {
      expect(p.status).toBe('published');
      expect(p.attemptsLog).toEqual([expect.objectContaining({ outcome: 'published', finishedAt: expect.any(Date) })]);
    }
    const events = await ctx.h.deps.db.auditEvent.findMany({ where: { orgId: ctx.org.id, action: 'post.published', entityId: { in: posts.map((p) => p.id) } } });
    expect(events).toHaveLength(3);
    expect(events.map((e) => e.data)).toEqual(
      expect.arrayContaining([{ channelType: posts[0]!.channelType, externalId: 'ext-0', externalUrl: 'https://example.test/0', foundBy: 'publish' }]),
    );
    expect(events.every((e) => e.actorType === 'system' && e.actorId === null && e.entityType === 'post')).toBe(true);
    expect(await verifyAudit(ctx.h.deps.db, ctx.org.id)).toMatchObject({ ok: true });
  });
});
