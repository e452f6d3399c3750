// PostgreSQL restarted during a burst (full variant only: it restarts the machine's cluster for a
// few seconds): workers recover by themselves, nothing lost, nothing twice.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { addSocialChannels, newOrg, QUICK, report, secs, seedReleases, settle, startHerold, startSuite, tally, waitUntil, type HeroldProcess, type Suite } from './helpers/kit';

const RUN = !QUICK || process.env.HEROLD_FAULT_PG_RESTART === '1';
const RELEASES = QUICK ? 60 : 250; // × 2 channels

function pgctl(action: 'restart' | 'start') {
  const version = readdirSync('/etc/postgresql')[0]!;
  execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', action], { stdio: 'inherit', timeout: 120_000 });
}

(RUN ? describe : describe.skip)('PostgreSQL restarted during a burst', () => {
  let s: Suite;
  beforeAll(async () => {
    s = await startSuite();
  });
  afterAll(() => s.close());

  it('recovers without loss or duplicate', async () => {
    const org = await newOrg(s);
    const channels = await addSocialChannels(s, org);
    const channelIds = [channels.facebook.id, channels.twitter[0]!.id];
    await s.fakes.config({ delayMs: 200 });
    const seeded = await seedReleases(s, org, channelIds, RELEASES, { tag: 'pg' });
    const total = RELEASES * 2;
    const started = Date.now();
    const procs: HeroldProcess[] = [await startHerold('scheduler', 'pg-scheduler')];
    procs.push(...(await Promise.all([startHerold('worker', 'pg-worker-0'), startHerold('worker', 'pg-worker-1')])));
    const published = () => s.deps.db.post.count({ where: { orgId: org.id, status: 'published' } });

    await waitUntil('burst under way', async () => (await published()) >= Math.ceil(total * 0.3), 120_000, 100);
    const publishing = await s.deps.db.post.count({ where: { orgId: org.id, status: 'publishing' } });
    const before = await published();
    const restartAt = Date.now();
    try {
      pgctl('restart');
    } catch (err) {
      pgctl('start'); // never leave PostgreSQL stopped
      throw err;
    }
    const upAt = Date.now();
    const firstAfter = await waitUntil('a publish after the restart', async () => ((await published()) > before ? Date.now() : null), 180_000, 200);
    const settleMs = await settle(s, org.id, 300_000);
    const t = await tally(s, org.id, channels);
    const alive = procs.filter((p) => p.alive()).length;
    report('postgres-restart', {
      posts: t.posts,
      publishing_at_restart: publishing,
      restart_took: secs(upAt - restartAt),
      first_publish_after: secs(firstAfter - upAt),
      processes_alive: `${alive}/${procs.length}`,
      duplicates: t.duplicates,
      lost: t.lost,
      unconfirmed: t.unconfirmed,
      failed: t.failed,
      seed: secs(seeded.seedMs),
      settle: secs(settleMs),
      wall: secs(Date.now() - started),
    });
    expect(alive).toBe(procs.length);
    expect(t.duplicates).toBe(0);
    expect(t.lost).toBe(0);
    expect(t.missingOnFake).toBe(0);
    expect(t.unexpectedOnFake).toBe(0);
    expect(t.failed).toBe(0);
    expect(t.unconfirmed).toBeLessThanOrEqual(publishing);
  });
});
