// Where the tests find PostgreSQL and Redis. CI and developers use the machine's local services.

export function testDatabaseUrl(): string {
  return process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/herold_test';
}

/** A Redis db number of its own keeps tests away from a running demo (db 0). */
export function testRedisUrl(): string {
  return process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/9';
}
