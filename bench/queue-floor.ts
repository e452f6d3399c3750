// Queue floor: bare BullMQ no-op jobs per second at the publisher's concurrency (20), on the same
// Redis. No target: it is the ceiling any BullMQ-based publisher can reach here (DEPENDENCIES.md
// saw 14,000–18,000 jobs/s at concurrency 50).
//
//   npm run bench -- queue-floor [--quick]
import { Queue, Worker } from 'bullmq';
import { CONCURRENCY } from './burst';
import { benchRedis, flushBenchRedis, fmt, median, type BenchOptions, type ScenarioResult } from './common';

const QUEUE = 'bench-floor';

/** Jobs are added first; the clock runs from the worker's start to the last completion. */
export async function runQueueFloor(jobs: number, concurrency = CONCURRENCY): Promise<number> {
  const connection = benchRedis();
  const workerConnection = benchRedis();
  await flushBenchRedis(connection);
  const queue = new Queue(QUEUE, { connection, defaultJobOptions: { removeOnComplete: true, removeOnFail: true } });
  let worker: Worker | undefined;
  try {
    for (let start = 0; start < jobs; start += 5_000) {
      await queue.addBulk(Array.from({ length: Math.min(5_000, jobs - start) }, (_, i) => ({ name: 'noop', data: { n: start + i } })));
    }
    let completed = 0;
    let started = 0;
    const finished = new Promise<number>((resolve) => {
      worker = new Worker(QUEUE, async () => undefined, { connection: workerConnection, concurrency, autorun: false });
      worker.on('completed', () => {
        completed += 1;
        if (completed === jobs) resolve(performance.now());
      });
    });
    started = performance.now();
    void worker!.run();
    const ended = await finished;
    return jobs / ((ended - started) / 1000);
  } finally {
    await worker?.close();
    await queue.close();
    connection.disconnect();
    workerConnection.disconnect();
  }
}

export async function benchQueueFloor(options: BenchOptions): Promise<ScenarioResult> {
  const jobs = options.quick ? 5_000 : 20_000;
  const rates: number[] = [];
  for (let rep = 0; rep < options.reps; rep++) rates.push(await runQueueFloor(jobs));
  const rate = median(rates);
  return {
    scenario: 'queue-floor',
    line: `queue floor (bare BullMQ no-op, ${fmt(jobs)} jobs, concurrency ${CONCURRENCY}): ${fmt(rate)} jobs/s (median of ${options.reps}; runs ${rates.map((r) => fmt(r)).join(', ')}) — reported, the ceiling`,
    pass: null,
    summary: `${fmt(rate)} jobs/s`,
  };
}
