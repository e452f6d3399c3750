// Channel administration. Credentials are validated per type, encrypted before they reach the
// store, and never returned.
import type { Actor } from '../domain/actor';
import { AppError, notFound } from '../domain/errors';
import type { ChannelType } from '../domain/types';
import { ChannelError } from '../channels/channel';
import { adapterFor } from '../channels/registry';
import { CREDENTIALS, SETTINGS } from '../channels/schemas';
import { decryptJson, encryptJson } from '../security/credentials';
import { assertChannelHostAllowed, channelHosts, refusedChannelHost, withOutboundPolicy } from '../security/outbound';
import { createChannel, findChannel, listChannels, updateChannel } from '../store/channels';
import { releaseHeldPosts } from '../store/posts';
import { audit } from './audit';
import type { Deps } from './deps';
import { enqueueDue } from './scheduling';
import { targetOf, voidApprovalsForChannel } from './releases';
import { ACCOUNT_SETTING, accountFromNetwork, channelTarget, sameTarget } from '../domain/channel-target';
import { message } from '../i18n/messages';

type ChannelRow = NonNullable<Awaited<ReturnType<typeof findChannel>>>;

export function presentChannel(c: ChannelRow) {
  return {
    id: c.id,
    type: c.type,
    name: c.name,
    enabled: c.enabled,
    status: c.enabled ? c.status : 'disabled',
    settings: c.settings,
    hasCredentials: Boolean(c.credentialsEnc),
  };
}

function parseOrThrow(schema: (typeof SETTINGS)[ChannelType], value: unknown, path: string) {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) {
    throw new AppError(400, 'VALIDATION_FAILED', {}, parsed.error.issues.map((i) => ({
      path: [path, ...i.path.map(String)].join('.'),
      // Never echo a credential value back: only the field and the rule.
      message: i.message,
    })));
  }
  return parsed.data as Record<string, unknown>;
}

/**
 * Channel hosts must be public addresses (src/security/outbound.ts): an admin must not be able to
 * aim Herold, with the channel's token, at the metadata service or the intranet.
 */
async function assertPublicHosts(deps: Deps, settings: Record<string, unknown>) {
  const refused = await refusedChannelHost(settings, deps.config.allowPrivateHosts);
  if (refused) {
    throw new AppError(400, 'CHANNEL_HOST_PRIVATE', { host: refused.host }, [
      { path: `settings.${refused.setting}`, message: `${refused.host} is not a public address` },
    ]);
  }
}

const NETWORK_NAMES: Partial<Record<ChannelType, string>> = { twitter: 'X', mastodon: 'Mastodon' };

function accountIdOf(settings: unknown): string | undefined {
  const value = settings && typeof settings === 'object' ? (settings as Record<string, unknown>)[ACCOUNT_SETTING] : undefined;
  return typeof value === 'string' ? value : undefined;
}

function withAccount(settings: unknown, accountId: string | undefined): Record<string, unknown> {
  const { [ACCOUNT_SETTING]: _previous, ...rest } = (settings ?? {}) as Record<string, unknown>;
  return accountId ? { ...rest, [ACCOUNT_SETTING]: accountId } : rest;
}

/**
 * The account is Herold's to record (identifyAccount), never a client's: the stored value may come
 * back unchanged (the staff UI and GET-then-PATCH send the settings they were shown), any other
 * value is refused. Other channel types know no such key; their strict schemas refuse it.
 */
function clientSettings(type: ChannelType, raw: unknown, stored: unknown): unknown {
  if (!accountFromNetwork(type) || !raw || typeof raw !== 'object' || !(ACCOUNT_SETTING in raw)) return raw;
  const { [ACCOUNT_SETTING]: sent, ...rest } = raw as Record<string, unknown>;
  if (sent !== accountIdOf(stored)) {
    throw new AppError(400, 'VALIDATION_FAILED', {}, [{ path: `settings.${ACCOUNT_SETTING}`, message: 'set by Herold from the network; cannot be set' }]);
  }
  return rest;
}

