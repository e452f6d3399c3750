// What every service needs, created once per process (workers/ and the tests build it).
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../../config/load';
import type { Db } from '../store/db';
import type { PublishJobData } from '../queue/publish-queue';

export interface Deps {
  config: Config;
  db: Db;
  /** A fail-fast Redis connection for the API (login throttling, readiness). */
  redis: Redis;
  queue: Queue<PublishJobData>;
  log: Logger;
  now: () => Date;
}
