// The workflow rules the server enforces: four-eyes, stale revisions, embargo, tenancy, cancel,
// crisis stop, and a Redis that loses everything.
import { sweep } from '../../src/services/scheduling';
import { startScheduler } from '../../workers/scheduler';
import { call, createTestOrg, useHarnessWithOrg, waitFor } from '../helpers/harness';

const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();

describe('release workflow', () => {
  const ctx = useHarnessWithOrg({ worker: true });

  async function draft(extra: Record<string, unknown> = {}, channelIds = [ctx.channels.blog, ctx.channels.twitter]) {
    const res = await call(ctx.h, 'POST', '/api/v1/releases', {
      token: ctx.org.author.token,
      body: {
        title: `Mitteilung ${Math.random().toString(36).slice(2, 8)}`,
        body: 'Die Stadtverwaltung informiert über neue Öffnungszeiten des Bürgerbüros ab dem 1. April.',
        channelIds,
        ...extra,
      },
    });
    expect(res.statusCode).toBe(201);
    return res.json();
  }

  async function submitted(extra: Record<string, unknown> = {}, channelIds?: string[]) {
    const release = await draft(extra, channelIds);
    const res = await call(ctx.h, 'POST', `/api/v1/releases/${release.id}/submit`, { token: ctx.org.author.token });
    expect(res.statusCode).toBe(200);
    return res.json();
  }

  async function approved(extra: Record<string, unknown> = {}, channelIds?: string[]) {
    const release = await submitted(extra, channelIds);
    const res = await call(ctx.h, 'POST', `/api/v1/releases/${release.id}/approve`, { token: ctx.org.approver.token, body: { revision: release.revision } });
    expect(res.statusCode).toBe(200);
    return res.json();
  }

  const postsOf = (releaseId: string) => ctx.h.deps.db.post.findMany({ where: { releaseId }, orderBy: { channelType: 'asc' } });

  it('voids the approval when the release is edited after approval', async () => {
    const release = await approved({ publishAt: inSeconds(3600) });
    const edited = await call(ctx.h, 'PATCH', `/api/v1/releases/${release.id}`, { token: ctx.org.editor.token, body: { title: 'Neuer Titel nach Freigabe' } });
    expect(edited.statusCode).toBe(200);
    expect(edited.json()).toMatchObject({ status: 'draft', revision: release.revision + 1 });
    expect(edited.json().posts.every((p: { status: string }) => p.status === 'draft')).toBe(true);
    const approvals = await ctx.h.deps.db.approval.findMany({ where: { releaseId: release.id } });
    expect(approvals).toHaveLength(1);
    expect(approvals[0]!.voidedAt).not.toBeNull();
  });

  it('voids the approval when one post is edited by hand', async () => {
    const release = await approved({ publishAt: inSeconds(3600) });
    const tweet = release.posts.find((p: { channelType: string }) => p.channelType === 'twitter');
    const res = await call(ctx.h, 'PATCH', `/api/v1/posts/${tweet.id}`, { token: ctx.org.editor.token, body: { content: { thread: ['Von Hand geändert.'] } } });
    expect(res.statusCode).toBe(200);
    const after = await call(ctx.h, 'GET', `/api/v1/releases/${release.id}`, { token: ctx.org.editor.token });
    expect(after.json().status).toBe('draft');
  });

  it('refuses to approve a stale revision with 409 STALE_REVISION', async () => {
    const release = await submitted();
    const edit = await call(ctx.h, 'PATCH', `/api/v1/releases/${release.id}`, { token: ctx.org.editor.token, body: { subtitle: 'Ergänzt während der Prüfung' } });
    expect(edit.statusCode).toBe(200);
    const res = await call(ctx.h, 'POST', `/api/v1/releases/${release.id}/approve`, { token: ctx.org.approver.token, body: { revision: release.revision } });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('STALE_REVISION');
  });

  it('refuses an approver who edited the release (four-eyes)', async () => {
    const release = await submitted();
    await call(ctx.h, 'PATCH', `/api/v1/releases/${release.id}`, { token: ctx.org.approver.token, body: { subtitle: 'Vom Freigeber ergänzt' } });
    const current = (await call(ctx.h, 'GET', `/api/v1/releases/${release.id}`, { token: ctx.org.approver.token })).json();
    const res = await call(ctx.h, 'POST', `/api/v1/releases/${release.id}/approve`, { token: ctx.org.approver.token, body: { revision: current.revision } });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('FOUR_EYES_VIOLATION');
  });

  it('refuses to publish content changed behind the approval (defence in depth)', async () => {
    const release = await approved({ publishAt: inSeconds(2) }, [ctx.channels.blog]);
    // Simulates a bug or an intruder writing to the database directly after the approval.
    await ctx.h.deps.db.post.updateMany({ where: { releaseId: release.id }, data: { content: { title: 'Gefälscht', html: '<p>Nicht freigegeben</p>' } } });
    const [post] = await waitFor('post settled', async () => {
      const rows = await postsOf(release.id);
      return rows.every((p) => p.status === 'failed') ? rows : null;
    });
    expect(post!.errorCode).toBe('NOT_APPROVED');
    expect(post!.externalUrl).toBeNull();
    const page = await call(ctx.h, 'GET', `/blog/${ctx.org.slug}/${release.slug}`);
    expect(page.statusCode).toBe(404);
  });

  it('refuses a publication time before the embargo', async () => {
    const res = await call(ctx.h, 'POST', '/api/v1/releases', {
      token: ctx.org.author.token,
      body: { title: 'Sperrfrist', body: 'Text', channelIds: [ctx.channels.blog], embargoUntil: inSeconds(7200), publishAt: inSeconds(3600) },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('EMBARGO_VIOLATION');
  });

  it('publishes nothing before the embargo, even when approved earlier', async () => {
    const embargo = new Date(Date.now() + 2500);
    const release = await approved({ embargoUntil: embargo.toISOString() }, [ctx.channels.blog]);
    const posts = await waitFor('published after embargo', async () => {
      const rows = await postsOf(release.id);
      return rows.every((p) => p.status === 'published') ? rows : null;
    });
    for (const post of posts) expect(post.publishedAt!.getTime()).toBeGreaterThanOrEqual(embargo.getTime());
  });

  it("answers 404 for another organisation's release", async () => {
    const release = await draft();
    const other = await createTestOrg(ctx.h);
    for (const [method, path, body] of [
      ['GET', `/api/v1/releases/${release.id}`, undefined],
      ['PATCH', `/api/v1/releases/${release.id}`, { title: 'Übernahme' }],
      ['POST', `/api/v1/releases/${release.id}/submit`, undefined],
      ['POST', `/api/v1/releases/${release.id}/cancel`, undefined],
      ['PATCH', `/api/v1/posts/${release.posts[0].id}`, { publishAt: null }],
    ] as const) {
      const res = await call(ctx.h, method, path, { token: other.author.token, body });
      expect({ path, status: res.statusCode }).toEqual({ path, status: 404 });
      expect(res.json().error.code).toBe('NOT_FOUND');
    }
    const approve = await call(ctx.h, 'POST', `/api/v1/releases/${release.id}/approve`, { token: other.approver.token, body: { revision: 1 } });
    expect(approve.statusCode).toBe(404);
  });

  it('cancels a scheduled release: its posts are cancelled and never published', async () => {
    const release = await approved({ publishAt: inSeconds(2) });
    const res = await call(ctx.h, 'POST', `/api/v1/releases/${release.id}/cancel`, { token: ctx.org.author.token });
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe('cancelled');
    await new Promise((r) => setTimeout(r, 3000));
    await sweep(ctx.h.deps);
    const posts = await postsOf(release.id);
    expect(posts.map((p) => p.status)).toEqual(['cancelled', 'cancelled']);
  });

  it('holds posts during a crisis stop and releases those still ahead on resume', async () => {
    const paused = await call(ctx.h, 'POST', '/api/v1/org/pause', { token: ctx.org.approver.token, body: { reason: 'Großschadenslage' } });
    expect(paused.statusCode).toBe(200);
    expect(paused.json()).toMatchObject({ paused: true, pausedReason: 'Großschadenslage' });

    const soon = await approved({ publishAt: inSeconds(4) }, [ctx.channels.blog]);
    const now = await approved({}, [ctx.channels.blog]);
    expect((await postsOf(soon.id)).map((p) => p.status)).toEqual(['held']);
    expect((await postsOf(now.id)).map((p) => p.status)).toEqual(['held']);
    await new Promise((r) => setTimeout(r, 500));

    const resumed = await call(ctx.h, 'POST', '/api/v1/org/resume', { token: ctx.org.approver.token });
    expect(resumed.statusCode).toBe(200);
    expect(resumed.json().paused).toBe(false);
    await waitFor('post ahead published', async () => (await postsOf(soon.id))[0]!.status === 'published');
    // Its time passed during the stop: it waits for an approver instead of going out in a burst.
    expect((await postsOf(now.id))[0]!.status).toBe('held');

    const retried = await call(ctx.h, 'POST', `/api/v1/posts/${now.posts[0].id}/retry`, { token: ctx.org.approver.token });
    expect(retried.statusCode).toBe(200);
    await waitFor('overdue post published after approver released it', async () => (await postsOf(now.id))[0]!.status === 'published');
  });

  it('publishes each post exactly once after Redis lost everything before the due time', async () => {
    const scheduler = startScheduler(ctx.h.deps);
    try {
      const before = ctx.h.x.tweetsOf(ctx.channels.xUser.userId).length;
      const release = await approved({ publishAt: inSeconds(3) }, [ctx.channels.blog, ctx.channels.twitter]);
      await ctx.h.deps.redis.flushdb();
      // Several sweeps at once must not add a job twice.
      await Promise.all([sweep(ctx.h.deps), sweep(ctx.h.deps), sweep(ctx.h.deps)]);
      await waitFor('published', async () => (await postsOf(release.id)).every((p) => p.status === 'published'));
      await new Promise((r) => setTimeout(r, 1500));
      const tweets = ctx.h.x.tweetsOf(ctx.channels.xUser.userId).slice(before);
      expect(tweets.filter((t) => t.text.includes(release.slug))).toHaveLength(1);
      const attempts = await ctx.h.deps.db.publicationAttempt.count({ where: { post: { releaseId: release.id } } });
      expect(attempts).toBe(2);
    } finally {
      await scheduler.close();
    }
  });
});
