// The publishing worker: takes jobs from the queue and hands them to services/publish.
// Retries belong to BullMQ alone; the service tells us which outcome may be retried.
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import { hostname } from 'node:os';
import { PUBLISH_QUEUE, type PublishJobData } from '../src/queue/publish-queue';
import { createRedis } from '../src/queue/redis';
import type { Deps } from '../src/services/deps';
import { publishPost } from '../src/services/publish';

class RetryableError extends Error {
  constructor(readonly code: string, readonly retryAfterMs?: number) {
    super(code);
  }
}

/** Exponential backoff from HEROLD_RETRY_BASE_MS, capped at 5 minutes, unless the network named a reset time. */
export function backoffDelay(baseMs: number, attemptsMade: number, err?: Error): number {
  const told = err instanceof RetryableError ? err.retryAfterMs : undefined;
  if (told !== undefined && told >= 0) return told + 250;
  return Math.min(baseMs * 2 ** Math.max(0, attemptsMade - 1), 300_000);
}

export function startPublisher(deps: Deps, opts: { concurrency?: number } = {}) {
  const workerId = `${hostname()}:${process.pid}`;
  const connection = createRedis(deps.config.redisUrl, 'worker');
  connection.on('error', (err) => deps.log.warn({ err: err.message }, 'worker redis error'));

  const worker = new Worker<PublishJobData>(
    PUBLISH_QUEUE,
    async (job: Job<PublishJobData>, token?: string) => {
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      const outcome = await publishPost(deps, job.data, { workerId, lastAttempt });
      switch (outcome.kind) {
        case 'published':
        case 'skipped':
          return outcome;
        case 'wait':
          // Not an attempt: the article is not public yet, or the job woke early.
          await job.moveToDelayed(Date.now() + outcome.ms, token);
          throw new DelayedError();
        case 'retry':
          throw new RetryableError(outcome.code, outcome.retryAfterMs);
        case 'final':
          // Recorded in the database (failed, held or unconfirmed); retrying could duplicate.
          throw new UnrecoverableError(`${outcome.status}: ${outcome.code}`);
      }
    },
    {
      connection,
      concurrency: opts.concurrency ?? deps.config.workerConcurrency,
      settings: { backoffStrategy: (attemptsMade: number, _type?: string, err?: Error) => backoffDelay(deps.config.retryBaseMs, attemptsMade, err) },
      // A job whose worker died is handed to another worker; services/publish then sees the
      // post still `publishing` and marks it unconfirmed instead of sending it again.
      maxStalledCount: 1,
      stalledInterval: 15_000,
    },
  );
  worker.on('error', (err) => deps.log.warn({ err: err.message }, 'worker error'));
  worker.on('failed', (job, err) => {
    if (!(err instanceof UnrecoverableError)) deps.log.info({ jobId: job?.id, err: err.message }, 'publish job will be retried');
  });
  return {
    worker,
    async close() {
      // Waits for the jobs in flight: their network calls finish and their outcome is recorded.
      await worker.close();
      await connection.quit().catch(() => undefined);
    },
  };
}
