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
import { channelTarget, sameTarget } from '../domain/channel-target';
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

export function list(deps: Deps, actor: Actor) {
  return listChannels(deps.db, actor.orgId);
}

export async function create(deps: Deps, actor: Actor, input: { type: ChannelType; name: string; settings?: unknown; credentials?: unknown }) {
  const settings = parseOrThrow(SETTINGS[input.type], input.settings, 'settings');
  const credentials = input.type === 'blog' ? null : parseOrThrow(CREDENTIALS[input.type], input.credentials, 'credentials');
  await assertPublicHosts(deps, settings);
  return deps.db.$transaction(async (tx) => {
    const channel = await createChannel(tx, {
      orgId: actor.orgId,
      type: input.type,
      name: input.name,
      settings,
      credentialsEnc: credentials ? encryptJson(credentials, deps.config.secretKeys) : null,
    });
    await audit(tx, actor, 'channel.created', { type: 'channel', id: channel.id }, { type: input.type, name: input.name });
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
  if (patch.settings !== undefined) {
    // Resolved before the transaction: a slow DNS answer must not hold a row lock.
    const current = await findChannel(deps.db, actor.orgId, id);
    if (!current) throw notFound('channel');
    settings = parseOrThrow(SETTINGS[current.type as ChannelType], patch.settings, 'settings');
    await assertPublicHosts(deps, settings);
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
      data.settings = settings;
    }
    let credentials: Record<string, unknown> | undefined;
    if (patch.credentials !== undefined && type !== 'blog') {
      credentials = parseOrThrow(CREDENTIALS[type], patch.credentials, 'credentials');
      data.credentialsEnc = encryptJson(credentials, deps.config.secretKeys);
      // New credentials end a needs_reauth state and release the posts it held.
      data.status = 'active';
    }
    await updateChannel(tx, actor.orgId, id, data);
    // Approved posts are bound to where the channel publishes (domain/channel-target.ts): if that
    // changed, their approvals are void and the releases go back to draft. New credentials for
    // the same account (a rotated token or app password) change nothing.
    const before = targetOf(channel, deps.config.secretKeys);
    const nextSettings = settings ?? channel.settings;
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
