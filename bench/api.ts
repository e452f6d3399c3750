// API latency, against Herold's API process (workers/api-main.ts, as `npm run api` starts it):
// - POST /api/v1/releases, a 3 KB release to 3 channels (blog, Mastodon, Bluesky), open loop at
//   100 requests/s. Target p99 ≤ 30 ms.
// - GET /api/v1/posts for one month holding 10,000 posts (a third each blog, Mastodon, Bluesky,
//   seeded in SQL), open loop at 2 requests/s, as the calendar asks for it (view=summary:
//   PostSummary, no content). Target p99 ≤ 50 ms. The full answer (view=full, the default: every
//   post with its content) is measured afterwards, reported only.
// Latency is measured from the planned send time to the last byte of the answer.
//
//   npm run bench -- api [--quick]
import { readFileSync } from 'node:fs';
import type { Pool } from 'pg';
import { benchRelease } from './split';
import {
  benchPool,
  fmt,
  median,
  percentile,
  resetState,
  rssOf,
  seedChannel,
  seedOrg,
  seedToken,
  verdict,
  type BenchOptions,
  type ScenarioResult,
  type SeededOrg,
} from './common';
import { openLoop, startHeroldChild, type LoadResult } from './load';

const POST_RATE = 100;
const GET_RATE = 2;

/** The calendar month after the current one, in UTC. */
export function nextMonth(now = new Date()): { from: Date; to: Date } {
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 2, 1) - 1);
  return { from, to };
}

/**
 * `posts` scheduled posts in [from, to], three per release (blog article of about 3 KB, Mastodon
 * and Bluesky text), as the calendar shows them. Approval hashes are placeholders: these posts
 * are listed, never published.
 */
export async function seedMonth(pool: Pool, org: SeededOrg, channels: { blog: string; mastodon: string; bluesky: string }, posts: number, from: Date, to: Date): Promise<void> {
  const releases = Math.ceil(posts / 3);
  const spanSeconds = (to.getTime() - from.getTime()) / 1000;
  const article = `<p>${'Die Stadt lädt alle Bürgerinnen und Bürger zur Informationsveranstaltung ein. '.repeat(6)}</p>`.repeat(6);
  await pool.query(
    `WITH r AS (
       INSERT INTO release (id, org_id, status, slug, title, body, publish_at, author_id, editor_ids, approved_by_id, approved_at, updated_at)
       SELECT gen_random_uuid(), $1, 'scheduled', 'kalender-' || g, 'Pressemitteilung ' || g, 'Text', $3::timestamptz + make_interval(secs => (g - 1) * $4::float8),
              $2, '{}', $2, now(), now()
       FROM generate_series(1, $5::int) AS g
       RETURNING id, title, publish_at
     )
     INSERT INTO post (id, org_id, release_id, channel_id, channel_type, due_at, priority, content, length, status, approved_hash, updated_at)
     SELECT gen_random_uuid(), $1, r.id, c.id, c.type, r.publish_at, 10,
            CASE c.type
              WHEN 'blog' THEN jsonb_build_object('title', r.title, 'html', $6::text)
              WHEN 'mastodon' THEN jsonb_build_object('text', r.title || ': ' || repeat('Die Stadt informiert über die neue Veranstaltungsreihe. ', 7), 'link', 'https://presse.example.de/x')
              ELSE jsonb_build_object('text', r.title || ': ' || repeat('Die Stadt informiert. ', 10), 'link', 'https://presse.example.de/x')
            END,
            CASE c.type WHEN 'blog' THEN 3000 WHEN 'mastodon' THEN 420 ELSE 250 END,
            'scheduled', md5(r.id::text || c.id::text), now()
     FROM r CROSS JOIN (VALUES ($7::uuid, 'blog'), ($8::uuid, 'mastodon'), ($9::uuid, 'bluesky')) AS c(id, type)`,
    [org.orgId, org.userId, from.toISOString(), spanSeconds / releases, releases, article, channels.blog, channels.mastodon, channels.bluesky],
  );
  await pool.query('ANALYZE post');
}

