// The connection pool of Herold's processes under PostgreSQL trouble. PostgreSQL ends the
// connections of open transactions (a restart, a failover, an operator's
// pg_terminate_backend): the connection pool must heal by itself. Before the fix in
// src/store/db.ts, every such connection stayed checked out for good, so a worker with as many
// transactions open as its pool is large never reached the database again.
import pg from 'pg';
import { createDb, isConnectionError, type Db } from '../../src/store/db';
import { testDatabaseUrl } from '../helpers/env';

const POOL_SIZE = 3;

describe(createDb.name, () => {
  let db: Db;
  let admin: pg.Client;

  beforeAll(async () => {
    db = createDb(testDatabaseUrl(), { poolSize: POOL_SIZE });
    admin = new pg.Client({ connectionString: testDatabaseUrl() });
    await admin.connect();
  });
  afterAll(async () => {
    await admin.end();
    await db.$disconnect();
  });

  it('heals its pool after PostgreSQL ended the connections of open transactions', async () => {
    // Fill the pool with transactions, then end their connections from the server side (only
    // these backends: the database server is shared).
    const pids: number[] = [];
    const transactions = Array.from({ length: POOL_SIZE }, () =>
      db.$transaction(
        async (tx) => {
          const [row] = await tx.$queryRaw<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`;
          pids.push(row!.pid);
          await tx.$executeRaw`SELECT pg_sleep(20)`;
        },
        { timeout: 30_000 },
      ),
    );
    while (pids.length < POOL_SIZE) await new Promise((r) => setTimeout(r, 20));
    await admin.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [pids]);
    const outcomes = await Promise.allSettled(transactions);
    expect(outcomes.map((o) => o.status)).toEqual(Array(POOL_SIZE).fill('rejected'));

    // Every connection of the pool was in one of those transactions: the next query needs a
    // new one (without the fix: "timeout exceeded when trying to connect" after 5 s, forever).
    const started = Date.now();
    await expect(db.$queryRaw`SELECT 1 AS one`).resolves.toEqual([{ one: 1 }]);
    await expect(db.$transaction(async (tx) => tx.$queryRaw`SELECT 2 AS two`)).resolves.toEqual([{ two: 2 }]);
    // Both go through at once and side by side: no connection is still held by a dead transaction.
    await expect(Promise.all(Array.from({ length: POOL_SIZE }, () => db.$transaction(async (tx) => tx.$executeRaw`SELECT pg_sleep(0.2)`)))).resolves.toHaveLength(POOL_SIZE);
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it('counts "no connection came free in time" as PostgreSQL out of reach (503 in the API, a retry in workers)', async () => {
    // Under load a worker's transaction may wait longer for a pool connection than Prisma allows;
    // recording a publication must then be retried, not given up (the post would end unconfirmed).
    const hold = Array.from({ length: POOL_SIZE }, () => db.$transaction(async (tx) => tx.$executeRaw`SELECT pg_sleep(1)`));
    const refused = await db.$transaction(async (tx) => tx.$queryRaw`SELECT 1`, { maxWait: 100 }).then(
      () => null,
      (err: unknown) => err,
    );
    await Promise.all(hold);
    expect(refused).toMatchObject({ code: 'P2028' });
    expect(isConnectionError(refused)).toBe(true);
  });
});
