// Renewing a channel's credentials one worker at a time. X's OAuth 2 refresh tokens work once:
// two workers refreshing the same channel with the same token would leave one refused by X (the
// channel wrongly in needs_reauth) or lose a rotated pair. PostgreSQL, the system of record, holds
// the lock: the channel row, locked while the credentials are read, renewed and written back.
import type { Credentials } from '../channels/channel';
import { decryptJson, encryptJson } from '../security/credentials';
import { lockChannelCredentials, storeChannelCredentials } from '../store/channels';
import type { Deps } from './deps';

/** How long a worker waits for another one's renewal before its attempt is retried. */
const LOCK_WAIT_MS = 30_000;
/** The network's token call runs inside the transaction; the adapter's own deadline is shorter. */
const TRANSACTION_TIMEOUT_MS = 60_000;

/**
 * Locks the channel, hands `renew` the credentials stored now (another worker may have renewed
 * them since this attempt read them) and stores what it returns before the lock is released.
 */
export async function renewChannelCredentials(
  deps: Deps,
  channelId: string,
  renew: (stored: Credentials) => Promise<Credentials | null>,
): Promise<Credentials> {
  return deps.db.$transaction(
    async (tx) => {
      const encrypted = await lockChannelCredentials(tx, channelId, LOCK_WAIT_MS);
      const stored = encrypted ? decryptJson(encrypted, deps.config.secretKeys) : {};
      const fresh = await renew(stored);
      if (!fresh) return stored;
      await storeChannelCredentials(tx, channelId, encryptJson(fresh, deps.config.secretKeys));
      return fresh;
    },
    { maxWait: LOCK_WAIT_MS, timeout: TRANSACTION_TIMEOUT_MS },
  );
}
