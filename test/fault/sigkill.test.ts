// Worker processes killed with SIGKILL again and again during a burst: never a post twice, none
// lost, and `unconfirmed` only for posts that were really in flight when a worker died. Mastodon
// (Idempotency-Key plus a look-up) and Bluesky (record keys derived from the post) finish every
// interrupted attempt: exactly once there, none `unconfirmed`.
//
// Articles go first (blog-first chaining), under the same kills:
// - Most releases carry a WordPress article beside four social posts. WordPress has no
//   idempotency key; Herold looks for the article by its slug before deciding (findExisting), so
//   an interrupted attempt whose POST reached WordPress ends `published`; only one killed before
//   its POST left ends `unconfirmed` — and then its release's social posts are refused
//   (ARTICLE_FAILED), because they must not go out before the article they belong to.
// - Some releases carry the built-in blog, Facebook and Mastodon: the social posts link to the
//   article; each must reach its network only after the article was published, with its URL.
import { addSocialChannels, channelIdsOf, inFlightOf, newOrg, QUICK, report, secs, seedReleases, settle, spawnHerold, startHerold, startSuite, tally, waitUntil, type HeroldProcess, type Suite } from './helpers/kit';

const RELEASES = QUICK ? 20 : 185; // × 5 channels (WordPress, Facebook, X, Mastodon, Bluesky)
const CHAIN = QUICK ? 5 : 25; // × 3 channels (blog, Facebook, Mastodon): 115 / 1,000 posts in all
const KILLS = QUICK ? 3 : 10;
const ARTICLE_TYPES = new Set(['wordpress', 'blog']);
const markerOf = (text: string) => /\[([A-Za-z0-9]+-\d+)\]/.exec(text)?.[1];

