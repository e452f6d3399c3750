// PostgreSQL restarted during a burst (the suite's own cluster: stopped with sessions cut, down for
// a few seconds, started again). While it is down the processes stay up, /readyz says "not ready"
// and the API answers 503 with a clear message instead of hanging; afterwards workers, scheduler
// and API recover by themselves, and nothing is lost or published twice.
import { addSocialChannels, httpCall, newOrg, QUICK, readyz, report, secs, seedReleases, SERVICES, settle, sleep, startHerold, startSuite, tally, waitUntil, type HttpAnswer, type Suite } from './helpers/kit';
import { postgresRunning, startPostgres, stopPostgres } from './helpers/services';

const RELEASES = QUICK ? 40 : 250; // × 2 channels
/** How long PostgreSQL stays down: long enough for every process to meet the outage. */
const OUTAGE_MS = 6_000;
/** "Not hanging": an answer within this, where the connection timeout is 5 s. */
const ANSWER_WITHIN_MS = 8_000;

describe('PostgreSQL restarted during a burst', () => {
  let s: Suite;
  beforeAll(async () => {
    s = await startSuite();
  });
  afterAll(async () => {
    // Never leave the next scenario without PostgreSQL.
    if (!postgresRunning(SERVICES)) startPostgres(SERVICES);
    await s.close();
  });

  it('answers 503 while it is down, then recovers without loss or duplicate', async () => {
    const org = await newOrg(s);
    const channels = await addSocialChannels(s, org);
    const channelIds = [channels.facebook.id, channels.twitter[0]!.id];
    await s.fakes.config({ delayMs: 200 });
    const seeded = await seedReleases(s, org, channelIds, RELEASES, { tag: 'pg' });
    const total = RELEASES * 2;
    const started = Date.now();
    const procs = await Promise.all([
      startHerold('scheduler', 'pg-scheduler'),
      startHerold('worker', 'pg-worker-0'),
      startHerold('worker', 'pg-worker-1'),
      startHerold('api', 'pg-api'),
    ]);
    const api = procs[3];
    const published = () => s.deps.db.post.count({ where: { orgId: org.id, status: 'published' } });
    const apiBefore = await httpCall(api, '/api/v1/releases', { token: org.editor.token });

    await waitUntil('burst under way', async () => (await published()) >= Math.ceil(total * 0.3), 120_000, 100);
    const publishing = await s.deps.db.post.count({ where: { orgId: org.id, status: 'publishing' } });
    const before = await published();

    const downAt = Date.now();
    stopPostgres(SERVICES, 'fast'); // every session is cut, as in a restart
    let notReady: HttpAnswer | undefined;
    let apiDown: HttpAnswer | undefined;
    let notReadyMs = 0;
    try {
      notReady = await waitUntil('/readyz not ready', async () => {
        const r = await readyz(api);
        return r.status === 503 ? r : null;
      }, 15_000, 100);
      notReadyMs = Date.now() - downAt;
      apiDown = await httpCall(api, '/api/v1/releases', { token: org.editor.token, timeoutMs: 30_000 });
      await sleep(downAt + OUTAGE_MS - Date.now());
    } finally {
      startPostgres(SERVICES);
    }
    const upAt = Date.now();
    const readyAgain = await waitUntil('/readyz ready again', async () => ((await readyz(api)).status === 200 ? Date.now() : null), 60_000, 100);
    const firstAfter = await waitUntil('a publish after the restart', async () => ((await published()) > before ? Date.now() : null), 180_000, 200);
    const settleMs = await settle(s, org.id, 300_000);
    const apiAfter = await httpCall(api, '/api/v1/releases', { token: org.editor.token });
    const t = await tally(s, org.id, channels);
    const alive = procs.filter((p) => p.alive()).length;
    const apiError = (apiDown?.body.error ?? {}) as { code?: string; message?: string };
    report('postgres-restart', {
      posts: t.posts,
      publishing_at_stop: publishing,
      pg_down: secs(upAt - downAt),
      readyz_503_after: secs(notReadyMs),
      readyz_body: JSON.stringify(notReady?.body ?? {}).replace(/\s/g, ''),
      api_during_outage: `${apiDown?.status}/${apiError.code}/${apiDown?.ms}ms`,
      readyz_200_after_start: secs(readyAgain - upAt),
      first_publish_after_start: secs(firstAfter - upAt),
      api_after: apiAfter.status,
      processes_alive: `${alive}/${procs.length}`,
      duplicates: t.duplicates,
      lost: t.lost,
      unconfirmed: t.unconfirmed,
      failed: t.failed,
      seed: secs(seeded.seedMs),
      settle: secs(settleMs),
      wall: secs(Date.now() - started),
    });
    expect(apiBefore.status).toBe(200);
    expect(notReady?.body).toMatchObject({ status: 'not_ready', database: 'unavailable' });
    expect(apiDown?.status).toBe(503);
    expect(apiError.code).toBe('SERVICE_UNAVAILABLE');
    expect(apiError.message).toMatch(/nicht erreichbar/);
    expect(apiDown!.ms).toBeLessThan(ANSWER_WITHIN_MS);
    expect(apiAfter.status).toBe(200);
    expect(alive).toBe(procs.length);
    expect(t.posts).toBe(total);
    expect(t.duplicates).toBe(0);
    expect(t.lost).toBe(0);
    expect(t.missingOnFake).toBe(0);
    expect(t.unexpectedOnFake).toBe(0);
    expect(t.failed).toBe(0);
    expect(t.unconfirmed).toBeLessThanOrEqual(publishing);
  });
});
