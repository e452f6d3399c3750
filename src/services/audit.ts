// Writing and reading the audit log. Every state change goes through `audit()` in the same
// transaction as the change itself.
import type { Actor } from '../domain/actor';
import { auditActor } from '../domain/actor';
import { AppError } from '../domain/errors';
import { appendAudit, listAudit, verifyAudit } from '../store/audit';
import type { Tx } from '../store/db';
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
 * race) is written to the audit log before it is answered. Not-found answers are not recorded:
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
    if (err instanceof AppError && (err.status === 403 || err.status === 409)) {
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
  };
}
