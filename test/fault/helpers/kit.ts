// Shared machinery of the fault suite: its own database and Redis (services.ts), the fakes process,
// Herold's real entry points as child processes, seeding through the real API (app.inject),
// and the bookkeeping every scenario reports (duplicates, lost, unconfirmed, timings).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, createWriteStream, mkdirSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { loadConfig, type Config } from '../../../config/load';
import { buildApp } from '../../../src/http/app';
import { closeDeps, createDeps } from '../../../src/runtime';
import type { Deps } from '../../../src/services/deps';
import { call, createTestOrg, TEST_SECRET_KEY, type Harness, type TestOrg } from '../../helpers/harness';
import type { FakesConfig, LogEntry } from './fakes-main';
import * as services from './services';

export const ROOT = join(__dirname, '../../..');
export const QUICK = process.env.HEROLD_FAULT_QUICK === '1';
export const VARIANT = QUICK ? 'quick' : 'full';
/** Logs of every child process and figures.txt (HEROLD_FAULT_LOG_DIR to keep two runs apart). */
export const LOG_DIR = process.env.HEROLD_FAULT_LOG_DIR ?? join(tmpdir(), 'herold-fault-logs');

/** The suite's own PostgreSQL cluster and Redis server (started by globalSetup). */
export const SERVICES = services.faultServices();
/** The scheduler sweeps every organisation: the database is the suite's alone. */
export const faultDatabaseUrl = () => services.faultDatabaseUrl(SERVICES);
/** The suite's own Redis server: scenarios may FLUSHALL and restart it. */
export const FAULT_REDIS_URL = services.faultRedisUrl(SERVICES);

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitUntil<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs: number, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // A probe may fail while PostgreSQL restarts: that only means "not yet".
    const value = await probe().catch(() => null);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** A fresh fault database for each scenario file: a copy of the template migrated by globalSetup. */
export async function prepareDatabase(): Promise<void> {
  const name = new URL(faultDatabaseUrl()).pathname.slice(1);
  const client = new pg.Client({ connectionString: services.faultDatabaseUrl(SERVICES, 'postgres') });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${name}" TEMPLATE "${services.TEMPLATE_DB}"`);
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------------------------------
// Child processes

const children = new Set<HeroldProcess>();
let exitHookInstalled = false;
function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of children) child.killNow();
  });
}

export interface HeroldProcess {
  name: string;
  /** Pid of the Herold process (leader of its process group). */
  pid: number;
  /** Pid of the node process that runs Herold (from its "herold started" log line). */
  nodePid?: number;
  workerId?: string;
  /** The API's port (from the "herold started" line), for a part that runs the API. */
  port?: number;
  child: ChildProcess;
  started: Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  alive(): boolean;
  /** Sends a signal to the whole process group. */
  signal(sig: NodeJS.Signals): void;
  killNow(): void;
}

/** Environment of every Herold process of the suite. */
export function heroldEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    DATABASE_URL: faultDatabaseUrl(),
    REDIS_URL: FAULT_REDIS_URL,
    HEROLD_SECRET_KEY: TEST_SECRET_KEY,
    HEROLD_PUBLIC_URL: 'http://herold.fault.test',
    HEROLD_SWEEP_SECONDS: '2',
    HEROLD_WORKER_CONCURRENCY: '20',
    HEROLD_RETRY_BASE_MS: '500',
    HEROLD_STALE_PUBLISHING_SECONDS: '20',
    HEROLD_ALLOW_PRIVATE_HOSTS: '127.0.0.0/8,::1',
    PORT: '0',
    LOG_LEVEL: 'info',
    ...extra,
  };
}

/**
 * Starts `node --import tsx workers/<kind>-main.ts` (what `npm run worker|scheduler|api` runs) in
 * a process group of its own, so a signal reaches everything it started.
 */
