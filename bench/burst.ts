// Burst: 5,000 approved posts due at the same instant, published by Herold's real scheduler and
// publisher (workers/scheduler.ts, workers/publisher.ts, in this process) to the built-in blog
// channel, which answers at once. Measured: posts/s from the due instant to the last
// `published_at` in the database. Target (QUALITY.md): ≥ 1,500 posts/s and ≥ 0.8 × a
// hand-written minimal pipeline run in the same bench.
//
// The baseline (below) uses no Herold code: a bare BullMQ Worker at the same concurrency, a pg
// pool of the same size as Herold's (HEROLD_DB_POOL_SIZE as Herold derives it), and per job the same two PostgreSQL transactions as
// src/services/publish.ts — the claim (load post with release and channel, organisation row FOR
// SHARE, compare-and-set scheduled → publishing, attempt row) and the settle (finish the
// attempt, compare-and-set publishing → published, append to the organisation's audit chain
// under its advisory lock, complete the release). What Herold does beyond that (Prisma, the
// approval hash check, the Redis rate-limit reads, the scheduler sweeps) is what the ratio shows.
//
//   npm run bench -- burst [--quick] [--reps N]
import { Queue, Worker, type Job } from 'bullmq';
import { createHmac, randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { Pool as PgPool } from 'pg';
import { closeDeps, createDeps } from '../src/runtime';
import { startPublisher } from '../workers/publisher';
import { startScheduler } from '../workers/scheduler';
import {
  BENCH_DATABASE_URL,
  benchConfig,
  countSweepOverlaps,
  cpuMsSince,
  benchPool,
  benchRedis,
  fmt,
  lastPublishedMs,
  median,
  resetState,
  seedChannel,
  seedOrg,
  seedScheduledPosts,
  verdict,
  waitPublished,
  type BenchOptions,
  type ScenarioResult,
  type SeededChannel,
  type SeededOrg,
} from './common';

export const CONCURRENCY = 20;
/** Time between seeding and the due instant: the scheduler enqueues 2–4 s ahead. */
const LEAD_MS = 6_000;

export interface BurstRun {
  /** Posts published (all of them, unless the run hit its time cap). */
  posts: number;
  seeded: number;
  postsPerSecond: number;
  firstMs: number;
  lastMs: number;
  /** CPU time of this process (publisher and scheduler, or the baseline) per published post. */
  cpuMsPerPost: number;
  /** Scheduler ticks skipped because the previous sweep was still running (Herold only). */
  sweepOverlaps: number;
  /** Scheduler ticks that fired late because the event loop was busy (Herold only). */
  missedTicks: number;
}

/**
 * On a busy machine a run can take minutes; it stops after this long and reports the rate of
 * what was published by then (a sustained rate is still a rate).
 */
export const RUN_CAP_MS = 90_000;

async function measure(pool: Pool, seeded: number, due: Date, orgId: string, cpuFrom: NodeJS.CpuUsage, overlaps?: { readonly count: number; readonly missed: number }): Promise<BurstRun> {
  const posts = await waitPublished(pool, seeded, due.getTime() - Date.now() + RUN_CAP_MS, orgId);
  if (posts === 0) throw new Error('no post was published');
  const cpu = cpuMsSince(cpuFrom);
  const { firstMs, lastMs } = await lastPublishedMs(pool, due);
  return { posts, seeded, postsPerSecond: posts / (lastMs / 1000), firstMs, lastMs, cpuMsPerPost: cpu / posts, sweepOverlaps: overlaps?.count ?? 0, missedTicks: overlaps?.missed ?? 0 };
}

/** The channel the posts go to: the built-in blog, unless a scenario brings a simulated network. */
export type ChannelSetup = (pool: Pool, org: SeededOrg) => Promise<{ channel: SeededChannel; close(): Promise<void> }>;

const blogChannel: ChannelSetup = async (pool, org) => ({
  channel: await seedChannel(pool, org, 'blog', { title: 'Bench-Blog' }),
  close: async () => undefined,
});

async function seedBurst(pool: Pool, posts: number, setup: ChannelSetup) {
  await resetState(pool);
  const org = await seedOrg(pool);
  const { channel, close } = await setup(pool, org);
  const due = new Date(Math.ceil((Date.now() + LEAD_MS) / 1000) * 1000);
  const seeded = await seedScheduledPosts(pool, org, channel, posts, () => due);
  await pool.query('ANALYZE post');
  return { due, orgId: org.orgId, postIds: seeded.map((p) => p.postId), close };
}

/** Herold itself: scheduler + publisher, as `npm start` runs them, in this process. */
export async function runHeroldBurst(pool: Pool, posts: number, setup: ChannelSetup = blogChannel, concurrency = CONCURRENCY): Promise<BurstRun> {
  const { due, orgId, close } = await seedBurst(pool, posts, setup);
  const overlaps = countSweepOverlaps();
  const cpuFrom = process.cpuUsage();
  const deps = createDeps(benchConfig({ HEROLD_WORKER_CONCURRENCY: String(concurrency) }), 'bench-burst');
  const publisher = startPublisher(deps, { concurrency });
  const scheduler = startScheduler(deps);
  try {
    return await measure(pool, posts, due, orgId, cpuFrom, overlaps);
  } finally {
    overlaps.restore();
    await scheduler.close();
    await publisher.close();
    await closeDeps(deps);
    await close();
  }
}

// ---- The hand-written minimal pipeline (no Herold code) ----

const BASELINE_QUEUE = 'bench-baseline';
const AUDIT_KEY = Buffer.alloc(32, 7);

async function inTransaction<T>(db: PgPool, work: (c: PoolClient) => Promise<T>): Promise<T> {
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

async function baselineJob(db: PgPool, postId: string, workerId: string): Promise<void> {
  const claimed = await inTransaction(db, async (c) => {
    const { rows } = await c.query(
      `SELECT p.id, p.org_id, p.release_id, p.revision, p.generation, p.status, p.channel_type, p.content,
              r.slug, r.status AS release_status, ch.enabled, ch.status AS channel_status, ch.settings,
              (SELECT json_agg(json_build_object('id', s.id, 'status', s.status)) FROM post s WHERE s.release_id = p.release_id) AS siblings
       FROM post p JOIN release r ON r.id = p.release_id JOIN channel ch ON ch.id = p.channel_id WHERE p.id = $1`,
      [postId],
    );
    const post = rows[0];
    if (!post || post.status !== 'scheduled') return null;
    const org = await c.query(`SELECT paused, slug FROM organisation WHERE id = $1 FOR SHARE`, [post.org_id]);
    if (org.rows[0]?.paused) return null;
    const cas = await c.query(
      `UPDATE post SET status = 'publishing', attempts = attempts + 1, error_code = NULL, error_message = NULL, updated_at = now()
       WHERE id = $1 AND status = 'scheduled' AND revision = $2 AND generation = $3 AND due_at <= now() RETURNING attempts`,
      [postId, post.revision, post.generation],
    );
    if (cas.rowCount === 0) return null;
    const attemptId = randomUUID();
    await c.query(`INSERT INTO publication_attempt (id, post_id, number, worker_id) VALUES ($1, $2, $3, $4)`, [attemptId, postId, cas.rows[0].attempts, workerId]);
    return { attemptId, orgId: post.org_id as string, releaseId: post.release_id as string, slug: post.slug as string };
  });
  if (!claimed) return;
  // The "network call": the blog answers at once.
  const externalUrl = `http://localhost:8080/blog/bench/${claimed.slug}`;
  await inTransaction(db, async (c) => {
    await c.query(`UPDATE publication_attempt SET finished_at = now(), outcome = 'published', detail = $2 WHERE id = $1`, [claimed.attemptId, { externalId: claimed.slug }]);
    await c.query(
      `UPDATE post SET status = 'published', external_id = $2, external_url = $3, published_at = now(), error_code = NULL, error_message = NULL, updated_at = now()
       WHERE id = $1 AND status IN ('publishing', 'unconfirmed')`,
      [postId, claimed.slug, externalUrl],
    );
    // The organisation's audit chain: one writer at a time, each event hashing its predecessor.
    await c.query(`SELECT pg_advisory_xact_lock(hashtext('audit'), hashtext($1))`, [claimed.orgId]);
    const last = await c.query(`SELECT hash FROM audit_event WHERE org_id = $1 ORDER BY seq DESC LIMIT 1`, [claimed.orgId]);
    const prev = (last.rows[0]?.hash as string | undefined) ?? '0'.repeat(64);
    const id = randomUUID();
    const at = new Date();
    const data = { channelType: 'blog', externalId: claimed.slug, externalUrl };
    const hash = createHmac('sha256', AUDIT_KEY).update(`${prev}\n${JSON.stringify({ id, at, action: 'post.published', entityId: postId, data })}`).digest('hex');
    const event = await c.query(
      `INSERT INTO audit_event (id, org_id, at, actor_type, action, entity_type, entity_id, data, prev_hash, hash, key_id)
       VALUES ($1, $2, $3, 'system', 'post.published', 'post', $4, $5, $6, $7, 'bench') RETURNING seq`,
      [id, claimed.orgId, at, postId, data, prev, hash],
    );
    await c.query(
      `INSERT INTO audit_head (org_id, seq, hash, events) VALUES ($1, $2, $3, 1)
       ON CONFLICT (org_id) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash, events = audit_head.events + 1`,
      [claimed.orgId, event.rows[0].seq, hash],
    );
    const open = await c.query(
      `SELECT count(*)::int AS n FROM post WHERE release_id = $1 AND status IN ('draft', 'scheduled', 'held', 'publishing', 'unconfirmed')`,
      [claimed.releaseId],
    );
    if (open.rows[0].n === 0) await c.query(`UPDATE release SET status = 'done', updated_at = now() WHERE id = $1 AND status = 'scheduled'`, [claimed.releaseId]);
  });
}

export async function runBaselineBurst(pool: Pool, posts: number, concurrency = CONCURRENCY): Promise<BurstRun> {
  const { due, orgId, postIds } = await seedBurst(pool, posts, blogChannel);
  const cpuFrom = process.cpuUsage();
  const connection = benchRedis();
  const workerConnection = benchRedis();
  // The same number of connections as Herold's pool at this concurrency.
  const poolSize = benchConfig({ HEROLD_WORKER_CONCURRENCY: String(concurrency) }).dbPoolSize;
  const db = new PgPool({ connectionString: BENCH_DATABASE_URL, max: poolSize });
  const queue = new Queue<{ postId: string }>(BASELINE_QUEUE, { connection, defaultJobOptions: { removeOnComplete: true, removeOnFail: true } });
  const worker = new Worker<{ postId: string }>(BASELINE_QUEUE, (job: Job<{ postId: string }>) => baselineJob(db, job.data.postId, `baseline:${process.pid}`), {
    connection: workerConnection,
    concurrency,
  });
  try {
    const delay = due.getTime() - Date.now();
    await queue.addBulk(postIds.map((postId) => ({ name: 'publish', data: { postId }, opts: { jobId: `post-${postId}`, delay } })));
    return await measure(pool, posts, due, orgId, cpuFrom);
  } finally {
    await worker.close();
    await queue.close();
    await db.end();
    connection.disconnect();
    workerConnection.disconnect();
  }
}

export function describeRun(r: BurstRun): string {
  const capped = r.posts < r.seeded ? ` (only ${fmt(r.posts)} of ${fmt(r.seeded)} within the ${RUN_CAP_MS / 1000} s cap)` : '';
  return `${fmt(r.postsPerSecond)} posts/s${capped}, first ${fmt(r.firstMs)} ms, last ${fmt(r.lastMs)} ms after due, ${fmt(r.cpuMsPerPost, 2)} ms CPU/post`;
}

export async function benchBurst(options: BenchOptions): Promise<ScenarioResult> {
  const posts = options.quick ? 1_000 : 5_000;
  const pool = benchPool();
  const herold: BurstRun[] = [];
  const baseline: BurstRun[] = [];
  const ratios: number[] = [];
  try {
    for (let rep = 0; rep < options.reps; rep++) {
      // Interleaved, so both see the same neighbours on the shared machine.
      const h = await runHeroldBurst(pool, posts);
      const b = await runBaselineBurst(pool, posts);
      herold.push(h);
      baseline.push(b);
      ratios.push(h.postsPerSecond / b.postsPerSecond);
      console.log(`  burst rep ${rep + 1}: Herold ${describeRun(h)}; scheduler ticks skipped (sweep still running) ${h.sweepOverlaps}, late (event loop busy) ${h.missedTicks}`);
      console.log(`  burst rep ${rep + 1}: baseline ${describeRun(b)}; ratio ${fmt(h.postsPerSecond / b.postsPerSecond, 2)}`);
    }
  } finally {
    await pool.end();
  }
  const rate = median(herold.map((r) => r.postsPerSecond));
  const base = median(baseline.map((r) => r.postsPerSecond));
  const ratio = median(ratios);
  const cpuHerold = median(herold.map((r) => r.cpuMsPerPost));
  const cpuBase = median(baseline.map((r) => r.cpuMsPerPost));
  const pass = rate >= 1_500 && ratio >= 0.8;
  const line =
    `burst (${fmt(posts)} posts at one instant, blog, concurrency ${CONCURRENCY}): Herold ${fmt(rate)} posts/s, baseline ${fmt(base)} posts/s, ` +
    `ratio ${fmt(ratio, 2)}; CPU ${fmt(cpuHerold, 2)} vs ${fmt(cpuBase, 2)} ms/post (median of ${options.reps}) — target ≥ 1,500 posts/s and ≥ 0.8 × baseline: ${verdict(pass)}`;
  return { scenario: 'burst', line, pass, summary: `${fmt(rate)} posts/s; ${fmt(ratio, 2)} × baseline (${fmt(base)}/s)` };
}

