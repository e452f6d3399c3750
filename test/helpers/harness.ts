// A real Herold for integration tests: PostgreSQL, Redis, the HTTP app (via inject), the
// publishing worker, and loopback fakes of the Graph API and X API driven by the real SDKs.
import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { loadConfig, type Config } from '../../config/load';
import { buildApp } from '../../src/http/app';
import { closeDeps, createDeps } from '../../src/runtime';
import { addOrg, addToken, addUser } from '../../src/services/bootstrap';
import type { Deps } from '../../src/services/deps';
import { startGraphFake, type GraphFake } from '../../src/simulated/graph-fake';
import { startXFake, type XFake } from '../../src/simulated/x-fake';
import type { Role } from '../../src/domain/types';
import { startPublisher } from '../../workers/publisher';
import { testDatabaseUrl, testRedisUrl } from './env';

export const TEST_SECRET_KEY = 'a'.repeat(64);

export interface Harness {
  config: Config;
  deps: Deps;
  app: FastifyInstance;
  graph: GraphFake;
  x: XFake;
  startWorker(): void;
  stopWorker(): Promise<void>;
  close(): Promise<void>;
}

/** Each jest worker gets a Redis db of its own, so a FLUSHDB in one file spares the others. */
function redisUrlForWorker(): string {
  const url = new URL(testRedisUrl());
  const base = Number(url.pathname.replace('/', '') || '9');
  url.pathname = `/${base + Number(process.env.JEST_WORKER_ID ?? '1') - 1}`;
  return url.toString();
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    DATABASE_URL: testDatabaseUrl(),
    REDIS_URL: redisUrlForWorker(),
    HEROLD_SECRET_KEY: TEST_SECRET_KEY,
    HEROLD_PUBLIC_URL: 'http://herold.test',
    HEROLD_SWEEP_SECONDS: '1',
    HEROLD_PUBLISH_ATTEMPTS: '3',
    LOG_LEVEL: 'silent',
    PORT: '0',
    // The fakes of the networks listen on loopback; every other private range stays refused.
    HEROLD_ALLOW_PRIVATE_HOSTS: '127.0.0.0/8,::1',
    ...overrides,
  });
}

export async function startHarness(overrides: Record<string, string> = {}): Promise<Harness> {
  const config = testConfig(overrides);
  const deps = createDeps(config, 'test');
  await deps.redis.flushdb();
  const app = await buildApp(deps);
  const graph = await startGraphFake();
  const x = await startXFake();
  let worker: ReturnType<typeof startPublisher> | null = null;
  return {
    config,
    deps,
    app,
    graph,
    x,
    startWorker() {
      worker ??= startPublisher(deps, { concurrency: 5 });
    },
    async stopWorker() {
      await worker?.close();
      worker = null;
    },
    async close() {
      await worker?.close();
      await app.close();
      await Promise.all([graph.close(), x.close()]);
      await closeDeps(deps);
    },
  };
}

export interface TestUser {
  id: string;
  email: string;
  token: string;
}

export interface TestOrg {
  id: string;
  slug: string;
  editor: TestUser;
  /** Editor and approver: can write, and can approve the work of others. */
  author: TestUser;
  approver: TestUser;
  admin: TestUser;
}

async function user(h: Harness, orgSlug: string, name: string, roles: Role[]): Promise<TestUser> {
  const email = `${name}-${randomUUID().slice(0, 8)}@${orgSlug}.test`;
  const created = await addUser(h.deps.db, { orgSlug, email, name, roles, password: 'correct horse battery' });
  return { id: created.id, email, token: await addToken(h.deps.db, { email, name: 'test' }) };
}

export async function createTestOrg(h: Harness): Promise<TestOrg> {
  const slug = `org-${randomBytes(4).toString('hex')}`;
  const org = await addOrg(h.deps.db, { slug, name: `Stadt ${slug}` });
  return {
    id: org.id,
    slug,
    editor: await user(h, slug, 'editor', ['editor']),
    author: await user(h, slug, 'author', ['editor', 'approver']),
    approver: await user(h, slug, 'approver', ['approver']),
    admin: await user(h, slug, 'admin', ['admin']),
  };
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export async function call(h: Harness, method: string, url: string, opts: CallOptions = {}): Promise<LightMyRequestResponse> {
  return h.app.inject({
    method: method as 'GET',
    url,
    headers: {
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...opts.headers,
    },
    payload: opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body),
  });
}

