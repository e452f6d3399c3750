// The networks fail 30 % of publish calls with 500/503 and 429 (with reset headers): every post
// is published in the end, once, and no attempt starts before a reset the network announced.
import { addSocialChannels, newOrg, QUICK, report, secs, seedReleases, settle, startHerold, startSuite, tally, type Suite } from './helpers/kit';

const RELEASES = QUICK ? 30 : 500; // × 2 channels
const RESET_SECONDS = 2;
// With 30 % of calls failing, a post fails all of N attempts with probability 0.3^N: with the
// default of 6 that is 0.07 % per post, about 0.7 of 1,000 posts per run (seen: 1 failed in the
// full run). "All posts published" needs a larger budget for this failure rate: 10 attempts
// (0.0006 %) here. Jobs are enqueued on approval by the test process, so it gets the setting too.
const ENV = { HEROLD_PUBLISH_ATTEMPTS: '10' };

describe('fakes fail 30 % of calls with 500 / 429', () => {
  let s: Suite;
  beforeAll(async () => {
    s = await startSuite(ENV);
  });
  afterAll(() => s.close());

  it('publishes every post, once, and honours every reset time', async () => {
    const org = await newOrg(s);
    const channels = await addSocialChannels(s, org);
    const x = channels.twitter[0]!;
    const channelIds = [channels.facebook.id, x.id];
    // Graph reports throttling in whole minutes (X-Page-Usage), which would stretch the run to
    // an hour: Graph gets 500/503, X gets 500 and 429 with x-rate-limit-reset.
    await s.fakes.config({
      rate: 0.3,
      graphFaults: [{ status: 500 }, { status: 503 }],
      xFaults: [{ status: 500 }, { status: 429, resetInSeconds: RESET_SECONDS }],
    });
    const seeded = await seedReleases(s, org, channelIds, RELEASES, { tag: 'err' });
    const started = Date.now();
    await Promise.all([startHerold('scheduler', 'err-scheduler', ENV), startHerold('worker', 'err-worker-0', ENV), startHerold('worker', 'err-worker-1', ENV)]);
    // An unlucky post's 9th attempt comes ~2 minutes after its first (backoff from 500 ms).
    const settleMs = await settle(s, org.id, QUICK ? 300_000 : 900_000);
    const t = await tally(s, org.id, channels);

    const state = await s.fakes.state();
    const publishCalls = state.log.filter((e) => e.publish);
    const injected = publishCalls.filter((e) => e.injected).length;
    const injected429 = publishCalls.filter((e) => e.injected === 429).length;
    const answered429 = publishCalls.filter((e) => e.net === 'x' && e.status === 429).length;

    // Honouring the reset: once Herold recorded a 429 with its wait, no attempt on that channel
    // may start before the wait is over (attempts already under way are not counted).
    const attempts = await s.deps.db.publicationAttempt.findMany({
      where: { post: { channelId: x.id } },
      select: { postId: true, startedAt: true, finishedAt: true, outcome: true, detail: true },
    });
    const limited = attempts.filter((a) => a.outcome === 'rate_limited' && a.finishedAt);
    // startedAt is the start of the claim transaction (CURRENT_TIMESTAMP), which precedes the
    // claim's look at the channel block; the block is written just before the 429 attempt is
    // finished. `strict` counts every attempt begun after that; `early` allows GRACE_MS for the
    // claim → block ordering under load (2 cores shared with other suites).
    const GRACE_MS = 250;
    let early = 0;
    let channelWide = 0;
    let strict = 0;
    let latestMs = 0;
    for (const l of limited) {
      const waitMs = (l.detail as { retryAfterMs?: number } | null)?.retryAfterMs ?? 0;
      const until = l.finishedAt!.getTime() + waitMs - 100;
      for (const a of attempts) {
        // Attempts stopped by the check right before sending reached no network: not a call.
        if ((a.detail as { sent?: boolean } | null)?.sent === false) continue;
        // The rule of QUALITY.md: a retry honours the reset its own 429 named. (Calls of other
        // posts already past the claim when the 429 arrived are counted in `channelWide`.)
        if (a.postId !== l.postId) {
          const lateBy = a.startedAt.getTime() - l.finishedAt!.getTime();
          if (lateBy > GRACE_MS && a.startedAt.getTime() < until) channelWide += 1;
          continue;
        }
        const after = a.startedAt.getTime() - l.finishedAt!.getTime();
        if (after > 20 && a.startedAt.getTime() < until) {
          strict += 1;
          latestMs = Math.max(latestMs, after);
          if (after > GRACE_MS) early += 1;
        }
      }
    }
    // Why a post failed, if one did: its code and the outcomes of its attempts in order.
    const failedPosts = await s.deps.db.post.findMany({
      where: { orgId: org.id, status: 'failed' },
      select: { channelType: true, errorCode: true, attemptsLog: { select: { outcome: true }, orderBy: { number: 'asc' } } },
    });
    report('network-errors', {
      posts: t.posts,
      fault_rate: '30%',
      publish_attempts: ENV.HEROLD_PUBLISH_ATTEMPTS,
      publish_calls: publishCalls.length,
      injected,
      injected_429: injected429,
      answered_429: answered429,
      rate_limited_attempts: limited.length,
      attempts_before_reset: early,
      other_posts_calls_before_reset: channelWide,
      strict_attempts_begun_after_429_before_reset: strict,
      latest_of_those_after_429: `${latestMs}ms`,
      duplicates: t.duplicates,
      lost: t.lost,
      failed: t.failed,
      unconfirmed: t.unconfirmed,
      failed_posts: failedPosts.map((f) => `${f.channelType}:${f.errorCode}:${f.attemptsLog.map((a) => a.outcome).join('/')}`).join(';') || 'none',
      seed: secs(seeded.seedMs),
      wall: secs(Date.now() - started),
      settle: secs(settleMs),
    });
    expect(injected / publishCalls.length).toBeGreaterThan(0.2);
    expect(t.posts).toBe(RELEASES * 2);
    expect(t.published).toBe(t.posts);
    expect(t.duplicates).toBe(0);
    expect(t.lost).toBe(0);
    expect(t.missingOnFake).toBe(0);
    expect(early).toBe(0);
  });
});
