// What the real networks do, through the whole stack: a thread part failing, a rate limit with a
// reset time, and credentials revoked on one channel.
import { addChannels, call, createTestOrg, startHarness, waitFor, type Harness, type TestOrg } from '../helpers/harness';

describe('channel faults through the whole stack', () => {
  let h: Harness;
  let org: TestOrg;
  let channels: Awaited<ReturnType<typeof addChannels>>;

  beforeAll(async () => {
    h = await startHarness({ HEROLD_RETRY_BASE_MS: '200', HEROLD_PUBLISH_ATTEMPTS: '5' });
    h.startWorker();
    org = await createTestOrg(h);
    channels = await addChannels(h, org);
  });
  afterAll(() => h.close());
  beforeEach(() => {
    h.x.reset();
    h.graph.reset();
  });

  /** Creates, optionally edits the X post, submits and approves; returns the release. */
  async function publish(channelIds: string[], thread?: string[]) {
    const created = await call(h, 'POST', '/api/v1/releases', {
      token: org.author.token,
      body: { title: `Hochwasserlage ${Math.random().toString(36).slice(2, 7)}`, body: 'Die Pegel steigen. Bitte meiden Sie die Uferwege.', channelIds },
    });
    expect(created.statusCode).toBe(201);
    let release = created.json();
    if (thread) {
      const tweet = release.posts.find((p: { channelType: string }) => p.channelType === 'twitter');
      const edited = await call(h, 'PATCH', `/api/v1/posts/${tweet.id}`, { token: org.editor.token, body: { content: { thread } } });
      expect(edited.statusCode).toBe(200);
      release = (await call(h, 'GET', `/api/v1/releases/${release.id}`, { token: org.editor.token })).json();
    }
    expect((await call(h, 'POST', `/api/v1/releases/${release.id}/submit`, { token: org.author.token })).statusCode).toBe(200);
    const approved = await call(h, 'POST', `/api/v1/releases/${release.id}/approve`, { token: org.approver.token, body: { revision: release.revision } });
    expect(approved.statusCode).toBe(200);
    return approved.json();
  }

  const postsOf = (releaseId: string) => h.deps.db.post.findMany({ where: { releaseId }, include: { attemptsLog: { orderBy: { number: 'asc' } } } });

  it('continues a thread of 5 at part 3 after it failed twice with 500: 5 posts, chained, none twice', async () => {
    const parts = [1, 2, 3, 4, 5].map((n) => `Lagebericht Teil ${n}: Die Feuerwehr ist im Einsatz. (${n}/5)`);
    h.x.failNext({ status: 500 }, 2, { method: 'POST', path: '/2/tweets', skip: 2 });
    const release = await publish([channels.twitter], parts);

    const [post] = await waitFor('thread published', async () => {
      const rows = await postsOf(release.id);
      return rows[0]!.status === 'published' ? rows : null;
    });
    const tweets = h.x.tweetsOf(channels.xUser.userId);
    expect(tweets.map((t) => t.text)).toEqual(parts);
    for (const [i, tweet] of tweets.entries()) {
      expect(tweet.inReplyToTweetId).toBe(i === 0 ? undefined : tweets[i - 1]!.id);
    }
    expect(post!.externalId).toBe(tweets[0]!.id);
    expect(post!.attemptsLog.map((a) => a.outcome)).toEqual(['retry', 'retry', 'published']);
  });

  it('waits for the reset of a 429 and publishes once afterwards; the attempt log shows the wait', async () => {
    h.x.failNext({ status: 429, resetInSeconds: 2 }, 1, { method: 'POST', path: '/2/tweets' });
    const started = Date.now();
    const release = await publish([channels.twitter]);

    const [post] = await waitFor('published after reset', async () => {
      const rows = await postsOf(release.id);
      return rows[0]!.status === 'published' ? rows : null;
    });
    expect(h.x.tweetsOf(channels.xUser.userId)).toHaveLength(1);
    expect(post!.publishedAt!.getTime() - started).toBeGreaterThanOrEqual(1000);
    // Sent attempts only: a claim stopped by the pre-send check (sent: false) reached no network.
    const sentAttempts = post!.attemptsLog.filter((a) => (a.detail as { sent?: boolean } | null)?.sent !== false);
    const [limited, published] = sentAttempts;
    expect(limited).toMatchObject({ outcome: 'rate_limited', errorCode: 'RATE_LIMITED' });
    expect((limited!.detail as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(0);
    expect(published!.outcome).toBe('published');
    const detail = await call(h, 'GET', `/api/v1/posts/${post!.id}`, { token: org.editor.token });
    const outcomes = detail.json().history.map((a: { outcome: string }) => a.outcome);
    expect(outcomes[0]).toBe('rate_limited');
    expect(outcomes[outcomes.length - 1]).toBe('published');
    expect(detail.json().history[0].retryAfterMs).toBeGreaterThan(0);
    expect(published!.startedAt.getTime()).toBeGreaterThanOrEqual(limited!.finishedAt!.getTime() + (limited!.detail as { retryAfterMs: number }).retryAfterMs - 50);
  });

  it('holds only the posts of a channel whose token was revoked, and releases them after new credentials', async () => {
    h.graph.expireToken(channels.pageToken);
    const release = await publish([channels.blog, channels.facebook, channels.twitter]);

    await waitFor('facebook held, others published', async () => {
      const rows = await postsOf(release.id);
      const by = Object.fromEntries(rows.map((p) => [p.channelType, p.status]));
      return by.facebook === 'held' && by.blog === 'published' && by.twitter === 'published' ? rows : null;
    });
    const channelsRes = await call(h, 'GET', '/api/v1/channels', { token: org.editor.token });
    const facebook = channelsRes.json().find((c: { id: string }) => c.id === channels.facebook);
    expect(facebook.status).toBe('needs_reauth');
    const [heldPost] = (await postsOf(release.id)).filter((p) => p.channelType === 'facebook');
    expect(heldPost).toMatchObject({ heldReason: 'reauth', errorCode: 'AUTH_EXPIRED' });
    expect(h.graph.posts).toHaveLength(0);

    const newToken = `${channels.pageToken}-neu`;
    h.graph.addPage({ id: channels.pageId, name: `Seite ${org.slug}`, accessToken: newToken });
    const patched = await call(h, 'PATCH', `/api/v1/channels/${channels.facebook}`, { token: org.admin.token, body: { credentials: { pageAccessToken: newToken } } });
    expect(patched.statusCode).toBe(200);
    expect(patched.json().status).toBe('active');

    await waitFor('facebook published with the new token', async () => {
      const rows = await postsOf(release.id);
      return rows.every((p) => p.status === 'published') ? rows : null;
    });
    expect(h.graph.postsOf(channels.pageId)).toHaveLength(1);
    const audit = await call(h, 'GET', `/api/v1/audit?entityId=${channels.facebook}`, { token: org.approver.token });
    expect(audit.json().map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['channel.needs_reauth', 'channel.credentials_changed']));
  });
});
