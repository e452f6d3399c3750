// QUALITY.md "Security", row 1: every route of the API table × every role combination
// (editor, approver, admin and their combinations, and no sign-in at all) × an object of the
// caller's own organisation and one of another organisation that really exists.
// Exactly the calls the table allows succeed; the others answer 403; foreign objects 404.
// The second half repeats every cookie-authenticated write without and with a wrong CSRF token.
//
// Builds on test/integration/access.test.ts (which checks the role gate with random ids and a
// few tenancy cases by hand): here every allowed call runs against a real object in a state
// where it succeeds, so "allowed" means a 2xx and not merely "got past the role check".
import { randomBytes, randomUUID } from 'node:crypto';
import type { Role } from '../../src/domain/types';
import type { RouteDef } from '../../src/http/route';
import { apiRoutes } from '../../src/http/routes/api';
import { addOrg } from '../../src/services/bootstrap';
import {
  PASSWORD,
  ROLE_COMBOS,
  call,
  comboName,
  cookieHeaders,
  createRelease,
  principal,
  signIn,
  startHarness,
  type Harness,
  type Principal,
} from './helpers';

type Target = 'own' | 'foreign';

interface World {
  orgId: string;
  slug: string;
  /** Writes the releases the principals act on: an editor who is none of the principals. */
  writer: Principal;
  reviewer: Principal;
  chief: Principal;
  /** A plain user for PATCH /users/:id. */
  target: Principal;
  blogId: string;
  facebookId: string;
  /** Submitted, so every release route could act on it. */
  release: { id: string; revision: number; posts: { id: string }[] };
  failedPostId: string;
  unconfirmedPostId: string;
}

interface Prepared {
  url: string;
  body?: unknown;
}

const keyOf = (def: RouteDef) => `${def.method} ${def.path}`;

function verdict(def: RouteDef, roles: Role[] | null): 'public' | 'unauthenticated' | 'forbidden' | 'allowed' {
  if (def.access === 'public') return 'public';
  if (!roles) return 'unauthenticated';
  if (def.access === 'user') return 'allowed';
  return def.access.some((r) => roles.includes(r)) ? 'allowed' : 'forbidden';
}

