// Channels and their encrypted credentials. Credentials never leave this layer undecrypted
// except to a channel adapter (services/publish) or a connection check.
import type { DbOrTx } from './db';

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