/**
 * CPU time (user + system, every thread) the process has used so far, in ms: utime and stime of
 * /proc/<pid>/stat, in ticks of 10 ms (CLK_TCK 100). Per request it says what the API costs
 * itself, apart from the machine's other load.
 */
function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function describe(result: LoadResult): string {
  const ok = result.statuses['200'] ?? 0;
  const created = result.statuses['201'] ?? 0;
  const other = Object.entries(result.statuses).filter(([s]) => s !== '200' && s !== '201');
  return `${ok + created} ok${other.length ? `, ${other.map(([s, n]) => `${n}× ${s}`).join(', ')}` : ''}`;
}

export async function benchApi(options: BenchOptions): Promise<ScenarioResult> {
  const pool = benchPool();
  const postSeconds = options.quick ? 3 : 10;
  const gets = options.quick ? 6 : 20;
  const monthPosts = 10_000;
  const postP99: number[] = [];
  const postP50: number[] = [];
  const getP99: number[] = [];
  const getP50: number[] = [];
  const postCpu: number[] = [];
  const getCpu: number[] = [];
  let getBytes = 0;
  let rss = { rssMb: Number.NaN, peakMb: Number.NaN };
  let api: Awaited<ReturnType<typeof startHeroldChild>> | undefined;
  try {
    await resetState(pool);
    const org = await seedOrg(pool);
    const token = await seedToken(pool, org);
    const blog = await seedChannel(pool, org, 'blog', { title: 'Bench-Blog' });
    const mastodon = await seedChannel(pool, org, 'mastodon', { instanceUrl: 'https://social.example.de' }, { accessToken: 'bench' });
    const bluesky = await seedChannel(pool, org, 'bluesky', { service: 'https://bsky.example.de' }, { identifier: 'bench.example.de', appPassword: 'bench' });
    const { from, to } = nextMonth();
    await seedMonth(pool, org, { blog: blog.id, mastodon: mastodon.id, bluesky: bluesky.id }, monthPosts, from, to);

    api = await startHeroldChild('api-main.ts', {}, { http: true });
    const auth = { authorization: `Bearer ${token}` };
    const release = benchRelease();
    let n = 0;
    const create = () => ({
      method: 'POST' as const,
      path: '/api/v1/releases',
      headers: auth,
      // Titles differ, as real ones do (equal titles make the slug search longer with each one).
      body: JSON.stringify({ ...release, title: `${release.title} (${++n})`, channelIds: [blog.id, mastodon.id, bluesky.id] }),
    });
    const month = `/api/v1/posts?from=${from.toISOString()}&to=${to.toISOString()}`;
    const calendar = () => ({ method: 'GET' as const, path: `${month}&view=summary`, headers: auth });
    const full = () => ({ method: 'GET' as const, path: month, headers: auth });

    // Warm-up: JIT, connection pools, Prisma's first queries.
    const warmPost = await openLoop(api.baseUrl, 20, 40, create);
    if (!warmPost.statuses['201']) throw new Error(`POST /api/v1/releases failed: ${JSON.stringify(warmPost.statuses)}`);
    const warmGet = await openLoop(api.baseUrl, 1, 2, calendar);
    if (!warmGet.statuses['200']) throw new Error(`GET /api/v1/posts failed: ${JSON.stringify(warmGet.statuses)}`);

    // Diagnosis: the same request at a rate far below capacity, i.e. the latency of one request.
    const slowCpu = cpuMsOf(api.pid);
    const slow = await openLoop(api.baseUrl, 4, options.quick ? 8 : 20, create);
    console.log(
      `  api: POST releases at 4/s (unloaded): p50 ${fmt(percentile(slow.latenciesMs, 0.5))} ms, max ${fmt(Math.max(...slow.latenciesMs))} ms (${describe(slow)}); ` +
        `API CPU ${fmt((cpuMsOf(api.pid) - slowCpu) / slow.latenciesMs.length, 1)} ms per POST`,
    );

    for (let rep = 0; rep < options.reps; rep++) {
      const cpu0 = cpuMsOf(api.pid);
      const posts = await openLoop(api.baseUrl, POST_RATE, POST_RATE * postSeconds, create);
      const cpu1 = cpuMsOf(api.pid);
      const list = await openLoop(api.baseUrl, GET_RATE, gets, calendar);
      const cpu2 = cpuMsOf(api.pid);
      postCpu.push((cpu1 - cpu0) / posts.latenciesMs.length);
      getCpu.push((cpu2 - cpu1) / list.latenciesMs.length);
      postP50.push(percentile(posts.latenciesMs, 0.5));
      postP99.push(percentile(posts.latenciesMs, 0.99));
      getP50.push(percentile(list.latenciesMs, 0.5));
      getP99.push(percentile(list.latenciesMs, 0.99));
      getBytes = list.bytes / Math.max(1, list.latenciesMs.length);
      console.log(
        `  api rep ${rep + 1}: POST releases p50 ${fmt(postP50.at(-1)!)} ms p99 ${fmt(postP99.at(-1)!)} ms max ${fmt(Math.max(...posts.latenciesMs))} ms (${describe(posts)}, ${posts.lateSends} late sends); ` +
          `GET posts p50 ${fmt(getP50.at(-1)!)} ms p99 ${fmt(getP99.at(-1)!)} ms (${describe(list)}, ${fmt(getBytes / 1e6, 1)} MB per answer); ` +
          `API CPU ${fmt(postCpu.at(-1)!, 1)} ms per POST, ${fmt(getCpu.at(-1)!, 1)} ms per GET`,
      );
    }
    rss = rssOf(api.pid);
    // Diagnosis: the default answer, whole posts with their content (after the RSS reading: it
    // would dominate it).
    const whole = await openLoop(api.baseUrl, 1, options.quick ? 3 : 6, full);
    const after = rssOf(api.pid);
    console.log(
      `  api: GET posts view=full (every post whole) at 1/s: p50 ${fmt(percentile(whole.latenciesMs, 0.5))} ms, max ${fmt(Math.max(...whole.latenciesMs))} ms ` +
        `(${describe(whole)}, ${fmt(whole.bytes / Math.max(1, whole.latenciesMs.length) / 1e6, 1)} MB per answer); API RSS afterwards ${fmt(after.rssMb)} MB (peak ${fmt(after.peakMb)} MB)`,
    );
  } finally {
    await api?.stop();
    await pool.end();
  }
  const post99 = median(postP99);
  const get99 = median(getP99);
  const pass = post99 <= 30 && get99 <= 50;
  return {
    scenario: 'api',
    line:
      `api: POST /api/v1/releases (3 KB, 3 channels) at ${POST_RATE}/s p50 ${fmt(median(postP50))} ms p99 ${fmt(post99)} ms (target ≤ 30: ${verdict(post99 <= 30)}); ` +
      `GET /api/v1/posts?view=summary (month, ${fmt(monthPosts)} posts, ${fmt(getBytes / 1e6, 1)} MB) at ${GET_RATE}/s p50 ${fmt(median(getP50))} ms p99 ${fmt(get99)} ms (target ≤ 50: ${verdict(get99 <= 50)}); ` +
      `API RSS ${fmt(rss.rssMb)} MB (peak ${fmt(rss.peakMb)} MB); API CPU ${fmt(median(postCpu), 1)} ms per POST, ${fmt(median(getCpu), 1)} ms per GET (median of ${options.reps}): ${verdict(pass)}`,
    pass,
    summary: `POST p99 ${fmt(post99)} ms; GET month p99 ${fmt(get99)} ms`,
  };
}
