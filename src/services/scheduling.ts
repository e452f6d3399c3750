// Getting due posts from PostgreSQL into the queue. The sweep is the safety net that makes
// Redis disposable: whatever the queue lost, the next sweep puts back, and the job id derived
// from post, revision and generation keeps it from being added twice.
import { enqueuePosts } from '../queue/publish-queue';
import { findDuePosts, findStalePublishing } from '../store/posts';
import type { Deps } from './deps';
import { settleInterrupted } from './publish';

/** More than this due at once is picked up by the next tick (the queue is busy anyway). */
const SWEEP_BATCH = 20_000;

function toDue(p: Awaited<ReturnType<typeof findDuePosts>>[number]) {
  return { postId: p.id, revision: p.revision, generation: p.generation, dueAt: p.dueAt ?? new Date(0), crisis: p.release.crisis };
}

/** Enqueues the given posts if they are scheduled (any time: future ones become delayed jobs). */
export async function enqueueDue(deps: Deps, postIds: string[]): Promise<void> {
  if (postIds.length === 0) return;
  const posts = await deps.db.post.findMany({
    where: { id: { in: postIds }, status: 'scheduled' },
    select: { id: true, revision: true, generation: true, dueAt: true, release: { select: { crisis: true } } },
  });
  await enqueuePosts(deps.queue, posts.map(toDue), deps.config.publishAttempts, deps.now().getTime());
}

export interface SweepResult {
  enqueued: number;
  unconfirmed: number;
}

/**
 * One sweep: enqueue every scheduled post due before the next sweep (as a delayed job, so it
 * still starts on time), and settle attempts whose worker died. Cost is O(due), not O(future).
 * Safe to run in several scheduler processes at once: enqueueing is idempotent by job id and
 * settling is a compare-and-set.
 */
export async function sweep(deps: Deps): Promise<SweepResult> {
  const now = deps.now();
  const horizon = new Date(now.getTime() + deps.config.sweepSeconds * 2_000);
  const due = await findDuePosts(deps.db, horizon, SWEEP_BATCH);
  await enqueuePosts(deps.queue, due.map(toDue), deps.config.publishAttempts, now.getTime());
  const stale = await findStalePublishing(deps.db, new Date(now.getTime() - deps.config.stalePublishingSeconds * 1000));
  for (const post of stale) await settleInterrupted(deps, post.id, 'WORKER_DIED');
  return { enqueued: due.length, unconfirmed: stale.length };
}
