// Builds the process-wide dependencies from the configuration, and closes them again.
import pino from 'pino';
import type { Config } from '../config/load';
import { redactValue } from './channels/redact';
import { createPublishQueue } from './queue/publish-queue';
import { createRedis } from './queue/redis';
import type { Deps } from './services/deps';
import { useAuditKeys } from './store/audit';
import { createDb } from './store/db';

/** Never log a credential: these paths are replaced wherever they appear in a log object. */
export const REDACT_PATHS = [
  'password',
  '*.password',
  'credentials',
  '*.credentials',
  'pageAccessToken',
  '*.pageAccessToken',
  'accessToken',
  '*.accessToken',
  'accessSecret',
  '*.accessSecret',
  'appSecret',
  '*.appSecret',
  'refreshToken',
  '*.refreshToken',
  'applicationPassword',
  '*.applicationPassword',
  'appPassword',
  '*.appPassword',
  'req.headers.authorization',
  'req.headers.cookie',
];

export function createLogger(config: Pick<Config, 'logLevel'>, name: string) {
  return pino({
    name,
    level: config.logLevel,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    // Tokens inside URLs and SDK error objects (e.g. Graph's ?access_token=) are masked too.
    formatters: { log: (object) => redactValue(object) as Record<string, unknown> },
  });
}

export function createDeps(config: Config, name: string): Deps {
  const log = createLogger(config, name);
  useAuditKeys(config.secretKeys);
  const queueConnection = createRedis(config.redisUrl, 'queue');
  const redis = createRedis(config.redisUrl, 'client');
  // ioredis reconnects by itself; errors are logged, not thrown, so an outage never kills a process.
  for (const conn of [queueConnection, redis]) conn.on('error', (err) => log.warn({ err: err.message }, 'redis connection error'));
  const deps: Deps = {
    config,
    db: createDb(config.databaseUrl, { poolSize: config.dbPoolSize }),
    redis,
    queue: createPublishQueue(queueConnection),
    log,
    now: () => new Date(),
  };
  queueConnections.set(deps, queueConnection);
  return deps;
}

/** BullMQ leaves a connection it was given open; we close it ourselves. */
const queueConnections = new WeakMap<Deps, { quit(): Promise<unknown> }>();

export async function closeDeps(deps: Deps): Promise<void> {
  await deps.queue.close().catch(() => undefined);
  await queueConnections.get(deps)?.quit().catch(() => undefined);
  deps.redis.disconnect();
  await deps.db.$disconnect();
}
