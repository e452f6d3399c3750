// Creating a release runs in plain SQL on the pool (services/releases.ts createRelease), its audit
// event appended by appendAuditSql, while most other changes still append through Prisma
// (appendAudit). Both take the organisation's audit lock: mixed and concurrent, the chain stays
// whole, and the event names the caller as `audit()` does (a token call as "token").
import { call, useHarnessWithOrg } from '../helpers/harness';

describe('POST /api/v1/releases in plain SQL', () => {
  const ctx = useHarnessWithOrg();

  const body = (title: string) => ({
    title,
    body: 'Die Stadtverwaltung informiert über neue Öffnungszeiten des Bürgerbüros.',
    channelIds: [ctx.channels.blog, ctx.channels.twitter],
  });

  it('keeps one whole audit chain when creates and Prisma-written events run at the same time', async () => {
    const creates = Array.from({ length: 12 }, (_, i) => call(ctx.h, 'POST', '/api/v1/releases', { token: ctx.org.author.token, body: body(`Gleichzeitig ${i}`) }));
    // token.created is appended through Prisma's appendAudit, under the same lock.
    const tokens = Array.from({ length: 4 }, (_, i) => call(ctx.h, 'POST', '/api/v1/tokens', { token: ctx.org.editor.token, body: { name: `parallel ${i}` } }));
    const answers = await Promise.all([...creates, ...tokens]);
    expect(answers.map((r) => r.statusCode)).toEqual([...creates.map(() => 201), ...tokens.map(() => 201)]);

    const verify = await call(ctx.h, 'GET', '/api/v1/audit/verify', { token: ctx.org.approver.token });
    expect(verify.json()).toMatchObject({ ok: true });
    const head = await ctx.h.deps.db.auditHead.findUniqueOrThrow({ where: { orgId: ctx.org.id } });
    expect(head.events).toBe(await ctx.h.deps.db.auditEvent.count({ where: { orgId: ctx.org.id } }));
  });

  it('records the creating token as the actor, and a session user as a user', async () => {
    const byToken = await call(ctx.h, 'POST', '/api/v1/releases', { token: ctx.org.author.token, body: body('Per Token') });
    expect(byToken.statusCode).toBe(201);
    const tokenEvent = await ctx.h.deps.db.auditEvent.findFirstOrThrow({ where: { entityId: byToken.json().id } });
    expect(tokenEvent).toMatchObject({ action: 'release.created', actorType: 'token', actorId: ctx.org.author.id, entityType: 'release' });

    const login = await ctx.h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      remoteAddress: '10.78.0.1',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ email: ctx.org.author.email, password: 'correct horse battery' }),
    });
    const cookie = `herold_session=${login.cookies.find((c) => c.name === 'herold_session')!.value}`;
    const bySession = await call(ctx.h, 'POST', '/api/v1/releases', {
      headers: { cookie, 'x-csrf-token': login.json().csrfToken as string },
      body: body('Per Sitzung'),
    });
    expect(bySession.statusCode).toBe(201);
    const userEvent = await ctx.h.deps.db.auditEvent.findFirstOrThrow({ where: { entityId: bySession.json().id } });
    expect(userEvent).toMatchObject({ action: 'release.created', actorType: 'user', actorId: ctx.org.author.id });
  });

  it('writes nothing when a check fails inside the transaction', async () => {
    const before = await ctx.h.deps.db.release.count({ where: { orgId: ctx.org.id } });
    const eventsBefore = await ctx.h.deps.db.auditEvent.count({ where: { orgId: ctx.org.id } });
    const foreign = await call(ctx.h, 'POST', '/api/v1/releases', {
      token: ctx.org.author.token,
      body: { ...body('Fremder Kanal'), channelIds: [ctx.channels.blog, '00000000-0000-4000-8000-000000000000'] },
    });
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json().error.code).toBe('CHANNEL_NOT_FOUND');
    expect(await ctx.h.deps.db.release.count({ where: { orgId: ctx.org.id } })).toBe(before);
    expect(await ctx.h.deps.db.auditEvent.count({ where: { orgId: ctx.org.id } })).toBe(eventsBefore);
  });
});