export function spawnHerold(kind: 'worker' | 'scheduler' | 'api', name: string, env: Record<string, string> = {}): HeroldProcess {
  installExitHook();
  mkdirSync(LOG_DIR, { recursive: true });
  const logFile = createWriteStream(join(LOG_DIR, `${name}.log`), { flags: 'a' });
  const child = spawn(process.execPath, ['--import', 'tsx', `workers/${kind}-main.ts`], {
    cwd: ROOT,
    env: heroldEnv(env),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let resolveStarted!: () => void;
  let rejectStarted!: (err: Error) => void;
  const started = new Promise<void>((resolve, reject) => {
    resolveStarted = resolve;
    rejectStarted = reject;
  });
  started.catch(() => undefined);
  let exitedFlag = false;
  const proc: HeroldProcess = {
    name,
    pid: child.pid!,
    child,
    started,
    exited: new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        exitedFlag = true;
        children.delete(proc);
        rejectStarted(new Error(`${name} exited before it started (code ${code}, signal ${signal})`));
        resolve({ code, signal, at: Date.now() });
      });
    }),
    alive: () => !exitedFlag,
    signal(sig) {
      if (exitedFlag) return;
      try {
        process.kill(-child.pid!, sig);
      } catch {
        /* already gone */
      }
    },
    killNow() {
      proc.signal('SIGKILL');
    },
  };
  children.add(proc);
  const rl = createInterface({ input: child.stdout! });
  rl.on('line', (line) => {
    logFile.write(`${line}\n`);
    if (!proc.nodePid && line.includes('herold started')) {
      try {
        const started = JSON.parse(line) as { pid: number; port?: number };
        proc.nodePid = started.pid;
        proc.workerId = `${hostname()}:${proc.nodePid}`;
        proc.port = started.port;
      } catch {
        /* not JSON */
      }
      resolveStarted();
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => logFile.write(chunk));
  child.once('exit', () => setTimeout(() => logFile.end(), 100));
  return proc;
}

export async function startHerold(kind: 'worker' | 'scheduler' | 'api', name: string, env: Record<string, string> = {}): Promise<HeroldProcess> {
  const proc = spawnHerold(kind, name, env);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name} did not start within 60 s`)), 60_000);
  });
  try {
    await Promise.race([proc.started, timeout]);
  } finally {
    clearTimeout(timer);
  }
  return proc;
}

/** SIGKILL to every child still running, then wait for them. */
export async function killAll(): Promise<void> {
  const all = [...children].filter((c) => c.name !== 'fakes');
  for (const child of all) child.killNow();
  await Promise.all(all.map((c) => c.exited));
}

// ---------------------------------------------------------------------------------------------
// The fakes process

export interface FakeState {
  graphPosts: { pageId: string; message: string; link?: string }[];
  tweets: { authorId: string; text: string; id: string; inReplyToTweetId?: string }[];
  statuses: { accountId: string; text: string; id: string; inReplyToId?: string }[];
  records: { did: string; text: string; uri: string; reply: boolean }[];
  wpPosts: { author: number; text: string; id: number; link: string; status: string }[];
  log: LogEntry[];
}

type FakeUrls = { graph: string; x: string; mastodon: string; bluesky: string; wordpress: string; control: string };

export interface Fakes extends FakeUrls {
  config(c: Partial<FakesConfig>): Promise<void>;
  reset(): Promise<void>;
  addPage(page: { id: string; name: string; accessToken: string }): Promise<void>;
  expireGraphToken(token: string): Promise<void>;
  addXUser(user: Record<string, string>): Promise<void>;
  revokeXToken(token: string): Promise<void>;
  addMastodonAccount(account: { id: string; username: string; accessToken: string }): Promise<void>;
  addBlueskyAccount(account: { did: string; handle: string; appPassword: string }): Promise<void>;
  addWordPressUser(user: { id: number; username: string; applicationPassword: string; name: string; role: 'author' }): Promise<void>;
  state(): Promise<FakeState>;
  close(): Promise<void>;
}

export async function startFakes(): Promise<Fakes> {
  installExitHook();
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'fakes-main.ts')], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  const first = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`fakes exited with ${code}`)));
  });
  const urls = JSON.parse(first) as FakeUrls;
  const post = async (path: string, body: unknown = {}) => {
    const res = await fetch(`${urls.control}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`fakes ${path}: ${res.status} ${await res.text()}`);
  };
  const fakeProc = { name: 'fakes', killNow: () => child.kill('SIGKILL') } as unknown as HeroldProcess;
  children.add(fakeProc);
  return {
    ...urls,
    config: (c) => post('/config', c),
    reset: () => post('/reset'),
    addPage: (page) => post('/graph/page', page),
    expireGraphToken: (token) => post('/graph/expire', { token }),
    addXUser: (user) => post('/x/user', user),
    revokeXToken: (token) => post('/x/revoke', { token }),
    addMastodonAccount: (account) => post('/mastodon/account', account),
    addBlueskyAccount: (account) => post('/bluesky/account', account),
    addWordPressUser: (user) => post('/wordpress/user', user),
    state: async () => (await (await fetch(`${urls.control}/state`)).json()) as FakeState,
    close: async () => {
      children.delete(fakeProc);
      child.stdin!.end();
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r)));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The test process's own Herold: the real HTTP app via inject, for seeding and for the API calls
// of the scenarios (pause, new credentials). It runs no worker and no scheduler.

