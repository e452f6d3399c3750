// Redis is only a work queue: flushed while posts are scheduled (and again mid-burst), the
// sweep rebuilds it from PostgreSQL; every post is published once, within one sweep interval.
import { addSocialChannels, FAULT_REDIS_URL, newOrg, percentile, QUICK, report, secs, seedReleases, settle, sleep, startHerold, startSuite, tally, type Suite } from './helpers/kit';

const RELEASES = QUICK ? 50 : 500; // × 2 channels
const SPREAD_MS = QUICK ? 20_000 : 60_000;
const SWEEP_SECONDS = 5;
// Slack beyond one sweep interval for the work itself (claim, call, record) on 2 cores.
const SLACK_MS = 2_000;

describe('Redis flushed with posts scheduled', () => {
  let s: Suite;
  beforeAll(async () => {
    s = await startSuite();
  });
  afterAll(() => s.close());

  it('publishes every post once, within one sweep interval of its time', async () => {
    const org = await newOrg(s);
    const channels = await addSocialChannels(s, org);
    const channelIds = [channels.facebook.id, channels.twitter[0]!.id];
    const env = { HEROLD_SWEEP_SECONDS: String(SWEEP_SECONDS) };
    await startHerold('scheduler', 'flush-scheduler', env);
    await Promise.all([startHerold('worker', 'flush-worker-0', env), startHerold('worker', 'flush-worker-1', env)]);

    // Time enough to seed (about 0.15 s per release on 2 cores), then the posts fall due spread over SPREAD_MS.
    const t0 = Date.now() + RELEASES * 200 + 10_000;
    const seeded = await seedReleases(s, org, channelIds, RELEASES, { tag: 'flush', publishAt: (i) => new Date(t0 + Math.floor((i * SPREAD_MS) / RELEASES)) });
    const queued = await s.deps.queue.getJobCounts();
    expect(Date.now()).toBeLessThan(t0 - 2_000);

    await sleep(t0 - 2_000 - Date.now());
    const flushes: string[] = [];
    await s.deps.redis.flushdb(); // only our own db (FAULT_REDIS_URL)
    flushes.push(`T-2s`);
    await sleep(t0 + SPREAD_MS / 2 - Date.now());
    await s.deps.redis.flushdb();
    flushes.push(`T+${SPREAD_MS / 2000}s`);

    const settleMs = await settle(s, org.id, SPREAD_MS + 120_000);
    const t = await tally(s, org.id, channels);
    const posts = await s.deps.db.post.findMany({ where: { orgId: org.id }, select: { dueAt: true, publishedAt: true, release: { select: { approvedAt: true } } } });
    const lateness = posts
      .filter((p) => p.publishedAt)
      .map((p) => p.publishedAt!.getTime() - Math.max(p.dueAt!.getTime(), p.release.approvedAt!.getTime()));
    const early = lateness.filter((l) => l < 0).length;
    report('redis-flush', {
      posts: t.posts,
      flushes: flushes.join(','),
      redis: FAULT_REDIS_URL.replace(/^.*\//, 'db'),
      jobs_before_flush: (queued.delayed ?? 0) + (queued.wait ?? 0) + (queued.prioritized ?? 0),
      duplicates: t.duplicates,
      lost: t.lost,
      unconfirmed: t.unconfirmed,
      sweep: `${SWEEP_SECONDS}s`,
      late_p50: secs(percentile(lateness, 50)),
      late_p95: secs(percentile(lateness, 95)),
      late_max: secs(Math.max(...lateness)),
      early,
      seed: secs(seeded.seedMs),
      wall: secs(SPREAD_MS + settleMs),
    });
    expect(t.posts).toBe(RELEASES * 2);
    expect(t.duplicates).toBe(0);
    expect(t.lost).toBe(0);
    expect(t.published).toBe(t.posts);
    expect(t.missingOnFake).toBe(0);
    expect(early).toBe(0);
    expect(Math.max(...lateness)).toBeLessThanOrEqual(SWEEP_SECONDS * 1000 + SLACK_MS);
  });
});
