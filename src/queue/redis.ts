// Redis connections. A db number in REDIS_URL (redis://host:6379/3) is honoured by ioredis.
import IORedis, { type Redis } from 'ioredis';

export function createRedis(url: string, purpose: 'queue' | 'worker' | 'client'): Redis {
  return new IORedis(url, {
    // Workers block on Redis and must never give up a command; API calls fail fast (503) after
    // one reconnect attempt instead of hanging while Redis is down.
    maxRetriesPerRequest: purpose === 'client' ? 1 : null,
    connectTimeout: 5_000,
    lazyConnect: false,
  });
}
