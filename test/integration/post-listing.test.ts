// GET /api/v1/posts: the calendar's listing. view=summary (PostSummary, built as JSON by
// PostgreSQL) must list exactly what view=full lists, in the same order, with the fields a
// calendar shows and none of the content; and creating a release must answer exactly what a
// re-read of it returns (the create path builds its answer without reading back).
import { addChannels, approvedRelease, call, createTestOrg, useHarnessWithOrg, type ApiRelease } from '../helpers/harness';

interface Summary {
  id: string;
  releaseId: string;
  releaseTitle: string;
  releaseStatus: string;
  crisis: boolean;
  channelId: string;
  channelType: string;
  channelName: string;
  status: string;
  heldReason?: string;
  publishAt?: string;
  dueAt?: string;
  publishedAt?: string;
  excerpt?: string;
  externalUrl?: string;
  error?: { code: string; message: string };
}

/** Always there. */
const REQUIRED_KEYS = ['id', 'releaseId', 'releaseTitle', 'releaseStatus', 'crisis', 'channelId', 'channelType', 'channelName', 'status'].sort();
/** There when they have a value (never as null). */
const OPTIONAL_KEYS = ['heldReason', 'publishAt', 'dueAt', 'publishedAt', 'excerpt', 'externalUrl', 'error'];

/** A value as the summary writes it: null and undefined both mean "left out". */
const present = (value: unknown) => (value === null ? undefined : value);

