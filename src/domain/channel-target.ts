// Where a channel's posts land: the part of a channel's configuration an approval is bound to.
// Pure; callers hand in the settings and, for networks that keep the account name there, the
// decrypted credentials.
//
// Only what decides the destination belongs here: the network, the host Herold talks to, and the
// page, site, instance or account on it. Secrets do not (a token refresh or a new app password
// for the same account must not void approvals), nor do display settings (blog title, X username
// for result links, Facebook graphVersion, limits, timeouts).
//
// X and Mastodon name no account in their settings or credentials: the account is the token's.
// Herold asks the network when credentials are saved (services/channels.ts) and keeps the
// answer as the server-set setting `accountId`, which then belongs to the target.
import type { ChannelType } from './types';

/** The setting Herold fills in from the network's "who am I"; no client may set it. */
export const ACCOUNT_SETTING = 'accountId';

/** Networks whose account is the token's, recorded as ACCOUNT_SETTING when credentials are saved. */
export const ACCOUNT_FROM_NETWORK: readonly ChannelType[] = ['twitter', 'mastodon'];

export function accountFromNetwork(type: string): boolean {
  return ACCOUNT_FROM_NETWORK.includes(type as ChannelType);
}

/** The setting fields that decide where a post lands, per network. */
export const TARGET_SETTINGS: Record<ChannelType, readonly string[]> = {
  // Herold's own blog: the organisation's blog, reached by channel id alone.
  blog: [],
  facebook: ['pageId', 'apiBaseUrl'],
  // The account is the token's, recorded from the network as ACCOUNT_SETTING (see above).
  twitter: ['apiBaseUrl', ACCOUNT_SETTING],
  wordpress: ['siteUrl', 'apiBaseUrl'],
  mastodon: ['instanceUrl', 'apiBaseUrl', ACCOUNT_SETTING],
  bluesky: ['service', 'apiBaseUrl'],
};

/** Non-secret credential fields that name the account (Bluesky signs in with handle, DID or e-mail). */
export const TARGET_CREDENTIALS: Partial<Record<ChannelType, readonly string[]>> = {
  bluesky: ['identifier'],
};

export type ChannelTarget = Record<string, string | null>;

/** Whether the target identity of this channel type needs its decrypted credentials. */
export function targetNeedsCredentials(type: string): boolean {
  return (TARGET_CREDENTIALS[type as ChannelType]?.length ?? 0) > 0;
}

/** URLs are compared as scheme, host and path (no trailing slash), so that re-saving is no move. */
function normaliseUrl(value: string): string {
  try {
    const url = new URL(value);
    return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}${url.search}`;
  } catch {
    return value;
  }
}

function normalise(field: string, value: unknown): string | null {
  if (value === undefined || value === null || value === '') return null;
  const text = String(value).trim();
  if (field === 'identifier') return text.replace(/^@/, '').toLowerCase();
  return /^https?:\/\//i.test(text) ? normaliseUrl(text) : text;
}

/**
 * The target identity of a channel: its network and the normalised values of the fields above.
 * Two configurations with the same identity publish to the same place.
 */
export function channelTarget(type: string, settings: unknown, credentials?: Record<string, unknown> | null): ChannelTarget {
  const s = (settings && typeof settings === 'object' ? settings : {}) as Record<string, unknown>;
  const target: ChannelTarget = { network: type };
  for (const field of TARGET_SETTINGS[type as ChannelType] ?? []) {
    const value = normalise(field, s[field]);
    // A channel saved before accounts were recorded has none: left out rather than null, so its
    // target, and the hashes of the approvals given on it, stay exactly what they were.
    if (field === ACCOUNT_SETTING && value === null) continue;
    target[field] = value;
  }
  for (const field of TARGET_CREDENTIALS[type as ChannelType] ?? []) target[`account.${field}`] = normalise(field, credentials?.[field]);
  return target;
}

export function sameTarget(a: ChannelTarget, b: ChannelTarget): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) if ((a[key] ?? null) !== (b[key] ?? null)) return false;
  return true;
}
