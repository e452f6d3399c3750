// The only place that creates the Prisma client. PostgreSQL is Herold's system of record.
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient, Prisma } from './generated/client';

export type Db = PrismaClient;
/** A client or an open transaction: store functions accept either. */
export type DbOrTx = PrismaClient | Prisma.TransactionClient;
export type Tx = Prisma.TransactionClient;
export { Prisma };

export function createDb(databaseUrl: string, options: { poolSize?: number } = {}): Db {
  const adapter = new PrismaPg({
    connectionString: databaseUrl,
    max: options.poolSize ?? 10,
    // Fail fast instead of hanging when PostgreSQL is down; callers answer 503.
    connectionTimeoutMillis: 5_000,
  });
  return new PrismaClient({ adapter });
}

/** Serialises work per organisation inside a transaction (audit chain, pause, approvals). */
export async function lockOrg(tx: Tx, orgId: string, purpose: 'audit' | 'workflow'): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${purpose}), hashtext(${orgId}))`;
}

export function isUniqueViolation(err: unknown): boolean {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';
}

/** Errors that mean PostgreSQL or Redis is unreachable: the API answers 503, workers retry. */
export function isConnectionError(err: unknown): boolean {
  if (err instanceof Prisma.PrismaClientInitializationError) return true;
  if (err instanceof Prisma.PrismaClientKnownRequestError && ['P1001', 'P1002', 'P1008', 'P1017', 'P2024'].includes(err.code)) return true;
  const text = `${(err as Error)?.name ?? ''} ${(err as Error)?.message ?? ''} ${(err as { code?: string })?.code ?? ''}`;
  return /ECONNREFUSED|ECONNRESET|ETIMEDOUT|Connection terminated|Connection is closed|DatabaseNotReachable|ConnectionClosed|timeout exceeded when trying to connect|Stream isn't writeable|MaxRetriesPerRequest|the database system is (starting|shutting) up|terminating connection/i.test(text);
}
