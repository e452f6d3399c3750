// Redis is only a work queue. With the posts scheduled it is flushed (FLUSHALL, every delayed job
// gone) and, in the middle of the burst, restarted (SHUTDOWN NOSAVE and a new server on the same
// port: it comes back empty, as the machine's Redis keeps nothing on disk). The processes stay
// up, /readyz says "not ready" while Redis is down, and the sweep rebuilds the queue from
// PostgreSQL: every post is published once, within one sweep interval of its time.
import { addSocialChannels, newOrg, percentile, QUICK, readyz, report, secs, seedReleases, SERVICES, settle, sleep, startHerold, startSuite, tally, waitUntil, type Suite } from './helpers/kit';
import { redisFlushAll, startRedis, stopRedis } from './helpers/services';

const RELEASES = QUICK ? 30 : 500; // × 2 channels
const SPREAD_MS = QUICK ? 20_000 : 60_000;
const SWEEP_SECONDS = 5;
// The repair: a worker takes the post up within one sweep interval of its time, plus this slack
// for the sweep's own work and the hand-off to a worker on 2 shared cores.
const SLACK_MS = 2_000;
// Publishing it (claim, call, record) takes up to ~2 s more on those cores under other people's load.
const PUBLISH_MS = 2_000;
// A generous guess of the seeding time, so that the posts fall due only after the first flush.
const SEED_MS_PER_RELEASE = QUICK ? 500 : 600;