describe('GET /api/v1/posts', () => {
  const ctx = useHarnessWithOrg();
  // A month far ahead, so that no other test's posts fall into it.
  const from = new Date(Date.UTC(2031, 2, 1));
  const to = new Date(Date.UTC(2031, 3, 1) - 1);
  const at = (day: number, hour = 10) => new Date(Date.UTC(2031, 2, day, hour)).toISOString();
  let scheduled: ApiRelease;
  let draft: ApiRelease;
  let published: ApiRelease;

  const list = async (query: string, token = ctx.org.editor.token) => {
    const res = await call(ctx.h, 'GET', `/api/v1/posts?${query}`, { token });
    expect(res.statusCode).toBe(200);
    return res;
  };
  const range = `from=${from.toISOString()}&to=${to.toISOString()}`;

  beforeAll(async () => {
    // Due in the month (approved: due_at set).
    scheduled = await approvedRelease(ctx.h, ctx.org, {
      title: 'Sperrung der „Brücke“ am "Markt" \\ Süd',
      publishAt: at(20),
      channelIds: [ctx.channels.twitter, ctx.channels.blog],
    });
    // Not approved, with a time of its own in the month (due_at null: the publish_at arm).
    const created = await call(ctx.h, 'POST', '/api/v1/releases', {
      token: ctx.org.author.token,
      body: { title: 'Entwurf mit eigener Zeit', body: 'Die Stadt informiert über den Wochenmarkt am Samstag.', channelIds: [ctx.channels.facebook] },
    });
    expect(created.statusCode).toBe(201);
    draft = created.json();
    const moved = await call(ctx.h, 'PATCH', `/api/v1/posts/${draft.posts[0]!.id}`, { token: ctx.org.author.token, body: { publishAt: at(5) } });
    expect(moved.statusCode).toBe(200);
    // Due before the month but published in it (the published_at arm), with an error kept.
    published = await approvedRelease(ctx.h, ctx.org, { title: 'Schon veröffentlicht', publishAt: new Date(Date.UTC(2031, 1, 27)).toISOString(), channelIds: [ctx.channels.blog] });
    await ctx.h.deps.db.post.update({
      where: { id: published.posts[0]!.id },
      data: { status: 'published', publishedAt: new Date(at(2, 8)), externalUrl: 'https://herold.test/blog/x', errorCode: 'RATE_LIMITED', errorMessage: 'Später erneut' },
    });
    // Outside the month in every respect.
    await approvedRelease(ctx.h, ctx.org, { title: 'Im Mai', publishAt: new Date(Date.UTC(2031, 4, 3)).toISOString(), channelIds: [ctx.channels.blog] });
    // Another organisation's post in the month is never listed.
    const other = await createTestOrg(ctx.h);
    const otherChannels = await addChannels(ctx.h, other);
    await approvedRelease(ctx.h, other, { title: 'Fremd', publishAt: at(20), channelIds: [otherChannels.blog] });
  });

  it('view=summary lists what view=full lists, in the same order, without content', async () => {
    const full = (await list(range)).json() as { id: string; content: unknown }[];
    const summaryRes = await list(`${range}&view=summary`);
    expect(summaryRes.headers['content-type']).toMatch(/^application\/json/);
    const summary = summaryRes.json() as Summary[];
    expect(summary.map((p) => p.id)).toEqual(full.map((p) => p.id));
    // The draft's own time (5th), the published post (2nd, published then), the two due on the 20th.
    expect(new Set(summary.map((p) => p.releaseId))).toEqual(new Set([scheduled.id, draft.id, published.id]));
    expect(summary).toHaveLength(4);
    for (const p of summary) {
      expect(Object.keys(p).filter((k) => REQUIRED_KEYS.includes(k)).sort()).toEqual(REQUIRED_KEYS);
      expect(Object.keys(p).filter((k) => !REQUIRED_KEYS.includes(k)).every((k) => OPTIONAL_KEYS.includes(k))).toBe(true);
      expect(Object.values(p)).not.toContain(null);
    }
    expect(full.every((p) => p.content !== undefined)).toBe(true);
    expect(summaryRes.body.length).toBeLessThan((await list(range)).body.length);
  });

  it('carries the calendar fields, times written as everywhere else in the API', async () => {
    const full = new Map(((await list(range)).json() as Record<string, unknown>[]).map((p) => [p.id, p]));
    const summary = (await list(`${range}&view=summary`)).json() as Summary[];
    for (const p of summary) {
      const whole = full.get(p.id)!;
      expect({ ...p, releaseTitle: undefined, releaseStatus: undefined, crisis: undefined, channelName: undefined, excerpt: undefined }).toEqual({
        id: whole.id,
        releaseId: whole.releaseId,
        channelId: whole.channelId,
        channelType: whole.channelType,
        status: whole.status,
        publishAt: present(whole.publishAt),
        dueAt: present(whole.dueAt),
        publishedAt: whole.publishedAt,
        externalUrl: whole.externalUrl,
        error: whole.error,
        heldReason: whole.heldReason,
      });
    }
    const tweet = summary.find((p) => p.releaseId === scheduled.id && p.channelType === 'twitter')!;
    // Quotes, a backslash and umlauts survive PostgreSQL's JSON.
    expect(tweet).toMatchObject({ releaseTitle: 'Sperrung der „Brücke“ am "Markt" \\ Süd', releaseStatus: 'scheduled', crisis: false, channelName: 'X' });
    const thread = (scheduled.posts.find((p) => p.channelType === 'twitter')!.content as { thread: string[] }).thread;
    expect(tweet.excerpt).toBe(thread[0]!.slice(0, 120));
    expect(tweet.dueAt).toBe(at(20));
    const article = summary.find((p) => p.releaseId === scheduled.id && p.channelType === 'blog')!;
    expect(article.excerpt).toBe('Sperrung der „Brücke“ am "Markt" \\ Süd'.slice(0, 120));
    const done = summary.find((p) => p.releaseId === published.id)!;
    expect(done).toMatchObject({ status: 'published', publishedAt: at(2, 8), externalUrl: 'https://herold.test/blog/x', error: { code: 'RATE_LIMITED', message: 'Später erneut' } });
    const own = summary.find((p) => p.releaseId === draft.id)!;
    expect(own).toMatchObject({ status: 'draft', releaseStatus: 'draft', publishAt: at(5), channelName: 'Facebook' });
    expect(own).not.toHaveProperty('dueAt');
  });

  it('applies the status and channel filters, with and without a range', async () => {
    const byStatus = (await list(`${range}&status=published&view=summary`)).json() as Summary[];
    expect(byStatus.map((p) => p.releaseId)).toEqual([published.id]);
    const byChannel = (await list(`${range}&channelId=${ctx.channels.twitter}&view=summary`)).json() as Summary[];
    expect(byChannel.map((p) => p.channelId)).toEqual([ctx.channels.twitter]);
    const noRange = (await list('status=published&view=summary')).json() as Summary[];
    const noRangeFull = (await list('status=published')).json() as { id: string }[];
    expect(noRange.map((p) => p.id)).toEqual(noRangeFull.map((p) => p.id));
    expect(noRange.map((p) => p.id)).toContain(published.posts[0]!.id);
    const onlyFrom = (await list(`from=${from.toISOString()}&view=summary`)).json() as Summary[];
    const onlyFromFull = (await list(`from=${from.toISOString()}`)).json() as { id: string }[];
    expect(onlyFrom.map((p) => p.id)).toEqual(onlyFromFull.map((p) => p.id));
    expect(onlyFrom.length).toBe(5);
    const empty = await list(`from=2040-01-01T00:00:00Z&to=2040-02-01T00:00:00Z&view=summary`);
    expect(empty.json()).toEqual([]);
  });

  it('is documented: the view parameter and both answers', async () => {
    const doc = (await call(ctx.h, 'GET', '/api/docs/openapi.json')).json();
    const op = doc.paths['/api/v1/posts'].get;
    expect(op.parameters).toContainEqual(expect.objectContaining({ name: 'view', in: 'query', schema: { type: 'string', enum: ['full', 'summary'] } }));
    const answers = op.responses['200'].content['application/json'].schema.anyOf as { items: { description: string; required: string[] } }[];
    const summary = answers.find((a) => a.items.description.startsWith('PostSummary'))!;
    expect(summary.items.required.sort()).toEqual(REQUIRED_KEYS);
    expect(answers.some((a) => a.items.description.startsWith('Post:'))).toBe(true);
  });

  it('refuses an unknown view', async () => {
    const res = await call(ctx.h, 'GET', `/api/v1/posts?${range}&view=compact`, { token: ctx.org.editor.token });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_FAILED');
  });
});

