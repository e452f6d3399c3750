// What every bench scenario shares: its own database (herold_bench) and Redis db 14 (both can be
// changed: HEROLD_BENCH_DATABASE_URL, HEROLD_BENCH_REDIS_DB), a Herold
// configuration pointing at them, bulk seeding in SQL, and small statistics helpers.
//
// Seeding goes straight to PostgreSQL (INSERT … SELECT FROM unnest / generate_series) because
// the scenarios measure publishing and scheduling, not the API that creates posts; the rows look
// exactly like approved posts (status, due time, approval hash), so the worker accepts them.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import IORedis, { type Redis } from 'ioredis';
import { Pool } from 'pg';
import { loadConfig, type Config } from '../config/load';
import type { ChannelType, PostContent } from '../src/domain/types';
import { encryptJson } from '../src/security/credentials';
import { sha256 } from '../src/security/tokens';
import { channelTarget, type ChannelTarget } from '../src/domain/channel-target';
import { postHashOf } from '../src/services/releases';

export const ROOT = join(__dirname, '..');
export const BENCH_DATABASE_URL = process.env.HEROLD_BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/herold_bench';
function benchRedisDb(value: string | undefined): number {
  if (value === undefined || value === '') return 14;
  const db = Number(value);
  // db 9 belongs to CI's jest runs, 0 to `npm start`: flushing either would hurt someone.
  if (!Number.isInteger(db) || db < 1 || db > 15 || db === 9) throw new Error(`HEROLD_BENCH_REDIS_DB must be 1–15 and not 9, not ${value}`);
  return db;
}

/**
 * Only this Redis database is ever flushed. HEROLD_BENCH_REDIS_DB picks another one, so that two
 * people can bench at the same time (each with a database of their own as well).
 */
export const BENCH_REDIS_DB = benchRedisDb(process.env.HEROLD_BENCH_REDIS_DB);
export const BENCH_REDIS_URL = `redis://127.0.0.1:6379/${BENCH_REDIS_DB}`;
/** One key per bench run: channel credentials are encrypted with it, audit events signed. */
export const BENCH_SECRET_KEY = randomBytes(32).toString('hex');

export interface BenchOptions {
  quick: boolean;
  /** Repetitions for the scenarios that repeat (medians are reported). */
  reps: number;
}

export interface ScenarioResult {
  scenario: string;
  /** The one line printed for the scenario: its figures and the target. */
  line: string;
  /** null: reported only, no target. */
  pass: boolean | null;
  /** Short form for the summary table. */
  summary: string;
}

export type Scenario = (options: BenchOptions) => Promise<ScenarioResult>;

/** Herold's environment for the bench: its own database and Redis db, quiet logs. */
export function benchEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: BENCH_DATABASE_URL,
    REDIS_URL: BENCH_REDIS_URL,
    HEROLD_SECRET_KEY: BENCH_SECRET_KEY,
    HEROLD_PUBLIC_URL: 'http://localhost:8080',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'warn',
    // The simulated networks listen on the loopback interface, which Herold refuses by default.
    HEROLD_ALLOW_PRIVATE_HOSTS: '127.0.0.0/8',
    ...overrides,
  };
}

export function benchConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig(benchEnv(overrides));
}

let migrated = false;

