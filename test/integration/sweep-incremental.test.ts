// The scheduler's sweep between ticks: it hands the queue only what is new since its last sweep
// (during a burst, re-adding thousands of queued posts every 2 s cost more than the tick), but it
// still rebuilds the whole queue at once when Redis lost it, and in full every minute anyway.
import type { Job } from 'bullmq';
import { publishJobId } from '../../src/queue/publish-queue';
import { CHANGE_MARGIN_MS, FULL_SWEEP_MS, newSweepState, sweep, type SweepState } from '../../src/services/scheduling';
import type { Deps } from '../../src/services/deps';
import { approvedRelease, useHarnessWithOrg } from '../helpers/harness';

describe('incremental sweep', () => {
  // No worker: the posts stay scheduled and their jobs stay in the queue.
  const ctx = useHarnessWithOrg();

  /** Job ids handed to the queue during `work` (added or found already there). */
  async function handedToQueue(work: () => Promise<unknown>): Promise<string[]> {
    const spy = jest.spyOn(ctx.h.deps.queue, 'addBulk');
    try {
      await work();
      return spy.mock.calls.flatMap(([jobs]) => jobs.map((j) => j.opts?.jobId ?? ''));
    } finally {
      spy.mockRestore();
    }
  }

  async function duePosts(n: number) {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const release = await approvedRelease(ctx.h, ctx.org, { channelIds: [ctx.channels.blog], title: `Fällig ${i} ${Math.random().toString(36).slice(2, 7)}` });
      ids.push(release.posts[0]!.id);
    }
    return ctx.h.deps.db.post.findMany({ where: { id: { in: ids } }, select: { id: true, revision: true, generation: true } });
  }

  /** Until the posts' own changes (approval) are older than the margin the sweep looks back. */
  const settled = () => new Promise((r) => setTimeout(r, CHANGE_MARGIN_MS + 500));

  const jobIdOf = (p: { id: string; revision: number; generation: number }) => publishJobId({ postId: p.id, revision: p.revision, generation: p.generation });

  async function inQueue(jobIds: string[]): Promise<boolean[]> {
    const jobs = await Promise.all(jobIds.map((id) => ctx.h.deps.queue.getJob(id) as Promise<Job | undefined>));
    return jobs.map((j) => j !== undefined && j !== null);
  }

  it('adds a due post once, not again on every tick, and rebuilds the queue at once after Redis lost it', async () => {
    const posts = await duePosts(3);
    const ids = posts.map(jobIdOf);
    await settled();
    const state: SweepState = newSweepState();

    const first = await handedToQueue(() => sweep(ctx.h.deps, state));
    expect(first).toEqual(expect.arrayContaining(ids));

    // Queued already: the next ticks leave them alone.
    for (let tick = 0; tick < 2; tick++) {
      const again = await handedToQueue(async () => expect((await sweep(ctx.h.deps, state)).full).toBe(false));
      expect(again.filter((id) => ids.includes(id))).toEqual([]);
    }

    // Redis loses everything (FLUSHDB here; FLUSHALL and a restart without persistence alike).
    await ctx.h.deps.redis.flushdb();
    expect(await inQueue(ids)).toEqual([false, false, false]);
    const rebuilt = await handedToQueue(async () => expect((await sweep(ctx.h.deps, state)).full).toBe(true));
    expect(rebuilt).toEqual(expect.arrayContaining(ids));
    expect(await inQueue(ids)).toEqual([true, true, true]);
  });

  it('adds what became due or was put back to scheduled since the last tick', async () => {
    // The look-ahead is 2 × HEROLD_SWEEP_SECONDS (1 s in the tests): this post enters it later.
    const dueAt = Date.now() + CHANGE_MARGIN_MS + 5_000;
    const soonRelease = await approvedRelease(ctx.h, ctx.org, { channelIds: [ctx.channels.blog], publishAt: new Date(dueAt).toISOString() });
    const soon = await ctx.h.deps.db.post.findUniqueOrThrow({ where: { id: soonRelease.posts[0]!.id } });
    const [back] = await duePosts(1);
    await settled();
    const state = newSweepState();
    const first = await handedToQueue(() => sweep(ctx.h.deps, state));
    expect(first).toContain(jobIdOf(back!));
    expect(first).not.toContain(jobIdOf(soon));
    expect(await handedToQueue(() => sweep(ctx.h.deps, state))).not.toContain(jobIdOf(back!));

    // The job of a post that went back to `scheduled` is gone (as after an interrupted attempt
    // settled by the sweep itself).
    await ctx.h.deps.queue.remove(jobIdOf(back!));
    await ctx.h.deps.db.post.update({ where: { id: back!.id }, data: { status: 'scheduled' } });
    const changed = await handedToQueue(() => sweep(ctx.h.deps, state));
    expect(changed).toContain(jobIdOf(back!));
    expect(changed).not.toContain(jobIdOf(soon));
    expect(await inQueue([jobIdOf(back!)])).toEqual([true]);

    // Its time comes within the look-ahead: the next sweep hands it over (a delayed job).
    await new Promise((r) => setTimeout(r, Math.max(0, dueAt - 1_000 - Date.now())));
    expect(await handedToQueue(() => sweep(ctx.h.deps, state))).toContain(jobIdOf(soon));
  });

  it('sweeps in full once a minute even when nothing seems to have changed', async () => {
    const [post] = await duePosts(1);
    await settled();
    const state = newSweepState();
    await sweep(ctx.h.deps, state);
    expect((await sweep(ctx.h.deps, state)).full).toBe(false);
    // A job lost without Redis losing everything (removed by hand): only the full sweep finds it.
    await ctx.h.deps.queue.remove(jobIdOf(post!));
    const later: Deps = { ...ctx.h.deps, now: () => new Date(Date.now() + FULL_SWEEP_MS) };
    const result = await sweep(later, state);
    expect(result.full).toBe(true);
    expect(await inQueue([jobIdOf(post!)])).toEqual([true]);
  });
});
