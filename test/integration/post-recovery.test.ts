// What an approver does with posts that need a person, and what follows from it: a retried post
// of a finished release goes out; social posts refused because their article's fate was unknown
// follow the article once a person confirmed it, or once it is retried; a withdrawn release
// stays withdrawn.
import { addChannels, approvedRelease, call, createTestOrg, startHarness, waitFor, type Harness, type TestOrg } from '../helpers/harness';

describe('retrying and resolving posts', () => {
  let h: Harness;
  let org: TestOrg;
  let channels: Awaited<ReturnType<typeof addChannels>>;

  beforeAll(async () => {
    h = await startHarness();
    org = await createTestOrg(h);
    channels = await addChannels(h, org);
  });
  afterAll(() => h.close());
  afterEach(() => h.stopWorker());

  const postsOf = (releaseId: string) => h.deps.db.post.findMany({ where: { releaseId } });
  const releaseStatus = async (id: string) => (await h.deps.db.release.findUniqueOrThrow({ where: { id } })).status;
  const byType = async (releaseId: string, type: string) => (await postsOf(releaseId)).find((p) => p.channelType === type)!;
  // Social posts of a built-in-blog release link to its article, whose address ends in the slug.
  const feedOf = (releaseSlug: string) => h.graph.postsOf(channels.pageId).filter((p) => p.link?.endsWith(`/${releaseSlug}`));

  const settled = (releaseId: string, want: Record<string, string>) =>
    waitFor(`posts ${JSON.stringify(want)}`, async () => {
      const rows = await postsOf(releaseId);
      return rows.every((p) => want[p.channelType] === p.status) ? rows : null;
    });

  /** A release of blog and Facebook whose blog article a dead worker left unconfirmed. */
  async function articleUnconfirmed() {
    const release = await approvedRelease(h, org, { channelIds: [channels.blog, channels.facebook], title: `Artikel ungewiss ${Math.random().toString(36).slice(2, 7)}` });
    const blog = await byType(release.id, 'blog');
    await h.deps.db.post.update({ where: { id: blog.id }, data: { status: 'unconfirmed', errorCode: 'WORKER_DIED' } });
    h.startWorker();
    // Facebook must not go out without its article: refused, not sent.
    await settled(release.id, { blog: 'unconfirmed', facebook: 'failed' });
    expect((await byType(release.id, 'facebook')).errorCode).toBe('ARTICLE_FAILED');
    expect(feedOf(release.slug)).toHaveLength(0);
    return { release, blog };
  }

  it('sends a failed post of a finished release again when an approver retries it', async () => {
    h.graph.failNext({ status: 400, code: 100 }, 1, { method: 'POST' });
    h.startWorker();
    const release = await approvedRelease(h, org, { channelIds: [channels.blog, channels.facebook], title: 'Erneuter Versuch nach Abschluss' });
    await settled(release.id, { blog: 'published', facebook: 'failed' });
    await waitFor('release done', async () => (await releaseStatus(release.id)) === 'done');

    const facebook = await byType(release.id, 'facebook');
    const retried = await call(h, 'POST', `/api/v1/posts/${facebook.id}/retry`, { token: org.approver.token });
    expect(retried.statusCode).toBe(200);
    expect(retried.json().status).toBe('scheduled');

    await settled(release.id, { blog: 'published', facebook: 'published' });
    await waitFor('release done again', async () => (await releaseStatus(release.id)) === 'done');
    expect(feedOf(release.slug)).toHaveLength(1);
  });

  it('lets the social posts go out once a person confirms that the article appeared', async () => {
    const { release, blog } = await articleUnconfirmed();

    const resolved = await call(h, 'POST', `/api/v1/posts/${blog.id}/resolve`, {
      token: org.approver.token,
      body: { published: true, externalUrl: `https://www.musterstadt.de/presse/${release.slug}` },
    });
    expect(resolved.statusCode).toBe(200);

    await settled(release.id, { blog: 'published', facebook: 'published' });
    await waitFor('release done', async () => (await releaseStatus(release.id)) === 'done');
    expect(feedOf(release.slug)).toHaveLength(1);
    const audit = await h.deps.db.auditEvent.findFirstOrThrow({ where: { entityId: blog.id, action: 'post.resolved' } });
    expect(audit.data).toMatchObject({ published: true, requeued: [(await byType(release.id, 'facebook')).id] });
  });

  it('keeps them refused when the article did not appear, and sends both when the article is retried', async () => {
    const { release, blog } = await articleUnconfirmed();

    const resolved = await call(h, 'POST', `/api/v1/posts/${blog.id}/resolve`, { token: org.approver.token, body: { published: false } });
    expect(resolved.statusCode).toBe(200);
    await settled(release.id, { blog: 'failed', facebook: 'failed' });
    await waitFor('release done', async () => (await releaseStatus(release.id)) === 'done');
    expect(feedOf(release.slug)).toHaveLength(0);

    const retried = await call(h, 'POST', `/api/v1/posts/${blog.id}/retry`, { token: org.approver.token });
    expect(retried.statusCode).toBe(200);

    await settled(release.id, { blog: 'published', facebook: 'published' });
    await waitFor('release done again', async () => (await releaseStatus(release.id)) === 'done');
    expect(feedOf(release.slug)).toHaveLength(1);
  });

  it('refuses to retry a post of a withdrawn release, and writes the refusal to the audit log', async () => {
    const release = await approvedRelease(h, org, { channelIds: [channels.blog, channels.facebook], title: 'Zurückgezogen' });
    const facebook = await byType(release.id, 'facebook');
    // Its outcome is unknown, so the cancel leaves it for an approver to resolve.
    await h.deps.db.post.update({ where: { id: facebook.id }, data: { status: 'unconfirmed', errorCode: 'WORKER_DIED' } });
    const cancelled = await call(h, 'POST', `/api/v1/releases/${release.id}/cancel`, { token: org.approver.token });
    expect(cancelled.statusCode).toBe(200);

    const retried = await call(h, 'POST', `/api/v1/posts/${facebook.id}/retry`, { token: org.approver.token });
    expect(retried.statusCode).toBe(409);
    expect(retried.json().error.code).toBe('RELEASE_CANCELLED');
    expect((await byType(release.id, 'facebook')).status).toBe('unconfirmed');
    expect(await releaseStatus(release.id)).toBe('cancelled');
    const refusal = await h.deps.db.auditEvent.findFirst({ where: { entityId: facebook.id, action: 'post.retry_refused' } });
    expect(refusal?.data).toMatchObject({ refused: 'RELEASE_CANCELLED' });
  });
});
