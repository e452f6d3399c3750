// What an approver's retry or resolve changes besides the post itself: the release it belongs to
// and the social posts that were waiting for its article. Always within one organisation.
import type { Tx } from './db';

/**
 * A finished release is open again while one of its posts goes out once more: the worker only
 * publishes posts of a scheduled release, and the release is done again when the post settles.
 * Returns the release's status after the call.
 */
export async function reopenForRetry(tx: Tx, orgId: string, releaseId: string): Promise<string | null> {
  await tx.release.updateMany({ where: { id: releaseId, orgId, status: 'done' }, data: { status: 'scheduled' } });
  const release = await tx.release.findFirst({ where: { id: releaseId, orgId }, select: { status: true } });
  return release?.status ?? null;
}

/**
 * Social posts refused with ARTICLE_FAILED because their article had not (knowingly) appeared go
 * out again, due now, with a fresh job generation: their approval is unchanged, and the worker
 * again waits for the article before sending them. Returns their ids.
 */
export async function requeueArticleDependents(tx: Tx, orgId: string, releaseId: string, now: Date): Promise<string[]> {
  const where = { orgId, releaseId, status: 'failed', errorCode: 'ARTICLE_FAILED' };
  const dependents = await tx.post.findMany({ where, select: { id: true } });
  if (dependents.length === 0) return [];
  await tx.post.updateMany({
    where: { ...where, id: { in: dependents.map((p) => p.id) } },
    data: { status: 'scheduled', generation: { increment: 1 }, dueAt: now, errorCode: null, errorMessage: null },
  });
  return dependents.map((p) => p.id);
}