describe('route × role × organisation', () => {
  let h: Harness;
  let A: World;
  let B: World;
  const principals = new Map<string, Principal>();

  async function makeWorld(): Promise<World> {
    const slug = `sec-${randomBytes(4).toString('hex')}`;
    const org = await addOrg(h.deps.db, { slug, name: `Stadt ${slug}` });
    const [writer, reviewer, chief, target] = [
      await principal(h, slug, ['editor'], 'writer'),
      await principal(h, slug, ['approver'], 'reviewer'),
      await principal(h, slug, ['admin'], 'chief'),
      await principal(h, slug, ['editor'], 'target'),
    ];
    const channel = async (body: unknown) => {
      const res = await call(h, 'POST', '/api/v1/channels', { token: chief.token, body });
      if (res.statusCode !== 201) throw new Error(`channel: ${res.statusCode} ${res.body}`);
      return res.json().id as string;
    };
    const blogId = await channel({ type: 'blog', name: 'Blog', settings: {} });
    const facebookId = await channel({
      type: 'facebook',
      name: 'Facebook',
      settings: { pageId: '4711', apiBaseUrl: h.graph.url },
      credentials: { pageAccessToken: `EAA${randomBytes(16).toString('hex')}` },
    });
    const release = await createRelease(h, writer.token, [blogId, facebookId], {}, { submit: true });
    const stuck = await createRelease(h, writer.token, [blogId, facebookId]);
    await h.deps.db.post.update({ where: { id: stuck.posts[0]!.id }, data: { status: 'failed', errorCode: 'SERVER_ERROR' } });
    await h.deps.db.post.update({ where: { id: stuck.posts[1]!.id }, data: { status: 'unconfirmed', errorCode: 'TIMEOUT_AFTER_SEND' } });
    return {
      orgId: org.id,
      slug,
      writer,
      reviewer,
      chief,
      target,
      blogId,
      facebookId,
      release,
      failedPostId: stuck.posts[0]!.id,
      unconfirmedPostId: stuck.posts[1]!.id,
    };
  }

  /** Everything B owns, as rows: after the whole matrix not one of them may have changed. */
  async function snapshotOf(w: World) {
    const db = h.deps.db;
    return JSON.stringify({
      org: await db.organisation.findUnique({ where: { id: w.orgId } }),
      users: await db.user.findMany({ where: { orgId: w.orgId }, orderBy: { id: 'asc' } }),
      channels: await db.channel.findMany({ where: { orgId: w.orgId }, orderBy: { id: 'asc' } }),
      releases: await db.release.findMany({ where: { orgId: w.orgId }, orderBy: { id: 'asc' } }),
      posts: await db.post.findMany({ where: { orgId: w.orgId }, orderBy: { id: 'asc' } }),
      approvals: await db.approval.findMany({ where: { release: { orgId: w.orgId } }, orderBy: { id: 'asc' } }),
      tokens: await db.apiToken.count({ where: { user: { orgId: w.orgId } } }),
      head: await db.auditHead.findUnique({ where: { orgId: w.orgId } }),
    }, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
  }

  const idsOf = async (w: World) => {
    const db = h.deps.db;
    return [
      w.orgId,
      ...(await db.user.findMany({ where: { orgId: w.orgId }, select: { id: true } })).map((r) => r.id),
      ...(await db.channel.findMany({ where: { orgId: w.orgId }, select: { id: true } })).map((r) => r.id),
      ...(await db.release.findMany({ where: { orgId: w.orgId }, select: { id: true } })).map((r) => r.id),
      ...(await db.post.findMany({ where: { orgId: w.orgId }, select: { id: true } })).map((r) => r.id),
    ];
  };

  async function setPaused(w: World, paused: boolean) {
    const org = await h.deps.db.organisation.findUniqueOrThrow({ where: { id: w.orgId } });
    if (org.paused === paused) return;
    const res = await call(h, 'POST', `/api/v1/org/${paused ? 'pause' : 'resume'}`, {
      token: w.reviewer.token,
      body: paused ? { reason: 'Vorbereitung' } : undefined,
    });
    if (res.statusCode !== 200) throw new Error(`pause/resume: ${res.statusCode} ${res.body}`);
  }

  /**
   * How to call each route: a URL and body that succeed for an allowed caller of the own
   * organisation (fresh objects in the right state where the call changes them), or that aim
   * at B's real objects.
   */
  const SPECS: Record<string, (p: Principal | null, target: Target, allowed: boolean) => Promise<Prepared>> = {
    'POST /api/v1/auth/login': async (p) => ({ url: '/api/v1/auth/login', body: { email: (p ?? A.writer).email, password: PASSWORD } }),
    'POST /api/v1/auth/logout': async () => ({ url: '/api/v1/auth/logout' }),
    'GET /api/v1/me': async () => ({ url: '/api/v1/me' }),
    'PATCH /api/v1/me': async () => ({ url: '/api/v1/me', body: { language: 'de' } }),
    'POST /api/v1/tokens': async () => ({ url: '/api/v1/tokens', body: { name: 'Matrix' } }),
    'GET /api/v1/users': async () => ({ url: '/api/v1/users' }),
    'POST /api/v1/users': async () => ({
      url: '/api/v1/users',
      body: { email: `matrix-${randomUUID().slice(0, 8)}@${A.slug}.test`, name: 'Matrix', roles: ['editor'] },
    }),
    'PATCH /api/v1/users/:id': async (_p, t) => ({ url: `/api/v1/users/${(t === 'own' ? A : B).target.id}`, body: { name: 'Matrix' } }),
    'GET /api/v1/channels': async () => ({ url: '/api/v1/channels' }),
    'POST /api/v1/channels': async () => ({ url: '/api/v1/channels', body: { type: 'blog', name: 'Matrix-Blog', settings: {} } }),
    'PATCH /api/v1/channels/:id': async (_p, t) => ({ url: `/api/v1/channels/${(t === 'own' ? A : B).facebookId}`, body: { name: 'Facebook' } }),
    'POST /api/v1/channels/:id/check': async (_p, t) => ({ url: `/api/v1/channels/${(t === 'own' ? A : B).blogId}/check` }),
    'POST /api/v1/releases': async () => ({
      url: '/api/v1/releases',
      body: { title: 'Matrix', body: 'Ein Text für die Matrix.', channelIds: [A.blogId] },
    }),
    'GET /api/v1/releases': async () => ({ url: '/api/v1/releases' }),
    'GET /api/v1/releases/:id': async (_p, t) => ({ url: `/api/v1/releases/${(t === 'own' ? A : B).release.id}` }),
    'GET /api/v1/releases/:id/revisions': async (_p, t) => ({ url: `/api/v1/releases/${(t === 'own' ? A : B).release.id}/revisions` }),
    'PATCH /api/v1/releases/:id': async (_p, t, allowed) => {
      const id = t === 'foreign' ? B.release.id : allowed ? (await createRelease(h, A.writer.token, [A.blogId])).id : A.release.id;
      return { url: `/api/v1/releases/${id}`, body: { title: 'Matrix geändert' } };
    },
    'PATCH /api/v1/posts/:id': async (_p, t, allowed) => {
      const id = t === 'foreign' ? B.release.posts[0]!.id : allowed ? (await createRelease(h, A.writer.token, [A.blogId])).posts[0]!.id : A.release.posts[0]!.id;
      return { url: `/api/v1/posts/${id}`, body: { content: { title: 'Matrix', html: '<p>Von Hand.</p>' } } };
    },
    'POST /api/v1/releases/:id/submit': async (_p, t, allowed) => {
      const id = t === 'foreign' ? B.release.id : allowed ? (await createRelease(h, A.writer.token, [A.blogId])).id : A.release.id;
      return { url: `/api/v1/releases/${id}/submit` };
    },
    'POST /api/v1/releases/:id/approve': async (_p, t, allowed) => {
      const r = t === 'foreign' ? B.release : allowed ? await createRelease(h, A.writer.token, [A.blogId], {}, { submit: true }) : A.release;
      return { url: `/api/v1/releases/${r.id}/approve`, body: { revision: r.revision } };
    },
    'POST /api/v1/releases/:id/reject': async (_p, t, allowed) => {
      const id = t === 'foreign' ? B.release.id : allowed ? (await createRelease(h, A.writer.token, [A.blogId], {}, { submit: true })).id : A.release.id;
      return { url: `/api/v1/releases/${id}/reject`, body: { comment: 'Bitte überarbeiten.' } };
    },
    'POST /api/v1/releases/:id/cancel': async (p, t, allowed) => {
      // Editors cancel their own work (approvers anything): an allowed caller cancels a release of its own.
      const id = t === 'foreign' ? B.release.id : allowed && p ? (await createRelease(h, p.token, [A.blogId])).id : A.release.id;
      return { url: `/api/v1/releases/${id}/cancel` };
    },
    'POST /api/v1/preview': async () => ({ url: '/api/v1/preview', body: { title: 'Matrix', body: 'Ein Text.', channelTypes: ['blog', 'facebook'] } }),
    'GET /api/v1/posts': async () => ({ url: '/api/v1/posts' }),
    'GET /api/v1/posts/:id': async (_p, t) => ({ url: `/api/v1/posts/${(t === 'own' ? A : B).release.posts[0]!.id}` }),
    'POST /api/v1/posts/:id/retry': async (_p, t, allowed) => {
      if (t === 'foreign') return { url: `/api/v1/posts/${B.failedPostId}/retry` };
      if (!allowed) return { url: `/api/v1/posts/${A.failedPostId}/retry` };
      await setPaused(A, false);
      const r = await createRelease(h, A.writer.token, [A.blogId]);
      // A finished release with a failed post, as the worker leaves it.
      await h.deps.db.post.update({ where: { id: r.posts[0]!.id }, data: { status: 'failed', errorCode: 'SERVER_ERROR' } });
      await h.deps.db.release.update({ where: { id: r.id }, data: { status: 'done' } });
      return { url: `/api/v1/posts/${r.posts[0]!.id}/retry` };
    },
    'POST /api/v1/posts/:id/resolve': async (_p, t, allowed) => {
      const body = { published: false };
      if (t === 'foreign') return { url: `/api/v1/posts/${B.unconfirmedPostId}/resolve`, body };
      if (!allowed) return { url: `/api/v1/posts/${A.unconfirmedPostId}/resolve`, body };
      const r = await createRelease(h, A.writer.token, [A.blogId]);
      await h.deps.db.post.update({ where: { id: r.posts[0]!.id }, data: { status: 'unconfirmed', errorCode: 'TIMEOUT_AFTER_SEND' } });
      return { url: `/api/v1/posts/${r.posts[0]!.id}/resolve`, body };
    },
    'GET /api/v1/calendar.ics': async (p) => ({ url: p ? `/api/v1/calendar.ics?token=${encodeURIComponent(p.token)}` : '/api/v1/calendar.ics' }),
    'GET /api/v1/org': async () => ({ url: '/api/v1/org' }),
    'PATCH /api/v1/org': async () => ({ url: '/api/v1/org', body: { policy: { guidelines: { maxHashtags: 3 } } } }),
    'POST /api/v1/org/pause': async (_p, _t, allowed) => {
      if (allowed) await setPaused(A, false);
      return { url: '/api/v1/org/pause', body: { reason: 'Matrix' } };
    },
    'POST /api/v1/org/resume': async (_p, _t, allowed) => {
      if (allowed) await setPaused(A, true);
      return { url: '/api/v1/org/resume' };
    },
    'GET /api/v1/audit': async () => ({ url: '/api/v1/audit' }),
    'GET /api/v1/audit/verify': async () => ({ url: '/api/v1/audit/verify' }),
    'GET /api/v1/audit/export': async () => ({ url: '/api/v1/audit/export' }),
  };

  let foreignIds: string[] = [];
  let before = '';

  beforeAll(async () => {
    h = await startHarness();
    A = await makeWorld();
    B = await makeWorld();
    for (const roles of ROLE_COMBOS) principals.set(comboName(roles), await principal(h, A.slug, roles));
    foreignIds = await idsOf(B);
    before = await snapshotOf(B);
  });
  afterAll(() => h.close());

  it('knows how to call every route of the table', () => {
    expect(apiRoutes.map(keyOf).filter((k) => !SPECS[k])).toEqual([]);
  });

  for (const def of apiRoutes) {
    const hasId = def.path.includes(':id');
    describe(keyOf(def), () => {
      for (const roles of [...ROLE_COMBOS, null]) {
        const v = verdict(def, roles);
        for (const target of (hasId ? ['own', 'foreign'] : ['own']) as Target[]) {
          const expectation =
            v === 'unauthenticated' ? '401' : v === 'forbidden' ? '403' : v === 'public' ? 'public' : target === 'foreign' ? '404' : `${def.status ?? 200}`;
          it(`${comboName(roles)}${hasId ? `, ${target} object` : ''} → ${expectation}`, async () => {
            const p = roles ? principals.get(comboName(roles))! : null;
            const { url, body } = await SPECS[keyOf(def)]!(p, target, v === 'allowed');
            const res = await call(h, def.method, url, { token: p?.token, body });
            const got = { status: res.statusCode, code: res.statusCode >= 400 ? res.json().error?.code : undefined };
            switch (v) {
              case 'unauthenticated':
                expect(got).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
                break;
              case 'forbidden':
                expect(got).toEqual({ status: 403, code: 'FORBIDDEN' });
                break;
              case 'public':
                // Login and the calendar feed carry their own credentials: valid ones succeed,
                // no token is a clean 4xx.
                if (p || def.method === 'POST') expect(got.status).toBe(200);
                else expect(got.status === 400 || got.status === 401).toBe(true);
                break;
              case 'allowed':
                if (target === 'foreign') {
                  expect(got).toEqual({ status: 404, code: 'NOT_FOUND' });
                  expect(res.body).not.toContain(url.split('/')[4]);
                } else {
                  expect({ status: res.statusCode, body: res.statusCode < 300 ? '' : res.body }).toEqual({ status: def.status ?? 200, body: '' });
                }
                break;
            }
            // No answer of any kind names an object of the other organisation.
            expect(foreignIds.filter((id) => res.body.includes(id))).toEqual([]);
          });
        }
      }
    });
  }

  describe('references to foreign objects inside bodies and queries', () => {
    it('treats a foreign channel in channelIds like an unknown one', async () => {
      const writer = principals.get('editor')!;
      const foreign = await call(h, 'POST', '/api/v1/releases', { token: writer.token, body: { title: 'Fremd', body: 'Text.', channelIds: [B.blogId] } });
      const unknown = await call(h, 'POST', '/api/v1/releases', { token: writer.token, body: { title: 'Fremd', body: 'Text.', channelIds: [randomUUID()] } });
      expect(foreign.statusCode).toBe(400);
      expect(foreign.body).toBe(unknown.body);
      const mixed = await call(h, 'PATCH', `/api/v1/releases/${(await createRelease(h, writer.token, [A.blogId])).id}`, {
        token: writer.token,
        body: { channelIds: [A.blogId, B.facebookId] },
      });
      expect(mixed.statusCode).toBe(400);
    });

    it('filters the calendar and the audit log by the caller\'s organisation, whatever id is asked for', async () => {
      const p = principals.get('editor+approver+admin')!;
      const posts = await call(h, 'GET', `/api/v1/posts?channelId=${B.blogId}`, { token: p.token });
      expect(posts.statusCode).toBe(200);
      expect(posts.json()).toEqual([]);
      const audit = await call(h, 'GET', `/api/v1/audit?entityId=${B.release.id}`, { token: p.token });
      expect(audit.statusCode).toBe(200);
      expect(audit.json()).toEqual([]);
    });
  });

  it('answers the staff UI pages of foreign objects with 404 and shows nothing of them', async () => {
    const all = principals.get('editor+approver+admin')!;
    const session = await signIn(h, all.email);
    const foreignTitle = (await h.deps.db.release.findUniqueOrThrow({ where: { id: B.release.id } })).title;
    const urls = [
      `/app/releases/${B.release.id}`,
      `/app/releases/${B.release.id}/edit`,
      `/app/posts/${B.release.posts[0]!.id}`,
      `/app/posts/${B.release.posts[0]!.id}/edit`,
      `/app/channels/${B.facebookId}`,
      `/app/users/${B.target.id}`,
    ];
    const seen: string[] = [];
    for (const url of urls) {
      const res = await call(h, 'GET', url, { headers: cookieHeaders(session) });
      if (res.statusCode !== 404 || res.body.includes(foreignTitle) || res.body.includes(B.target.email)) seen.push(`${url}: ${res.statusCode}`);
    }
    expect(seen).toEqual([]);
  });

  it('left every object of the other organisation exactly as it was', async () => {
    expect(await snapshotOf(B)).toBe(before);
  });

  describe('CSRF on every cookie-authenticated write route', () => {
    const writes = apiRoutes.filter((d) => d.method !== 'GET' && d.access !== 'public');
    const head = async () => (await h.deps.db.auditHead.findUnique({ where: { orgId: A.orgId } }))?.events ?? 0;

    it('covers the write routes of the table', () => {
      expect(writes.length).toBeGreaterThanOrEqual(20);
    });

    for (const def of writes) {
      it(`${keyOf(def)}: refused without or with a wrong X-CSRF-Token, accepted with the session's`, async () => {
        const all = principals.get('editor+approver+admin')!;
        const session = await signIn(h, all.email);
        const someoneElse = await signIn(h, A.chief.email);
        const { url, body } = await SPECS[keyOf(def)]!(all, 'own', true);

        const events = await head();
        for (const csrf of [undefined, '', someoneElse.csrfToken, `${session.csrfToken}x`, session.csrfToken.slice(0, -1)]) {
          const res = await call(h, def.method, url, { body, headers: cookieHeaders(session, csrf) });
          expect({ csrf: csrf === undefined ? '(none)' : csrf, status: res.statusCode, code: res.json().error?.code }).toEqual({
            csrf: csrf === undefined ? '(none)' : csrf,
            status: 403,
            code: 'CSRF_FAILED',
          });
        }
        // Nothing happened: not one audit event was written for the refused calls.
        expect(await head()).toBe(events);

        const ok = await call(h, def.method, url, { body, headers: cookieHeaders(session, session.csrfToken) });
        expect({ status: ok.statusCode, body: ok.statusCode < 300 ? '' : ok.body }).toEqual({ status: def.status ?? 200, body: '' });
      });
    }
  });
});