describe('Redis flushed and restarted with posts scheduled', () => {
  let s: Suite;
  beforeAll(async () => {
    s = await startSuite();
  });
  afterAll(async () => {
    // Never leave the next scenario without Redis.
    await startRedis(SERVICES).catch(() => undefined);
    await s.close();
  });

  it('publishes every post once, within one sweep interval of its time; processes stay up', async () => {
    const org = await newOrg(s);
    const channels = await addSocialChannels(s, org);
    const channelIds = [channels.facebook.id, channels.twitter[0]!.id];
    const env = { HEROLD_SWEEP_SECONDS: String(SWEEP_SECONDS) };
    const procs = await Promise.all([
      startHerold('scheduler', 'redis-scheduler', env),
      startHerold('worker', 'redis-worker-0', env),
      startHerold('worker', 'redis-worker-1', env),
      startHerold('api', 'redis-api', env),
    ]);
    const api = procs[3];

    const t0 = Date.now() + RELEASES * SEED_MS_PER_RELEASE + 8_000;
    const seeded = await seedReleases(s, org, channelIds, RELEASES, { tag: 'redis', publishAt: (i) => new Date(t0 + Math.floor((i * SPREAD_MS) / RELEASES)) });
    const queued = await s.deps.queue.getJobCounts();
    const seedOverrun = Math.max(0, Date.now() - (t0 - 2_000));

    // 1. FLUSHALL two seconds before the first post is due: every delayed job is gone.
    await sleep(t0 - 2_000 - Date.now());
    redisFlushAll(SERVICES);
    const flushedJobs = await s.deps.queue.getJobCounts();

    // 2. Mid-burst: Redis goes down and comes back empty on the same port.
    await sleep(t0 + SPREAD_MS / 2 - Date.now());
    const downAt = Date.now();
    await stopRedis(SERVICES);
    const notReady = await waitUntil('/readyz not ready', async () => {
      const r = await readyz(api);
      return r.status === 503 && r.body.redis === 'unavailable' ? r : null;
    }, 15_000, 100);
    const notReadyMs = Date.now() - downAt;
    await startRedis(SERVICES);
    const upAt = Date.now();
    await waitUntil('/readyz ready again', async () => (await readyz(api)).status === 200, 60_000, 100);
    const readyAgainMs = Date.now() - upAt;

    const settleMs = await settle(s, org.id, SPREAD_MS + 120_000);
    const t = await tally(s, org.id, channels);
    const posts = await s.deps.db.post.findMany({
      where: { orgId: org.id },
      select: { dueAt: true, publishedAt: true, release: { select: { approvedAt: true } }, attemptsLog: { select: { startedAt: true }, orderBy: { number: 'asc' }, take: 1 } },
    });
    const published = posts.filter((p) => p.publishedAt);
    // A post cannot go out before it is due and approved, nor while Redis is down: its time is
    // the latest of these. `raw` ignores the outage.
    const due = (p: (typeof posts)[number]) => Math.max(p.dueAt!.getTime(), p.release.approvedAt!.getTime());
    const raw = published.map((p) => p.publishedAt!.getTime() - due(p));
    const lateness = published.map((p) => {
      const at = due(p);
      return p.publishedAt!.getTime() - (at >= downAt && at < upAt ? upAt : at);
    });
    const early = raw.filter((l) => l < 0).length;
    // When a worker took it up (its first attempt), and how long the publishing itself took.
    const taken = published.map((p, i) => (p.attemptsLog[0]?.startedAt.getTime() ?? p.publishedAt!.getTime()) - (p.publishedAt!.getTime() - lateness[i]!));
    const latest = published
      .map((p, i) => ({ i, late: lateness[i]! }))
      .sort((a, b) => b.late - a.late)
      .slice(0, 3)
      .map(({ i }) => {
        const p = published[i]!;
        const rel = (ms: number) => `${((ms - t0) / 1000).toFixed(1)}`;
        return `due${rel(due(p))}/taken${rel(p.attemptsLog[0]?.startedAt.getTime() ?? 0)}/pub${rel(p.publishedAt!.getTime())}`;
      });
    const dueBefore = published.map((p, i) => ({ before: due(p) < downAt, late: lateness[i]! }));
    const maxOf = (xs: number[]) => (xs.length ? Math.max(...xs) : 0);
    const lateBeforeRestart = maxOf(dueBefore.filter((d) => d.before).map((d) => d.late));
    const lateAfterRestart = maxOf(dueBefore.filter((d) => !d.before).map((d) => d.late));
    const alive = procs.filter((p) => p.alive()).length;
    report('redis', {
      posts: t.posts,
      jobs_before_flush: (queued.delayed ?? 0) + (queued.wait ?? 0) + (queued.prioritized ?? 0),
      jobs_after_flush: Object.values(flushedJobs).reduce((a, b) => a + b, 0),
      flush: 'FLUSHALL@T-2s',
      restart: `T+${SPREAD_MS / 2000}s`,
      redis_down: secs(upAt - downAt),
      readyz_503_after: secs(notReadyMs),
      readyz_body: JSON.stringify(notReady.body).replace(/\s/g, ''),
      readyz_200_after_start: secs(readyAgainMs),
      processes_alive: `${alive}/${procs.length}`,
      duplicates: t.duplicates,
      lost: t.lost,
      unconfirmed: t.unconfirmed,
      sweep: `${SWEEP_SECONDS}s`,
      late_p50: secs(percentile(lateness, 50)),
      late_p95: secs(percentile(lateness, 95)),
      late_max: secs(Math.max(...lateness)),
      raw_late_max: secs(Math.max(...raw)),
      taken_late_p50: secs(percentile(taken, 50)),
      taken_late_max: secs(Math.max(...taken)),
      latest_vs_T: latest.join(','),
      restart_at_vs_T: `${((downAt - t0) / 1000).toFixed(1)}-${((upAt - t0) / 1000).toFixed(1)}`,
      late_max_due_before_restart: secs(lateBeforeRestart),
      late_max_due_after_restart: secs(lateAfterRestart),
      early,
      seed: secs(seeded.seedMs),
      seed_overrun: secs(seedOverrun),
      wall: secs(SPREAD_MS + settleMs),
    });
    expect(alive).toBe(procs.length);
    expect(t.posts).toBe(RELEASES * 2);
    expect(t.duplicates).toBe(0);
    expect(t.lost).toBe(0);
    expect(t.published).toBe(t.posts);
    expect(t.missingOnFake).toBe(0);
    expect(t.unexpectedOnFake).toBe(0);
    expect(early).toBe(0);
    expect(Math.max(...taken)).toBeLessThanOrEqual(SWEEP_SECONDS * 1000 + SLACK_MS);
    expect(Math.max(...lateness)).toBeLessThanOrEqual(SWEEP_SECONDS * 1000 + SLACK_MS + PUBLISH_MS);
  });
});
