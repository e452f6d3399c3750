// Scale: 200,000 approved posts scheduled over the coming year (seeded in SQL with
// generate_series, then enqueued with Herold's own enqueuePosts as approval does: each becomes a
// delayed BullMQ job). Measured:
// - the scheduler tick (services/scheduling sweep(), as workers/scheduler.ts runs it) with 1,000
//   and with 200,000 future posts, 100 posts due in both cases: it must not grow (O(due));
// - Redis memory per scheduled post (MEMORY USAGE summed over every key of the bench Redis db);
// - RSS of Herold's API, worker and scheduler processes (workers/*-main.ts as children) with that
//   data: the scheduler sweeps, the worker publishes the 100 due posts, the API answers
//   GET /api/v1/posts?view=summary for a month of the year (about 16,000 posts), as the calendar
//   asks for it. Target ≤ 300 MB each.
//
//   npm run bench -- scale [--quick]          (--quick: 20,000 future posts)
import type { Pool } from 'pg';
import { enqueuePosts } from '../src/queue/publish-queue';
import { closeDeps, createDeps } from '../src/runtime';
import type { Deps } from '../src/services/deps';
import { sweep } from '../src/services/scheduling';
import { nextMonth } from './api';
import {
  benchConfig,
  benchPool,
  benchRedis,
  cpuMsSince,
  fmt,
  median,
  resetState,
  rssOf,
  seedChannel,
  seedOrg,
  seedScheduledPosts,
  seedToken,
  sleep,
  verdict,
  waitPublished,
  type BenchOptions,
  type ScenarioResult,
  type SeededChannel,
  type SeededOrg,
} from './common';
import { openLoop, startHeroldChild, type HeroldChild } from './load';

const DUE_POSTS = 100;
const SMALL = 1_000;
const BACKLOG = 5_000;
const YEAR_S = 365 * 86_400;

/** Future posts number `from`…`to` (1-based), spread evenly over the year starting in an hour. */
async function seedFuture(pool: Pool, org: SeededOrg, channel: SeededChannel, from: number, to: number, total: number): Promise<void> {
  const CHUNK = 50_000;
  for (let start = from; start <= to; start += CHUNK) {
    const end = Math.min(to, start + CHUNK - 1);
    await pool.query(
      `WITH r AS (
         INSERT INTO release (id, org_id, status, slug, title, body, publish_at, author_id, editor_ids, approved_by_id, approved_at, updated_at)
         SELECT gen_random_uuid(), $1, 'scheduled', 'zukunft-' || g, 'Pressemitteilung ' || g, 'Text', now() + make_interval(secs => 3600 + g * $3::float8),
                $2, '{}', $2, now(), now()
         FROM generate_series($4::int, $5::int) AS g
         RETURNING id, title, publish_at
       )
       INSERT INTO post (id, org_id, release_id, channel_id, channel_type, due_at, priority, content, status, approved_hash, updated_at)
       SELECT gen_random_uuid(), $1, r.id, $6, 'blog', r.publish_at, 10,
              jsonb_build_object('title', r.title, 'html', '<p>Die Stadt teilt mit: ' || r.title || '.</p>'), 'scheduled', md5(r.id::text), now()
       FROM r`,
      [org.orgId, org.userId, YEAR_S / total, start, end, channel.id],
    );
  }
}

/** What approval does for each post (services/releases → enqueueDue): a delayed job per post. */
async function enqueueScheduled(deps: Deps, pool: Pool): Promise<void> {
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const { rows } = await pool.query<{ id: string; revision: number; generation: number; due_at: Date }>(
      `SELECT id, revision, generation, due_at FROM post WHERE status = 'scheduled' AND id > $1 ORDER BY id LIMIT 5000`,
      [after],
    );
    if (rows.length === 0) return;
    await enqueuePosts(deps.queue, rows.map((r) => ({ postId: r.id, revision: r.revision, generation: r.generation, dueAt: r.due_at, crisis: false })), deps.config.publishAttempts);
    after = rows.at(-1)!.id;
  }
}

