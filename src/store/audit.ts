// The audit log: append-only (a database trigger refuses UPDATE and DELETE) and hash-chained
// per organisation, so GET /audit/verify finds any changed or deleted event.
import { createHash, createHmac, hkdfSync, randomUUID } from 'node:crypto';
import { lockOrg, type DbOrTx, type Sql, type Tx } from './db';
import type { AuditEvent } from './generated/client';

export interface AuditInput {
  orgId: string;
  actorId?: string | null;
  actorType: 'user' | 'token' | 'system';
  action: string;
  entityType?: string | null;
  entityId?: string | null;
  data?: Record<string, unknown>;
}

export const GENESIS_HASH = '0'.repeat(64);

interface AuditKey {
  id: string;
  key: Buffer;
}

/**
 * Event hashes are HMACs keyed from HEROLD_SECRET_KEY (through HKDF, so the credential key itself
 * never signs anything): without the key nobody can recompute the chain after changing an event.
 * Old keys (HEROLD_OLD_SECRET_KEYS) keep verifying the events they made. Set once per process.
 */
let auditKeys: AuditKey[] = [];
export function useAuditKeys(secretKeys: { id: string; key: Buffer }[]): void {
  auditKeys = secretKeys.map(({ id, key }) => ({ id, key: Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'herold-audit-chain', 32)) }));
}

/** Key order is fixed so the same event always hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export function eventHash(e: Omit<AuditEvent, 'seq' | 'hash' | 'keyId'>, key?: Buffer): string {
  const body = canonical({
    id: e.id,
    orgId: e.orgId,
    at: e.at.toISOString(),
    actorId: e.actorId,
    actorType: e.actorType,
    action: e.action,
    entityType: e.entityType,
    entityId: e.entityId,
    data: e.data,
  });
  const input = `${e.prevHash}\n${body}`;
  return key ? createHmac('sha256', key).update(input).digest('hex') : createHash('sha256').update(input).digest('hex');
}

/** The next event of the chain after `prevHash`, signed with the current key. */
function chainedEvent(input: AuditInput, prevHash: string) {
  const event = {
    id: randomUUID(),
    orgId: input.orgId,
    at: new Date(),
    actorId: input.actorId ?? null,
    actorType: input.actorType,
    action: input.action,
    entityType: input.entityType ?? null,
    entityId: input.entityId ?? null,
    // Round-trip through JSON so the hash covers exactly what PostgreSQL stores.
    data: JSON.parse(JSON.stringify(input.data ?? {})),
    prevHash,
  };
  const signing = auditKeys[0];
  if (!signing) throw new Error('audit keys are not configured (useAuditKeys)');
  return { ...event, hash: eventHash(event, signing.key), keyId: signing.id };
}

/** Appends inside the caller's transaction, so the event commits with the change it records. */
export async function appendAudit(tx: Tx, input: AuditInput): Promise<void> {
  await lockOrg(tx, input.orgId, 'audit');
  const last = await tx.auditEvent.findFirst({
    where: { orgId: input.orgId },
    orderBy: { seq: 'desc' },
    select: { hash: true },
  });
  const event = chainedEvent(input, last?.hash ?? GENESIS_HASH);
  const created = await tx.auditEvent.create({ data: event });
  await tx.auditHead.upsert({
    where: { orgId: input.orgId },
    create: { orgId: input.orgId, seq: created.seq, hash: event.hash, events: 1 },
    update: { seq: created.seq, hash: event.hash, events: { increment: 1 } },
  });
}

/**
 * appendAudit in plain SQL, for the publish path (src/store/publishing.ts): the same lock, the
 * same event and head, in three statements on the caller's transaction instead of four Prisma
 * queries.
 */