/** Adds blog, Facebook (Graph fake) and X (X fake) channels; returns their ids. */
export async function addChannels(h: Harness, org: TestOrg) {
  const pageId = String(100000 + Math.floor(Math.random() * 899999));
  const pageToken = `EAAtest${randomBytes(8).toString('hex')}`;
  h.graph.addPage({ id: pageId, name: `Seite ${org.slug}`, accessToken: pageToken });
  const xUser = {
    userId: String(Math.floor(Math.random() * 1e12)),
    username: org.slug.replace(/-/g, '_'),
    appKey: `ck-${org.slug}`,
    appSecret: `cs-${randomBytes(8).toString('hex')}`,
    accessToken: `at-${randomBytes(8).toString('hex')}`,
    accessSecret: `as-${randomBytes(8).toString('hex')}`,
  };
  h.x.addUser(xUser);
  const create = async (body: unknown) => {
    const res = await call(h, 'POST', '/api/v1/channels', { token: org.admin.token, body });
    if (res.statusCode !== 201) throw new Error(`channel: ${res.statusCode} ${res.body}`);
    return res.json().id as string;
  };
  return {
    pageId,
    pageToken,
    xUser,
    blog: await create({ type: 'blog', name: 'Blog', settings: {} }),
    facebook: await create({ type: 'facebook', name: 'Facebook', settings: { pageId, apiBaseUrl: h.graph.url }, credentials: { pageAccessToken: pageToken } }),
    twitter: await create({
      type: 'twitter',
      name: 'X',
      settings: { apiBaseUrl: h.x.url },
      credentials: { appKey: xUser.appKey, appSecret: xUser.appSecret, accessToken: xUser.accessToken, accessSecret: xUser.accessSecret },
    }),
  };
}

export interface HarnessWithOrg {
  h: Harness;
  org: TestOrg;
  channels: Awaited<ReturnType<typeof addChannels>>;
}

/**
 * Registers the usual set-up of a describe block: a beforeAll that starts a harness (with the
 * given config overrides, and the publishing worker if `worker` is set), creates an org and adds
 * its channels, and an afterAll that closes the harness. The fields of the returned object are
 * filled in by that beforeAll: read them only inside tests and hooks, never at describe time.
 * A beforeAll registered after this call runs after it and may use the fields.
 */
export function useHarnessWithOrg(options: { overrides?: Record<string, string>; worker?: boolean } = {}): HarnessWithOrg {
  const ctx = {} as HarnessWithOrg;
  beforeAll(async () => {
    ctx.h = await startHarness(options.overrides);
    if (options.worker) ctx.h.startWorker();
    ctx.org = await createTestOrg(ctx.h);
    ctx.channels = await addChannels(ctx.h, ctx.org);
  });
  afterAll(() => ctx.h.close());
  return ctx;
}

export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A release or post as the API answers it; the fields the tests read most, the rest untyped. */
export interface ApiPost {
  id: string;
  channelId: string;
  channelType: string;
  status: string;
  revision: number;
  generation?: number;
  publishAt: string | null;
  dueAt: string | null;
  [field: string]: unknown;
}
export interface ApiRelease {
  id: string;
  slug: string;
  status: string;
  revision: number;
  posts: ApiPost[];
  [field: string]: unknown;
}

export interface ReleaseSpec {
  channelIds: string[];
  title?: string;
  body?: string;
  /** Any other field of POST /api/v1/releases: publishAt, embargoUntil, crisis, dateline, media … */
  [field: string]: unknown;
}

/**
 * The usual way to a scheduled release: org.author writes and submits it, org.approver (a second
 * person) approves that revision. Any refusal on the way fails the test with the API's answer.
 * Returns the approved release with its posts.
 */
export async function approvedRelease(h: Harness, org: TestOrg, spec: ReleaseSpec): Promise<ApiRelease> {
  const step = async (what: string, method: string, url: string, opts: CallOptions, status: number) => {
    const res = await call(h, method, url, opts);
    if (res.statusCode !== status) throw new Error(`${what}: ${res.statusCode} ${res.body}`);
    return res.json() as ApiRelease;
  };
  const body = { title: 'Mitteilung der Stadt', body: 'Die Stadt informiert über ein neues Angebot im Rathaus.', ...spec };
  const created = await step('create', 'POST', '/api/v1/releases', { token: org.author.token, body }, 201);
  const submitted = await step('submit', 'POST', `/api/v1/releases/${created.id}/submit`, { token: org.author.token }, 200);
  return step('approve', 'POST', `/api/v1/releases/${created.id}/approve`, { token: org.approver.token, body: { revision: submitted.revision } }, 200);
}