/**
 * X and Mastodon: the account a post lands on is the token's, so Herold asks the network whose
 * token it is (the adapter's "who am I") and records the answer in the channel's target identity.
 * Called before any transaction: a slow network must not hold a row lock.
 */
async function identifyAccount(deps: Deps, type: ChannelType, settings: unknown, credentials: Record<string, unknown>): Promise<{ accountId: string } | { code: string }> {
  const identify = adapterFor(type).identify;
  if (!identify) return { code: 'UNKNOWN_ERROR' };
  try {
    // The adapter's clients judge each address they connect to under the configured allowance.
    const identity = await withOutboundPolicy({ allow: deps.config.allowPrivateHosts }, () => identify((settings ?? {}) as Record<string, unknown>, credentials));
    return { accountId: identity.accountId };
  } catch (err) {
    return { code: err instanceof ChannelError ? err.code : 'UNKNOWN_ERROR' };
  }
}

export function list(deps: Deps, actor: Actor) {
  return listChannels(deps.db, actor.orgId);
}

export async function create(deps: Deps, actor: Actor, input: { type: ChannelType; name: string; settings?: unknown; credentials?: unknown }) {
  const settings = parseOrThrow(SETTINGS[input.type], clientSettings(input.type, input.settings, undefined), 'settings');
  const credentials = input.type === 'blog' ? null : parseOrThrow(CREDENTIALS[input.type], input.credentials, 'credentials');
  await assertPublicHosts(deps, settings);
  // A new channel has no approvals to protect: if the network cannot say whose token it is, the
  // channel is stored without an account, like one saved before accounts were recorded, and the
  // next credentials save records it (docs/security.md).
  const account = credentials && accountFromNetwork(input.type) ? await identifyAccount(deps, input.type, settings, credentials) : null;
  const accountId = account && 'accountId' in account ? account.accountId : undefined;
  return deps.db.$transaction(async (tx) => {
    const channel = await createChannel(tx, {
      orgId: actor.orgId,
      type: input.type,
      name: input.name,
      settings: withAccount(settings, accountId),
      credentialsEnc: credentials ? encryptJson(credentials, deps.config.secretKeys) : null,
    });
    await audit(tx, actor, 'channel.created', { type: 'channel', id: channel.id }, {
      type: input.type,
      name: input.name,
      ...(account ? ('accountId' in account ? { accountId } : { accountUnverified: account.code }) : {}),
    });
    return channel;
  });
}

