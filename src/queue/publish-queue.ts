// The one BullMQ queue for publishing. Jobs only point at posts; the post itself, its status
// and its content live in PostgreSQL, so Redis can be flushed and rebuilt at any time.
import { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

export const PUBLISH_QUEUE = 'herold-publish';

export interface PublishJobData {
  postId: string;
  revision: number;
  generation: number;
}

export interface DuePost extends PublishJobData {
  dueAt: Date;
  crisis: boolean;
}

/**
 * Derived from the post, its revision and its retry generation: adding the same post twice is a
 * no-op while the job exists, and an edited or retried post gets a job of its own. (BullMQ ids
 * must not contain ':'.)
 */
export function publishJobId(job: PublishJobData): string {
  return `post-${job.postId}-r${job.revision}-g${job.generation}`;
}

export function createPublishQueue(connection: Redis): Queue<PublishJobData> {
  return new Queue<PublishJobData>(PUBLISH_QUEUE, {
    connection,
    defaultJobOptions: {
      // Finished jobs are removed: the database keeps the history, and the job id can be reused
      // only if the post is back in `scheduled` with the same revision — which never happens,
      // because a retry raises the generation.
      removeOnComplete: true,
      removeOnFail: true,
    },
  });
}

export async function enqueuePosts(queue: Queue<PublishJobData>, posts: DuePost[], attempts: number, now = Date.now()) {
  if (posts.length === 0) return;
  // addBulk keeps jobId de-duplication (each job carries its own id) and saves round trips.
  await queue.addBulk(
    posts.map((post) => ({
      name: 'publish',
      data: { postId: post.postId, revision: post.revision, generation: post.generation },
      opts: {
        jobId: publishJobId(post),
        delay: Math.max(0, post.dueAt.getTime() - now),
        // Crisis releases go to the front of the queue.
        priority: post.crisis ? 1 : 10,
        attempts,
        backoff: { type: 'herold' },
      },
    })),
  );
}

/**
 * Lives next to the jobs (the same Redis database, REDIS_URL): FLUSHALL, FLUSHDB or a restart
 * without persistence take it with them.
 */
const EPOCH_KEY = 'herold:publish-queue:epoch';

/**
 * An id of the queue's current life in Redis: the same for as long as Redis keeps its data, a new
 * one after Redis lost it. The scheduler compares it between sweeps to know when the queue must be
 * rebuilt in full. Shared by every scheduler (the first to find it missing sets it).
 */
export async function queueEpoch(client: Redis): Promise<string> {
  const current = await client.get(EPOCH_KEY);
  if (current) return current;
  await client.set(EPOCH_KEY, randomUUID(), 'NX');
  return (await client.get(EPOCH_KEY)) ?? '';
}
