// QUALITY.md "Security", last row: changing or deleting any stored event is detected by
// GET /api/v1/audit/verify. test/integration/audit.test.ts shows it for a few chosen events;
// here every event of a small chain is changed — every column on its own — and deleted, one at
// a time, and the chain is restored in between so each attack is judged alone.
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { addOrg } from '../../src/services/bootstrap';
import { eventHash } from '../../src/store/audit';
import { testDatabaseUrl } from '../helpers/env';
import { AUDIT_TRIGGER, call, principal, startHarness, type Harness, type Principal } from './helpers';

/** One column change per attack; `$1` is the event id. */
const COLUMN_ATTACKS: [string, string][] = [
  ['at', `UPDATE audit_event SET at = at + interval '1 millisecond' WHERE id = $1::uuid`],
  ['actor_id', `UPDATE audit_event SET actor_id = coalesce(actor_id, '') || '0' WHERE id = $1::uuid`],
  ['actor_type', `UPDATE audit_event SET actor_type = CASE WHEN actor_type = 'system' THEN 'user' ELSE 'system' END WHERE id = $1::uuid`],
  ['action', `UPDATE audit_event SET action = action || '_x' WHERE id = $1::uuid`],
  ['entity_type', `UPDATE audit_event SET entity_type = coalesce(entity_type, '') || 'x' WHERE id = $1::uuid`],
  ['entity_id', `UPDATE audit_event SET entity_id = coalesce(entity_id, '') || 'x' WHERE id = $1::uuid`],
  ['data (new key)', `UPDATE audit_event SET data = data || '{"forged": true}'::jsonb WHERE id = $1::uuid`],
  ['data (emptied)', `UPDATE audit_event SET data = '{}'::jsonb WHERE id = $1::uuid AND data <> '{}'::jsonb`],
  ['prev_hash', `UPDATE audit_event SET prev_hash = repeat('1', 64) WHERE id = $1::uuid`],
  ['hash', `UPDATE audit_event SET hash = repeat('2', 64) WHERE id = $1::uuid`],
  ['id', `UPDATE audit_event SET id = gen_random_uuid() WHERE id = $1::uuid`],
];

