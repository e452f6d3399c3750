// The audit log against the real PostgreSQL: hash chain per organisation, append-only trigger,
// tamper detection by GET /api/v1/audit/verify, tenancy and access.
import { Client } from 'pg';
import { GENESIS_HASH } from '../../src/store/audit';
import { testDatabaseUrl } from '../helpers/env';
import { call, createTestOrg, startHarness, type Harness, type TestOrg } from '../helpers/harness';

const TRIGGER = 'audit_event_no_update_delete';

describe('audit log', () => {
  let h: Harness;
  let org: TestOrg;
  let other: TestOrg;

  beforeAll(async () => {
    h = await startHarness();
    org = await createTestOrg(h);
    other = await createTestOrg(h);
  });
  afterAll(() => h.close());

  const eventsOf = (orgId: string) => h.deps.db.auditEvent.findMany({ where: { orgId }, orderBy: { seq: 'asc' } });

  /**
   * An attacker with superuser rights: switches the append-only trigger off, changes the table,
   * switches it on again. All in one transaction, so no other session ever sees the trigger off;
   * the finally block re-enables it even if the transaction could not be rolled back.
   */
  async function asSuperuser(sql: string, params: unknown[]): Promise<number> {
    const client = new Client({ connectionString: testDatabaseUrl() });
    await client.connect();
    try {
      await client.query('BEGIN');
      try {
        await client.query(`ALTER TABLE audit_event DISABLE TRIGGER ${TRIGGER}`);
        const result = await client.query(sql, params);
        await client.query(`ALTER TABLE audit_event ENABLE TRIGGER ${TRIGGER}`);
        await client.query('COMMIT');
        return result.rowCount ?? 0;
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      }
    } finally {
      await client.query(`ALTER TABLE audit_event ENABLE TRIGGER ${TRIGGER}`).catch(() => undefined);
      await client.end();
    }
  }

  it('chains the events of each organisation from the genesis hash', async () => {
    // Org creation, four users and their tokens; then a state change through the API.
    const paused = await call(h, 'POST', '/api/v1/org/pause', { token: org.approver.token, body: { reason: 'Test der Audit-Kette' } });
    expect(paused.statusCode).toBe(200);
    const resumed = await call(h, 'POST', '/api/v1/org/resume', { token: org.approver.token });
    expect(resumed.statusCode).toBe(200);

    const events = await eventsOf(org.id);
    expect(events.length).toBeGreaterThanOrEqual(11);
    expect(events[0]!.action).toBe('org.created');
    expect(events[0]!.prevHash).toBe(GENESIS_HASH);
    for (let i = 1; i < events.length; i += 1) expect(events[i]!.prevHash).toBe(events[i - 1]!.hash);
    expect(new Set(events.map((e) => e.hash)).size).toBe(events.length);

    const res = await call(h, 'GET', '/api/v1/audit/verify', { token: org.approver.token });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ok: true, events: events.length });
  });

  it('keeps a chain of its own per organisation', async () => {
    const mine = await eventsOf(other.id);
    expect(mine[0]!.prevHash).toBe(GENESIS_HASH);
    const res = await call(h, 'GET', '/api/v1/audit/verify', { token: other.admin.token });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ok: true, events: mine.length });
  });

  it('refuses UPDATE of an audit event in the database', async () => {
    const [event] = await eventsOf(org.id);
    await expect(
      h.deps.db.$executeRawUnsafe(`UPDATE audit_event SET data = '{"slug":"gefälscht"}' WHERE id = $1::uuid`, event!.id),
    ).rejects.toThrow(/append-only/);
    const after = await h.deps.db.auditEvent.findUnique({ where: { id: event!.id } });
    expect(after!.data).toEqual(event!.data);
  });

  it('refuses DELETE of an audit event in the database', async () => {
    const [event] = await eventsOf(org.id);
    await expect(h.deps.db.$executeRawUnsafe(`DELETE FROM audit_event WHERE id = $1::uuid`, event!.id)).rejects.toThrow(/append-only/);
    expect(await h.deps.db.auditEvent.count({ where: { id: event!.id } })).toBe(1);
  });

  it('finds an event changed by a superuser who bypassed the trigger', async () => {
    const victim = await createTestOrg(h);
    const events = await eventsOf(victim.id);
    const target = events[3]!;
    expect(target.action).toBe('user.created');

    const changed = await asSuperuser(
      `UPDATE audit_event SET data = jsonb_set(data, '{roles}', '["admin"]') WHERE id = $1::uuid`,
      [target.id],
    );
    expect(changed).toBe(1);

    const res = await call(h, 'GET', '/api/v1/audit/verify', { token: victim.admin.token });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ok: false, events: 3, firstBrokenId: target.id });
    // Only that organisation's chain is broken.
    const untouched = await call(h, 'GET', '/api/v1/audit/verify', { token: other.admin.token });
    expect(untouched.json().ok).toBe(true);
  });

  it('finds an event changed together with its own hash, at the link to its successor', async () => {
    const victim = await createTestOrg(h);
    const events = await eventsOf(victim.id);
    const target = events[2]!;

    await asSuperuser(`UPDATE audit_event SET action = 'user.viewed', hash = $2 WHERE id = $1::uuid`, [target.id, 'f'.repeat(64)]);

    const res = await call(h, 'GET', '/api/v1/audit/verify', { token: victim.admin.token });
    expect(res.json()).toMatchObject({ ok: false });
    expect([target.id, events[3]!.id]).toContain(res.json().firstBrokenId);
  });

  it('finds an event deleted by a superuser who bypassed the trigger', async () => {
    const victim = await createTestOrg(h);
    const events = await eventsOf(victim.id);
    const target = events[4]!;

    const deleted = await asSuperuser(`DELETE FROM audit_event WHERE id = $1::uuid`, [target.id]);
    expect(deleted).toBe(1);

    const res = await call(h, 'GET', '/api/v1/audit/verify', { token: victim.approver.token });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ok: false, events: 4, firstBrokenId: events[5]!.id });
  });

  // The newest event has no successor whose prevHash would reveal its deletion: the chain head does.
  it('finds the deletion of the newest event', async () => {
    const victim = await createTestOrg(h);
    const events = await eventsOf(victim.id);
    const newest = events[events.length - 1]!;

    expect(await asSuperuser(`DELETE FROM audit_event WHERE id = $1::uuid`, [newest.id])).toBe(1);

    const res = await call(h, 'GET', '/api/v1/audit/verify', { token: victim.approver.token });
    expect(res.json().ok).toBe(false);
  });

  it('re-enables the trigger after the attack', async () => {
    const rows = await h.deps.db.$queryRawUnsafe<{ tgenabled: string }[]>(
      `SELECT tgenabled::text AS tgenabled FROM pg_trigger WHERE tgname = $1 AND tgrelid = 'audit_event'::regclass`,
      TRIGGER,
    );
    expect(rows).toEqual([{ tgenabled: 'O' }]);
  });

  it('lists only the events of the caller\'s organisation, newest first', async () => {
    const res = await call(h, 'GET', '/api/v1/audit', { token: org.approver.token });
    expect(res.statusCode).toBe(200);
    const listed: { id: string; seq: number; entityId: string | null }[] = res.json();

    const own = await eventsOf(org.id);
    const foreign = await eventsOf(other.id);
    expect(listed.map((e) => e.id).sort()).toEqual(own.map((e) => e.id).sort());
    const foreignIds = new Set(foreign.map((e) => e.id));
    expect(listed.filter((e) => foreignIds.has(e.id))).toEqual([]);
    expect(listed.map((e) => e.seq)).toEqual([...listed.map((e) => e.seq)].sort((a, b) => b - a));
    expect(listed.some((e) => e.entityId === org.id)).toBe(true);
    expect(listed.some((e) => e.entityId === other.id)).toBe(false);
  });

  it('does not show another organisation\'s events when filtering by their entity id', async () => {
    const res = await call(h, 'GET', `/api/v1/audit?entityId=${other.id}`, { token: org.admin.token });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual([]);

    const own = await call(h, 'GET', `/api/v1/audit?entityId=${org.id}`, { token: org.admin.token });
    expect(own.json().map((e: { action: string }) => e.action)).toContain('org.created');
  });

  it('refuses editors without approver or admin role with 403', async () => {
    for (const url of ['/api/v1/audit', '/api/v1/audit/verify']) {
      const res = await call(h, 'GET', url, { token: org.editor.token });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('FORBIDDEN');
    }
  });

  it('lets an editor who is also approver read the log', async () => {
    const res = await call(h, 'GET', '/api/v1/audit', { token: org.author.token });
    expect(res.statusCode).toBe(200);
  });

  it('refuses anonymous callers with 401', async () => {
    const res = await call(h, 'GET', '/api/v1/audit');
    expect(res.statusCode).toBe(401);
  });
});