async function tickCost(deps: Deps, ticks: number, due = DUE_POSTS): Promise<{ wallMs: number; cpuMs: number }> {
  await sweep(deps); // warm
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < ticks; i++) {
    const cpu = process.cpuUsage();
    const t0 = performance.now();
    const result = await sweep(deps);
    walls.push(performance.now() - t0);
    cpus.push(cpuMsSince(cpu));
    if (result.enqueued !== due) throw new Error(`sweep enqueued ${result.enqueued}, expected ${due}`);
  }
  return { wallMs: median(walls), cpuMs: median(cpus) };
}

/** Bytes used by every key of the bench Redis db (exact: MEMORY USAGE … SAMPLES 0), and the number of keys. */
async function redisBytes(): Promise<{ bytes: number; keys: number }> {
  const redis = benchRedis();
  try {
    let cursor = '0';
    let bytes = 0;
    let keys = 0;
    do {
      const [next, batch] = await redis.scan(cursor, 'COUNT', 2000);
      cursor = next;
      if (batch.length === 0) continue;
      const pipeline = redis.pipeline();
      for (const key of batch) pipeline.memory('USAGE', key, 'SAMPLES', 0);
      for (const [, used] of (await pipeline.exec()) ?? []) bytes += Number(used ?? 0);
      keys += batch.length;
    } while (cursor !== '0');
    return { bytes, keys };
  } finally {
    redis.disconnect();
  }
}

