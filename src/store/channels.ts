// Channels and their encrypted credentials. Credentials never leave this layer undecrypted
// except to a channel adapter (services/publish) or a connection check.
import type { DbOrTx, Tx } from './db';

export function listChannels(db: DbOrTx, orgId: string) {
  return db.channel.findMany({ where: { orgId }, orderBy: { createdAt: 'asc' } });
}

export function findChannel(db: DbOrTx, orgId: string, id: string) {
  return db.channel.findFirst({ where: { id, orgId } });
}

export function findChannelsByIds(db: DbOrTx, orgId: string, ids: string[]) {
  return db.channel.findMany({ where: { orgId, id: { in: ids } } });
}

export function createChannel(
  db: DbOrTx,
  data: { orgId: string; type: string; name: string; settings: object; credentialsEnc: string | null },
) {
  return db.channel.create({ data });
}

export function updateChannel(
  db: DbOrTx,
  orgId: string,
  id: string,
  data: { name?: string; settings?: object; credentialsEnc?: string | null; enabled?: boolean; status?: string },
) {
  return db.channel.updateMany({ where: { id, orgId }, data });
}

/** Compare-and-set, so only the first of several failing workers flips the channel. */
export function markNeedsReauth(db: DbOrTx, id: string) {
  return db.channel.updateMany({ where: { id, status: 'active' }, data: { status: 'needs_reauth' } });
}

/**
 * Reads a channel's encrypted credentials and locks its row until the transaction ends, so that
 * renewals of the same channel take turns. FOR NO KEY UPDATE: posts can still be created for the
 * channel meanwhile. Waits at most `waitMs` for another holder, then fails (lock_timeout).
 */
export async function lockChannelCredentials(tx: Tx, id: string, waitMs: number): Promise<string | null> {
  await tx.$queryRaw`SELECT set_config('lock_timeout', ${`${Math.max(1, Math.floor(waitMs))}ms`}, true)`;
  const rows = await tx.$queryRaw<{ credentials_enc: string | null }[]>`
    SELECT credentials_enc FROM channel WHERE id = ${id}::uuid FOR NO KEY UPDATE`;
  return rows[0]?.credentials_enc ?? null;
}

export function storeChannelCredentials(db: DbOrTx, id: string, credentialsEnc: string) {
  return db.channel.update({ where: { id }, data: { credentialsEnc } });
}
