// Rate limits per channel account, shared by all worker processes through Redis: a wait the
// network announced (429 with a reset time) and an optional limit of our own
// (settings.rateLimit = {max, perSeconds}). Jobs wait instead of failing.
import type { Deps } from './deps';

interface OwnLimit {
  max: number;
  perSeconds: number;
}

const blockedKey = (channelId: string) => `herold:channel:${channelId}:blocked-until`;

/** Milliseconds until the reset the network announced for this channel; 0 when none is pending. */
export async function blockedMs(deps: Deps, channelId: string): Promise<number> {
  const until = Number(await deps.redis.get(blockedKey(channelId)));
  return Math.max(0, until - Date.now());
}

/** Milliseconds this channel must wait before the next call; 0 when it may go now. Counts the call. */
export async function channelWaitMs(deps: Deps, channelId: string, settings: Record<string, unknown>): Promise<number> {
  const blocked = await blockedMs(deps, channelId);
  if (blocked > 0) return blocked;
  const now = Date.now();
  const limit = settings.rateLimit as OwnLimit | undefined;
  if (!limit) return 0;
  const windowMs = limit.perSeconds * 1000;
  const window = Math.floor(now / windowMs);
  const key = `herold:channel:${channelId}:window:${window}`;
  const [[, count] = []] = (await deps.redis.multi().incr(key).pexpire(key, windowMs * 2).exec()) ?? [];
  return Number(count) > limit.max ? (window + 1) * windowMs - now : 0;
}

/** The network said "not before …": every job of this channel waits until then. */
export async function blockChannel(deps: Deps, channelId: string, waitMs: number): Promise<void> {
  await deps.redis.set(blockedKey(channelId), String(Date.now() + waitMs), 'PX', Math.max(1, waitMs));
}

/**
 * When a job that waited for a reset should wake: a little after it, and spread. Jobs that all
 * woke at the reset would all call at once, and every call already under way when the next 429
 * arrives earns a 429 of its own (seen in the fault suite: most calls of a burst wasted). Spread
 * over up to a quarter of the wait, at most 1.5 s, so that the first new 429 blocks the rest
 * before they are sent.
 */
export function wakeAfter(waitMs: number): number {
  const spread = Math.min(1_500, Math.max(250, waitMs / 4));
  return waitMs + 250 + Math.floor(Math.random() * spread);
}
