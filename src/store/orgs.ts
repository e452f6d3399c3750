// Organisations (tenants).
import type { DbOrTx, Tx } from './db';

export function findOrgById(db: DbOrTx, orgId: string) {
  return db.organisation.findUnique({ where: { id: orgId } });
}

export function findOrgBySlug(db: DbOrTx, slug: string) {
  return db.organisation.findUnique({ where: { slug } });
}

export function createOrg(db: DbOrTx, data: { slug: string; name: string; timezone: string }) {
  return db.organisation.create({ data });
}

export function setPaused(tx: Tx, orgId: string, paused: { reason: string; byId: string } | null) {
  return tx.organisation.update({
    where: { id: orgId },
    data: paused
      ? { paused: true, pausedReason: paused.reason, pausedAt: new Date(), pausedById: paused.byId }
      : { paused: false, pausedReason: null, pausedAt: null, pausedById: null },
  });
}

export function updatePolicy(db: DbOrTx, orgId: string, policy: object) {
  return db.organisation.update({ where: { id: orgId }, data: { policy } });
}