export interface Suite {
  h: Harness;
  config: Config;
  deps: Deps;
  fakes: Fakes;
  close(): Promise<void>;
}

/** `env`: settings of the scenario, for the test process's own app (it enqueues on approval) too. */
export async function startSuite(env: Record<string, string> = {}): Promise<Suite> {
  await prepareDatabase();
  // Errors of the test process's own app (seeding, API calls) reach the output; the rest is quiet.
  const config = loadConfig({ ...heroldEnv(env), LOG_LEVEL: 'error' });
  const deps = createDeps(config, 'fault-test');
  await deps.redis.flushall(); // the suite's own Redis
  const app = await buildApp(deps);
  const fakes = await startFakes();
  const h = { config, deps, app } as unknown as Harness;
  return {
    h,
    config,
    deps,
    fakes,
    async close() {
      await killAll();
      await fakes.close().catch(() => undefined);
      await app.close();
      await closeDeps(deps);
    },
  };
}

export interface SocialChannels {
  facebook: { id: string; pageId: string; token: string };
  twitter: { id: string; userId: string; accessToken: string; creds: Record<string, string> }[];
  mastodon?: { id: string; accountId: string };
  bluesky?: { id: string; did: string };
  /** The article on a WordPress site: social posts of the same release wait for it. */
  wordpress?: { id: string; userId: number };
  /** The built-in blog (no fake: publishing makes the article public in Herold itself). */
  blog?: { id: string };
}

/**
 * Every channel's id, for releases on all of them: WordPress first (the article), Facebook, the X
 * accounts, then Mastodon and Bluesky if added. Not the blog: a release with two articles (blog
 * and WordPress) has no single one for its social posts to wait for.
 */
export function channelIdsOf(channels: SocialChannels): string[] {
  return [
    ...(channels.wordpress ? [channels.wordpress.id] : []),
    channels.facebook.id,
    ...channels.twitter.map((t) => t.id),
    ...(channels.mastodon ? [channels.mastodon.id] : []),
    ...(channels.bluesky ? [channels.bluesky.id] : []),
  ];
}

/**
 * A Facebook Page on the Graph fake and `x` X accounts on the X fake (default 1), and with
 * `mastodon` / `bluesky` / `wordpress` an account on those fakes, each added as a channel through
 * the API; with `blog` the built-in blog as well.
 */
