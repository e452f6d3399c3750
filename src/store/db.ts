// The only place that creates the Prisma client. PostgreSQL is Herold's system of record.
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient, Prisma } from './generated/client';

export type Db = PrismaClient;
/** A client or an open transaction: store functions accept either. */
export type DbOrTx = PrismaClient | Prisma.TransactionClient;
export type Tx = Prisma.TransactionClient;
export { Prisma };

/**
 * Plain SQL on the pool Prisma uses, for the publish path alone: Prisma 6 compiles every query in
 * its Wasm query compiler on the main thread (several ms of CPU each, about two thirds of a
 * worker's CPU per post), pg's own query costs a tenth of that. Everything else stays Prisma.
 */
export interface Sql {
  query<R extends pg.QueryResultRow = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: R[]; rowCount: number | null }>;
}

const pools = new WeakMap<Db, pg.Pool>();

function poolOf(db: Db): pg.Pool {
  const pool = pools.get(db);
  if (!pool) throw new Error('this Prisma client was not made by createDb: no pool for plain SQL');
  return pool;
}

/** One statement on a pool connection (its own transaction, as any single statement). */
export function sql(db: Db): Sql {
  const pool = poolOf(db);
  return { query: (text, values) => pool.query(text, values) };
}

/** A short transaction on one pool connection; rolled back if `work` throws. */
export async function sqlTransaction<T>(db: Db, work: (tx: Sql) => Promise<T>): Promise<T> {
  const client = await poolOf(db).connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work({ query: (text, values) => client.query(text, values) });
    await client.query('COMMIT');
    return result;
  } catch (err) {
    // A connection that cannot even roll back is dropped from the pool instead of reused.
    await client.query('ROLLBACK').catch((rollbackErr: Error) => (broken = rollbackErr));
    throw err;
  } finally {
    client.release(broken);
  }
}

export function createDb(databaseUrl: string, options: { poolSize?: number } = {}): Db {
  const pool = releaseEndedConnections(
    new pg.Pool({
      connectionString: databaseUrl,
      max: options.poolSize ?? 10,
      // Fail fast instead of hanging when PostgreSQL is down; callers answer 503.
      connectionTimeoutMillis: 5_000,
    }),
  );
  // The adapter ends the pool on $disconnect, as it does with a pool it made itself.
  const adapter = new PrismaPg(pool, { disposeExternalPool: true });
  const db = new PrismaClient({ adapter });
  pools.set(db, pool);
  return db;
}

/**
 * Prisma's pg adapter (6.19) never hands a connection back to the pool when PostgreSQL ends it in
 * the middle of an interactive transaction: the ROLLBACK fails, and the adapter releases the
 * connection only after a ROLLBACK or COMMIT that worked. After a restart of PostgreSQL with as
 * many transactions open as the pool is large, the pool stays exhausted for good and every query
 * waits for a free connection until it times out ("timeout exceeded when trying to connect"): a
 * busy worker never recovers (found by test/fault/postgres-restart.test.ts). So a connection that
 * ends while it is checked out is handed back here, with the error that drops it from the pool;
 * a release by the adapter after that is a no-op instead of pg-pool's "released twice" error.
 */
function releaseEndedConnections(pool: pg.Pool): pg.Pool {
  const connect = pool.connect.bind(pool) as (callback?: (...args: unknown[]) => void) => Promise<pg.PoolClient> | void;
  const guarded = (callback?: (...args: unknown[]) => void) => {
    // pool.query() checks out with a callback and always releases: nothing to guard.
    if (callback) return connect(callback);
    return (connect() as Promise<pg.PoolClient>).then((client) => {
      const release = client.release.bind(client);
      let released = false;
      const once = (err?: Error | boolean) => {
        if (released) return;
        released = true;
        client.removeListener('end', onEnd);
        release(err);
      };
      const onEnd = () => once(new Error('connection ended while checked out'));
      client.once('end', onEnd);
      client.release = once;
      return client;
    });
  };
  pool.connect = guarded as typeof pool.connect;
  // PostgreSQL says FATAL to every session when it shuts down. A connection that hears it between
  // two queries of a transaction emits 'error' with nobody listening, and an unhandled 'error'
  // ends the process (a worker died so in the PostgreSQL restart scenario). The query in flight,
  // if any, gets the error anyway, and the connection leaves the pool on 'end' (above).
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

/** Serialises work per organisation inside a transaction (audit chain, pause, approvals). */
export async function lockOrg(tx: Tx, orgId: string, purpose: 'audit' | 'workflow'): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${purpose}), hashtext(${orgId}))`;
}

export function isUniqueViolation(err: unknown): boolean {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';
}

/**
 * Errors that mean PostgreSQL or Redis is unreachable: the API answers 503, workers retry.
 * P2028 ("Unable to start a transaction in the given time", or a transaction that ran out of
 * time) is PostgreSQL out of reach for the moment too: no pool connection came free in time. It
 * is seen under load, and while the pool refills after a restart of PostgreSQL.
 */
export function isConnectionError(err: unknown): boolean {
  if (err instanceof Prisma.PrismaClientInitializationError) return true;
  if (err instanceof Prisma.PrismaClientKnownRequestError && ['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028'].includes(err.code)) return true;
  const text = `${(err as Error)?.name ?? ''} ${(err as Error)?.message ?? ''} ${(err as { code?: string })?.code ?? ''}`;
  return /ECONNREFUSED|ECONNRESET|ETIMEDOUT|Connection terminated|Connection is closed|DatabaseNotReachable|ConnectionClosed|timeout exceeded when trying to connect|Stream isn't writeable|MaxRetriesPerRequest|the database system is (starting|shutting) up|terminating connection/i.test(text);
}