export async function update(
  deps: Deps,
  actor: Actor,
  id: string,
  patch: { name?: string; settings?: unknown; credentials?: unknown; enabled?: boolean },
) {
  let settings: Record<string, unknown> | undefined;
  let credentials: Record<string, unknown> | undefined;
  let accountId: string | undefined;
  if (patch.settings !== undefined || patch.credentials !== undefined) {
    // Resolved before the transaction: a slow DNS answer or network must not hold a row lock.
    const current = await findChannel(deps.db, actor.orgId, id);
    if (!current) throw notFound('channel');
    const type = current.type as ChannelType;
    if (patch.settings !== undefined) {
      settings = parseOrThrow(SETTINGS[type], clientSettings(type, patch.settings, current.settings), 'settings');
      await assertPublicHosts(deps, settings);
    }
    if (patch.credentials !== undefined && type !== 'blog') {
      credentials = parseOrThrow(CREDENTIALS[type], patch.credentials, 'credentials');
      if (accountFromNetwork(type)) {
        // New credentials may belong to another account. Unless the network names it, nothing is
        // stored: keeping the approvals would bind them to an account nobody confirmed, and voiding
        // them on a network hiccup would send approved releases back to draft for nothing.
        const account = await identifyAccount(deps, type, settings ?? current.settings, credentials);
        if ('code' in account) {
          throw new AppError(422, 'CHANNEL_ACCOUNT_UNVERIFIED', { network: NETWORK_NAMES[type] ?? type, code: account.code }, [
            { path: 'credentials', message: account.code },
          ]);
        }
        accountId = account.accountId;
      }
    }
  }
  const result = await deps.db.$transaction(async (tx) => {
    const channel = await findChannel(tx, actor.orgId, id);
    if (!channel) throw notFound('channel');
    const type = channel.type as ChannelType;
    const data: Parameters<typeof updateChannel>[3] = {};
    if (patch.name !== undefined) data.name = patch.name;
    if (patch.enabled !== undefined) data.enabled = patch.enabled;
    if (settings !== undefined) {
      // Moving a channel to another host would send the stored token there: whoever does that
      // must know the credentials, i.e. enter them again (a token rarely fits a new host anyway).
      const moved = channelHosts(settings).join() !== channelHosts((channel.settings ?? {}) as Record<string, unknown>).join();
      if (moved && channel.credentialsEnc && patch.credentials === undefined) {
        throw new AppError(400, 'CREDENTIALS_REQUIRED', {}, [{ path: 'credentials', message: 'required when the host changes' }]);
      }
    }
    // The recorded account stays until new credentials name another one.
    if (settings !== undefined || accountId !== undefined) data.settings = withAccount(settings ?? channel.settings, accountId ?? accountIdOf(channel.settings));
    if (credentials) {
      data.credentialsEnc = encryptJson(credentials, deps.config.secretKeys);
      // New credentials end a needs_reauth state and release the posts it held.
      data.status = 'active';
    }
    await updateChannel(tx, actor.orgId, id, data);
    // Approved posts are bound to where the channel publishes (domain/channel-target.ts): if that
    // changed, their approvals are void and the releases go back to draft. New credentials for
    // the same account (a rotated token or app password) change nothing. A channel that had no
    // recorded account gets one now; Herold cannot tell that it is the one approved, so it counts
    // as a change.
    const before = targetOf(channel, deps.config.secretKeys);
    const nextSettings = data.settings ?? channel.settings;
    const after = credentials
      ? channelTarget(type, nextSettings, credentials)
      : targetOf({ type, settings: nextSettings, credentialsEnc: channel.credentialsEnc }, deps.config.secretKeys);
    const targetChanged = !sameTarget(before, after);
    const voided = targetChanged ? await voidApprovalsForChannel(tx, actor, id) : [];
    let released = 0;
    if (data.status === 'active' && channel.status === 'needs_reauth') {
      released = (await releaseHeldPosts(tx, { channelId: id }, 'reauth', deps.now())).count;
    }
    await audit(tx, actor, patch.credentials !== undefined ? 'channel.credentials_changed' : 'channel.updated', { type: 'channel', id }, {
      fields: Object.keys(patch),
      released,
      ...(accountId ? { accountId } : {}),
      ...(targetChanged ? { targetChanged, approvalsVoided: voided.length } : {}),
    });
    return { channel: (await findChannel(tx, actor.orgId, id))!, released };
  });
  if (result.released > 0) {
    const held = await deps.db.post.findMany({ where: { channelId: id, status: 'scheduled' }, select: { id: true } });
    await enqueueDue(deps, held.map((p) => p.id)).catch((err) => deps.log.warn({ err }, 'enqueue failed; the sweep will'));
  }
  return result.channel;
}

export async function check(deps: Deps, actor: Actor, id: string, lang: 'de' | 'en') {
  const channel = await findChannel(deps.db, actor.orgId, id);
  if (!channel) throw notFound('channel');
  try {
    const settings = (channel.settings ?? {}) as Record<string, unknown>;
    // The host may resolve elsewhere now than when it was saved.
    await assertChannelHostAllowed(settings, deps.config.allowPrivateHosts);
    const credentials = channel.credentialsEnc ? decryptJson(channel.credentialsEnc, deps.config.secretKeys) : {};
    // The adapter's clients judge each address they connect to under the same allowance.
    const result = await withOutboundPolicy({ allow: deps.config.allowPrivateHosts }, () => adapterFor(channel.type as ChannelType).check(settings, credentials));
    return { ok: true, account: result.account };
  } catch (err) {
    const code = err instanceof ChannelError ? err.code : 'UNKNOWN_ERROR';
    return { ok: false, error: { code, message: message(code, lang) } };
  }
}
