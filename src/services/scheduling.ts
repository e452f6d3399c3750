// Getting due posts from PostgreSQL into the queue. The sweep is the safety net that makes
// Redis disposable: whatever the queue lost, the next sweep puts back, and the job id derived
// from post, revision and generation keeps it from being added twice.
import { enqueuePosts, queueEpoch } from '../queue/publish-queue';
import { findDueForQueue, type DueRow } from '../store/due-posts';
import { findStalePublishing } from '../store/posts';
import type { Deps } from './deps';
import { settleInterrupted } from './publish';

/** More than this due at once is picked up by the next tick (the queue is busy anyway). */
const SWEEP_BATCH = 20_000;
/**
 * A full sweep (every due post handed to the queue again) at least this often, whatever else
 * happened: the safety net for a job lost without Redis losing everything (say, deleted by hand).
 */
export const FULL_SWEEP_MS = 60_000;
/**
 * A post changed this long before the previous sweep began is looked at again: for a transaction
 * that committed a little after the time it wrote into `updated_at`, and for the clocks of other
 * hosts. Kept short, because each post changed within it is handed to the queue again on every
 * tick until it is older; whatever it misses the next full sweep finds (and the services that put
 * a post back to `scheduled` enqueue it themselves).
 */
export const CHANGE_MARGIN_MS = 2_000;

function toDue(p: DueRow) {
  return { postId: p.id, revision: p.revision, generation: p.generation, dueAt: p.dueAt, crisis: p.crisis };
}

/** Enqueues the given posts if they are scheduled (any time: future ones become delayed jobs). */
export async function enqueueDue(deps: Deps, postIds: string[]): Promise<void> {
  if (postIds.length === 0) return;
  const posts = await deps.db.post.findMany({
    where: { id: { in: postIds }, status: 'scheduled' },
    select: { id: true, revision: true, generation: true, dueAt: true, release: { select: { crisis: true } } },
  });
  const due = posts.map((p) => ({ postId: p.id, revision: p.revision, generation: p.generation, dueAt: p.dueAt ?? new Date(0), crisis: p.release.crisis }));
  await enqueuePosts(deps.queue, due, deps.config.publishAttempts, deps.now().getTime());
}

export interface SweepResult {
  enqueued: number;
  unconfirmed: number;
  /** Whether every due post was handed to the queue (not only those new since the last sweep). */
  full: boolean;
}

/** What a scheduler remembers between its sweeps (one per scheduler process). */
export interface SweepState {
  /** Posts due up to this instant were handed to the queue by the last sweep; null: sweep in full. */
  horizon: Date | null;
  /** When that sweep began. */
  sweptAt: Date;
  /** The queue's epoch (queueEpoch) at the last full sweep. */
  epoch: string | null;
  /** When the last full sweep began. */
  fullAt: Date;
}

export function newSweepState(): SweepState {
  return { horizon: null, sweptAt: new Date(0), epoch: null, fullAt: new Date(0) };
}

/**
 * One sweep: enqueue every scheduled post due before the next sweep (as a delayed job, so it
 * still starts on time), and settle attempts whose worker died. Cost is O(due), not O(future).
 *
 * With a state (the scheduler's), a sweep hands the queue only what the previous one did not:
 * posts that came within the look-ahead since, and posts changed since (back to `scheduled`).
 * During a burst thousands of due posts wait in the queue, and re-adding each on every tick cost
 * more than the tick. It sweeps in full — everything due — on its first run, when the queue's
 * epoch changed (Redis flushed or restarted empty: the queue is rebuilt within one sweep
 * interval), after a sweep that hit the batch limit, and every FULL_SWEEP_MS. Without a state
 * every sweep is full.
 *
 * Safe to run in several scheduler processes at once: enqueueing is idempotent by job id and
 * settling is a compare-and-set; each scheduler keeps its own state.
 */
export async function sweep(deps: Deps, state?: SweepState): Promise<SweepResult> {
  const now = deps.now();
  const horizon = new Date(now.getTime() + deps.config.sweepSeconds * 2_000);
  // Read before the sweep: if Redis loses the queue while it runs, the next sweep sees a new epoch.
  const epoch = state ? await queueEpoch(deps.redis) : null;
  const full = !state || state.horizon === null || epoch !== state.epoch || now.getTime() - state.fullAt.getTime() >= FULL_SWEEP_MS;
  const since = !full && state?.horizon ? { horizon: state.horizon, changedAfter: new Date(state.sweptAt.getTime() - CHANGE_MARGIN_MS) } : undefined;
  const due = await findDueForQueue(deps.db, horizon, SWEEP_BATCH, since);
  await enqueuePosts(deps.queue, due.map(toDue), deps.config.publishAttempts, now.getTime());
  const stale = await findStalePublishing(deps.db, new Date(now.getTime() - deps.config.stalePublishingSeconds * 1000));
  for (const post of stale) await settleInterrupted(deps, post.id, 'WORKER_DIED');
  if (state) {
    // A full batch may have left posts out: the next sweep looks at everything again.
    state.horizon = due.length >= SWEEP_BATCH ? null : horizon;
    state.sweptAt = now;
    if (full) {
      state.epoch = epoch;
      state.fullAt = now;
    }
  }
  return { enqueued: due.length, unconfirmed: stale.length, full };
}