export async function addSocialChannels(
  s: Suite,
  org: TestOrg,
  opts: { x?: number; mastodon?: boolean; bluesky?: boolean; wordpress?: boolean; blog?: boolean } = {},
): Promise<SocialChannels> {
  const create = async (body: unknown) => {
    const res = await call(s.h, 'POST', '/api/v1/channels', { token: org.admin.token, body });
    if (res.statusCode !== 201) throw new Error(`channel: ${res.statusCode} ${res.body}`);
    return res.json().id as string;
  };
  const pageId = String(100000 + Math.floor(Math.random() * 899999));
  const pageToken = `EAAfault${randomBytes(8).toString('hex')}`;
  await s.fakes.addPage({ id: pageId, name: `Seite ${org.slug}`, accessToken: pageToken });
  const facebook = {
    id: await create({ type: 'facebook', name: 'Facebook', settings: { pageId, apiBaseUrl: s.fakes.graph }, credentials: { pageAccessToken: pageToken } }),
    pageId,
    token: pageToken,
  };
  const twitter: SocialChannels['twitter'] = [];
  for (let i = 0; i < (opts.x ?? 1); i += 1) {
    const userId = String(1_000_000_000 + Math.floor(Math.random() * 1e9));
    const creds = {
      appKey: `ck-${randomBytes(6).toString('hex')}`,
      appSecret: `cs-${randomBytes(8).toString('hex')}`,
      accessToken: `${userId}-${randomBytes(8).toString('hex')}`,
      accessSecret: `as-${randomBytes(8).toString('hex')}`,
    };
    await s.fakes.addXUser({ userId, username: `${org.slug.replace(/-/g, '_')}_${i}`, ...creds });
    const id = await create({ type: 'twitter', name: `X ${i}`, settings: { apiBaseUrl: s.fakes.x }, credentials: creds });
    twitter.push({ id, userId, accessToken: creds.accessToken, creds });
  }
  const channels: SocialChannels = { facebook, twitter };
  const handle = org.slug.replace(/[^a-z0-9]/gi, '').toLowerCase() || 'amt';
  if (opts.mastodon) {
    const accountId = String(100_000_000 + Math.floor(Math.random() * 899_999_999));
    const accessToken = `mast-${randomBytes(12).toString('hex')}`;
    await s.fakes.addMastodonAccount({ id: accountId, username: handle, accessToken });
    const settings = { instanceUrl: s.fakes.mastodon, apiBaseUrl: s.fakes.mastodon };
    channels.mastodon = { id: await create({ type: 'mastodon', name: 'Mastodon', settings, credentials: { accessToken } }), accountId };
  }
  if (opts.bluesky) {
    const did = `did:plc:${randomBytes(12).toString('hex')}`;
    const appPassword = `${randomBytes(2).toString('hex')}-${randomBytes(2).toString('hex')}-${randomBytes(2).toString('hex')}-${randomBytes(2).toString('hex')}`;
    const bskyHandle = `${handle}.bsky.social`;
    await s.fakes.addBlueskyAccount({ did, handle: bskyHandle, appPassword });
    const id = await create({ type: 'bluesky', name: 'Bluesky', settings: { apiBaseUrl: s.fakes.bluesky }, credentials: { identifier: bskyHandle, appPassword } });
    channels.bluesky = { id, did };
  }
  if (opts.wordpress) {
    // An application password as WordPress shows it (groups of four); a user per organisation on
    // the one fake site, with the Author role the channel documentation recommends.
    const userId = 1000 + Math.floor(Math.random() * 8_999_000);
    const applicationPassword = Array.from({ length: 6 }, () => randomBytes(2).toString('hex')).join(' ');
    const username = `presse-${handle}`;
    await s.fakes.addWordPressUser({ id: userId, username, applicationPassword, name: `Pressestelle ${org.slug}`, role: 'author' });
    const settings = { siteUrl: s.fakes.wordpress, apiBaseUrl: s.fakes.wordpress };
    channels.wordpress = { id: await create({ type: 'wordpress', name: 'WordPress', settings, credentials: { username, applicationPassword } }), userId };
  }
  if (opts.blog) channels.blog = { id: await create({ type: 'blog', name: 'Blog', settings: {}, credentials: {} }) };
  return channels;
}

export async function newOrg(s: Suite): Promise<TestOrg> {
  return createTestOrg(s.h);
}

export interface Seeded {
  tag: string;
  releaseIds: string[];
  seedMs: number;
}

/**
 * Creates, submits and approves `count` releases through the API (author ≠ approver), each with
 * a unique marker `[tag-i]` in its title so that every post on a fake can be traced back.
 */