describe('POST /api/v1/releases', () => {
  const ctx = useHarnessWithOrg();

  const create = async (title: string) => {
    const res = await call(ctx.h, 'POST', '/api/v1/releases', {
      token: ctx.org.author.token,
      body: {
        title,
        subtitle: 'Unterzeile',
        body: 'Die Stadtverwaltung informiert über neue Öffnungszeiten des Bürgerbüros ab dem 1. April.',
        embargoUntil: '2031-06-01T08:00:00.000Z',
        publishAt: '2031-06-01T09:30:00.000Z',
        // Social first: the article is created (and listed) first anyway.
        channelIds: [ctx.channels.twitter, ctx.channels.facebook, ctx.channels.blog],
      },
    });
    expect(res.statusCode).toBe(201);
    return res.json() as ApiRelease & Record<string, unknown>;
  };

  it('answers exactly what a re-read returns, posts in order, article first', async () => {
    const created = await create('Neue Öffnungszeiten');
    const reread = await call(ctx.h, 'GET', `/api/v1/releases/${created.id}`, { token: ctx.org.author.token });
    expect(created).toEqual(reread.json());
    expect(created.posts.map((p) => p.channelType)).toEqual(['blog', expect.any(String), expect.any(String)]);
    expect(created.posts.map((p) => p.channelType).sort()).toEqual(['blog', 'facebook', 'twitter']);
    expect(created).toMatchObject({ status: 'draft', revision: 1, slug: 'neue-oeffnungszeiten', editorIds: [], authorId: ctx.org.author.id });
    const rows = await ctx.h.deps.db.post.findMany({ where: { releaseId: created.id }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
    expect(rows.map((p) => p.id)).toEqual(created.posts.map((p) => p.id));
    expect(rows.every((p) => p.orgId === ctx.org.id && p.status === 'draft' && p.revision === 1 && p.dueAt === null)).toBe(true);
  });

  it('records revision 1 with the snapshot and the audit event, as before', async () => {
    const created = await create('Sperrung Hauptstraße');
    const revisions = await ctx.h.deps.db.releaseRevision.findMany({ where: { releaseId: created.id } });
    expect(revisions).toHaveLength(1);
    expect(revisions[0]).toMatchObject({ revision: 1, editorId: ctx.org.author.id });
    expect(revisions[0]!.snapshot).toEqual({
      title: 'Sperrung Hauptstraße',
      subtitle: 'Unterzeile',
      dateline: null,
      body: created.body,
      embargoUntil: '2031-06-01T08:00:00.000Z',
      publishAt: '2031-06-01T09:30:00.000Z',
      crisis: false,
      posts: created.posts.map((p) => ({ id: p.id, channelId: p.channelId, content: p.content, publishAt: null })),
    });
    const events = await ctx.h.deps.db.auditEvent.findMany({ where: { orgId: ctx.org.id, entityId: created.id } });
    expect(events.map((e) => [e.action, e.data])).toEqual([['release.created', { title: 'Sperrung Hauptstraße', revision: 1 }]]);
    const verify = await call(ctx.h, 'GET', '/api/v1/audit/verify', { token: ctx.org.approver.token });
    expect(verify.json()).toMatchObject({ ok: true });
  });

  it('gives a taken title the next free slug', async () => {
    const first = await create('Gleicher Titel');
    const second = await create('Gleicher Titel');
    const third = await create('Gleicher Titel');
    expect([first.slug, second.slug, third.slug]).toEqual(['gleicher-titel', 'gleicher-titel-2', 'gleicher-titel-3']);
  });

  it('refuses unknown and foreign channels before writing anything', async () => {
    const other = await createTestOrg(ctx.h);
    const foreign = await addChannels(ctx.h, other);
    const before = await ctx.h.deps.db.release.count({ where: { orgId: ctx.org.id } });
    const res = await call(ctx.h, 'POST', '/api/v1/releases', {
      token: ctx.org.author.token,
      body: { title: 'Fremder Kanal', body: 'Die Stadt informiert über etwas.', channelIds: [ctx.channels.blog, foreign.blog] },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('CHANNEL_NOT_FOUND');
    expect(await ctx.h.deps.db.release.count({ where: { orgId: ctx.org.id } })).toBe(before);
  });
});
