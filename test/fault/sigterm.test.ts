// SIGTERM during a burst: the worker takes no new job, lets the calls in flight finish and record
// their outcome, and exits within 30 s; nothing is lost, nothing is left `unconfirmed`.
import { addSocialChannels, inFlightOf, killAll, newOrg, QUICK, report, secs, seedReleases, settle, startHerold, startSuite, tally, waitUntil, type Suite } from './helpers/kit';

const RELEASES = QUICK ? 20 : 100; // × 2 channels
const CALL_MS = 3_000;

// `group`: SIGTERM to the whole process group (Ctrl+C in a terminal, systemd KillMode=control-group,
// `kill -TERM -<pgid>`). `main`: SIGTERM to the process only (docker stop, `kill <pid>`).
describe('SIGTERM during a burst', () => {
  let s: Suite;
  beforeAll(async () => {
    s = await startSuite();
  });
  // Each case has its own organisation and processes: none of the first may take the second's posts.
  afterEach(() => killAll());
  afterAll(() => s.close());

  it.each(['main', 'group'] as const)('to the %s process: finishes the calls in flight, exits within 30 s, loses nothing', async (target) => {
    const org = await newOrg(s);
    const channels = await addSocialChannels(s, org);
    const channelIds = [channels.facebook.id, channels.twitter[0]!.id];
    await s.fakes.config({ delayMs: CALL_MS }); // every publish call is slow: many in flight
    const seeded = await seedReleases(s, org, channelIds, RELEASES, { tag: `term${target}` });
    const started = Date.now();
    await startHerold('scheduler', `term-${target}-scheduler`);
    const worker = await startHerold('worker', `term-${target}-worker-0`, { HEROLD_WORKER_CONCURRENCY: '20' });

    await waitUntil('calls in flight', async () => (await inFlightOf(s, worker.workerId)) >= 10, 60_000, 50);
    const inFlight = await s.deps.db.publicationAttempt.findMany({ where: { workerId: worker.workerId, finishedAt: null }, select: { postId: true } });
    const termAt = Date.now();
    if (target === 'group') worker.signal('SIGTERM');
    else process.kill(worker.pid, 'SIGTERM');
    const exit = await worker.exited;
    const exitMs = exit.at - termAt;

    const afterExit = await s.deps.db.post.findMany({ where: { id: { in: inFlight.map((a) => a.postId) } }, select: { status: true } });
    const finished = afterExit.filter((p) => p.status === 'published').length;
    const stillPublishing = await s.deps.db.post.count({ where: { orgId: org.id, status: 'publishing' } });

    // A new worker takes the rest.
    await startHerold('worker', `term-${target}-worker-1`);
    const settleMs = await settle(s, org.id, 240_000);
    const t = await tally(s, org.id, channels);
    report(`sigterm-${target}`, {
      posts: t.posts,
      in_flight_at_sigterm: inFlight.length,
      finished_by_old_worker: finished,
      left_publishing: stillPublishing,
      exit_code: `${exit.code ?? exit.signal}`,
      exit_after: secs(exitMs),
      duplicates: t.duplicates,
      lost: t.lost,
      unconfirmed: t.unconfirmed,
      seed: secs(seeded.seedMs),
      settle: secs(settleMs),
      wall: secs(Date.now() - started),
    });
    expect(exitMs).toBeLessThan(30_000);
    expect(exit.code).toBe(0);
    expect(finished).toBe(inFlight.length);
    expect(stillPublishing).toBe(0);
    expect(t.duplicates).toBe(0);
    expect(t.lost).toBe(0);
    expect(t.unconfirmed).toBe(0);
    expect(t.published).toBe(t.posts);
  });
});
