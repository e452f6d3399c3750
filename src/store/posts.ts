// Posts and publication attempts. The compare-and-set updates here are what make publishing
// at-most-once: a post moves to `publishing` in the same transaction that records the attempt.
import type { DbOrTx, Tx } from './db';
import type { Prisma } from './generated/client';

export function findPost(db: DbOrTx, orgId: string, id: string) {
  return db.post.findFirst({ where: { id, orgId } });
}

export function findPostWithAttempts(db: DbOrTx, orgId: string, id: string) {
  return db.post.findFirst({ where: { id, orgId }, include: { attemptsLog: { orderBy: { number: 'asc' } } } });
}

export function listPosts(
  db: DbOrTx,
  orgId: string,
  filter: { from?: Date; to?: Date; status?: string; channelId?: string },
) {
  const range = filter.from || filter.to ? { gte: filter.from, lte: filter.to } : undefined;
  return db.post.findMany({
    where: {
      orgId,
      status: filter.status,
      channelId: filter.channelId,
      ...(range ? { OR: [{ dueAt: range }, { publishedAt: range }, { dueAt: null, publishAt: range }] } : {}),
    },
    orderBy: [{ dueAt: 'asc' }, { createdAt: 'asc' }],
    take: 20_000,
  });
}

export function createPost(db: DbOrTx, data: Prisma.PostUncheckedCreateInput) {
  return db.post.create({ data });
}

export function updatePost(db: DbOrTx, id: string, data: Prisma.PostUncheckedUpdateInput) {
  return db.post.update({ where: { id }, data });
}

export function deletePost(db: DbOrTx, id: string) {
  return db.post.delete({ where: { id } });
}

/** Posts the sweep must enqueue: scheduled and due within the look-ahead. Uses (status, due_at). */
export function findDuePosts(db: DbOrTx, until: Date, limit: number) {
  return db.post.findMany({
    where: { status: 'scheduled', dueAt: { lte: until } },
    select: { id: true, revision: true, generation: true, dueAt: true, release: { select: { crisis: true } } },
    orderBy: { dueAt: 'asc' },
    take: limit,
  });
}

/** Posts stuck in `publishing` whose attempt began before `startedBefore`: their worker died. */
export function findStalePublishing(db: DbOrTx, startedBefore: Date) {
  return db.post.findMany({
    where: { status: 'publishing', attemptsLog: { some: { finishedAt: null, startedAt: { lt: startedBefore } } } },
    select: { id: true, orgId: true },
    take: 1000,
  });
}

export async function claimPost(
  tx: Tx,
  post: { id: string; revision: number; generation: number },
  workerId: string,
): Promise<{ attemptId: string; number: number } | null> {
  const { count } = await tx.post.updateMany({
    where: {
      id: post.id,
      status: 'scheduled',
      revision: post.revision,
      generation: post.generation,
      dueAt: { lte: new Date() },
    },
    data: { status: 'publishing', attempts: { increment: 1 }, errorCode: null, errorMessage: null },
  });
  if (count === 0) return null;
  const { attempts } = await tx.post.findUniqueOrThrow({ where: { id: post.id }, select: { attempts: true } });
  const attempt = await tx.publicationAttempt.create({ data: { postId: post.id, number: attempts, workerId } });
  return { attemptId: attempt.id, number: attempts };
}

export function finishAttempt(
  db: DbOrTx,
  attemptId: string,
  outcome: string,
  error?: { code: string; message: string } | null,
  detail?: object,
) {
  return db.publicationAttempt.update({
    where: { id: attemptId },
    data: { finishedAt: new Date(), outcome, errorCode: error?.code, errorMessage: error?.message, detail },
  });
}

/** Moves a post out of `publishing`, but only if no one else already did. */
export function settlePost(db: DbOrTx, id: string, from: string[], data: Prisma.PostUncheckedUpdateManyInput) {
  return db.post.updateMany({ where: { id, status: { in: from } }, data });
}

export function holdScheduledPosts(db: DbOrTx, where: { orgId?: string; channelId?: string }, reason: 'paused' | 'reauth') {
  return db.post.updateMany({ where: { ...where, status: 'scheduled' }, data: { status: 'held', heldReason: reason } });
}

/** Releases held posts whose time has not come; the rest wait for an approver (no burst). */
export function releaseHeldPosts(db: DbOrTx, where: { orgId?: string; channelId?: string }, reason: 'paused' | 'reauth', now: Date) {
  return db.post.updateMany({
    where: { ...where, status: 'held', heldReason: reason, ...(reason === 'paused' ? { dueAt: { gt: now } } : {}) },
    data: { status: 'scheduled', heldReason: null },
  });
}
