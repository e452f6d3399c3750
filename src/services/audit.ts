// Writing, reading and exporting the audit log. Every state change goes through `audit()` in the
// same transaction as the change itself.
import { Readable } from 'node:stream';
import type { Actor } from '../domain/actor';
import { auditActor, hasRole } from '../domain/actor';
import { AppError, forbidden, notFound } from '../domain/errors';
import { appendAudit, auditPages, GENESIS_HASH, listAudit, lockedAuditHead, verifyAudit, type ChainHead } from '../store/audit';
import type { Tx } from '../store/db';
import { findOrgById } from '../store/orgs';
import type { Deps } from './deps';

export function audit(
  tx: Tx,
  actor: Actor | { orgId: string; system: true },
  action: string,
  entity: { type: string; id: string } | null,
  data: Record<string, unknown> = {},
) {
  const who = 'system' in actor ? { orgId: actor.orgId, actorId: null, actorType: 'system' as const } : auditActor(actor);
  return appendAudit(tx, { ...who, action, entityType: entity?.type, entityId: entity?.id, data });
}

/** For refused attempts (four-eyes, forbidden): recorded in a transaction of their own. */
export function auditRefusal(deps: Deps, actor: Actor, action: string, entity: { type: string; id: string }, code: string) {
  return deps.db.$transaction((tx) => audit(tx, actor, action, entity, { refused: code }));
}

/**
 * Runs a guarded action; a refusal (403 or 409: four-eyes, stale revision, wrong status, lost
 * race; 422: a rule of the organisation, such as its publication windows) is written to the
 * audit log before it is answered. Not-found answers are not recorded:
 * they may concern another organisation, whose log this is not.
 */
export async function auditingRefusals<T>(
  deps: Deps,
  actor: Actor,
  action: string,
  entity: { type: string; id: string },
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof AppError && (err.status === 403 || err.status === 409 || err.status === 422)) {
      await auditRefusal(deps, actor, `${action}_refused`, entity, err.code);
    }
    throw err;
  }
}

export function listEvents(deps: Deps, actor: Actor, filter: { from?: Date; to?: Date; entityId?: string }) {
  return listAudit(deps.db, actor.orgId, filter);
}

export function verifyEvents(deps: Deps, actor: Actor) {
  return verifyAudit(deps.db, actor.orgId);
}

export function presentEvent(e: Awaited<ReturnType<typeof listAudit>>[number]) {
  return {
    id: e.id,
    seq: Number(e.seq),
    at: e.at.toISOString(),
    actorId: e.actorId,
    actorType: e.actorType,
    action: e.action,
    entityType: e.entityType,
    entityId: e.entityId,
    data: e.data,
    hash: e.hash,
    prevHash: e.prevHash,
    // Which key made the hash, so a holder of HEROLD_SECRET_KEY (or an old key) can recompute it.
    ...(e.keyId ? { keyId: e.keyId } : {}),
  };
}

// ---- export for the records office ----

/** JSON Lines (jsonlines.org): one JSON object per line, UTF-8, each line ended by "\n". */
export const AUDIT_EXPORT_TYPE = 'application/jsonl';

/** The last line of an export: what the export claims to be complete against. */
export interface ChainHeadLine {
  type: 'chain_head';
  /** The HMAC of every event covers its organisation's id, which the event lines leave out. */
  orgId: string;
  org: string;
  seq: number;
  hash: string;
  /** Events in the chain up to `seq`, so lines above = count unless events were deleted. */
  count: number;
  /** The `prevHash` of the first event. */
  genesis: string;
  exportedAt: string;
}

export interface AuditExport {
  filename: string;
  head: ChainHeadLine;
  /** The event lines, oldest first, then the head line; read from PostgreSQL page by page as it is sent. */
  lines: Readable;
}

/**
 * The whole chain of the caller's organisation. The export is recorded (`audit.exported`) before
 * anything is sent, in one transaction with reading the head under the audit lock: the export is
 * then never unrecorded, even when the download breaks off, and its own event is the last line
 * before the head, so the head (and `count`) it names is exact. Events appended while it streams
 * belong to the next export. No time filter: a slice could not be tied to the head, so nobody
 * could tell from the file whether anything was left out at either end.
 */
export async function exportEvents(deps: Deps, actor: Actor): Promise<AuditExport> {
  // The route table lets only these roles in; the staff UI calls this directly (see admin.ts).
  if (!hasRole(actor, 'approver') && !hasRole(actor, 'admin')) throw forbidden();
  const exportedAt = deps.now();
  const { slug, head } = await deps.db.$transaction(async (tx) => {
    const org = await findOrgById(tx, actor.orgId);
    if (!org) throw notFound('organisation');
    const before = await lockedAuditHead(tx, actor.orgId);
    await audit(tx, actor, 'audit.exported', { type: 'organisation', id: actor.orgId }, { count: (before?.events ?? 0) + 1, format: 'jsonl' });
    return { slug: org.slug, head: (await lockedAuditHead(tx, actor.orgId))! };
  });
  const line: ChainHeadLine = {
    type: 'chain_head',
    orgId: actor.orgId,
    org: slug,
    seq: Number(head.seq),
    hash: head.hash,
    count: head.events,
    genesis: GENESIS_HASH,
    exportedAt: exportedAt.toISOString(),
  };
  return {
    filename: `herold-audit-${slug}-${line.exportedAt.slice(0, 10)}.jsonl`,
    head: line,
    lines: Readable.from(exportLines(deps, actor.orgId, head, line)),
  };
}

async function* exportLines(deps: Deps, orgId: string, head: ChainHead, last: ChainHeadLine): AsyncGenerator<string> {
  try {
    for await (const page of auditPages(deps.db, orgId, { throughSeq: head.seq })) {
      yield page.map((e) => `${JSON.stringify(presentEvent(e))}\n`).join('');
    }
  } catch (err) {
    // The status line is long gone; the missing head line tells the reader the file is incomplete.
    deps.log.error({ err, orgId }, 'audit export broke off');
    throw err;
  }
  yield `${JSON.stringify(last)}\n`;
}

/** Headers of the download, the same for the API route and the staff UI's link. */
export function exportHeaders(exp: AuditExport): Record<string, string> {
  return {
    'content-type': `${AUDIT_EXPORT_TYPE}; charset=utf-8`,
    'content-disposition': `attachment; filename="${exp.filename}"`,
    'cache-control': 'no-store',
  };
}
