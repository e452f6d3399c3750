// Crisis stop during a burst: once POST /api/v1/org/pause has answered, no publish call starts;
// the rest is held (not failed).
import { call } from '../helpers/harness';
import { addSocialChannels, newOrg, QUICK, report, secs, seedReleases, settle, sleep, startHerold, startSuite, tally, waitUntil, type Suite } from './helpers/kit';

const RELEASES = QUICK ? 30 : 500; // × 2 channels

describe('crisis stop during a burst', () => {
  let s: Suite;
  beforeAll(async () => {
    s = await startSuite();
  });
  afterAll(() => s.close());

  it('starts no publish call after the pause is acknowledged', async () => {
    const org = await newOrg(s);
    const channels = await addSocialChannels(s, org);
    const channelIds = [channels.facebook.id, channels.twitter[0]!.id];
    await s.fakes.config({ delayMs: 300 });
    const seeded = await seedReleases(s, org, channelIds, RELEASES, { tag: 'stop' });
    const total = RELEASES * 2;
    const started = Date.now();
    await startHerold('scheduler', 'stop-scheduler');
    await Promise.all([startHerold('worker', 'stop-worker-0'), startHerold('worker', 'stop-worker-1')]);

    await waitUntil('burst under way', async () => (await s.deps.db.post.count({ where: { orgId: org.id, status: 'published' } })) >= Math.ceil(total * 0.2), 120_000, 50);
    const sentAt = Date.now();
    const res = await call(s.h, 'POST', '/api/v1/org/pause', { token: org.approver.token, body: { reason: 'Krisenfall: Übung' } });
    const ackAt = Date.now();
    expect(res.statusCode).toBe(200);
    expect(res.json().paused).toBe(true);

    // Calls already under way finish; then look for any call that started after the answer.
    await settle(s, org.id, 60_000);
    await sleep(3_000);
    const state = await s.fakes.state();
    const publishCalls = state.log.filter((e) => e.publish);
    const after = publishCalls.filter((e) => e.at > ackAt);
    const during = publishCalls.filter((e) => e.at > sentAt && e.at <= ackAt).length;
    const t = await tally(s, org.id, channels, { heldIsFinal: true });
    const heldPaused = await s.deps.db.post.count({ where: { orgId: org.id, status: 'held', heldReason: 'paused' } });
    report('crisis-stop', {
      posts: t.posts,
      published_before_stop: t.published,
      held: heldPaused,
      calls_after_ack: after.length,
      latest_call_after_ack: after.length ? `${Math.max(...after.map((e) => e.at - ackAt))}ms` : 'none',
      calls_during_pause_request: during,
      pause_latency: `${ackAt - sentAt}ms`,
      duplicates: t.duplicates,
      lost: t.lost,
      failed: t.failed,
      unconfirmed: t.unconfirmed,
      seed: secs(seeded.seedMs),
      wall: secs(Date.now() - started),
    });
    expect(after).toHaveLength(0);
    expect(t.duplicates).toBe(0);
    expect(t.lost).toBe(0);
    expect(t.failed).toBe(0);
    expect(heldPaused).toBeGreaterThan(0);
    expect(t.published + heldPaused).toBe(total);
  });
});
