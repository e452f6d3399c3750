// Several worker processes share one burst: no post twice, none lost, every worker takes a share.
import { addSocialChannels, newOrg, QUICK, report, secs, seedReleases, settle, startHerold, startSuite, tally, type Suite } from './helpers/kit';

const RELEASES = QUICK ? 30 : 500; // × 2 channels = posts
const WORKERS = 3;

describe('several worker processes share the load', () => {
  let s: Suite;
  beforeAll(async () => {
    s = await startSuite();
  });
  afterAll(() => s.close());

  it('publishes every post exactly once across the workers', async () => {
    const org = await newOrg(s);
    const channels = await addSocialChannels(s, org);
    await s.fakes.config({ delayMs: 50 });
    const seeded = await seedReleases(s, org, [channels.facebook.id, channels.twitter[0]!.id], RELEASES, { tag: 'share' });
    const started = Date.now();
    const workers = await Promise.all(Array.from({ length: WORKERS }, (_, i) => startHerold('worker', `share-worker-${i}`)));
    const scheduler = await startHerold('scheduler', 'share-scheduler');
    const settleMs = await settle(s, org.id, QUICK ? 120_000 : 600_000);
    const t = await tally(s, org.id, channels);
    const perWorker = await Promise.all(workers.map((w) => s.deps.db.publicationAttempt.count({ where: { workerId: w.workerId, outcome: 'published' } })));
    report('shared-load', {
      posts: t.posts,
      workers: WORKERS,
      duplicates: t.duplicates,
      lost: t.lost,
      unconfirmed: t.unconfirmed,
      failed: t.failed,
      per_worker: perWorker.join('/'),
      seed: secs(seeded.seedMs),
      wall: secs(Date.now() - started),
      settle: secs(settleMs),
    });
    expect(t.posts).toBe(RELEASES * 2);
    expect(t.duplicates).toBe(0);
    expect(t.lost).toBe(0);
    expect(t.unexpectedOnFake).toBe(0);
    expect(t.missingOnFake).toBe(0);
    expect(t.published).toBe(t.posts);
    for (const n of perWorker) expect(n).toBeGreaterThan(0);
    void scheduler;
  });
});