/** Creates and migrates herold_bench once per run. */
export function migrateBenchDatabase(): void {
  if (migrated) return;
  execFileSync(process.execPath, [join(ROOT, 'scripts/migrate.js'), '--create', '--quiet'], {
    env: { ...process.env, DATABASE_URL: BENCH_DATABASE_URL },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  migrated = true;
}

export function benchPool(max = 4): Pool {
  return new Pool({ connectionString: BENCH_DATABASE_URL, max });
}

export function benchRedis(): Redis {
  const redis = new IORedis(BENCH_REDIS_URL, { maxRetriesPerRequest: null });
  return redis;
}

/** Empties the bench database and the bench Redis db (FLUSHDB on that db only, never FLUSHALL). */
export async function resetState(pool: Pool): Promise<void> {
  const { rows } = await pool.query<{ tablename: string }>(
    `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'`,
  );
  if (rows.length > 0) await pool.query(`TRUNCATE ${rows.map((r) => `"${r.tablename}"`).join(', ')} CASCADE`);
  const redis = benchRedis();
  try {
    await flushBenchRedis(redis);
  } finally {
    redis.disconnect();
  }
}

export async function flushBenchRedis(redis: Redis): Promise<void> {
  if (redis.options.db !== BENCH_REDIS_DB) throw new Error(`refusing to flush Redis db ${redis.options.db}`);
  await redis.flushdb();
}

export interface SeededOrg {
  orgId: string;
  userId: string;
  slug: string;
}

export async function seedOrg(pool: Pool, slug = 'bench-stadt'): Promise<SeededOrg> {
  const orgId = randomUUID();
  const userId = randomUUID();
  await pool.query(`INSERT INTO organisation (id, slug, name) VALUES ($1, $2, $3)`, [orgId, slug, `Bench ${slug}`]);
  await pool.query(`INSERT INTO app_user (id, org_id, email, name, roles) VALUES ($1, $2, $3, $4, $5)`, [
    userId,
    orgId,
    `${slug}@bench.example`,
    'Bench Redaktion',
    ['editor', 'approver'],
  ]);
  return { orgId, userId, slug };
}

/** An API token for the org's user (stored hashed, as Herold does). */
export async function seedToken(pool: Pool, org: SeededOrg): Promise<string> {
  const token = `hrd_bench${randomBytes(24).toString('base64url')}`;
  await pool.query(`INSERT INTO api_token (id, user_id, name, token_hash) VALUES ($1, $2, 'bench', $3)`, [randomUUID(), org.userId, sha256(token)]);
  return token;
}

export interface SeededChannel {
  id: string;
  type: ChannelType;
  /** Where it publishes: part of every approval hash. */
  target: ChannelTarget;
}

export async function seedChannel(
  pool: Pool,
  org: SeededOrg,
  type: ChannelType,
  settings: Record<string, unknown> = {},
  credentials: Record<string, unknown> | null = null,
): Promise<SeededChannel> {
  const id = randomUUID();
  const enc = credentials ? encryptJson(credentials, benchConfig().secretKeys) : null;
  await pool.query(
    `INSERT INTO channel (id, org_id, type, name, settings, credentials_enc, updated_at) VALUES ($1, $2, $3, $4, $5, $6, now())`,
    [id, org.orgId, type, `${type} (bench)`, JSON.stringify(settings), enc],
  );
  return { id, type, target: channelTarget(type, settings, credentials) };
}

export function blogContent(i: number): PostContent {
  return { title: `Pressemitteilung ${i}`, html: `<p>Die Stadt teilt mit: Meldung Nummer ${i}.</p>` };
}

export function socialContent(i: number): PostContent {
  return { text: `Die Stadt teilt mit: Meldung Nummer ${i}. #Bench` };
}

export interface SeededPost {
  postId: string;
  releaseId: string;
  dueAt: Date;
}

/**
 * `count` approved releases of one post each on `channel`, scheduled for `dueAt(i)`; the
 * approval hash is Herold's own (the worker refuses anything else). Inserted in chunks.
 */
export async function seedScheduledPosts(
  pool: Pool,
  org: SeededOrg,
  channel: SeededChannel,
  count: number,
  dueAt: (i: number) => Date,
  content: (i: number) => PostContent = channel.type === 'blog' ? blogContent : socialContent,
  prefix = 'meldung',
): Promise<SeededPost[]> {
  const seeded: SeededPost[] = [];
  const CHUNK = 5_000;
  for (let start = 0; start < count; start += CHUNK) {
    const cols = { rid: [] as string[], slug: [] as string[], title: [] as string[], due: [] as string[], pid: [] as string[], content: [] as string[], hash: [] as string[] };
    for (let i = start; i < Math.min(count, start + CHUNK); i++) {
      const releaseId = randomUUID();
      const postId = randomUUID();
      const due = new Date(Math.round(dueAt(i).getTime()));
      const body = content(i);
      const hash = postHashOf(
        { id: releaseId, revision: 1, embargoUntil: null, publishAt: due, crisis: false },
        { id: postId, channelId: channel.id, channelType: channel.type, content: body, publishAt: null },
        channel.target,
      );
      cols.rid.push(releaseId);
      cols.slug.push(`${prefix}-${i}`);
      cols.title.push(`Pressemitteilung ${i}`);
      cols.due.push(due.toISOString());
      cols.pid.push(postId);
      cols.content.push(JSON.stringify(body));
      cols.hash.push(hash);
      seeded.push({ postId, releaseId, dueAt: due });
    }
    await pool.query(
      `INSERT INTO release (id, org_id, status, slug, title, body, publish_at, author_id, editor_ids, approved_by_id, approved_at, updated_at)
       SELECT r.id, $1, 'scheduled', r.slug, r.title, 'Text der Mitteilung.', r.due, $2, '{}', $2, now(), now()
       FROM unnest($3::uuid[], $4::text[], $5::text[], $6::timestamptz[]) AS r(id, slug, title, due)`,
      [org.orgId, org.userId, cols.rid, cols.slug, cols.title, cols.due],
    );
    await pool.query(
      `INSERT INTO post (id, org_id, release_id, channel_id, channel_type, due_at, priority, content, status, approved_hash, updated_at)
       SELECT p.id, $1, p.rid, $2, $3, p.due, 10, p.content::jsonb, 'scheduled', p.hash, now()
       FROM unnest($4::uuid[], $5::uuid[], $6::timestamptz[], $7::text[], $8::text[]) AS p(id, rid, due, content, hash)`,
      [org.orgId, channel.id, channel.type, cols.pid, cols.rid, cols.due, cols.content, cols.hash],
    );
  }
  return seeded;
}

/** Waits until `count` of the given posts are published (or `timeoutMs` passed); returns how many are. */
export async function waitPublished(pool: Pool, count: number, timeoutMs: number, orgId?: string): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM post WHERE status = 'published'${orgId ? ' AND org_id = $1' : ''}`,
      orgId ? [orgId] : [],
    );
    const n = Number(rows[0]?.n ?? 0);
    if (n >= count || Date.now() > deadline) return n;
    await sleep(200);
  }
}

/** Milliseconds from `since` to the last `published_at` in the database. */
export async function lastPublishedMs(pool: Pool, since: Date): Promise<{ lastMs: number; firstMs: number }> {
  const { rows } = await pool.query<{ first: Date; last: Date }>(`SELECT min(published_at) AS first, max(published_at) AS last FROM post WHERE status = 'published'`);
  const row = rows[0]!;
  return { firstMs: row.first.getTime() - since.getTime(), lastMs: row.last.getTime() - since.getTime() };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function sleepUntil(at: Date): Promise<void> {
  const ms = at.getTime() - Date.now();
  if (ms > 0) await sleep(ms);
}

/** Nearest-rank percentile of unsorted samples. */
export function percentile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export const median = (samples: readonly number[]): number => percentile(samples, 0.5);

export function fmt(n: number, digits = 0): string {
  return Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : String(n);
}

export function verdict(pass: boolean | null): string {
  return pass === null ? 'reported' : pass ? 'PASS' : 'FAIL';
}

/** A free TCP port on the loopback interface (for child processes that must listen on a known port). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resident set size and its peak, in MB, of a process (Linux /proc). */
export function rssOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

/**
 * node-cron warns on the console when a tick is skipped because the previous sweep is still
 * running (`overlap prevention`), and when a tick fired late because the event loop was blocked
 * (`missed execution`). The bench counts these instead of printing them.
 */
export function countSweepOverlaps(): { readonly count: number; readonly missed: number; restore(): void } {
  const original = console.warn;
  let count = 0;
  let missed = 0;
  console.warn = (...args: unknown[]) => {
    const text = args.filter((a) => typeof a === 'string').join(' ');
    if (text.includes('overlap prevention')) count += 1;
    else if (text.includes('missed execution')) missed += 1;
    else original(...args);
  };
  return {
    get count() {
      return count;
    },
    get missed() {
      return missed;
    },
    restore() {
      console.warn = original;
    },
  };
}

/** CPU time (user + system) of this process since `since`, in ms. */
export function cpuMsSince(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}
