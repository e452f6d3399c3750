// Releases, their revisions and approvals — always within one organisation.
import type { DbOrTx, Tx } from './db';
import type { Prisma } from './generated/client';

const withPosts = { posts: { orderBy: [{ createdAt: 'asc' as const }, { id: 'asc' as const }] } };

export function findRelease(db: DbOrTx, orgId: string, id: string) {
  return db.release.findFirst({ where: { id, orgId }, include: withPosts });
}

export type ReleaseWithPosts = NonNullable<Awaited<ReturnType<typeof findRelease>>>;

/** Locks the release row for the rest of the transaction: edits and approvals are serialised. */
export async function lockRelease(tx: Tx, orgId: string, id: string): Promise<ReleaseWithPosts | null> {
  const rows = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM release WHERE id = ${id}::uuid AND org_id = ${orgId}::uuid FOR UPDATE`;
  if (rows.length === 0) return null;
  return findRelease(tx, orgId, id);
}

export function listReleases(db: DbOrTx, orgId: string, status?: string) {
  return db.release.findMany({
    where: { orgId, status },
    orderBy: { updatedAt: 'desc' },
    take: 500,
  });
}

export function slugExists(db: DbOrTx, orgId: string, slug: string) {
  return db.release.count({ where: { orgId, slug } }).then((n) => n > 0);
}

export function createRelease(db: DbOrTx, data: Prisma.ReleaseUncheckedCreateInput) {
  return db.release.create({ data });
}

export function updateRelease(db: DbOrTx, id: string, data: Prisma.ReleaseUncheckedUpdateInput) {
  return db.release.update({ where: { id }, data });
}

export function addRevision(db: DbOrTx, data: { releaseId: string; revision: number; editorId: string; snapshot: object }) {
  return db.releaseRevision.create({ data });
}

/** The revision history of a release, oldest first; empty when the release is not the organisation's. */
export function listRevisions(db: DbOrTx, orgId: string, releaseId: string, since = 1) {
  return db.releaseRevision.findMany({
    where: { releaseId, revision: { gte: since }, release: { orgId } },
    orderBy: { revision: 'asc' },
  });
}

export function releaseExists(db: DbOrTx, orgId: string, id: string) {
  return db.release.count({ where: { id, orgId } }).then((n) => n > 0);
}

export function createApproval(
  db: DbOrTx,
  data: { releaseId: string; revision: number; contentHash: string; approverId: string },
) {
  return db.approval.create({ data });
}

export function voidApprovals(db: DbOrTx, releaseId: string, reason: string) {
  return db.approval.updateMany({ where: { releaseId, voidedAt: null }, data: { voidedAt: new Date(), voidReason: reason } });
}

/** Finishes a release once none of its posts can still change. */
export async function completeIfFinished(tx: Tx, releaseId: string): Promise<boolean> {
  const open = await tx.post.count({
    where: { releaseId, status: { in: ['draft', 'scheduled', 'held', 'publishing', 'unconfirmed'] } },
  });
  if (open > 0) return false;
  const { count } = await tx.release.updateMany({ where: { id: releaseId, status: 'scheduled' }, data: { status: 'done' } });
  return count > 0;
}