export async function benchScale(options: BenchOptions): Promise<ScenarioResult> {
  const future = options.quick ? 20_000 : 200_000;
  const ticks = options.quick ? 5 : 15;
  const pool = benchPool();
  const children: HeroldChild[] = [];
  let deps: Deps | undefined;
  try {
    await resetState(pool);
    const org = await seedOrg(pool);
    const token = await seedToken(pool, org);
    const blog = await seedChannel(pool, org, 'blog', { title: 'Bench-Blog' });
    // Due a minute ago and never published while the tick is measured: every sweep finds them.
    await seedScheduledPosts(pool, org, blog, DUE_POSTS, () => new Date(Date.now() - 60_000), undefined, 'faellig');
    deps = createDeps(benchConfig(), 'bench-scale');

    await seedFuture(pool, org, blog, 1, SMALL, future);
    await pool.query('ANALYZE post');
    await enqueueScheduled(deps, pool);
    const small = await tickCost(deps, ticks);

    const seedStart = performance.now();
    await seedFuture(pool, org, blog, SMALL + 1, future, future);
    await pool.query('ANALYZE post');
    const seedSeconds = (performance.now() - seedStart) / 1000;
    const enqueueStart = performance.now();
    await enqueueScheduled(deps, pool);
    const enqueueSeconds = (performance.now() - enqueueStart) / 1000;
    const large = await tickCost(deps, ticks);
    const memory = await redisBytes();
    const scheduled = future + DUE_POSTS;
    // A burst backlog: 5,000 posts due and already in the queue, as during `burst`. Every tick
    // reads and re-adds all of them (the job id makes the re-add a no-op in Redis).
    await seedScheduledPosts(pool, org, blog, BACKLOG - DUE_POSTS, () => new Date(Date.now() - 60_000), undefined, 'rueckstau');
    await pool.query('ANALYZE post');
    const backlog = await tickCost(deps, 3, BACKLOG);
    await pool.query(`DELETE FROM post WHERE release_id IN (SELECT id FROM release WHERE slug LIKE 'rueckstau-%')`);
    await pool.query(`DELETE FROM release WHERE slug LIKE 'rueckstau-%'`);
    console.log(
      `  scale: seeded ${fmt(future - SMALL)} future posts in ${fmt(seedSeconds, 1)} s, enqueued in ${fmt(enqueueSeconds, 1)} s; ` +
        `tick at ${fmt(SMALL)}: ${fmt(small.wallMs, 1)} ms (${fmt(small.cpuMs, 1)} ms CPU), at ${fmt(future)}: ${fmt(large.wallMs, 1)} ms (${fmt(large.cpuMs, 1)} ms CPU); ` +
        `Redis ${fmt(memory.bytes / 1e6, 1)} MB in ${fmt(memory.keys)} keys; tick with ${fmt(BACKLOG)} due (backlog): ${fmt(backlog.wallMs)} ms (${fmt(backlog.cpuMs)} ms CPU)`,
    );
    await closeDeps(deps);
    deps = undefined;

    // Herold's processes with this data, each alone, as in production.
    const scheduler = await startHeroldChild('scheduler-main.ts');
    children.push(scheduler);
    const worker = await startHeroldChild('worker-main.ts');
    children.push(worker);
    const api = await startHeroldChild('api-main.ts', {}, { http: true });
    children.push(api);
    const published = await waitPublished(pool, DUE_POSTS, 60_000, org.orgId);
    const month = nextMonth();
    const list = await openLoop(api.baseUrl, 1, options.quick ? 2 : 5, () => ({
      method: 'GET',
      path: `/api/v1/posts?from=${month.from.toISOString()}&to=${month.to.toISOString()}&view=summary`,
      headers: { authorization: `Bearer ${token}` },
    }));
    // A refused request would make the RSS look good for the wrong reason.
    if (!list.statuses['200']) throw new Error(`GET /api/v1/posts failed: ${JSON.stringify(list.statuses)}`);
    await sleep(2_000); // a sweep or two more
    const rss = { api: rssOf(api.pid), worker: rssOf(worker.pid), scheduler: rssOf(scheduler.pid) };
    const bytesPerPost = memory.bytes / scheduled;
    const tickRatio = large.cpuMs / small.cpuMs;
    const rssPass = rss.api.peakMb <= 300 && rss.worker.peakMb <= 300;
    // "Independent of the number of future posts": within 1.5× (noise) at 200× the posts.
    const tickPass = tickRatio <= 1.5;
    const pass = rssPass && tickPass;
    const listed = list.bytes / Math.max(1, list.latenciesMs.length);
    return {
      scenario: 'scale',
      line:
        `scale (${fmt(future)} future posts, ${DUE_POSTS} due): tick ${fmt(small.cpuMs, 1)} ms CPU at ${fmt(SMALL)} vs ${fmt(large.cpuMs, 1)} ms at ${fmt(future)} ` +
        `(× ${fmt(tickRatio, 2)}; wall ${fmt(small.wallMs, 1)} / ${fmt(large.wallMs, 1)} ms) — O(due): ${verdict(tickPass)}; ` +
        `tick with ${fmt(BACKLOG)} due ${fmt(backlog.cpuMs)} ms CPU (${fmt(backlog.wallMs)} ms wall); ` +
        `Redis ${fmt(bytesPerPost)} bytes per scheduled post; RSS peak API ${fmt(rss.api.peakMb)} MB (after GET month, ${fmt(listed / 1e6, 1)} MB answer), ` +
        `worker ${fmt(rss.worker.peakMb)} MB (published ${published}/${DUE_POSTS}), scheduler ${fmt(rss.scheduler.peakMb)} MB — target ≤ 300 MB: ${verdict(rssPass)}`,
      pass,
      summary: `tick × ${fmt(tickRatio, 2)} at ${fmt(future / SMALL)}× posts; ${fmt(bytesPerPost)} B/post in Redis; RSS API ${fmt(rss.api.peakMb)} / worker ${fmt(rss.worker.peakMb)} MB`,
    };
  } finally {
    for (const child of children.reverse()) await child.stop();
    if (deps) await closeDeps(deps);
    await pool.end();
  }
}
