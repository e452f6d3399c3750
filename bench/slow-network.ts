// Slow network: the simulated Mastodon answers every post after 300 ms. With the publisher's
// concurrency C the ceiling is C / 0.3 s posts/s (the claim and settle transactions do not hold
// a slot's database connection during the call). Target: ≥ 0.8 × that, bounded by configured
// rate limits (none are configured here).
//
//   npm run bench -- slow-network [--quick]
import { CONCURRENCY, describeRun, runHeroldBurst, type ChannelSetup } from './burst';
import { benchPool, fmt, median, verdict, type BenchOptions, type ScenarioResult } from './common';
import { startBenchMastodon } from './lateness-single';

const DELAY_MS = 300;

export async function benchSlowNetwork(options: BenchOptions): Promise<ScenarioResult> {
  const posts = options.quick ? 200 : 600;
  const ideal = CONCURRENCY / (DELAY_MS / 1000);
  const slowMastodon: ChannelSetup = async (pool, org) => {
    const { fake, channel } = await startBenchMastodon(pool, org);
    fake.failNext({ delayMs: DELAY_MS }, posts * 2, { method: 'POST', path: '/api/v1/statuses' });
    return { channel, close: () => fake.close() };
  };
  const pool = benchPool();
  const rates: number[] = [];
  try {
    for (let rep = 0; rep < options.reps; rep++) {
      const run = await runHeroldBurst(pool, posts, slowMastodon);
      rates.push(run.postsPerSecond);
      console.log(`  slow network rep ${rep + 1}: ${describeRun(run)} (the fake runs in this process too)`);
    }
  } finally {
    await pool.end();
  }
  const rate = median(rates);
  const pass = rate >= 0.8 * ideal;
  return {
    scenario: 'slow-network',
    line: `slow network (${posts} posts, fake answers after ${DELAY_MS} ms, concurrency ${CONCURRENCY}): ${fmt(rate, 1)} posts/s = ${fmt(rate / ideal, 2)} × ${fmt(ideal, 1)} (concurrency / 0.3 s) (median of ${options.reps}) — target ≥ 0.8 ×: ${verdict(pass)}`,
    pass,
    summary: `${fmt(rate, 1)} posts/s (${fmt(rate / ideal, 2)} × ideal)`,
  };
}
