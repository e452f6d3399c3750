// The audit log: append-only (a database trigger refuses UPDATE and DELETE) and hash-chained
// per organisation, so GET /audit/verify finds any changed or deleted event.
import { createHash, createHmac, hkdfSync, randomUUID } from 'node:crypto';
import { lockOrg, type DbOrTx, type Tx } from './db';
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

/** Appends inside the caller's transaction, so the event commits with the change it records. */
export async function appendAudit(tx: Tx, input: AuditInput): Promise<void> {
  await lockOrg(tx, input.orgId, 'audit');
  const last = await tx.auditEvent.findFirst({
    where: { orgId: input.orgId },
    orderBy: { seq: 'desc' },
    select: { hash: true },
  });
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
    prevHash: last?.hash ?? GENESIS_HASH,
  };
  const signing = auditKeys[0];
  if (!signing) throw new Error('audit keys are not configured (useAuditKeys)');
  const hash = eventHash(event, signing.key);
  const created = await tx.auditEvent.create({ data: { ...event, hash, keyId: signing.id } });
  await tx.auditHead.upsert({
    where: { orgId: input.orgId },
    create: { orgId: input.orgId, seq: created.seq, hash, events: 1 },
    update: { seq: created.seq, hash, events: { increment: 1 } },
  });
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

export interface VerifyResult {
  ok: boolean;
  events: number;
  firstBrokenId?: string;
}

/**
 * Walks the chain in order: a changed event breaks its own hash, a deleted one its successor's
 * link, and a cut-off end no longer matches the recorded head.
 */
export async function verifyAudit(db: DbOrTx, orgId: string): Promise<VerifyResult> {
  const head = await db.auditHead.findUnique({ where: { orgId } });
  let prevHash = GENESIS_HASH;
  let events = 0;
  let cursor: bigint | undefined;
  for (;;) {
    const batch = await db.auditEvent.findMany({
      where: { orgId, ...(cursor !== undefined ? { seq: { gt: cursor } } : {}) },
      orderBy: { seq: 'asc' },
      take: 1000,
    });
    if (batch.length === 0) {
      const headMatches = head ? head.hash === prevHash && head.events === events : events === 0;
      return headMatches ? { ok: true, events } : { ok: false, events };
    }
    for (const event of batch) {
      const key = event.keyId ? auditKeys.find((k) => k.id === event.keyId)?.key : undefined;
      const verifiable = !event.keyId || key !== undefined;
      if (!verifiable || event.prevHash !== prevHash || eventHash(event, key) !== event.hash) {
        return { ok: false, events, firstBrokenId: event.id };
      }
      prevHash = event.hash;
      events += 1;
    }
    cursor = batch[batch.length - 1]!.seq;
  }
}
