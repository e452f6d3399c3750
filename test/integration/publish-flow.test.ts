// The whole job, end to end on the real stack: a press release becomes approved, scheduled and
// published posts on the blog, the Graph API fake and the X API fake.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { approvedRelease, call, useHarnessWithOrg, waitFor } from '../helpers/harness';

const sample = readFileSync(join(__dirname, '../fixtures/releases/kbw-social-media-buergerbeteiligung.txt'), 'utf8');
const [sampleTitle, ...sampleRest] = sample.split('\n');
const sampleBody = sampleRest.join('\n').trim();

describe('publishing a release end to end', () => {
  const ctx = useHarnessWithOrg({ worker: true });

  it('publishes blog, Facebook and X after a second person approves', async () => {
    const created = await call(ctx.h, 'POST', '/api/v1/releases', {
      token: ctx.org.author.token,
      body: { title: sampleTitle, body: sampleBody, dateline: 'Musterstadt', channelIds: [ctx.channels.blog, ctx.channels.facebook, ctx.channels.twitter] },
    });
    expect(created.statusCode).toBe(201);
    const release = created.json();
    expect(release.status).toBe('draft');
    expect(release.posts).toHaveLength(3);

    const submitted = await call(ctx.h, 'POST', `/api/v1/releases/${release.id}/submit`, { token: ctx.org.author.token });
    expect(submitted.statusCode).toBe(200);
    expect(submitted.json().status).toBe('in_review');

    const selfApproval = await call(ctx.h, 'POST', `/api/v1/releases/${release.id}/approve`, {
      token: ctx.org.author.token,
      body: { revision: release.revision },
    });
    expect(selfApproval.statusCode).toBe(403);
    expect(selfApproval.json().error.code).toBe('FOUR_EYES_VIOLATION');

    const approved = await call(ctx.h, 'POST', `/api/v1/releases/${release.id}/approve`, {
      token: ctx.org.approver.token,
      body: { revision: release.revision },
    });
    expect(approved.statusCode).toBe(200);
    expect(approved.json().status).toBe('scheduled');

    const done = await waitFor('all posts published', async () => {
      const res = await call(ctx.h, 'GET', `/api/v1/releases/${release.id}`, { token: ctx.org.editor.token });
      const body = res.json();
      return body.posts.every((p: { status: string }) => p.status === 'published') ? body : null;
    });
    expect(done.status).toBe('done');
    for (const post of done.posts) {
      expect(post.externalId).toEqual(expect.any(String));
      expect(post.externalUrl).toMatch(/^https?:\/\//);
    }

    const blogPost = done.posts.find((p: { channelType: string }) => p.channelType === 'blog');
    const articleUrl = `http://herold.test/blog/${ctx.org.slug}/${release.slug}`;
    expect(blogPost.externalUrl).toBe(articleUrl);
    const page = await call(ctx.h, 'GET', `/blog/${ctx.org.slug}/${release.slug}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Social Media');
    expect(page.body).toContain(`<meta property="og:url" content="${articleUrl}"`);

    const feedPosts = ctx.h.graph.postsOf(ctx.channels.pageId);
    expect(feedPosts).toHaveLength(1);
    expect(feedPosts[0]!.link).toBe(articleUrl);
    expect(feedPosts[0]!.message).toContain('Social Media');

    const tweets = ctx.h.x.tweetsOf(ctx.channels.xUser.userId);
    expect(tweets.length).toBeGreaterThanOrEqual(1);
    expect(tweets.some((t) => t.text.includes(articleUrl))).toBe(true);
    for (const [i, tweet] of tweets.entries()) {
      if (i > 0) expect(tweet.inReplyToTweetId).toBe(tweets[i - 1]!.id);
    }

    const verify = await call(ctx.h, 'GET', '/api/v1/audit/verify', { token: ctx.org.approver.token });
    expect(verify.statusCode).toBe(200);
    expect(verify.json()).toMatchObject({ ok: true });
    expect(verify.json().events).toBeGreaterThan(5);

    const audit = await call(ctx.h, 'GET', `/api/v1/audit?entityId=${release.id}`, { token: ctx.org.approver.token });
    const actions = audit.json().map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['release.created', 'release.submitted', 'release.approve_refused', 'release.approved']));
  });

  it('publishes the blog article before the social posts that link to it', async () => {
    const release = await approvedRelease(ctx.h, ctx.org, {
      title: 'Reihenfolge der Kanäle',
      body: 'Der Artikel erscheint zuerst, danach die Beiträge in den sozialen Netzwerken mit Link.',
      channelIds: [ctx.channels.twitter, ctx.channels.blog],
    });
    await waitFor('published', async () => {
      const posts = await ctx.h.deps.db.post.findMany({ where: { releaseId: release.id } });
      return posts.every((p) => p.status === 'published') ? posts : null;
    });
    const posts = await ctx.h.deps.db.post.findMany({ where: { releaseId: release.id } });
    const blog = posts.find((p) => p.channelType === 'blog')!;
    const tweet = posts.find((p) => p.channelType === 'twitter')!;
    expect(blog.publishedAt!.getTime()).toBeLessThanOrEqual(tweet.publishedAt!.getTime());
  });
});