describe('SIGKILL of workers during a burst', () => {
  let s: Suite;
  beforeAll(async () => {
    s = await startSuite();
  });
  afterAll(() => s.close());

  it(`kills a worker ${KILLS} times: 0 duplicates, 0 lost, unconfirmed ≤ in flight at the kills, Mastodon and Bluesky exactly once, articles first`, async () => {
    const org = await newOrg(s);
    const channels = await addSocialChannels(s, org, { mastodon: true, bluesky: true, wordpress: true, blog: true });
    const channelIds = channelIdsOf(channels);
    const chainIds = [channels.blog!.id, channels.facebook.id, channels.mastodon!.id];
    // Calls take a while, so that every kill catches some in flight.
    await s.fakes.config({ delayMs: 400 });
    // Seeded side by side (the blog releases in one lane), so that their jobs are spread over the
    // first half of the queue and meet kills too.
    const [seeded, chainSeeded] = await Promise.all([
      seedReleases(s, org, channelIds, RELEASES, { tag: 'kill' }),
      seedReleases(s, org, chainIds, CHAIN, { tag: 'chain', parallel: 1 }),
    ]);
    const total = RELEASES * channelIds.length + CHAIN * chainIds.length;

    const started = Date.now();
    await startHerold('scheduler', 'kill-scheduler');
    const env = { HEROLD_WORKER_CONCURRENCY: '10' };
    let workers: HeroldProcess[] = await Promise.all([startHerold('worker', 'kill-worker-a0', env), startHerold('worker', 'kill-worker-b0', env)]);
    const published = () => s.deps.db.post.count({ where: { orgId: org.id, status: 'published' } });

    const inflightAtKills: number[] = [];
    const publishingAtKills: number[] = [];
    for (let k = 0; k < KILLS; k += 1) {
      // Spread the kills over the burst.
      const target = Math.floor(((k + 1) * total) / (KILLS + 3));
      await waitUntil(`${target} published before kill ${k + 1}`, async () => (await published()) >= target, 300_000, 100);
      await Promise.all(workers.map((w) => w.started.catch(() => undefined)));
      // The live worker with the most calls in flight.
      const counts = await Promise.all(workers.map((w) => inFlightOf(s, w.workerId)));
      const victimIndex = counts.indexOf(Math.max(...counts));
      const victim = workers[victimIndex]!;
      publishingAtKills.push(await s.deps.db.post.count({ where: { orgId: org.id, status: 'publishing' } }));
      victim.signal('SIGKILL');
      await victim.exited;
      inflightAtKills.push(await inFlightOf(s, victim.workerId));
      // A supervisor restarts it at once.
      workers = workers.map((w, i) => (i === victimIndex ? spawnHerold('worker', `kill-worker-${i === 0 ? 'a' : 'b'}${k + 1}`, env) : w));
    }
    const burstMs = Date.now() - started;
    const settleMs = await settle(s, org.id, 240_000);
    const t = await tally(s, org.id, channels);
    const inflight = inflightAtKills.reduce((a, b) => a + b, 0);

    // --- articles first ------------------------------------------------------------------
    const rows = await s.deps.db.post.findMany({
      where: { orgId: org.id },
      select: { status: true, errorCode: true, channelType: true, publishedAt: true, externalUrl: true, release: { select: { title: true } } },
    });
    const articleOf = new Map<string, (typeof rows)[number]>();
    for (const r of rows) if (ARTICLE_TYPES.has(r.channelType)) articleOf.set(markerOf(r.release.title) ?? '', r);
    const unconfirmedArticles = new Set([...articleOf].filter(([, a]) => a.status === 'unconfirmed').map(([m]) => m));
    // `failed` only as the chain demands: a social post of a release whose article is unconfirmed.
    const failedOtherwise = rows.filter((r) => r.status === 'failed' && !(r.errorCode === 'ARTICLE_FAILED' && unconfirmedArticles.has(markerOf(r.release.title) ?? ''))).length;
    const failedForArticle = rows.filter((r) => r.status === 'failed').length - failedOtherwise;
    // … and every social post of such a release is refused, none left to go out later.
    const socialOfUnconfirmedNotFailed = rows.filter(
      (r) => !ARTICLE_TYPES.has(r.channelType) && unconfirmedArticles.has(markerOf(r.release.title) ?? '') && r.status !== 'failed',
    ).length;

    // The networks' view (the proxy's log, millisecond arrival times): no social publish call
    // before Herold had recorded its release's article as published (an unpublished article:
    // no call at all).
    const state = await s.fakes.state();
    const calls = state.log.filter((e) => e.publish && e.marker);
    const socialBeforeArticle = calls.filter((c) => {
      if (c.net === 'wordpress') return false;
      const article = articleOf.get(c.marker!);
      return article !== undefined && (!article.publishedAt || c.at < article.publishedAt.getTime());
    }).length;
    // An interrupted WordPress attempt whose POST reached WordPress is found by the look-up:
    // `unconfirmed` only where nothing was sent.
    const wpSent = new Set(calls.filter((c) => c.net === 'wordpress').map((c) => c.marker));
    const wpUnconfirmedSent = rows.filter((r) => r.channelType === 'wordpress' && r.status === 'unconfirmed' && wpSent.has(markerOf(r.release.title))).length;
    // How often the look-up decided (an interrupted attempt found on the network), per type.
    const found = await s.deps.db.publicationAttempt.findMany({
      where: { outcome: 'published', post: { orgId: org.id } },
      select: { detail: true, post: { select: { channelType: true } } },
    });
    const foundByLookup = new Map<string, number>();
    for (const a of found) {
      if ((a.detail as { foundBy?: string } | null)?.foundBy !== 'lookup') continue;
      foundByLookup.set(a.post.channelType, (foundByLookup.get(a.post.channelType) ?? 0) + 1);
    }

    // The blog releases' social posts carry the article's URL (Facebook as the link, Mastodon in
    // the text).
    const blogUrl = (m: string | undefined) => (m ? articleOf.get(m)?.externalUrl : undefined);
    const chainCopies = [
      ...state.graphPosts.filter((p) => p.pageId === channels.facebook.pageId).map((p) => ({ marker: markerOf(p.message), text: `${p.message} ${p.link ?? ''}` })),
      ...state.statuses.filter((m) => m.accountId === channels.mastodon!.accountId && !m.inReplyToId).map((m) => ({ marker: markerOf(m.text), text: m.text })),
    ].filter((c) => c.marker?.startsWith('chain-'));
    const chainSocialPublished = rows.filter((r) => r.channelType !== 'blog' && r.status === 'published' && markerOf(r.release.title)?.startsWith('chain-')).length;
    const chainWithoutLink = chainCopies.filter((c) => {
      const url = blogUrl(c.marker);
      return !url || !c.text.includes(url);
    }).length;

    const names: [string, string][] = [
      ['wp', channels.wordpress!.id],
      ['fb', channels.facebook.id],
      ['x', channels.twitter[0]!.id],
      ['mastodon', channels.mastodon!.id],
      ['bluesky', channels.bluesky!.id],
      ['blog', channels.blog!.id],
    ];
    const perChannel = names.map(([name, id]) => {
      const c = t.perChannel[id] ?? { posts: 0, published: 0, unconfirmed: 0, failed: 0, duplicates: 0, missingOnFake: 0 };
      return `${name}:${c.published}/${c.posts}pub,${c.unconfirmed}unc,${c.failed}fail,${c.duplicates}dup,${c.missingOnFake}missing`;
    });
    report('sigkill', {
      posts: t.posts,
      kills: KILLS,
      duplicates: t.duplicates,
      lost: t.lost,
      unconfirmed: t.unconfirmed,
      failed: t.failed,
      failed_article_unconfirmed: failedForArticle,
      failed_otherwise: failedOtherwise,
      inflight_at_kills: inflight,
      inflight_per_kill: inflightAtKills.join('/'),
      publishing_at_kills: publishingAtKills.join('/'),
      on_fake_not_published: t.unexpectedOnFake,
      per_channel: perChannel.join(';'),
      wp_unconfirmed_sent: wpUnconfirmedSent,
      found_by_lookup: ['wordpress', 'facebook', 'twitter', 'mastodon'].map((type) => `${type}:${foundByLookup.get(type) ?? 0}`).join(','),
      social_calls: calls.filter((c) => c.net !== 'wordpress').length,
      social_before_article: socialBeforeArticle,
      blog_social_copies: chainCopies.length,
      blog_social_without_link: chainWithoutLink,
      seed: secs(Math.max(seeded.seedMs, chainSeeded.seedMs)),
      kills_done_after: secs(burstMs),
      recovery: secs(settleMs),
      wall: secs(Date.now() - started),
    });
    expect(t.posts).toBe(total);
    expect(t.duplicates).toBe(0);
    expect(t.lost).toBe(0);
    expect(t.missingOnFake).toBe(0);
    expect(t.unexpectedOnFake).toBe(0);
    expect(t.unconfirmed).toBeLessThanOrEqual(inflight);
    expect(failedOtherwise).toBe(0);
    expect(socialOfUnconfirmedNotFailed).toBe(0);
    expect(socialBeforeArticle).toBe(0);
    expect(wpUnconfirmedSent).toBe(0);
    // Every blog release's Facebook and Mastodon copy was found and carries the article's URL.
    expect(chainCopies.length).toBeGreaterThanOrEqual(chainSocialPublished);
    expect(chainWithoutLink).toBe(0);
    // The blog is Herold's own: an interrupted blog attempt simply runs again.
    expect(t.perChannel[channels.blog!.id]).toMatchObject({ posts: CHAIN, published: CHAIN });
    // The networks with idempotency: every interrupted attempt is finished, none left to a person;
    // only the refusals of the chain above are not published.
    for (const id of [channels.mastodon!.id, channels.bluesky!.id]) {
      const c = t.perChannel[id]!;
      expect({ unconfirmed: c.unconfirmed, duplicates: c.duplicates, missingOnFake: c.missingOnFake }).toEqual({ unconfirmed: 0, duplicates: 0, missingOnFake: 0 });
      expect(c.published + c.failed).toBe(c.posts);
    }
  });
});
