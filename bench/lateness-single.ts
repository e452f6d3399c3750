// Lateness of a single post: 200 posts, each due alone (250 ms apart), published by Herold's real
// scheduler and publisher to the simulated Mastodon (src/simulated/mastodon-fake.ts, loopback,
// answers at once). Lateness = the moment the fake receives the POST /api/v1/statuses minus the
// post's due time (publishAt): the sweep's look-ahead, BullMQ's delayed-job wake-up, the claim
// transaction and the adapter up to the network call. Target: p99 ≤ 250 ms.
//
//   npm run bench -- lateness-single [--quick]
import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { closeDeps, createDeps } from '../src/runtime';
import { startMastodonFake, type MastodonFake } from '../src/simulated/mastodon-fake';
import { startPublisher } from '../workers/publisher';
import { startScheduler } from '../workers/scheduler';
import {
  benchConfig,
  benchPool,
  countSweepOverlaps,
  fmt,
  median,
  percentile,
  resetState,
  seedChannel,
  seedOrg,
  seedScheduledPosts,
  waitPublished,
  verdict,
  type BenchOptions,
  type ScenarioResult,
  type SeededChannel,
  type SeededOrg,
} from './common';

/**
 * Far enough apart that each post is alone even when the shared machine is busy (a publish then
 * takes up to about 150 ms of wall time here); closer spacing measures a backlog, not lateness.
 */
const SPACING_MS = 250;
const LEAD_MS = 3_000;
const WARM_UP_POSTS = 5;

/** The simulated Mastodon with one account and, unlike the real one, no practical rate limit. */
export async function startBenchMastodon(pool: Pool, org: SeededOrg): Promise<{ fake: MastodonFake; channel: SeededChannel }> {
  const accessToken = randomBytes(18).toString('base64url');
  const fake = await startMastodonFake({
    accounts: [{ id: '109000000000000001', username: 'bench', accessToken }],
    rateLimits: { api: 1_000_000_000 },
  });
  const channel = await seedChannel(pool, org, 'mastodon', { instanceUrl: fake.url }, { accessToken });
  return { fake, channel };
}

async function runOnce(pool: Pool, posts: number): Promise<number[]> {
  await resetState(pool);
  const org = await seedOrg(pool);
  const { fake, channel } = await startBenchMastodon(pool, org);
  const overlaps = countSweepOverlaps();
  const deps = createDeps(benchConfig(), 'bench-lateness');
  const publisher = startPublisher(deps);
  const scheduler = startScheduler(deps);
  try {
    // A running system: connections open, code compiled, before the measured posts.
    await seedScheduledPosts(pool, org, channel, WARM_UP_POSTS, () => new Date(), undefined, 'aufwaermen');
    if ((await waitPublished(pool, WARM_UP_POSTS, 60_000, org.orgId)) < WARM_UP_POSTS) throw new Error('lateness: warm-up posts not published');
    const first = Date.now() + LEAD_MS;
    const seeded = await seedScheduledPosts(pool, org, channel, posts, (i) => new Date(first + i * SPACING_MS));
    const done = (await waitPublished(pool, WARM_UP_POSTS + posts, LEAD_MS + posts * SPACING_MS + 30_000, org.orgId)) - WARM_UP_POSTS;
    if (done < posts) throw new Error(`lateness: only ${done} of ${posts} posts published`);
    // The adapter sends Idempotency-Key `<post>-r<revision>-part-<n>`: the first part is the call.
    const dueByKey = new Map(seeded.map((p) => [`${p.postId}-r1-part-0`, p.dueAt.getTime()]));
    const lateness: number[] = [];
    for (const request of fake.requests) {
      if (request.method !== 'POST' || request.path !== '/api/v1/statuses' || !request.idempotencyKey) continue;
      const due = dueByKey.get(request.idempotencyKey);
      if (due !== undefined) lateness.push(request.at.getTime() - due);
    }
    if (lateness.length < posts) throw new Error(`lateness: the fake saw ${lateness.length} of ${posts} posts`);
    return lateness;
  } finally {
    overlaps.restore();
    await scheduler.close();
    await publisher.close();
    await closeDeps(deps);
    await fake.close();
  }
}

export async function benchLatenessSingle(options: BenchOptions): Promise<ScenarioResult> {
  const posts = options.quick ? 50 : 200;
  const pool = benchPool();
  const p50s: number[] = [];
  const p99s: number[] = [];
  const maxes: number[] = [];
  try {
    for (let rep = 0; rep < options.reps; rep++) {
      const lateness = await runOnce(pool, posts);
      p50s.push(percentile(lateness, 0.5));
      p99s.push(percentile(lateness, 0.99));
      maxes.push(Math.max(...lateness));
      console.log(`  lateness rep ${rep + 1}: p50 ${fmt(p50s.at(-1)!)} ms, p99 ${fmt(p99s.at(-1)!)} ms, max ${fmt(maxes.at(-1)!)} ms, min ${fmt(Math.min(...lateness))} ms`);
    }
  } finally {
    await pool.end();
  }
  const p50 = median(p50s);
  const p99 = median(p99s);
  const pass = p99 <= 250;
  return {
    scenario: 'lateness-single',
    line: `lateness, single post (${posts} posts, ${SPACING_MS} ms apart, Mastodon fake): p50 ${fmt(p50)} ms, p99 ${fmt(p99)} ms, max ${fmt(Math.max(...maxes))} ms (median of ${options.reps}) — target p99 ≤ 250 ms: ${verdict(pass)}`,
    pass,
    summary: `p50 ${fmt(p50)} ms, p99 ${fmt(p99)} ms`,
  };
}