export async function seedReleases(
  s: Suite,
  org: TestOrg,
  channelIds: string[],
  count: number,
  opts: { tag: string; publishAt?: (i: number) => Date | undefined; parallel?: number; crisis?: boolean } = { tag: 'x' },
): Promise<Seeded> {
  const started = Date.now();
  const releaseIds: string[] = new Array(count);
  let next = 0;
  // On a loaded machine the API may answer 503 (no database connection came free in time), which
  // asks the caller to try again: seeding does, a few times. Any other answer stops the scenario.
  const send = async (what: string, expected: number, ...args: Parameters<typeof call> extends [unknown, ...infer R] ? R : never) => {
    for (let attempt = 1; ; attempt += 1) {
      const res = await call(s.h, ...args);
      if (res.statusCode === expected) return res;
      if (res.statusCode !== 503 || attempt >= 5) throw new Error(`${what}: ${res.statusCode} ${res.body}`);
      await sleep(500 * attempt);
    }
  };
  const one = async (i: number) => {
    const publishAt = opts.publishAt?.(i);
    const created = await send('create', 201, 'POST', '/api/v1/releases', {
      token: org.author.token,
      body: {
        title: `Lage ${i} [${opts.tag}-${i}]`,
        // The marker in the body too: some networks get the body without the title (Mastodon).
        body: `Meldung ${i} [${opts.tag}-${i}] der Pressestelle. Bitte beachten Sie die Hinweise.`,
        channelIds,
        ...(publishAt ? { publishAt: publishAt.toISOString() } : {}),
        ...(opts.crisis ? { crisis: true } : {}),
      },
    });
    const release = created.json() as { id: string; revision: number };
    await send('submit', 200, 'POST', `/api/v1/releases/${release.id}/submit`, { token: org.author.token });
    await send('approve', 200, 'POST', `/api/v1/releases/${release.id}/approve`, { token: org.approver.token, body: { revision: release.revision } });
    releaseIds[i] = release.id;
  };
  const lanes = Array.from({ length: opts.parallel ?? 4 }, async () => {
    while (next < count) await one(next++);
  });
  await Promise.all(lanes);
  return { tag: opts.tag, releaseIds, seedMs: Date.now() - started };
}

// ---------------------------------------------------------------------------------------------
// Bookkeeping

export type PostRow = Awaited<ReturnType<typeof postsOf>>[number];

export function postsOf(s: Suite, orgId: string) {
  return s.deps.db.post.findMany({
    where: { orgId },
    select: {
      id: true,
      status: true,
      heldReason: true,
      errorCode: true,
      channelId: true,
      channelType: true,
      dueAt: true,
      publishedAt: true,
      attempts: true,
      release: { select: { title: true, approvedAt: true } },
    },
  });
}

export function countByStatus(posts: { status: string }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of posts) out[p.status] = (out[p.status] ?? 0) + 1;
  return out;
}

const marker = /\[([A-Za-z0-9]+-\d+)\]/;

/** Copies on the fakes per post: key `${channelId}|${marker}`. */
export function fakeCopies(state: FakeState, channels: SocialChannels): Map<string, number> {
  const copies = new Map<string, number>();
  const add = (channelId: string | undefined, text: string) => {
    const m = marker.exec(text);
    if (!channelId || !m) return;
    const key = `${channelId}|${m[1]}`;
    copies.set(key, (copies.get(key) ?? 0) + 1);
  };
  for (const p of state.graphPosts) add(p.pageId === channels.facebook.pageId ? channels.facebook.id : undefined, p.message);
  // Only the first part of a thread carries the title; replies are not counted as posts.
  for (const t of state.tweets) if (!t.inReplyToTweetId) add(channels.twitter.find((c) => c.userId === t.authorId)?.id, t.text);
  for (const m of state.statuses) if (!m.inReplyToId) add(m.accountId === channels.mastodon?.accountId ? channels.mastodon.id : undefined, m.text);
  for (const r of state.records) if (!r.reply) add(r.did === channels.bluesky?.did ? channels.bluesky.id : undefined, r.text);
  for (const w of state.wpPosts) add(w.author === channels.wordpress?.userId ? channels.wordpress.id : undefined, w.text);
  return copies;
}

export interface Tally {
  posts: number;
  published: number;
  failed: number;
  unconfirmed: number;
  held: number;
  /** Posts not in a final state (published, failed, unconfirmed; held where allowed). */
  lost: number;
  /** Extra copies on the fakes beyond one per post. */
  duplicates: number;
  /** Posts `published` in the database but absent from the fake. */
  missingOnFake: number;
  /** Posts on the fake whose database status is neither published nor unconfirmed. */
  unexpectedOnFake: number;
  byStatus: Record<string, number>;
  /** The same per channel id. */
  perChannel: Record<string, ChannelTally>;
}

export interface ChannelTally {
  posts: number;
  published: number;
  unconfirmed: number;
  failed: number;
  duplicates: number;
  missingOnFake: number;
}

