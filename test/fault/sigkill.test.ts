// Worker processes killed with SIGKILL again and again during a burst: never a post twice, none
// lost, and `unconfirmed` only for posts that were really in flight when a worker died. Mastodon
// (Idempotency-Key plus a look-up) and Bluesky (record keys derived from the post) finish every
// interrupted attempt: exactly once there, none `unconfirmed`.
import { addSocialChannels, channelIdsOf, inFlightOf, newOrg, QUICK, report, secs, seedReleases, settle, spawnHerold, startHerold, startSuite, tally, waitUntil, type HeroldProcess, type Suite } from './helpers/kit';

const RELEASES = QUICK ? 25 : 250; // × 4 channels (Facebook, X, Mastodon, Bluesky): 100 / 1,000 posts
const KILLS = QUICK ? 3 : 10;

describe('SIGKILL of workers during a burst', () => {
  let s: Suite;
  beforeAll(async () => {
    s = await startSuite();
  });
  afterAll(() => s.close());

  it(`kills a worker ${KILLS} times: 0 duplicates, 0 lost, unconfirmed ≤ in flight at the kills, Mastodon and Bluesky exactly once`, async () => {
    const org = await newOrg(s);
    const channels = await addSocialChannels(s, org, { mastodon: true, bluesky: true });
    const channelIds = channelIdsOf(channels);
    // Calls take a while, so that every kill catches some in flight.
    await s.fakes.config({ delayMs: 400 });
    const seeded = await seedReleases(s, org, channelIds, RELEASES, { tag: 'kill' });
    const total = RELEASES * channelIds.length;

    const started = Date.now();
    await startHerold('scheduler', 'kill-scheduler');
    const env = { HEROLD_WORKER_CONCURRENCY: '10' };
    let workers: HeroldProcess[] = await Promise.all([startHerold('worker', 'kill-worker-a0', env), startHerold('worker', 'kill-worker-b0', env)]);
    const published = () => s.deps.db.post.count({ where: { orgId: org.id, status: 'published' } });

    const inflightAtKills: number[] = [];
    const publishingAtKills: number[] = [];
    for (let k = 0; k < KILLS; k += 1) {
      // Spread the kills over the burst.
      const target = Math.floor(((k + 1) * total) / (KILLS + 3));
      await waitUntil(`${target} published before kill ${k + 1}`, async () => (await published()) >= target, 300_000, 100);
      await Promise.all(workers.map((w) => w.started.catch(() => undefined)));
      // The live worker with the most calls in flight.
      const counts = await Promise.all(workers.map((w) => inFlightOf(s, w.workerId)));
      const victimIndex = counts.indexOf(Math.max(...counts));
      const victim = workers[victimIndex]!;
      publishingAtKills.push(await s.deps.db.post.count({ where: { orgId: org.id, status: 'publishing' } }));
      victim.signal('SIGKILL');
      await victim.exited;
      inflightAtKills.push(await inFlightOf(s, victim.workerId));
      // A supervisor restarts it at once.
      workers = workers.map((w, i) => (i === victimIndex ? spawnHerold('worker', `kill-worker-${i === 0 ? 'a' : 'b'}${k + 1}`, env) : w));
    }
    const burstMs = Date.now() - started;
    const settleMs = await settle(s, org.id, 240_000);
    const t = await tally(s, org.id, channels);
    const inflight = inflightAtKills.reduce((a, b) => a + b, 0);
    const names: [string, string][] = [
      ['fb', channels.facebook.id],
      ['x', channels.twitter[0]!.id],
      ['mastodon', channels.mastodon!.id],
      ['bluesky', channels.bluesky!.id],
    ];
    const perChannel = names.map(([name, id]) => {
      const c = t.perChannel[id] ?? { posts: 0, published: 0, unconfirmed: 0, duplicates: 0, missingOnFake: 0 };
      return `${name}:${c.published}/${c.posts}pub,${c.unconfirmed}unc,${c.duplicates}dup,${c.missingOnFake}missing`;
    });
    report('sigkill', {
      posts: t.posts,
      kills: KILLS,
      duplicates: t.duplicates,
      lost: t.lost,
      unconfirmed: t.unconfirmed,
      failed: t.failed,
      inflight_at_kills: inflight,
      inflight_per_kill: inflightAtKills.join('/'),
      publishing_at_kills: publishingAtKills.join('/'),
      on_fake_not_published: t.unexpectedOnFake,
      per_channel: perChannel.join(';'),
      seed: secs(seeded.seedMs),
      kills_done_after: secs(burstMs),
      recovery: secs(settleMs),
      wall: secs(Date.now() - started),
    });
    expect(t.posts).toBe(total);
    expect(t.duplicates).toBe(0);
    expect(t.lost).toBe(0);
    expect(t.missingOnFake).toBe(0);
    expect(t.unexpectedOnFake).toBe(0);
    expect(t.unconfirmed).toBeLessThanOrEqual(inflight);
    expect(t.failed).toBe(0);
    // The networks with idempotency: every interrupted attempt is finished, none left to a person.
    for (const id of [channels.mastodon!.id, channels.bluesky!.id]) {
      expect(t.perChannel[id]).toEqual({ posts: RELEASES, published: RELEASES, unconfirmed: 0, duplicates: 0, missingOnFake: 0 });
    }
  });
});
