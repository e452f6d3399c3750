// Every default in one place. Environment variables override them (see config/load.ts).

export const DEFAULTS = {
  DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/herold',
  REDIS_URL: 'redis://127.0.0.1:6379/0',
  PORT: 8080,
  HOST: '0.0.0.0',
  /** How often the scheduler looks for due posts in the database. */
  HEROLD_SWEEP_SECONDS: 2,
  HEROLD_PUBLIC_URL: 'http://localhost:8080',
  /** Parallel publish calls per worker process. */
  HEROLD_WORKER_CONCURRENCY: 20,
  /**
   * PostgreSQL connections per process. 0 derives it: worker concurrency + 5, so that every
   * publish job in flight, the sweep and the API's requests get a connection without waiting
   * (with 10 for 20 jobs, jobs waited out the 5 s connect timeout under a burst).
   */
  HEROLD_DB_POOL_SIZE: 0,
  /** First retry delay after a transient error; doubles per attempt, capped at 5 minutes. */
  HEROLD_RETRY_BASE_MS: 2_000,
  /**
   * Publish attempts before a post is marked failed (retryable errors only). With the 2 s base
   * doubling to the 5-minute cap, 10 attempts ride out about 13 minutes of a network's outage;
   * 6 gave up after one minute, and at 30 % failing calls lost ~1 post in 1,000 (fault suite).
   */
  HEROLD_PUBLISH_ATTEMPTS: 10,
  /** A post stuck in `publishing` this long belongs to a dead worker. */
  HEROLD_STALE_PUBLISHING_SECONDS: 120,
  SESSION_HOURS: 12,
  LOG_LEVEL: 'info',
  /** Image URLs on private, loopback or link-local addresses are refused unless this is 1. */
  HEROLD_ALLOW_PRIVATE_MEDIA: 0,
  /**
   * Channel hosts (apiBaseUrl, siteUrl, instanceUrl, service) on private, loopback or link-local
   * addresses are refused. `1` allows every such address (tests, demo); a comma-separated list of
   * addresses and CIDR ranges allows just those (an on-premises WordPress, e.g. `10.20.0.0/16`).
   */
  HEROLD_ALLOW_PRIVATE_HOSTS: '',
  /**
   * Reverse proxies whose X-Forwarded-For/-Proto are believed (addresses, CIDR ranges, or
   * `loopback`): only then is the client's address, not the proxy's, used for login throttling.
   */
  HEROLD_TRUST_PROXY: '',
  /** Bearer token for GET /metrics. Unset: /metrics answers only direct loopback connections. */
  HEROLD_METRICS_TOKEN: '',
  /** Largest accepted request body. */
  BODY_LIMIT_BYTES: 1_048_576,
} as const;