export async function tally(s: Suite, orgId: string, channels: SocialChannels, opts: { heldIsFinal?: boolean } = {}): Promise<Tally> {
  const posts = await postsOf(s, orgId);
  const copies = fakeCopies(await s.fakes.state(), channels);
  const byStatus = countByStatus(posts);
  const finals = new Set(['published', 'failed', 'unconfirmed', ...(opts.heldIsFinal ? ['held'] : [])]);
  let duplicates = 0;
  let missingOnFake = 0;
  let unexpectedOnFake = 0;
  const known = new Set<string>();
  const perChannel: Tally['perChannel'] = {};
  for (const p of posts) {
    const m = marker.exec(p.release.title);
    const key = `${p.channelId}|${m?.[1]}`;
    known.add(key);
    const n = copies.get(key) ?? 0;
    const c = (perChannel[p.channelId] ??= { posts: 0, published: 0, unconfirmed: 0, failed: 0, duplicates: 0, missingOnFake: 0 });
    c.posts += 1;
    if (p.status === 'published') c.published += 1;
    if (p.status === 'unconfirmed') c.unconfirmed += 1;
    if (p.status === 'failed') c.failed += 1;
    if (n > 1) c.duplicates += n - 1;
    if (n > 1) duplicates += n - 1;
    // The built-in blog has no fake to be missing from.
    if (p.status === 'published' && n === 0 && p.channelType !== 'blog') {
      missingOnFake += 1;
      c.missingOnFake += 1;
    }
    if (n > 0 && p.status !== 'published' && p.status !== 'unconfirmed') unexpectedOnFake += 1;
  }
  for (const [key, n] of copies) if (!known.has(key)) unexpectedOnFake += n;
  return {
    posts: posts.length,
    published: byStatus.published ?? 0,
    failed: byStatus.failed ?? 0,
    unconfirmed: byStatus.unconfirmed ?? 0,
    held: byStatus.held ?? 0,
    lost: posts.filter((p) => !finals.has(p.status)).length,
    duplicates,
    missingOnFake,
    unexpectedOnFake,
    byStatus,
    perChannel,
  };
}

/** Waits until no post of the organisation is `scheduled` or `publishing` (or the timeout). */
export async function settle(s: Suite, orgId: string, timeoutMs: number): Promise<number> {
  const started = Date.now();
  try {
    await waitUntil(
      'all posts settled',
      async () => (await s.deps.db.post.count({ where: { orgId, status: { in: ['scheduled', 'publishing', 'draft'] } } })) === 0,
      timeoutMs,
      500,
    );
  } catch {
    // reported as lost by tally()
  }
  return Date.now() - started;
}

export async function inFlightOf(s: Suite, workerId: string | undefined): Promise<number> {
  if (!workerId) return 0;
  return s.deps.db.publicationAttempt.count({ where: { workerId, finishedAt: null } });
}

export function report(scenario: string, figures: Record<string, string | number>): void {
  const line = `FAULT ${scenario}: variant=${VARIANT} ${Object.entries(figures)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ')}`;
  // process.stdout (not console.log) keeps jest from wrapping the line in a stack trace.
  process.stdout.write(`${line}\n`);
  mkdirSync(LOG_DIR, { recursive: true });
  appendFileSync(join(LOG_DIR, 'figures.txt'), `${new Date().toISOString()} ${line}\n`);
}

export const secs = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export interface HttpAnswer {
  status: number;
  body: Record<string, unknown>;
  /** How long the answer took. */
  ms: number;
}

/**
 * A request to an API child process over real HTTP. An answer that does not come within
 * `timeoutMs` is reported as status 0 (a hanging API is what the outage scenarios look for).
 */
export async function httpCall(proc: HeroldProcess, path: string, opts: { token?: string; timeoutMs?: number } = {}): Promise<HttpAnswer> {
  const started = Date.now();
  try {
    const res = await fetch(`http://127.0.0.1:${proc.port}${path}`, {
      headers: opts.token ? { authorization: `Bearer ${opts.token}` } : {},
      signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
    });
    const text = await res.text();
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = { text };
    }
    return { status: res.status, body, ms: Date.now() - started };
  } catch (err) {
    return { status: 0, body: { error: (err as Error).name }, ms: Date.now() - started };
  }
}

export const readyz = (proc: HeroldProcess) => httpCall(proc, '/readyz');