export async function appendAuditSql(tx: Sql, input: AuditInput): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock(hashtext('audit'), hashtext($1))`, [input.orgId]);
  const { rows } = await tx.query<{ hash: string }>(`SELECT hash FROM audit_event WHERE org_id = $1::uuid ORDER BY seq DESC LIMIT 1`, [input.orgId]);
  const e = chainedEvent(input, rows[0]?.hash ?? GENESIS_HASH);
  await tx.query(
    `WITH event AS (
       INSERT INTO audit_event (id, org_id, at, actor_id, actor_type, action, entity_type, entity_id, data, prev_hash, hash, key_id)
       VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11, $12)
       RETURNING seq)
     INSERT INTO audit_head (org_id, seq, hash, events) SELECT $2::uuid, seq, $11, 1 FROM event
     ON CONFLICT (org_id) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash, events = audit_head.events + 1`,
    [e.id, e.orgId, e.at, e.actorId, e.actorType, e.action, e.entityType, e.entityId, JSON.stringify(e.data), e.prevHash, e.hash, e.keyId],
  );
}

export function listAudit(db: DbOrTx, orgId: string, filter: { from?: Date; to?: Date; entityId?: string; limit?: number }) {
  return db.auditEvent.findMany({
    where: {
      orgId,
      entityId: filter.entityId,
      at: { gte: filter.from, lte: filter.to },
    },
    orderBy: { seq: 'desc' },
    take: filter.limit ?? 500,
  });
}

/** How many events one query reads when walking a chain: bounds memory, not the chain. */
export const AUDIT_PAGE_SIZE = 1000;

/**
 * The organisation's events oldest first, one page at a time (keyset paging on `seq`, which the
 * index on (org_id, seq) serves), so walking or exporting a chain of any length holds one page in
 * memory. `throughSeq` ends the walk at a chain head read earlier: events appended meanwhile are
 * left out instead of making the walk longer than the head it is compared with.
 */
export async function* auditPages(
  db: DbOrTx,
  orgId: string,
  opts: { throughSeq?: bigint; pageSize?: number } = {},
): AsyncGenerator<AuditEvent[]> {
  const pageSize = opts.pageSize ?? AUDIT_PAGE_SIZE;
  let after: bigint | undefined;
  for (;;) {
    const page = await db.auditEvent.findMany({
      where: { orgId, seq: { gt: after, lte: opts.throughSeq } },
      orderBy: { seq: 'asc' },
      take: pageSize,
    });
    if (page.length > 0) yield page;
    if (page.length < pageSize) return;
    after = page[page.length - 1]!.seq;
  }
}

export interface ChainHead {
  seq: bigint;
  hash: string;
  /** Events appended to the chain so far; a deleted event leaves the chain one shorter. */
  events: number;
}

/**
 * The chain head under the organisation's audit lock (the lock appendAudit takes), so within the
 * caller's transaction no event can be appended between reading it and the caller's own event.
 */
export async function lockedAuditHead(tx: Tx, orgId: string): Promise<ChainHead | null> {
  await lockOrg(tx, orgId, 'audit');
  return tx.auditHead.findUnique({ where: { orgId }, select: { seq: true, hash: true, events: true } });
}

export interface VerifyResult {
  ok: boolean;
  events: number;
  firstBrokenId?: string;
}

/**
 * Walks the chain in order: a changed event breaks its own hash, a deleted one its successor's
 * link, and a cut-off end no longer matches the recorded head. The walk goes to the very end (no
 * `throughSeq`): a forged event appended after the head must be seen.
 */
export async function verifyAudit(db: DbOrTx, orgId: string): Promise<VerifyResult> {
  const head = await db.auditHead.findUnique({ where: { orgId } });
  let prevHash = GENESIS_HASH;
  let events = 0;
  for await (const page of auditPages(db, orgId)) {
    for (const event of page) {
      const key = event.keyId ? auditKeys.find((k) => k.id === event.keyId)?.key : undefined;
      const verifiable = !event.keyId || key !== undefined;
      if (!verifiable || event.prevHash !== prevHash || eventHash(event, key) !== event.hash) {
        return { ok: false, events, firstBrokenId: event.id };
      }
      prevHash = event.hash;
      events += 1;
    }
  }
  const headMatches = head ? head.hash === prevHash && head.events === events : events === 0;
  return headMatches ? { ok: true, events } : { ok: false, events };
}