describe('audit log tampering, exhaustively', () => {
  let h: Harness;
  let orgId: string;
  let otherOrgId: string;
  let auditor: Principal;
  let client: Client;

  type Row = Record<string, unknown> & { id: string; seq: string };
  let original: Row[];

  const verify = async () => (await call(h, 'GET', '/api/v1/audit/verify', { token: auditor.token })).json() as { ok: boolean; events: number; firstBrokenId?: string };

  /** As a superuser who switches the append-only trigger off for one transaction. */
  async function superuser(sql: string, params: unknown[], ...more: [string, unknown[]][]): Promise<number> {
    await client.query('BEGIN');
    try {
      await client.query(`ALTER TABLE audit_event DISABLE TRIGGER ${AUDIT_TRIGGER}`);
      const result = await client.query(sql, params);
      for (const [s, p] of more) await client.query(s, p);
      await client.query(`ALTER TABLE audit_event ENABLE TRIGGER ${AUDIT_TRIGGER}`);
      await client.query('COMMIT');
      return result.rowCount ?? 0;
    } catch (err) {
      await client.query('ROLLBACK');
      throw err;
    }
  }

  /** Puts every event of the chain back exactly as it was (also one moved to another organisation). */
  async function restore() {
    await superuser(`DELETE FROM audit_event WHERE org_id = $1::uuid OR id = ANY($2::uuid[])`, [orgId, original.map((e) => e.id)], [
      `INSERT INTO audit_event SELECT * FROM json_populate_recordset(null::audit_event, $1::json)`,
      [JSON.stringify(original)],
    ]);
  }

  beforeAll(async () => {
    h = await startHarness();
    client = new Client({ connectionString: testDatabaseUrl() });
    await client.connect();
    const slug = `audit-${randomBytes(4).toString('hex')}`;
    orgId = (await addOrg(h.deps.db, { slug, name: 'Prüfstadt' })).id;
    otherOrgId = (await addOrg(h.deps.db, { slug: `${slug}-b`, name: 'Nachbarstadt' })).id;
    auditor = await principal(h, slug, ['approver', 'admin'], 'auditor');
    // A few events of different kinds: org.created, user.created, token.created, org.paused, org.resumed, org.policy_changed.
    expect((await call(h, 'POST', '/api/v1/org/pause', { token: auditor.token, body: { reason: 'Übung' } })).statusCode).toBe(200);
    expect((await call(h, 'POST', '/api/v1/org/resume', { token: auditor.token })).statusCode).toBe(200);
    expect((await call(h, 'PATCH', '/api/v1/org', { token: auditor.token, body: { policy: { guidelines: { signature: 'Presseamt' } } } })).statusCode).toBe(200);
    original = (await client.query<Row>(`SELECT * FROM audit_event WHERE org_id = $1::uuid ORDER BY seq`, [orgId])).rows;
  });
  afterAll(async () => {
    await client.query(`ALTER TABLE audit_event ENABLE TRIGGER ${AUDIT_TRIGGER}`).catch(() => undefined);
    await client.end();
    await h.close();
  });

  it('starts from an intact chain of several kinds of event', async () => {
    expect(original.length).toBeGreaterThanOrEqual(6);
    expect(new Set(original.map((e) => e.action)).size).toBeGreaterThanOrEqual(5);
    expect(await verify()).toEqual({ ok: true, events: original.length });
  });

  it('detects a change of any single column of any single event', async () => {
    const undetected: string[] = [];
    for (const [index, event] of original.entries()) {
      for (const [column, sql] of COLUMN_ATTACKS) {
        const changed = await superuser(sql, [event.id]);
        if (changed === 0) continue; // e.g. emptying data that is already empty
        const result = await verify();
        if (result.ok) undetected.push(`event ${index} (${String(event.action)}): ${column}`);
        await restore();
      }
    }
    expect(undetected).toEqual([]);
    expect(await verify()).toEqual({ ok: true, events: original.length });
  });

  it('detects the deletion of any single event, first, middle or last', async () => {
    const undetected: string[] = [];
    for (const [index, event] of original.entries()) {
      expect(await superuser(`DELETE FROM audit_event WHERE id = $1::uuid`, [event.id])).toBe(1);
      if ((await verify()).ok) undetected.push(`event ${index} (${String(event.action)})`);
      await restore();
    }
    expect(undetected).toEqual([]);
    expect(await verify()).toEqual({ ok: true, events: original.length });
  });

  it('detects an event moved into another organisation\'s chain, from both sides', async () => {
    const victim = original[2]!;
    await superuser(`UPDATE audit_event SET org_id = $2::uuid WHERE id = $1::uuid`, [victim.id, otherOrgId]);
    expect((await verify()).ok).toBe(false);
    const { verifyAudit } = await import('../../src/store/audit');
    expect((await verifyAudit(h.deps.db, otherOrgId)).ok).toBe(false);
    await restore();
    expect((await verify()).ok).toBe(true);
  });

  it('detects a forged event inserted at the end or two events swapped', async () => {
    const last = original[original.length - 1]!;
    await superuser(
      `INSERT INTO audit_event (id, org_id, at, actor_id, actor_type, action, entity_type, entity_id, data, prev_hash, hash)
       VALUES (gen_random_uuid(), $1::uuid, now(), NULL, 'system', 'release.approved', 'release', 'x', '{}'::jsonb, $2, repeat('3', 64))`,
      [orgId, last.hash],
    );
    expect((await verify()).ok).toBe(false);
    await restore();

    const [a, b] = [original[1]!, original[2]!];
    await superuser(`UPDATE audit_event SET seq = -seq WHERE id IN ($1::uuid, $2::uuid)`, [a.id, b.id]);
    await superuser(`UPDATE audit_event SET seq = CASE WHEN id = $1::uuid THEN $3::bigint ELSE $4::bigint END WHERE id IN ($1::uuid, $2::uuid)`, [a.id, b.id, b.seq, a.seq]);
    expect((await verify()).ok).toBe(false);
    await restore();
    expect((await verify()).ok).toBe(true);
  });

  it('detects a change even when the attacker recomputes every later hash and the chain head', async () => {
    // The hash is a plain SHA-256 over public fields: whoever can write the table can also
    // recompute it. Without a key (HMAC) or a head kept outside the database, this goes unseen.
    const rows = await h.deps.db.auditEvent.findMany({ where: { orgId }, orderBy: { seq: 'asc' } });
    let prevHash = rows[0]!.prevHash;
    const updates: { sql: string; params: unknown[] }[] = [];
    for (const [i, row] of rows.entries()) {
      const data = i === 2 ? { ...(row.data as object), roles: ['admin'], forged: true } : row.data;
      const hash = eventHash({ ...row, data: data as never, prevHash });
      updates.push({ sql: `UPDATE audit_event SET data = $2::jsonb, prev_hash = $3, hash = $4 WHERE id = $1::uuid`, params: [row.id, JSON.stringify(data), prevHash, hash] });
      prevHash = hash;
    }
    for (const u of updates) await superuser(u.sql, u.params);
    await h.deps.db.auditHead.update({ where: { orgId }, data: { hash: prevHash } });

    const result = await verify();
    await restore();
    await h.deps.db.auditHead.update({ where: { orgId }, data: { hash: String(original[original.length - 1]!.hash) } });
    expect(result.ok).toBe(false);
  });

  it('leaves the append-only trigger switched on', async () => {
    const rows = await client.query<{ tgenabled: string }>(
      `SELECT tgenabled::text AS tgenabled FROM pg_trigger WHERE tgname = $1 AND tgrelid = 'audit_event'::regclass`,
      [AUDIT_TRIGGER],
    );
    expect(rows.rows).toEqual([{ tgenabled: 'O' }]);
  });
});
